"""axe-core (npm, pinned; static/vendor/axe-core) on the pages people work in, in both languages:
no serious or critical violation."""

import pytest
from django.urls import reverse

from tests.catalogue.importing_support import valid_row, xlsx_bytes
from tests.factories import ServiceItemFactory
from tests.reports.conftest import make_varied_items

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ["zh-hans", "en"]
RUN_AXE = """
async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations
    .filter((violation) => ["serious", "critical"].includes(violation.impact))
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.slice(0, 5).map((node) => node.target.join(" ")),
      why: violation.nodes.slice(0, 2).map((node) => node.failureSummary),
    }));
}
"""


def serious_violations(page, live_server) -> list[dict]:
    # A same-origin script file, which the site's CSP (script-src 'self') lets run.
    page.add_script_tag(url=f"{live_server.url}/static/vendor/axe-core/axe.min.js")
    return page.evaluate(RUN_AXE)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_report_page_has_no_serious_accessibility_violation(
    open_page, live_server, admin_user, language
):
    make_varied_items(40)
    browser = open_page(user=admin_user, width=1440, language=language)
    browser.page.goto(f"{live_server.url}{reverse('reports:page')}")
    browser.page.wait_for_function("() => Object.keys(Chart.instances).length > 0")

    violations = serious_violations(browser.page, live_server)
    assert violations == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_item_list_has_no_serious_accessibility_violation(
    open_page, live_server, admin_user, language
):
    ServiceItemFactory()
    browser = open_page(user=admin_user, width=1440, language=language)
    browser.page.goto(live_server.url + reverse("admin:catalogue_serviceitem_changelist"))

    violations = serious_violations(browser.page, live_server)
    assert violations == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_item_form_has_no_serious_accessibility_violation(
    open_page, live_server, admin_user, language, refs
):
    browser = open_page(user=admin_user, width=1440, language=language)
    browser.page.goto(live_server.url + reverse("admin:catalogue_serviceitem_add"))
    browser.page.wait_for_function(
        "() => !document.querySelector('.select2-selection[role=combobox]:not([data-named])')"
    )

    violations = serious_violations(browser.page, live_server)
    assert violations == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_import_preview_has_no_serious_accessibility_violation(
    open_page, live_server, admin_user, language, department, other_department, sector, tmp_path
):
    path = tmp_path / "部门事项.xlsx"
    path.write_bytes(
        xlsx_bytes([valid_row(实施编码="A"), valid_row(实施编码="B", 办件类型="马上办")])
    )
    browser = open_page(user=admin_user, width=1440, language=language)
    page = browser.page
    page.goto(live_server.url + reverse("admin:catalogue_serviceitem_import"))
    page.set_input_files("#id_import_file", str(path))
    page.click("#item-import-form input[type=submit]")
    page.wait_for_selector("#import-summary")

    assert serious_violations(page, live_server) == []
