"""The report's tables as one Excel workbook (xlsxwriter): a sheet with the headline, then one per
chart, each with its table and a native Excel chart of it beside the table."""

from io import BytesIO

import xlsxwriter
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from catalogue.spreadsheet_text import safe_cells

from .charts import Chart
from .headline import report_issuer, report_title
from .report import Report

PERCENT_FORMAT = "0.0%"
DECIMAL_FORMAT = "0.0"
# Excel chart types by the page's chart kinds (static/js/reports/charts.js).
EXCEL_CHART_TYPES = {
    "bar": {"type": "column"},
    "dual-axis": {"type": "column"},
    "hbar": {"type": "bar"},
    "stacked-hbar": {"type": "bar", "subtype": "stacked"},
    "doughnut": {"type": "doughnut"},
    "yes-no": {"type": "doughnut"},
}
COLOURS = ["#1F5FA8", "#E07B39", "#3A9D5D", "#C8463D", "#7B61A8", "#2AA1B3"]


def _local(moment) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "—"


class _Sheet:
    """Writes rows one after the other; every text through safe_cells (names typed in by people
    — departments, sectors, the filter values — must not become formulas)."""

    def __init__(self, worksheet, formats: dict):
        self.worksheet = worksheet
        self.formats = formats
        self.row = 0

    def append(self, values, kinds=None, cell_format=None) -> None:
        for column, value in enumerate(safe_cells(values)):
            kind = kinds[column] if kinds else None
            if value is None:
                self.worksheet.write_blank(self.row, column, None, cell_format)
            elif isinstance(value, str):
                self.worksheet.write_string(self.row, column, value, cell_format)
            elif kind == "percent":
                self.worksheet.write_number(self.row, column, value / 100, self.formats["percent"])
            elif isinstance(value, float):
                self.worksheet.write_number(self.row, column, value, self.formats["decimal"])
            else:
                self.worksheet.write_number(self.row, column, value, cell_format)
        self.row += 1


def _excel_chart(workbook, sheet_name: str, chart: Chart, rows: int):
    """A native chart of the table's value columns (rows 1..rows, label column 0)."""
    excel_chart = workbook.add_chart(EXCEL_CHART_TYPES.get(chart.kind, {"type": "column"}))
    kinds = chart.column_kinds()
    value_columns = [index for index, kind in enumerate(kinds) if kind == "value"]
    pie = chart.kind in ("doughnut", "yes-no")
    for number, column in enumerate(value_columns):
        series = {
            "name": [sheet_name, 0, column],
            "categories": [sheet_name, 1, 0, rows, 0],
            "values": [sheet_name, 1, column, rows, column],
            "data_labels": {"value": True, "percentage": pie},
        }
        if pie:
            series["points"] = [{"fill": {"color": COLOURS[i % len(COLOURS)]}} for i in range(rows)]
        else:
            series["fill"] = {"color": COLOURS[number % len(COLOURS)]}
        if chart.kind == "dual-axis" and number == 1:
            series["y2_axis"] = True
        excel_chart.add_series(series)
    excel_chart.set_title({"name": chart.title})
    if chart.kind in ("hbar", "stacked-hbar"):
        excel_chart.set_y_axis({"reverse": True})
    if len(value_columns) == 1 and not pie:
        excel_chart.set_legend({"none": True})
    height = max(288, 20 * rows + 120) if chart.kind in ("hbar", "stacked-hbar") else 288
    excel_chart.set_size({"width": 560, "height": height})
    return excel_chart


def report_workbook(*, report: Report, filters: list[tuple[str, str]]) -> bytes:
    """The workbook as bytes; `filters` are the (label, value) pairs the report was filtered by."""
    buffer = BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "bold": workbook.add_format({"bold": True}),
        "percent": workbook.add_format({"num_format": PERCENT_FORMAT}),
        "decimal": workbook.add_format({"num_format": DECIMAL_FORMAT}),
    }
    overview = _Sheet(workbook.add_worksheet(_("报表说明")), formats)
    overview.append([report_title()], cell_format=formats["title"])
    overview.append([_("事项总数"), report.total])
    overview.append([_("数据更新时间"), _local(report.data_updated_at)])
    overview.append([_("报表生成时间"), _local(report.generated_at)])
    if report_issuer():
        overview.append([_("发布单位"), report_issuer()])
    for label, value in filters:
        overview.append([_("筛选条件：%(label)s") % {"label": label}, value])
    overview.append([])
    overview.append([_("章节"), _("图表"), _("说明")], cell_format=formats["bold"])
    for section in report.sections():
        for chart in section["charts"]:
            overview.append([str(section["title"]), chart.title, chart.sentence])
    overview.worksheet.set_column(0, 1, 24)
    overview.worksheet.set_column(2, 2, 100)

    for chart in report.charts.values():
        name = chart.title[:31]
        sheet = _Sheet(workbook.add_worksheet(name), formats)
        table = chart.table()
        kinds = chart.column_kinds()
        sheet.append([str(header) for header in table["headers"]], cell_format=formats["bold"])
        for row in table["rows"]:
            sheet.append(row, kinds)
        sheet.append([])
        sheet.append([chart.sentence])
        sheet.worksheet.set_column(0, 0, 28)
        sheet.worksheet.set_column(1, len(kinds) - 1, 14)
        if table["rows"]:
            sheet.worksheet.insert_chart(
                0,
                len(kinds) + 1,
                _excel_chart(workbook, name, chart, len(table["rows"])),
            )

    workbook.close()
    return buffer.getvalue()
