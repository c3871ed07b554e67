"""The Content Security Policy holds on the pages that run scripts: nothing is refused."""

import pytest
from django.urls import reverse

from tests.catalogue.importing_support import valid_row, xlsx_bytes
from tests.reports.conftest import make_varied_items

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _csp_refusals(browser) -> list[str]:
    return [error for error in browser.errors if "Content Security Policy" in error]


def _assert_policy_in_force(response):
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_the_item_form_and_its_autocompletes_run_under_the_policy(open_page, live_server, refs):
    from tests.factories import UserFactory

    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    browser = open_page(user=user)
    page = browser.page

    response = page.goto(live_server.url + reverse("admin:catalogue_serviceitem_add"))
    page.click("#id_department + .select2")  # Django's select2 autocomplete
    page.wait_for_selector(".select2-results__option")
    page.keyboard.press("Escape")
    page.check("#id_is_mobile")

    _assert_policy_in_force(response)
    assert _csp_refusals(browser) == []
    assert browser.errors == []


def test_the_report_and_its_charts_run_under_the_policy(open_page, live_server, admin_user):
    make_varied_items(30)
    browser = open_page(user=admin_user)

    response = browser.page.goto(f"{live_server.url}/reports/")
    browser.page.wait_for_function(
        "() => typeof Chart !== 'undefined' && Object.keys(Chart.instances).length > 0",
        timeout=10_000,
    )

    _assert_policy_in_force(response)
    assert _csp_refusals(browser) == []
    assert browser.errors == []


def test_the_import_preview_runs_under_the_policy(
    open_page, live_server, admin_user, department, other_department, sector, tmp_path
):
    path = tmp_path / "导入.xlsx"
    path.write_bytes(xlsx_bytes([valid_row(), valid_row(实施编码="B", 办件类型="马上办")]))
    browser = open_page(user=admin_user)
    page = browser.page

    page.goto(live_server.url + reverse("admin:catalogue_serviceitem_import"))
    page.set_input_files("#id_import_file", str(path))
    page.click("#item-import-form input[type=submit]")
    page.wait_for_selector("#import-summary")

    assert _csp_refusals(browser) == []
    assert browser.errors == []
