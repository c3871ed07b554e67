"""The report as a Word document (.docx) that reads like the centre's own written report.

Its title and issuer, the key figures, then one numbered section each (一、总体情况 …) with the
generated sentences, a chart image drawn on the server (reports.images) and the chart's table.
The yes/no statistics are drawn together in the 办理渠道对比 chart, as on the page.
"""

from io import BytesIO

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .charts import Chart
from .headline import report_issuer, report_title
from .images import WIDTH_INCHES, chart_png, trend_png
from .report import Report

CHINESE_NUMERALS = "一二三四五六七八九十"
BODY_FONT = "宋体"
HEADING_FONT = "黑体"


def _east_asian_font(style, name: str) -> None:
    style.font.name = name
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _section_heading(index: int, title: str) -> str:
    if get_language().startswith("zh") and index < len(CHINESE_NUMERALS):
        return f"{CHINESE_NUMERALS[index]}、{title}"
    return f"{index + 1}. {title}"


def _date(moment) -> str:
    return date_format(timezone.localtime(moment), "DATE_FORMAT") if moment else "—"


def _table(document, headers: list[str], rows: list[list]) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = str(header)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, row, strict=True)):
            cell.text = "" if value is None else str(value)
            if index:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _chart(document, chart: Chart) -> None:
    document.add_heading(chart.title, level=2)
    document.add_paragraph(chart.sentence)
    if chart.kind == "yes-no":
        return
    if chart.note:
        document.add_paragraph(chart.note).runs[0].italic = True
    document.add_picture(BytesIO(chart_png(chart)), width=Cm(WIDTH_INCHES * 2.54))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = chart.table_cells()
    _table(document, table["headers"], table["rows"])


def _trend(document, table: dict) -> None:
    document.add_heading(_("关键指标趋势"), level=1)
    document.add_picture(BytesIO(trend_png(table)), width=Cm(WIDTH_INCHES * 2.54))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _table(document, table["headers"], table["rows"])


def report_document(
    *, report: Report, filters: list[tuple[str, str]], trend_table: dict | None = None
) -> bytes:
    """The document as bytes; `filters` are the (label, value) pairs the report was filtered by;
    `trend_table` (reports.trend.trend_table), when it has month ends, adds the trend."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    for margin in ("left_margin", "right_margin"):
        setattr(section, margin, Cm(2.5))
    _east_asian_font(document.styles["Normal"], BODY_FONT)
    document.styles["Normal"].font.size = Pt(11)
    for name in ("Title", "Heading 1", "Heading 2"):
        _east_asian_font(document.styles[name], HEADING_FONT)

    title = report_title()
    document.core_properties.title = title
    document.core_properties.author = report_issuer() or title
    document.add_heading(title, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    byline = [report_issuer()] if report_issuer() else []
    byline.append(_("数据日期：%(date)s") % {"date": _date(report.data_updated_at)})
    document.add_paragraph("　".join(byline)).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for label, value in filters:
        document.add_paragraph(
            _("筛选条件：%(label)s：%(value)s") % {"label": label, "value": value}
        )

    document.add_heading(_("主要指标"), level=1)
    _table(
        document,
        [_("指标"), _("数值"), _("说明")],
        [
            [figure.label, f"{figure.value}{figure.unit}", figure.detail]
            for figure in report.key_figures()
        ],
    )

    for index, report_section in enumerate(report.sections()):
        document.add_heading(_section_heading(index, str(report_section["title"])), level=1)
        for chart in report_section["charts"]:
            _chart(document, chart)

    if trend_table is not None and trend_table["rows"]:
        _trend(document, trend_table)

    document.add_paragraph(
        _("报表生成时间：%(moment)s")
        % {"moment": date_format(timezone.localtime(report.generated_at), "DATETIME_FORMAT")}
    )
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
