import random

import pytest

from catalogue.choices import (
    HandlingType,
    ItemStatus,
    ItemType,
    MobileService,
    OnlineDepth,
    PowerSource,
    Tier,
)
from catalogue.models import MobileChannel
from tests.factories import (
    DepartmentFactory,
    MainItemFactory,
    SectorFactory,
    ServiceItemFactory,
)

TIER_MASKS = [
    Tier.COUNTY,
    Tier.CITY | Tier.COUNTY,
    Tier.PROVINCE | Tier.CITY | Tier.COUNTY,
    Tier.COUNTY | Tier.TOWNSHIP,
    Tier.CITY | Tier.COUNTY | Tier.TOWNSHIP,
    Tier.COUNTY | Tier.TOWNSHIP | Tier.VILLAGE,
    Tier.PROVINCE | Tier.CITY | Tier.COUNTY | Tier.TOWNSHIP | Tier.VILLAGE,
]
ITEM_TYPES = [ItemType.LICENSING, ItemType.PUBLIC_SERVICE, ItemType.CONFIRMATION, ItemType.PENALTY]
POWER_SOURCES = [
    PowerSource.LOCAL_STATUTORY,
    PowerSource.DELEGATED_BY_SUPERIOR,
    PowerSource.AUTHORIZED_BY_SUPERIOR,
    PowerSource.ENTRUSTED_BY_SUPERIOR,
    PowerSource.OTHER,
]
LEGAL_LIMITS = [None, 0, 1, 2, 10, 11, 20, 30, 31, 60]


def make_varied_items(count: int, *, seed: int = 4) -> list:
    """`count` valid items with varied values of every field the report counts."""
    rng = random.Random(seed)
    departments = [
        DepartmentFactory(name="深圳市光明区住房和建设局", short_name="住房和建设局"),
        DepartmentFactory(name="深圳市光明区民政局", short_name="民政局"),
        DepartmentFactory(name="卫生健康局"),
    ]
    sectors = [SectorFactory(name=name) for name in ("住房和城乡建设", "人社", "卫生健康")]
    main_items = {
        department.pk: [MainItemFactory(department=department) for _ in range(2)]
        for department in departments
    }
    channels = list(MobileChannel.objects.order_by("pk"))
    items = []
    for _ in range(count):
        department = rng.choice(departments)
        handling_type = rng.choice(HandlingType.values)
        legal_limit = rng.choice(LEGAL_LIMITS)
        if handling_type == HandlingType.IMMEDIATE:
            promised_limit = 0
        else:
            promised_limit = rng.randint(1, max(1, legal_limit or 15))
            if legal_limit is not None and legal_limit < promised_limit:
                legal_limit = promised_limit
        is_online = rng.random() < 0.8
        online_depth = rng.choice(OnlineDepth.values) if is_online else None
        visits = 0 if online_depth == OnlineDepth.LEVEL_4 else rng.choice([0, 0, 1, 1, 2, 3, 4])
        is_mobile = rng.random() < 0.4
        power_source = rng.choice(POWER_SOURCES)
        item = ServiceItemFactory(
            department=department,
            sector=rng.choice(sectors),
            main_item=rng.choice([None, *main_items[department.pk]]),
            item_type=rng.choice(ITEM_TYPES),
            status=rng.choice(
                [ItemStatus.ACTIVE] * 4 + [ItemStatus.SUSPENDED, ItemStatus.CANCELLED]
            ),
            power_source=power_source,
            entrusting_body="深圳市某局"
            if power_source == PowerSource.ENTRUSTED_BY_SUPERIOR
            else "",
            handling_type=handling_type,
            tiers=rng.choice(TIER_MASKS),
            in_hall=rng.random() < 0.75,
            one_window=rng.random() < 0.2,
            comprehensive_window=rng.random() < 0.7,
            is_online=is_online,
            online_depth=online_depth,
            instant_approval=is_online and rng.random() < 0.2,
            is_mobile=is_mobile,
            mobile_services=rng.randint(1, sum(MobileService.values)) if is_mobile else 0,
            mobile_channels=rng.sample(channels, rng.randint(1, len(channels)))
            if is_mobile
            else [],
            onsite_visits=visits,
            onsite_reason="需核验原件" if visits else "",
            legal_limit=legal_limit,
            legal_limit_unit="working_day" if legal_limit is not None else "",
            promised_limit=promised_limit,
        )
        items.append(item)
    return items


@pytest.fixture
def varied_items(db):
    return make_varied_items(60)
