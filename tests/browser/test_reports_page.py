import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from catalogue.choices import ChangeSource, Tier
from catalogue.services.items import service_item_update
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

    # The six yes/no statistics are drawn together, in the channel comparison.
    assert browser.page.locator("canvas[data-chart]").count() == len(CHART_SPECS) - 6
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
        (
            "zh-hans",
            {"tooltip": "即办件：3项（75.0%）", "axes": ["各事项时限相加（天）", "平均每项（天）"]},
        ),
        (
            "en",
            {
                "tooltip": "Immediate item: 3 items (75.0%)",
                "axes": ["Sum of all items' limits (days)", "Average per item (days)"],
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


VALUE_LABELS = """
() => {
  const chart = (slug) => Chart.getChart(document.querySelector(`canvas[data-chart="${slug}"]`));
  return {
    registered: Boolean(Chart.registry.plugins.get("datalabels")),
    bar: chart("department").options.plugins.datalabels !== false,
    slice: chart("handling-type").options.plugins.datalabels !== false,
    stacked: chart("channels").config.options.scales.x.stacked === true,
  };
}
"""
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_bars_and_slices_carry_their_values(open_page, live_server, admin_user):
    make_varied_items(40)
    browser = open_page(user=admin_user)

    _open_report(browser, live_server)

    assert browser.page.evaluate(VALUE_LABELS) == {
        "registered": True,
        "bar": True,
        "slice": True,
        "stacked": True,
    }
    assert browser.errors == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [1440, 390])
def test_the_leadership_page_at_desk_and_phone_widths(
    open_page, live_server, admin_user, artifacts, language, width
):
    make_varied_items(120)
    browser = open_page(user=admin_user, width=width, language=language)

    _open_report(browser, live_server)

    page = browser.page
    assert page.locator(".key-figure").count() == 7
    assert page.locator(".key-figure").first.is_visible()
    assert page.locator("#language-switcher").is_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert page.evaluate(BLANK_CANVASES) == []
    page.screenshot(path=artifacts / f"reports-page-{width}-{language}.png", full_page=True)
    assert browser.errors == []


def test_printing_gives_an_a4_document_with_the_same_content(
    open_page, live_server, admin_user, artifacts
):
    make_varied_items(120)
    browser = open_page(user=admin_user)
    _open_report(browser, live_server)
    page = browser.page
    page.emulate_media(media="print")

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)

    (artifacts / "reports-page-print.pdf").write_bytes(pdf)
    media_boxes = re.findall(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", pdf)
    assert len(media_boxes) >= 3
    # A4 is 595 × 842 points.
    assert {(round(float(w)), round(float(h))) for w, h in media_boxes} == {(595, 842)}
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".report-filter-panel").is_visible()
    assert page.locator(".key-figures").is_visible()
    assert page.locator("canvas[data-chart]").count() == len(CHART_SPECS) - 6
    assert page.evaluate(BLANK_CANVASES) == []


def test_the_trend_at_month_ends_draws_a_labelled_line_per_key_rate(
    open_page, live_server, admin_user, artifacts
):
    items = make_varied_items(30)
    for month, item in zip((1, 3, 5, 7), items, strict=False):
        moment = datetime.datetime(2025, month, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
        with time_machine.travel(moment, tick=False):
            service_item_update(
                item=item, name=f"{item.name}（{month}月）", source=ChangeSource.FORM
            )
    browser = open_page(user=admin_user)

    browser.page.goto(f"{live_server.url}/reports/?status=")
    # every chart of the report, and the trend's
    browser.page.wait_for_function(
        """() => typeof Chart !== "undefined" && Object.keys(Chart.instances).length
             === document.querySelectorAll("canvas[data-chart], canvas[data-trend-chart]")
                 .length""",
        timeout=10_000,
    )

    lines = browser.page.evaluate(
        """() => Object.values(Chart.instances).filter((c) => c.config.type === "line")
             .map((c) => ({labels: c.data.labels.length, sets: c.data.datasets.length}))"""
    )
    rows = browser.page.locator("#chart-trend tbody tr").count()
    assert lines == [{"labels": rows, "sets": lines[0]["sets"]}]
    assert lines[0]["sets"] >= 5
    browser.page.locator("#section-trend").screenshot(path=artifacts / "reports-trend.png")
    assert browser.errors == []
