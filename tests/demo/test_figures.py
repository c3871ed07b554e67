"""The loaded demo catalogue against the 光明区 report.

The figures are computed from the loaded database with ORM aggregates and compared with the
numbers of the report written out here, not with the builder's quotas.
"""

import pytest
from django.db import transaction
from django.db.models import Avg, Count, Q, Sum

from catalogue.choices import HandlingType, ItemType, MobileService, PowerSource, tier_span_label
from catalogue.models import Department, MobileChannel, ServiceItem
from catalogue.rules import item_rule_errors
from catalogue.validators import validate_credit_code
from demo.services import demo_catalogue_load

PERCENTAGE_POINT = 1


def percent(part, whole):
    return 100 * part / whole


@pytest.fixture(scope="module")
def demo_catalogue(django_db_setup, django_db_blocker):
    """The demo catalogue loaded once for this module, rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_catalogue_load()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def items(demo_catalogue, db):
    return ServiceItem.objects.in_use()


@pytest.fixture
def total(items):
    return items.count()


# The loaded catalogue against the report.


def test_catalogue_has_681_items(total):
    assert total == 681


def test_every_loaded_item_passes_every_rule(items):
    broken = {}
    for item in items.select_related("main_item").prefetch_related("mobile_channels"):
        values = {**item.rule_values(), "mobile_channels": list(item.mobile_channels.all())}
        if errors := item_rule_errors(values):
            broken[item.code] = errors
    assert broken == {}


def test_departments_named_by_the_report_have_the_most_items(items):
    ranking = list(
        items.values("department__short_name")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("department__short_name", flat=True)[:4]
    )
    assert ranking == ["住房和建设局", "民政局", "卫生健康局", "城市更新和土地整备局"]


def test_departments_have_full_names_short_names_and_valid_credit_codes(demo_catalogue, db):
    departments = Department.objects.filter(items__isnull=False).distinct()

    assert departments.count() >= 25
    for department in departments:
        assert department.name.startswith("深圳市")
        assert department.short_name
        validate_credit_code(department.credit_code)


def test_housing_sector_is_largest_with_106_then_hr_natural_resources_health(items):
    ranking = list(
        items.values("sector__name").annotate(n=Count("pk")).order_by("-n", "sector__name")
    )
    assert ranking[0] == {"sector__name": "住房和城乡建设", "n": 106}
    assert [row["sector__name"] for row in ranking[1:4]] == [
        "人力资源和社会保障",
        "自然资源",
        "卫生健康",
    ]
    assert ranking[3]["n"] > ranking[4]["n"]
    assert len(ranking) >= 15


def test_handling_types_are_59_percent_promised_41_percent_immediate(items, total):
    counts = items.aggregate(
        promised=Count("pk", filter=Q(handling_type=HandlingType.PROMISED)),
        immediate=Count("pk", filter=Q(handling_type=HandlingType.IMMEDIATE)),
    )
    assert percent(counts["promised"], total) == pytest.approx(59, abs=PERCENTAGE_POINT)
    assert percent(counts["immediate"], total) == pytest.approx(41, abs=PERCENTAGE_POINT)


def test_licensing_has_277_main_items_and_more_sub_items(items):
    licensing = items.filter(item_type=ItemType.LICENSING).aggregate(
        main_items=Count("main_item", distinct=True),
        standalone=Count("pk", filter=Q(main_item__isnull=True)),
        sub_items=Count("pk"),
    )
    assert licensing["main_items"] + licensing["standalone"] == 277
    assert licensing["sub_items"] > 277


def test_public_service_has_180_items_each_its_own_main_item(items):
    public_service = items.filter(item_type=ItemType.PUBLIC_SERVICE).aggregate(
        items=Count("pk"), standalone=Count("pk", filter=Q(main_item__isnull=True))
    )
    assert public_service == {"items": 180, "standalone": 180}


def test_licensing_then_public_service_lead_and_other_types_share_the_rest(items):
    ranking = list(items.values("item_type").annotate(n=Count("pk")).order_by("-n"))
    assert [row["item_type"] for row in ranking[:2]] == [
        ItemType.LICENSING,
        ItemType.PUBLIC_SERVICE,
    ]
    assert len(ranking) >= 8


def test_power_source_is_63_percent_local_statutory_rest_over_four_others(items, total):
    counts = dict(items.values_list("power_source").annotate(n=Count("pk")))

    assert percent(counts.pop(PowerSource.LOCAL_STATUTORY), total) == pytest.approx(
        63, abs=PERCENTAGE_POINT
    )
    assert set(counts) == {
        PowerSource.AUTHORIZED_BY_SUPERIOR,
        PowerSource.ENTRUSTED_BY_SUPERIOR,
        PowerSource.DELEGATED_BY_SUPERIOR,
        PowerSource.OTHER,
    }
    assert not items.filter(power_source=PowerSource.ENTRUSTED_BY_SUPERIOR, entrusting_body="")


def test_tier_combinations_match_the_report(items, total):
    tier_sets = dict(items.order_by().values_list("tiers").annotate(n=Count("pk")))
    counts = {tier_span_label(tiers): n for tiers, n in tier_sets.items()}
    single_tier = sum(n for tiers, n in tier_sets.items() if tiers.bit_count() == 1)

    assert percent(counts["市区两级"], total) == pytest.approx(34, abs=PERCENTAGE_POINT)
    assert percent(counts["区本级"], total) == pytest.approx(29, abs=PERCENTAGE_POINT)
    assert percent(counts["省市区三级"], total) == pytest.approx(26.9, abs=PERCENTAGE_POINT)
    assert percent(total - single_tier, total) == pytest.approx(71, abs=PERCENTAGE_POINT)
    other_spans = (
        "区街两级",
        "市区街三级",
        "区街村三级",
        "省市区街四级",
        "市区街村四级",
        "省市区街村五级",
    )
    assert all(counts[span] > 0 for span in other_spans)
    assert max(counts, key=counts.get) == "市区两级"


def test_hall_and_window_figures_match_the_report(items, total):
    counts = items.aggregate(
        in_hall=Count("pk", filter=Q(in_hall=True)),
        one_window=Count("pk", filter=Q(one_window=True)),
        comprehensive=Count("pk", filter=Q(comprehensive_window=True)),
    )
    assert percent(counts["in_hall"], total) == pytest.approx(75, abs=PERCENTAGE_POINT)
    assert counts["one_window"] == 50
    assert percent(counts["one_window"], total) == pytest.approx(7, abs=PERCENTAGE_POINT)
    assert counts["comprehensive"] == 531
    assert percent(counts["comprehensive"], total) == pytest.approx(78, abs=PERCENTAGE_POINT)


def test_online_mobile_and_instant_approval_figures_match_the_report(items, total):
    counts = items.aggregate(
        online=Count("pk", filter=Q(is_online=True)),
        mobile=Count("pk", filter=Q(is_mobile=True)),
        instant=Count("pk", filter=Q(instant_approval=True)),
    )
    assert counts["online"] == 641
    assert percent(counts["online"], total) == pytest.approx(94, abs=PERCENTAGE_POINT)
    assert counts["mobile"] == 31
    assert percent(counts["mobile"], total) == pytest.approx(5, abs=PERCENTAGE_POINT)
    assert counts["instant"] == 20


def test_mobile_items_use_every_channel_and_every_kind_of_service(items):
    channels = dict(
        MobileChannel.objects.annotate(n=Count("items", filter=Q(items__in=items))).values_list(
            "name", "n"
        )
    )
    kinds = items.filter(is_mobile=True).aggregate(
        **{kind.name: Count("pk", filter=Q(mobile_services__has=kind)) for kind in MobileService}
    )
    for name in ("广东政务服务网APP", "粤省事", "微信公众号"):
        assert channels[name] > 0
    assert all(kinds.values()), kinds


def test_onsite_visits_are_78_percent_none_22_percent_one_very_few_two(items, total):
    counts = dict(items.values_list("onsite_visits").annotate(n=Count("pk")))

    assert set(counts) == {0, 1, 2}
    assert percent(counts[0], total) == pytest.approx(78, abs=PERCENTAGE_POINT)
    assert percent(counts[1], total) == pytest.approx(22, abs=PERCENTAGE_POINT)
    assert 0 < percent(counts[2], total) < PERCENTAGE_POINT


def test_legal_time_limit_buckets_match_the_report(items, total):
    counts = items.aggregate(
        one_day=Count("pk", filter=Q(legal_limit__lte=1)),
        up_to_ten=Count("pk", filter=Q(legal_limit__range=(2, 10))),
        up_to_thirty=Count("pk", filter=Q(legal_limit__range=(11, 30))),
        longer=Count("pk", filter=Q(legal_limit__gt=30)),
    )
    assert percent(counts["one_day"], total) == pytest.approx(7, abs=PERCENTAGE_POINT)
    assert percent(counts["up_to_ten"], total) == pytest.approx(13, abs=PERCENTAGE_POINT)
    assert percent(counts["up_to_thirty"], total) == pytest.approx(66, abs=PERCENTAGE_POINT)
    assert percent(counts["longer"], total) == pytest.approx(100 - 7 - 13 - 66, abs=1)
    assert sum(counts.values()) == total


def test_average_limits_are_25_8_legal_and_6_9_promised_days(items):
    limits = items.aggregate(
        legal=Avg("legal_limit"),
        promised=Avg("promised_limit"),
        legal_total=Sum("legal_limit"),
        promised_total=Sum("promised_limit"),
    )
    assert round(float(limits["legal"]), 1) == 25.8
    assert round(float(limits["promised"]), 1) == 6.9
    share = percent(limits["promised_total"], limits["legal_total"])
    assert share == pytest.approx(26.8, abs=PERCENTAGE_POINT)
    assert share == pytest.approx(26.7, abs=PERCENTAGE_POINT)


def test_some_items_charge_a_fee_with_its_basis(items):
    charging = items.filter(charges_fee=True)

    assert 0 < charging.count() <= 20
    assert not charging.filter(fee_basis="")
