import pytest
from django.conf import settings

from catalogue.choices import Tier
from reports.charts import CHART_SPECS
from tests.reports.conftest import make_varied_items

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BLANK_CANVASES = """
() => Array.from(document.querySelectorAll("canvas[data-chart]"))
  .filter((canvas) => {
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) return false; }
    return true;
  })
  .map((canvas) => canvas.dataset.chart)
"""
ALL_DRAWN = """
() => typeof Chart !== "undefined"
  && Object.keys(Chart.instances).length === document.querySelectorAll("canvas[data-chart]").length
"""


def _open_report(browser, live_server, query=""):
    browser.page.goto(f"{live_server.url}/reports/{query}")
    browser.page.wait_for_function(ALL_DRAWN, timeout=10_000)


def test_every_chart_draws_without_console_errors(open_page, live_server, admin_user, artifacts):
    make_varied_items(120)
    browser = open_page(user=admin_user)

    _open_report(browser, live_server)

    assert browser.page.locator("canvas[data-chart]").count() == len(CHART_SPECS)
    assert browser.page.evaluate(BLANK_CANVASES) == []
    browser.page.screenshot(path=artifacts / "reports-page.png", full_page=True)
    browser.page.emulate_media(media="print")
    browser.page.screenshot(path=artifacts / "reports-page-print.png", full_page=True)
    assert browser.errors == []


def test_filtering_in_the_form_puts_the_filters_in_the_url(open_page, live_server, admin_user):
    make_varied_items(40)
    browser = open_page(user=admin_user)
    _open_report(browser, live_server)

    browser.page.select_option("select[name=tier]", str(Tier.TOWNSHIP))
    browser.page.click(".filter-form button[type=submit]")
    browser.page.wait_for_function(ALL_DRAWN, timeout=10_000)

    assert f"tier={Tier.TOWNSHIP}" in browser.page.url
    assert "行使层级：镇（乡、街道）级" in browser.page.locator(".report-filters").inner_text()
    assert browser.page.evaluate(BLANK_CANVASES) == []
    assert browser.errors == []


def test_invalid_filter_shows_the_message_and_no_chart(open_page, live_server, admin_user):
    browser = open_page(user=admin_user)

    browser.page.goto(f"{live_server.url}/reports/?tier=99")

    assert "行使层级：“99”不是有效的层级。" in browser.page.locator(".form-errors").inner_text()
    assert browser.page.locator("canvas").count() == 0


def test_anonymous_visitor_lands_on_the_login_page(open_page, live_server):
    browser = open_page()

    browser.page.goto(f"{live_server.url}/reports/")

    assert "/admin/login/" in browser.page.url


def test_an_empty_report_still_draws_every_chart(open_page, live_server, admin_user):
    browser = open_page(user=admin_user)

    _open_report(browser, live_server)

    assert browser.page.locator(".report-total").inner_text() == "0"
    assert browser.page.evaluate(BLANK_CANVASES) == []
    assert browser.errors == []


CHART_TEXTS = """
() => {
  const chart = (slug) => Chart.getChart(document.querySelector(`canvas[data-chart="${slug}"]`));
  const doughnut = chart("handling-type");
  const label = doughnut.options.plugins.tooltip.callbacks.label;
  const time = chart("time-compression").options.scales;
  return {
    tooltip: label({ label: doughnut.data.labels[0], parsed: 3, dataset: { data: [3, 1] } }),
    axes: [time.y.title.text, time.y1.title.text],
  };
}
"""


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", {"tooltip": "即办件：3项（75%）", "axes": ["合计（天）", "平均（天）"]}),
        (
            "en",
            {
                "tooltip": "Immediate item: 3 items (75%)",
                "axes": ["Total (days)", "Average (days)"],
            },
        ),
    ],
)
def test_chart_tooltips_and_axis_titles_follow_the_page_language(
    open_page, live_server, admin_user, language, expected
):
    make_varied_items(20)
    browser = open_page(user=admin_user)
    browser.page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )

    _open_report(browser, live_server)

    assert browser.page.evaluate(CHART_TEXTS) == expected
    assert browser.errors == []
