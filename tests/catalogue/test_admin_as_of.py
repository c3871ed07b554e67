"""The item list and its export as of a day (catalogue.admin_as_of): read-only, scoped."""

import datetime
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from catalogue.choices import ChangeSource
from catalogue.services.items import service_item_create, service_item_update
from tests.catalogue.rule_cases import valid_item_values

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHANGELIST = reverse("admin:catalogue_serviceitem_changelist")
EXPORT = reverse("admin:catalogue_serviceitem_export")


@pytest.fixture
def history(refs, centre_admin):
    """施工许可 since 2025-03-01 with a mobile channel, renamed on 2025-09-01; 竣工验收 (another
    department) since 2025-06-01."""
    with time_machine.travel(datetime.datetime(2025, 3, 1, 9, tzinfo=SHANGHAI), tick=False):
        permit = service_item_create(
            **valid_item_values(refs, code="AS0001", name="施工许可", is_mobile=True),
            mobile_channels=[refs.channel],
            user=centre_admin,
            source=ChangeSource.FORM,
        )
    with time_machine.travel(datetime.datetime(2025, 6, 1, 9, tzinfo=SHANGHAI), tick=False):
        service_item_create(
            **valid_item_values(
                refs, code="AS0002", name="竣工验收", department=refs.other_department
            ),
            user=centre_admin,
            source=ChangeSource.FORM,
        )
    with time_machine.travel(datetime.datetime(2025, 9, 1, 9, tzinfo=SHANGHAI), tick=False):
        service_item_update(item=permit, name="施工许可（新）", user=centre_admin)
    return permit


def _names(response) -> list[str]:
    return sorted(row.name for row in response.context["cl"].result_list)


def test_the_item_list_shows_the_items_as_they_stood_at_the_end_of_the_day(admin_client, history):
    assert _names(admin_client.get(CHANGELIST)) == ["施工许可（新）", "竣工验收"]
    assert _names(admin_client.get(CHANGELIST, {"as_of": "2025-02-28"})) == []
    assert _names(admin_client.get(CHANGELIST, {"as_of": "2025-03-01"})) == ["施工许可"]
    assert _names(admin_client.get(CHANGELIST, {"as_of": "2025-08-31"})) == ["施工许可", "竣工验收"]
    # the other filters and the search narrow the records of that day
    response = admin_client.get(CHANGELIST, {"as_of": "2025-08-31", "q": "竣工"})
    assert _names(response) == ["竣工验收"]


def test_the_item_list_as_of_a_day_is_read_only(admin_client, history):
    response = admin_client.get(CHANGELIST, {"as_of": "2025-08-31"})
    page = response.content.decode()

    assert response.context["cl"].list_display_links is None
    assert not response.context["action_form"]
    assert f"/{history.pk}/change/" not in page
    assert "统计日期" in page
    # today's list still links and acts
    live = admin_client.get(CHANGELIST)
    assert f"/{history.pk}/change/" in live.content.decode()
    assert live.context["action_form"]


def test_the_item_list_as_of_a_day_keeps_the_department_scope(client, dept_staff, history):
    client.force_login(dept_staff)

    assert _names(client.get(CHANGELIST, {"as_of": "2025-08-31"})) == ["施工许可"]


@pytest.mark.parametrize("value", ["2025-13-01", "yesterday", "2999-01-01"])
def test_a_bad_as_of_day_is_refused_as_other_bad_filters_are(admin_client, history, value):
    response = admin_client.get(CHANGELIST, {"as_of": value})

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_the_import_batch_filter_is_refused_with_a_day(admin_client, history):
    response = admin_client.get(CHANGELIST, {"as_of": "2025-08-31", "import_batch": "1"})

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_the_export_writes_the_items_as_they_stood_with_their_channels_then(
    admin_client, history, refs
):
    response = admin_client.post(f"{EXPORT}?as_of=2025-08-31", {"format": "0"})

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    rows = {
        row[header.index("事项名称")]: row
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[0]
    }
    assert sorted(rows) == ["施工许可", "竣工验收"]
    channels = header.index("指尖办渠道")
    assert rows["施工许可"][channels] == refs.channel.name
    assert rows["竣工验收"][channels] in (None, "")


def test_the_item_list_as_of_a_day_counts_its_facets_over_the_records_of_that_day_only(
    admin_client, history, refs
):
    response = admin_client.get(CHANGELIST, {"as_of": "2025-08-31", "_facets": "1"})

    assert response.status_code == 200
    assert _names(response) == ["施工许可", "竣工验收"]
    page = response.content.decode()
    assert f"{refs.department.short_name} (1)" in page
    assert f"{refs.other_department.short_name} (1)" in page
    # A day offered is not counted (that would be a read of the history per day), and never
    # miscounted.
    assert "2025-08-31 结束时" in page
    assert "结束时 (" not in page
