import pytest
from django.db import connection

from catalogue.choices import ItemStatus, ItemType, Tier, TimeUnit
from catalogue.models import MobileChannel, ServiceItem
from reports import selectors
from reports.report import SOURCES, chart_build, report_build
from tests.factories import DepartmentFactory, MainItemFactory, ServiceItemFactory
from tests.reports.conftest import make_varied_items
from tests.reports.expected import as_mapping, expected_charts, in_use

pytestmark = pytest.mark.django_db


def _active():
    return ServiceItem.objects.in_use()


def test_every_chart_matches_numbers_computed_independently(varied_items):
    report = report_build(items=_active())
    expected = expected_charts(in_use(varied_items))

    assert set(report.charts) == set(expected)
    for slug, chart in report.charts.items():
        actual = as_mapping(chart.as_chartjs())
        # Charts listing only what occurs have no zero rows; fixed-label charts may.
        assert {k: v for k, v in actual.items() if v} == {
            k: v for k, v in expected[slug].items() if v
        }, slug


def test_report_total_counts_items_in_use_only(varied_items):
    report = report_build(items=_active())

    assert report.total == len(in_use(varied_items))
    assert report.total < len(varied_items)


def test_grouped_charts_list_the_largest_first(varied_items):
    report = report_build(items=_active())

    for slug in ("department", "sector", "power-source", "tier-span", "mobile-channel"):
        data = report.charts[slug].as_chartjs()["datasets"][0]["data"]
        assert data == sorted(data, reverse=True), slug


def test_main_items_count_each_main_item_once_and_lone_items_as_their_own(db):
    department = DepartmentFactory()
    main_item = MainItemFactory(department=department)
    for _ in range(3):
        ServiceItemFactory(department=department, main_item=main_item)
    ServiceItemFactory(department=department, main_item=None)
    ServiceItemFactory(department=department, main_item=None, item_type=ItemType.PUBLIC_SERVICE)

    rows = selectors.items_by_item_type(ServiceItem.objects.all())

    assert rows == [
        {"item_type": ItemType.LICENSING, "sub_items": 4, "main_items": 2},
        {"item_type": ItemType.PUBLIC_SERVICE, "sub_items": 1, "main_items": 1},
    ]


def test_time_figures_leave_out_items_without_legal_limit(db):
    ServiceItemFactory(legal_limit=20, promised_limit=5)
    ServiceItemFactory(legal_limit=10, promised_limit=2)
    ServiceItemFactory(legal_limit=None, legal_limit_unit="", promised_limit=7)

    figures = selectors.item_figures(ServiceItem.objects.all())

    assert (figures["total"], figures["timed"]) == (3, 2)
    assert (figures["legal_days_working_day"], figures["promised_days_working_day"]) == (30, 7)


def test_time_sums_are_per_unit_over_items_whose_limits_share_it(db):
    working, natural = TimeUnit.WORKING_DAY, TimeUnit.NATURAL_DAY
    ServiceItemFactory(legal_limit=20, promised_limit=5)
    ServiceItemFactory(
        legal_limit=60, legal_limit_unit=natural, promised_limit=30, promised_limit_unit=natural
    )
    ServiceItemFactory(
        legal_limit=30, legal_limit_unit=working, promised_limit=10, promised_limit_unit=natural
    )

    figures = selectors.item_figures(ServiceItem.objects.all())

    assert figures["timed"] == 3
    assert (
        figures["timed_working_day"],
        figures["legal_days_working_day"],
        figures["promised_days_working_day"],
    ) == (1, 20, 5)
    assert (
        figures["timed_natural_day"],
        figures["legal_days_natural_day"],
        figures["promised_days_natural_day"],
    ) == (1, 60, 30)


def test_time_sums_are_none_when_no_item_has_a_legal_limit(db):
    ServiceItemFactory(legal_limit=None, legal_limit_unit="")

    figures = selectors.item_figures(ServiceItem.objects.all())

    assert figures["legal_days_working_day"] is None
    assert figures["timed"] == figures["timed_working_day"] == 0


def test_tier_span_rows_carry_the_tier_set(db):
    ServiceItemFactory(tiers=Tier.CITY | Tier.COUNTY)
    ServiceItemFactory(tiers=Tier.COUNTY)
    ServiceItemFactory(tiers=Tier.COUNTY)

    rows = selectors.items_by_tier_span(ServiceItem.objects.all())

    assert rows == [
        {"tiers": Tier.COUNTY, "count": 2},
        {"tiers": Tier.CITY | Tier.COUNTY, "count": 1},
    ]


def test_mobile_channels_count_the_given_items_that_use_each_channel(db):
    app, wechat = (
        MobileChannel.objects.get(name="粤省事"),
        MobileChannel.objects.get(name="微信公众号"),
    )
    ServiceItemFactory(is_mobile=True, mobile_channels=[app, wechat])
    ServiceItemFactory(is_mobile=True, mobile_channels=[app])
    ServiceItemFactory(is_mobile=True, mobile_channels=[wechat], status=ItemStatus.CANCELLED)

    rows = selectors.items_by_mobile_channel(_active())

    assert [(row["mobile_channels__name"], row["count"]) for row in rows] == [
        ("粤省事", 2),
        ("微信公众号", 1),
    ]


def test_status_filter_hints_sqlite_that_most_items_are_in_use(db):
    active = str(selectors.items_in_status(ServiceItem.objects.all(), ItemStatus.ACTIVE).query)
    cancelled = str(
        selectors.items_in_status(ServiceItem.objects.all(), ItemStatus.CANCELLED).query
    )

    assert ("likely(" in active) is (connection.vendor == "sqlite")
    assert "likely(" not in cancelled


def test_status_filter_keeps_the_items_of_that_status(db):
    active = ServiceItemFactory()
    cancelled = ServiceItemFactory(status=ItemStatus.CANCELLED)

    assert list(selectors.items_in_status(ServiceItem.objects.all(), ItemStatus.ACTIVE)) == [active]
    assert list(selectors.items_in_status(ServiceItem.objects.all(), ItemStatus.CANCELLED)) == [
        cancelled
    ]


def test_whole_report_runs_one_query_per_source_whatever_the_item_count(
    db, django_assert_num_queries
):
    make_varied_items(5, seed=1)
    # 1 conditional aggregate, 6 grouped queries (department, sector, item type, power source,
    # tier span, mobile channel).
    with django_assert_num_queries(len(SOURCES)):
        report_build(items=_active())

    make_varied_items(40, seed=2)
    with django_assert_num_queries(7):
        report_build(items=_active())


@pytest.mark.parametrize(
    ("slug", "queries"),
    [
        ("department", 1),
        ("handling-type", 1),
        ("tier-span", 1),
        ("mobile-channel", 2),  # channel counts, and the mobile total they are shares of
    ],
)
def test_one_chart_runs_only_the_queries_it_needs(db, django_assert_num_queries, slug, queries):
    make_varied_items(5)

    with django_assert_num_queries(queries):
        chart_build(items=_active(), slug=slug)


def test_report_items_is_every_item_for_now(db, admin_user):
    ServiceItemFactory(status=ItemStatus.SUSPENDED)

    assert selectors.report_items(user=admin_user).count() == 1
