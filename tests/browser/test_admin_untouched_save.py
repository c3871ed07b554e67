"""Opening an existing record in an admin change form and saving it untouched changes nothing."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse

from catalogue.choices import ChangeSource, MobileService, OnlineDepth, PowerSource
from catalogue.history import HistoricalServiceItem, record_changes
from catalogue.models import DepartmentMembership, ServiceItem
from catalogue.services.items import service_item_create
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Written by every save whatever changed.
VOLATILE_FIELDS = {"updated_at"}


def _snapshot(obj) -> dict:
    obj = type(obj).objects.get(pk=obj.pk)
    values = {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.name not in VOLATILE_FIELDS
    }
    for field in obj._meta.many_to_many:
        values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    if obj._meta.model_name == "user":
        values["memberships"] = sorted(
            DepartmentMembership.objects.filter(user=obj).values_list("department_id", flat=True)
        )
    return values


def _rich_item(refs, admin_user) -> ServiceItem:
    """An item that uses every dependent field, so that none may be lost on the way."""
    return service_item_create(
        user=admin_user,
        source=ChangeSource.FORM,
        mobile_channels=[refs.channel],
        code="11440300MB2C00000000000000000000001",
        name="建筑工程施工许可证核发",
        department=refs.department,
        main_item=refs.main_item,
        sector=refs.sector,
        item_type="licensing",
        power_source=PowerSource.ENTRUSTED_BY_SUPERIOR,
        entrusting_body="深圳市住房和建设局",
        handling_type="promised",
        tiers=12,
        legal_basis="《中华人民共和国建筑法》",
        in_hall=True,
        one_window=True,
        is_online=True,
        online_depth=OnlineDepth.LEVEL_3,
        is_mobile=True,
        mobile_services=MobileService.LOOKUP | MobileService.APPLICATION,
        onsite_visits=1,
        onsite_reason="核验原件",
        legal_limit=20,
        legal_limit_unit="working_day",
        promised_limit=5,
        promised_limit_unit="working_day",
        location="光明区行政服务大厅",
        consult_phone="0755-12345678",
        charges_fee=True,
        fee_basis="粤价〔2020〕1号",
    )


def _records(item):
    return list(
        HistoricalServiceItem.objects.filter(id=item.pk)
        .select_related("department", "sector", "main_item")
        .order_by("-history_date", "-history_id")
    )


def _target(kind, refs, admin_user):
    """The record to open and the URL of its change form."""
    if kind in {"item", "restore"}:
        item = _rich_item(refs, admin_user)
        if kind == "item":
            return item, reverse("admin:catalogue_serviceitem_change", args=[item.pk])
        record = _records(item)[0]
        url = reverse(
            "admin:catalogue_serviceitem_simple_history", args=[item.pk, record.history_id]
        )
        return item, url
    if kind == "user":
        user = UserFactory(username="dept_clerk", first_name="小", last_name="李")
        user.groups.set([Group.objects.get_or_create(name="部门填报员")[0]])
        DepartmentMembership.objects.create(user=user, department=refs.department)
        return user, reverse("admin:auth_user_change", args=[user.pk])
    obj = {
        "department": refs.department,
        "sector": refs.sector,
        "mainitem": refs.main_item,
        "mobilechannel": refs.channel,
    }[kind]
    return obj, reverse(f"admin:catalogue_{kind}_change", args=[obj.pk])


@pytest.mark.parametrize(
    "kind", ["item", "restore", "department", "sector", "mainitem", "mobilechannel", "user"]
)
def test_saving_a_change_form_untouched_changes_nothing(
    kind, open_page, live_server, admin_user, refs
):
    obj, url = _target(kind, refs, admin_user)
    before = _snapshot(obj)
    records_before = _records(obj) if isinstance(obj, ServiceItem) else []
    browser = open_page(user=admin_user)
    page = browser.page

    page.goto(live_server.url + url)
    breadcrumbs = page.inner_text(".breadcrumbs")
    with page.expect_navigation():
        page.click("input[type=submit][name=_save], form input[type=submit]:not([name])")

    assert page.locator(".errornote").count() == 0, page.inner_text("#content")
    assert _snapshot(obj) == before
    if isinstance(obj, ServiceItem):
        records = _records(obj)
        assert len(records) == len(records_before) + 1
        assert record_changes(records[0], records[1], channel_names={}) == []
    # The app is named as on every other page (simple-history's own template said "Catalogue").
    if kind != "user":
        assert "Catalogue" not in breadcrumbs and "政务服务事项目录" in breadcrumbs
    if kind != "restore":
        entry = LogEntry.objects.filter(object_id=str(obj.pk)).latest("action_time")
        assert entry.change_message == "[]"
    assert browser.errors == []
