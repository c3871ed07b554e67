"""The report to take away: the leadership page's heading and key figures, the Word document."""

from io import BytesIO

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from docx import Document
from PIL import Image

from reports import images
from reports.charts import SECTIONS
from reports.headline import key_figures
from reports.report import report_build
from reports.selectors import report_items

pytestmark = pytest.mark.django_db

PAGE = reverse("reports:page")
DOCUMENT = reverse("reports:document")


@pytest.fixture
def named_report(settings):
    settings.REPORT_REGION = "深圳市光明区"
    settings.REPORT_ISSUER = "深圳市光明区政务服务数据管理局"


def test_the_page_title_names_the_region_and_the_issuer(admin_client, varied_items, named_report):
    page = admin_client.get(PAGE).content.decode()

    assert "<h1>深圳市光明区政务服务事项统计报告</h1>" in page
    assert "深圳市光明区政务服务数据管理局" in page
    assert "数据日期：" in page


def test_without_a_region_the_title_is_the_reports_name(admin_client, varied_items, settings):
    settings.REPORT_REGION = ""
    settings.REPORT_ISSUER = ""

    page = admin_client.get(PAGE).content.decode()

    assert "<h1>政务服务事项统计报告</h1>" in page


def test_the_page_leads_with_the_key_figures_in_order(admin_client, varied_items):
    response = admin_client.get(PAGE)

    page = response.content.decode()
    labels = ["事项总数", "进驻大厅", "网办", "指尖办", "0次跑动", "秒批", "承诺/法定时限"]
    figures = response.context["report"].key_figures()
    assert [figure.label for figure in figures] == labels
    positions = [page.index(f"<dt>{label}</dt>") for label in labels]
    assert positions == sorted(positions)
    online = response.context["report"].figures
    assert f"{online['online_percent']:.1f}%" in page


def test_key_figures_come_from_the_figures_alone():
    # As frozen or as-of figures would give them: no database, no report object.
    figures = {
        "total": 4,
        "in_hall_count": 1,
        "in_hall_percent": 25.0,
        "online_count": 4,
        "online_percent": 100.0,
        "mobile_count": 0,
        "mobile_percent": 0.0,
        "visits_0_count": 2,
        "visits_0_percent": 50.0,
        "instant_approval_count": 0,
        "instant_approval_percent": 0.0,
        "time_limits": {
            "working_day": {"items": 3, "promised_to_legal_percent": 26.8},
            "natural_day": {"items": 1, "promised_to_legal_percent": 40.0},
        },
    }

    shown = {figure.key: (figure.value, figure.detail) for figure in key_figures(figures)}

    assert shown["total"] == ("4", "")
    assert shown["online"] == ("100.0%", "4项")
    assert shown["promised_to_legal"] == ("26.8%", "按工作日计的3项")


def test_the_page_has_no_json_links(admin_client, varied_items):
    page = admin_client.get(PAGE).content.decode()

    assert "JSON" not in page
    assert reverse("reports:summary") not in page
    assert reverse("reports:chart", args=["online"]) not in page
    assert f'href="{DOCUMENT}"' in page


def test_the_word_document_reads_like_the_report(admin_client, varied_items, named_report):
    response = admin_client.get(DOCUMENT)

    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert ".docx" in response["Content-Disposition"]
    document = Document(BytesIO(response.content))
    report = report_build(items=report_items(user=response.wsgi_request.user).in_use())
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings == ["主要指标"] + [
        f"{numeral}、{title}"
        for numeral, (_k, title, _s) in zip("一二三四五六七八九十", SECTIONS, strict=False)
    ]
    text = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[0].text == "深圳市光明区政务服务事项统计报告"
    assert "深圳市光明区政务服务数据管理局" in text
    for chart in report.charts.values():
        assert chart.sentence in text, chart.slug
    drawn = [
        chart
        for section in report.sections()
        for chart in section["charts"]
        if chart.kind != "yes-no"
    ]
    # One image and one table per drawn statistic, and the key figures' table.
    assert len(document.inline_shapes) == len(drawn)
    assert len(document.tables) == len(drawn) + 1
    online = report.figures["online_count"]
    assert [cell.text for cell in document.tables[0].rows[3].cells] == [
        "网办",
        f"{report.figures['online_percent']:.1f}%",
        f"{online}项",
    ]
    channels = document.tables[1 + [c.slug for c in drawn].index("channels")]
    assert [cell.text for cell in channels.rows[0].cells] == ["渠道", "是", "占比", "否", "占比"]


def test_the_word_documents_images_are_png_charts(admin_client, varied_items):
    response = admin_client.get(DOCUMENT)

    document = Document(BytesIO(response.content))
    blobs = [
        rel.target_part.blob
        for rel in document.part.rels.values()
        if rel.reltype.endswith("/image")
    ]
    assert blobs
    for blob in blobs:
        image = Image.open(BytesIO(blob))
        assert image.format == "PNG"
        assert image.width == images.WIDTH_INCHES * images.DPI


def test_chart_images_are_drawn_in_the_projects_own_chinese_font():
    # The font `make install` copies from npm, not one of the system's.
    assert images.chart_font_name() == "Source Han Sans SC"


def test_the_word_document_of_an_empty_filter_says_there_are_no_items(admin_client):
    response = admin_client.get(DOCUMENT)

    document = Document(BytesIO(response.content))
    assert response.status_code == 200
    assert "当前筛选条件下没有事项。" in "\n".join(p.text for p in document.paragraphs)


def test_the_word_document_runs_as_many_queries_as_the_summary(
    admin_client, django_assert_num_queries, varied_items
):
    # session, user, the first day of history (read once, for the default comparison and the
    # trend), 1 conditional aggregate, 6 grouped queries (with history, one more for the trend
    # itself).
    with django_assert_num_queries(10):
        assert admin_client.get(DOCUMENT).status_code == 200


def test_invalid_filters_give_the_document_a_chinese_400(admin_client):
    response = admin_client.get(DOCUMENT, {"status": "nonsense"})

    assert response.status_code == 400
    assert response.json()["errors"]


def test_a_missing_chart_font_is_reported_by_the_system_checks(settings, tmp_path):
    from reports.checks import chart_font_check

    assert chart_font_check(None) == []
    settings.REPORT_CHART_FONT = str(tmp_path / "missing.otf")

    assert [message.id for message in chart_font_check(None)] == ["reports.W001"]


def test_a_missing_chart_font_is_a_configuration_error_that_says_how_to_get_it(settings, tmp_path):
    settings.REPORT_CHART_FONT = str(tmp_path / "SourceHanSansSC-Regular.otf")
    images.chart_font_name.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="run `make install`"):
            images.chart_font_name()
    finally:
        images.chart_font_name.cache_clear()


def test_english_section_headings_are_numbered_in_figures(admin_client):
    admin_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    document = Document(BytesIO(admin_client.get(DOCUMENT).content))

    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:4] == [
        "Key figures",
        "1. Overview",
        "2. Categories and sources",
        "3. Items across tiers",
    ]
