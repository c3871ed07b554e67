"""Reports as issued: kept exactly, listed, downloadable, comparable; who may freeze them."""

from datetime import date

import pytest
from django.urls import reverse

from catalogue.services.items import service_item_update
from reports import filters
from reports.models import IssuedReport

pytestmark = pytest.mark.django_db


def _issue(client, title="2026年度报告", query="compare_to="):
    return client.post(f"{reverse('reports:issue')}?{query}", {"title": title})


def test_a_frozen_report_keeps_its_figures_and_documents_after_the_catalogue_changes(
    client, supervisor, own_item, other_item, centre_admin
):
    client.force_login(supervisor)
    assert _issue(client).status_code == 302
    issued = IssuedReport.objects.get()
    summary = client.get(reverse("reports:issued-summary", args=[issued.pk])).json()
    workbook = client.get(reverse("reports:issued-document", args=[issued.pk, "xlsx"])).content
    assert summary["total"] == 2
    assert summary["figures"]["online_count"] == 2

    service_item_update(item=own_item, is_online=False, online_depth=None, user=centre_admin)
    other_item.delete()

    assert client.get(reverse("reports:summary")).json()["figures"]["online_count"] == 0
    assert client.get(reverse("reports:issued-summary", args=[issued.pk])).json() == summary
    again = client.get(reverse("reports:issued-document", args=[issued.pk, "xlsx"]))
    assert again.content == workbook
    assert again["Content-Type"].startswith("application/vnd.openxmlformats")


def test_issued_reports_are_listed_with_who_froze_them(client, supervisor, own_item):
    client.force_login(supervisor)
    _issue(client, title="2025年度报告")
    page = client.get(reverse("reports:issued")).content.decode()
    assert "2025年度报告" in page
    assert "supervisor" in page


def test_a_frozen_report_compares_with_the_live_catalogue_and_with_another(
    client, supervisor, own_item, centre_admin
):
    client.force_login(supervisor)
    _issue(client, title="之前")
    first = IssuedReport.objects.get()
    service_item_update(item=own_item, is_online=False, online_depth=None, user=centre_admin)
    _issue(client, title="之后")
    second = IssuedReport.objects.exclude(pk=first.pk).get()
    url = reverse("reports:issued-compare", args=[first.pk])
    with_live = client.get(url, {"with": "live"}).json()
    assert with_live["change"]["online_percent"] == -100.0
    with_second = client.get(url, {"with": second.pk}).json()
    assert with_second["change"] == with_live["change"]
    assert client.get(url, {"with": "x"}).status_code == 404


def test_an_empty_title_is_refused_and_nothing_is_kept(client, supervisor, own_item):
    client.force_login(supervisor)
    response = _issue(client, title="  ")
    assert response.status_code == 400
    assert response.json()["errors"]["title"]
    assert not IssuedReport.objects.exists()


def test_department_staff_may_neither_freeze_nor_read_issued_reports(client, dept_staff, own_item):
    client.force_login(dept_staff)
    assert _issue(client).status_code == 403
    assert client.get(reverse("reports:issued")).status_code == 403


def test_the_page_offers_freezing_to_those_who_may(client, supervisor, dept_staff, own_item):
    client.force_login(supervisor)
    assert reverse("reports:issue") in client.get(reverse("reports:page")).content.decode()
    client.force_login(dept_staff)
    assert reverse("reports:issue") not in client.get(reverse("reports:page")).content.decode()


def test_a_report_under_bad_filters_is_refused_in_chinese_and_not_kept(client, supervisor):
    client.force_login(supervisor)

    response = _issue(client, query="tier=9")

    assert response.status_code == 400
    assert response.json() == {"errors": {"tier": [filters.INVALID_TIER % {"value": "9"}]}}
    assert not IssuedReport.objects.exists()


def test_a_frozen_report_whose_department_is_gone_is_not_compared_with_the_live_one(
    client, supervisor, department
):
    issued = IssuedReport.objects.create(
        title="住建局2026年度报告",
        as_of=date(2026, 12, 1),
        query=f"department={department.pk}&compare_to=",
        summary={"total": 0, "figures": {}},
        issued_by=supervisor,
    )
    department.delete()
    client.force_login(supervisor)

    response = client.get(reverse("reports:issued-compare", args=[issued.pk]), {"with": "live"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["department"]
    # The frozen report itself is kept as it was.
    assert client.get(reverse("reports:issued-summary", args=[issued.pk])).json() == issued.summary
