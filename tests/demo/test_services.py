import dataclasses

import pytest
from django.core.exceptions import ValidationError

from catalogue.choices import ChangeSource, HandlingType
from catalogue.history import HistoricalServiceItem
from catalogue.models import Department, MainItem, MobileChannel, Sector, ServiceItem
from demo import services as demo_services
from demo.builder import build_demo_catalogue
from demo.services import DemoLoadResult, demo_catalogue_load
from tests.factories import ServiceItemFactory

pytestmark = pytest.mark.django_db


def _snapshot():
    """Every row the demo load may write, with its timestamps."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (
            Sector,
            Department,
            MobileChannel,
            MainItem,
            ServiceItem,
            ServiceItem.mobile_channels.through,
        )
    }


def test_demo_catalogue_load_creates_the_whole_catalogue():
    demo = build_demo_catalogue()

    result = demo_catalogue_load()

    assert result.skipped is False
    assert result.created == {
        "sectors": len(demo.sectors),
        "departments": len(demo.departments),
        "mobile_channels": 0,  # the three channels come with migration 0002
        "main_items": len(demo.main_items),
        "items": 681,
    }
    assert ServiceItem.objects.count() == 681
    assert MainItem.objects.count() == len(demo.main_items)
    assert ServiceItem.mobile_channels.through.objects.count() == sum(
        len(item["mobile_channels"]) for item in demo.items
    )


def test_demo_catalogue_load_twice_changes_nothing():
    demo_catalogue_load()
    before = _snapshot()

    result = demo_catalogue_load()

    assert result.created == dict.fromkeys(
        ("sectors", "departments", "mobile_channels", "main_items", "items"), 0
    )
    assert _snapshot() == before


def test_demo_catalogue_reload_runs_a_fixed_number_of_queries(django_assert_num_queries):
    demo_catalogue_load()

    # SAVEPOINT; the sectors, departments, channels, main items and item codes already there;
    # RELEASE SAVEPOINT. Nothing is written.
    with django_assert_num_queries(7):
        demo_catalogue_load()


def test_demo_catalogue_load_restores_missing_rows_and_keeps_edited_ones():
    demo_catalogue_load()
    removed = ServiceItem.objects.filter(is_mobile=False).order_by("code").first()
    removed_code = removed.code
    removed.delete()
    edited = ServiceItem.objects.order_by("code").last()
    ServiceItem.objects.filter(pk=edited.pk).update(name="已由工作人员修改的名称")

    result = demo_catalogue_load()

    assert result.created["items"] == 1
    assert ServiceItem.objects.filter(code=removed_code).exists()
    assert ServiceItem.objects.get(pk=edited.pk).name == "已由工作人员修改的名称"


def test_demo_catalogue_load_creates_missing_mobile_channels():
    MobileChannel.objects.filter(name="粤省事").delete()

    result = demo_catalogue_load()

    assert result.created["mobile_channels"] == 1
    assert MobileChannel.objects.get(name="粤省事").items.count() > 0


def test_demo_catalogue_load_if_empty_loads_an_empty_catalogue():
    result = demo_catalogue_load(if_empty=True)

    assert result.skipped is False
    assert ServiceItem.objects.count() == 681


def test_demo_catalogue_load_if_empty_leaves_a_catalogue_with_items_alone():
    ServiceItemFactory()

    result = demo_catalogue_load(if_empty=True)

    assert result == DemoLoadResult(skipped=True, created={})
    assert ServiceItem.objects.count() == 1


def test_demo_catalogue_load_rejects_an_item_breaking_a_rule_and_writes_nothing(monkeypatch):
    demo = build_demo_catalogue()
    promised = next(item for item in demo.items if item["handling_type"] == HandlingType.PROMISED)
    broken = {**promised, "promised_limit": promised["legal_limit"] + 1}
    items = tuple(broken if item is promised else item for item in demo.items)
    broken_demo = dataclasses.replace(demo, items=items)
    monkeypatch.setattr(demo_services, "build_demo_catalogue", lambda: broken_demo)

    with pytest.raises(ValidationError) as raised:
        demo_catalogue_load()

    assert raised.value.message_dict == {
        broken["code"]: ["承诺办结时限：不能超过法定办结时限（同一时限单位）。"]
    }
    assert not ServiceItem.objects.exists()
    assert not Department.objects.exists()


def test_demo_catalogue_load_gives_every_new_item_its_initial_record():
    demo_catalogue_load()
    item = ServiceItem.objects.filter(mobile_channels__isnull=False).first()
    ServiceItemFactory()  # an item created outside the demo keeps its own history

    demo_records = HistoricalServiceItem.objects.filter(change_source=ChangeSource.DEMO)
    assert demo_records.count() == len(build_demo_catalogue().items)
    assert set(demo_records.values_list("history_type", flat=True)) == {"+"}
    assert not demo_records.filter(history_user__isnull=False).exists()
    assert not ServiceItem.objects.exclude(
        pk__in=HistoricalServiceItem.objects.values("id")
    ).exists()
    record = item.history.get()
    tracked = [field.attname for field in HistoricalServiceItem.tracked_fields]
    assert {name: getattr(record, name) for name in tracked} == {
        name: getattr(item, name) for name in tracked
    }
    assert record.mobile_channel_ids == sorted(item.mobile_channels.values_list("pk", flat=True))


def test_demo_catalogue_reload_records_nothing_for_existing_items():
    demo_catalogue_load()
    records = HistoricalServiceItem.objects.count()

    demo_catalogue_load()

    assert HistoricalServiceItem.objects.count() == records
