import random

import pytest

from catalogue.models import MobileChannel, ServiceItem
from demo.synthetic import VARIED_MIX, SyntheticReference, synthetic_item_fields
from tests.factories import (
    DepartmentFactory,
    MainItemFactory,
    SectorFactory,
    ServiceItemFactory,
)


def make_varied_items(count: int, *, seed: int = 4) -> list:
    """`count` valid items with varied values of every field the report counts
    (demo.synthetic's VARIED_MIX), built by the factory and inserted in bulk (two statements:
    dozens of tests build such a catalogue, and one INSERT per item and per channel link was
    most of their time)."""
    rng = random.Random(seed)
    departments = [
        DepartmentFactory(name="深圳市光明区住房和建设局", short_name="住房和建设局"),
        DepartmentFactory(name="深圳市光明区民政局", short_name="民政局"),
        DepartmentFactory(name="卫生健康局"),
    ]
    reference = SyntheticReference(
        departments=departments,
        sectors=[SectorFactory(name=name) for name in ("住房和城乡建设", "人社", "卫生健康")],
        main_items={
            department: [MainItemFactory(department=department) for _ in range(2)]
            for department in departments
        },
        channels=list(MobileChannel.objects.order_by("pk")),
    )
    items, channels_of = [], []
    for _ in range(count):
        fields, channels = synthetic_item_fields(rng, reference, VARIED_MIX)
        items.append(ServiceItemFactory.build(**fields))
        channels_of.append(channels)
    ServiceItem.objects.bulk_create(items)
    links = ServiceItem.mobile_channels.through
    links.objects.bulk_create(
        links(serviceitem_id=item.pk, mobilechannel_id=channel.pk)
        for item, channels in zip(items, channels_of, strict=True)
        for channel in channels
    )
    return items


@pytest.fixture
def varied_items(db):
    return make_varied_items(60)
