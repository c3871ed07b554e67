import datetime

import pytest
from django.http import QueryDict

from catalogue.choices import HandlingType, ItemStatus, ItemType, Tier
from catalogue.models import ServiceItem
from reports import filters
from reports.filters import ReportFilter
from tests.catalogue.importing_support import DEPARTMENT
from tests.factories import DepartmentFactory, SectorFactory, ServiceItemFactory

pytestmark = pytest.mark.django_db


def _filtered(query: str, request=None):
    filterset = ReportFilter(QueryDict(query), queryset=ServiceItem.objects.all(), request=request)
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs)


def test_status_defaults_to_in_use_when_absent():
    active = ServiceItemFactory()
    ServiceItemFactory(status=ItemStatus.CANCELLED)

    assert _filtered("") == {active}


def test_empty_status_means_every_status():
    items = {ServiceItemFactory(), ServiceItemFactory(status=ItemStatus.SUSPENDED)}

    assert _filtered("status=") == items


def test_status_selects_that_status():
    ServiceItemFactory()
    suspended = ServiceItemFactory(status=ItemStatus.SUSPENDED)

    assert _filtered("status=suspended") == {suspended}


def test_department_and_sector_filter_by_id(supervisor_request):
    department, sector = DepartmentFactory(), SectorFactory()
    both = ServiceItemFactory(department=department, sector=sector)
    only_department = ServiceItemFactory(department=department)
    ServiceItemFactory()

    assert _filtered(f"department={department.pk}", supervisor_request) == {both, only_department}
    assert _filtered(f"department={department.pk}&sector={sector.pk}", supervisor_request) == {both}


def test_item_type_and_handling_type_filter_by_value():
    service = ServiceItemFactory(item_type=ItemType.PUBLIC_SERVICE)
    immediate = ServiceItemFactory(handling_type=HandlingType.IMMEDIATE, promised_limit=0)

    assert _filtered("item_type=public_service") == {service}
    assert _filtered("handling_type=immediate") == {immediate}


def test_tier_keeps_items_whose_tiers_include_it():
    city_and_county = ServiceItemFactory(tiers=Tier.CITY | Tier.COUNTY)
    county = ServiceItemFactory(tiers=Tier.COUNTY)

    assert _filtered(f"tier={Tier.CITY}") == {city_and_county}
    assert _filtered(f"tier={Tier.COUNTY}") == {city_and_county, county}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("department=abc", "department", filters.INVALID_DEPARTMENT % {"value": "abc"}),
        ("department=999999", "department", filters.INVALID_DEPARTMENT % {"value": "999999"}),
        (
            "department=99999999999999999999999",
            "department",
            filters.INVALID_DEPARTMENT % {"value": "99999999999999999999999"},
        ),
        ("sector=-1", "sector", filters.INVALID_SECTOR % {"value": "-1"}),
        ("sector=1%00", "sector", filters.INVALID_SECTOR % {"value": "1\x00"}),
        ("status=active%00", "status", filters.INVALID_STATUS % {"value": "active\x00"}),
        ("item_type=许可", "item_type", filters.INVALID_ITEM_TYPE % {"value": "许可"}),
        ("handling_type=x", "handling_type", filters.INVALID_HANDLING_TYPE % {"value": "x"}),
        ("tier=3", "tier", filters.INVALID_TIER % {"value": "3"}),
        ("tier=city", "tier", filters.INVALID_TIER % {"value": "city"}),
        ("status=deleted", "status", filters.INVALID_STATUS % {"value": "deleted"}),
    ],
)
def test_bad_values_give_a_chinese_message(query, field, message):
    filterset = ReportFilter(QueryDict(query), queryset=ServiceItem.objects.all())

    assert not filterset.is_valid()
    assert filterset.error_messages() == {field: [message]}


def test_applied_lists_the_filters_in_force_with_their_names(supervisor_request):
    department = DepartmentFactory(name="民政局")
    filterset = ReportFilter(
        QueryDict(f"department={department.pk}&tier={Tier.CITY}&item_type=licensing"),
        queryset=ServiceItem.objects.all(),
        request=supervisor_request,
    )

    assert filterset.is_valid()
    assert filterset.applied() == [
        ("实施主体", "民政局"),
        ("事项类型", "行政许可"),
        ("行使层级", "市级"),
        ("事项状态", "在用"),
    ]


def test_applied_says_every_status_for_an_empty_status():
    filterset = ReportFilter(QueryDict("status="), queryset=ServiceItem.objects.all())

    assert filterset.is_valid()
    assert filterset.applied() == [("事项状态", "全部")]


@pytest.fixture
def supervisor_request(rf, supervisor):
    """Department choices depend on who asks: a supervisor may filter by any department."""
    request = rf.get("/reports/")
    request.user = supervisor
    return request


def test_department_choices_are_the_users_own_for_department_staff(
    rf, dept_staff, other_department
):
    request = rf.get("/reports/")
    request.user = dept_staff

    filterset = ReportFilter(
        QueryDict(f"department={other_department.pk}"),
        queryset=ServiceItem.objects.all(),
        request=request,
    )

    assert not filterset.is_valid()
    assert [d.name for d in filterset.form.fields["department"].queryset] == [DEPARTMENT]


@pytest.mark.parametrize(
    ("day", "before"),
    [
        (datetime.date(2024, 2, 29), datetime.date(2023, 2, 28)),
        (datetime.date(2026, 3, 1), datetime.date(2025, 3, 1)),
    ],
)
def test_a_year_before_29_february_is_28_february(day, before):
    assert filters.year_before(day) == before
