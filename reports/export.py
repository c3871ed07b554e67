"""The report's tables as one Excel workbook: a sheet with the headline, then one per chart."""

from io import BytesIO

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from catalogue.spreadsheet_text import safe_cells

from .report import Report

PERCENT_FORMAT = "0.0%"
DECIMAL_FORMAT = "0.0"


def _local(moment) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "—"


def report_workbook(*, report: Report, filters: list[tuple[str, str]]) -> bytes:
    """The workbook as bytes; `filters` are the (label, value) pairs the report was filtered by."""
    workbook = Workbook()
    overview = workbook.active
    overview.title = _("报表说明")
    # Every row goes through safe_cells: names typed in by people (departments, sectors, the
    # filter values) must not become formulas.
    overview.append([_("政务服务事项统计报表")])
    overview["A1"].font = Font(bold=True, size=14)
    overview.append(safe_cells([_("事项总数"), report.total]))
    overview.append(safe_cells([_("数据更新时间"), _local(report.data_updated_at)]))
    overview.append(safe_cells([_("报表生成时间"), _local(report.generated_at)]))
    for label, value in filters:
        overview.append(safe_cells([_("筛选条件：%(label)s") % {"label": label}, value]))
    overview.append([])
    overview.append(safe_cells([_("章节"), _("图表"), _("说明")]))
    for section in report.sections():
        for chart in section["charts"]:
            overview.append(safe_cells([str(section["title"]), chart.title, chart.sentence]))
    overview.column_dimensions["A"].width = 24
    overview.column_dimensions["B"].width = 24
    overview.column_dimensions["C"].width = 100

    for chart in report.charts.values():
        sheet = workbook.create_sheet(title=chart.title[:31])
        table = chart.table()
        sheet.append(safe_cells([str(header) for header in table["headers"]]))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        kinds = chart.column_kinds()
        for row in table["rows"]:
            sheet.append(
                safe_cells(
                    cell / 100 if kind == "percent" else cell
                    for kind, cell in zip(kinds, row, strict=True)
                )
            )
            for kind, cell in zip(kinds, sheet[sheet.max_row], strict=True):
                if kind == "percent":
                    cell.number_format = PERCENT_FORMAT
                elif isinstance(cell.value, float):
                    cell.number_format = DECIMAL_FORMAT
        sheet.append([])
        sheet.append(safe_cells([chart.sentence]))
        sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=False)
        for index in range(1, len(kinds) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 28 if index == 1 else 14

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
