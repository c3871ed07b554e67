"""Writing the catalogue to Excel (the import template format) and CSV.

xlsxwriter makes the workbook: header rows, column formats, the drop-down data validations.
The rows below the headers are streamed into it by catalogue.xlsx_rows: 1.1 s instead of
9.7 s in xlsxwriter's constant-memory writer for 100,000 items, with the same flat memory and
every string escaped (see there and docs/benchmarks.md). Rows come from the database in chunks
(two queries whatever the number of items), and every text cell that a spreadsheet would read as
a formula is neutralised.
"""

import csv
import io
import itertools
import logging
from collections.abc import Callable

import xlsxwriter
from django.db.models import ExpressionWrapper, F, IntegerField, QuerySet
from django.utils.translation import gettext_lazy as _

from .importing.columns import COLUMN_BY_FIELD, COLUMNS, HEADERS, Kind, cell_renderers
from .importing.values import EXAMPLE_MARKER, contract_text
from .models import Department, MobileChannel, Sector, ServiceItem
from .selectors import departments_for_user
from .spreadsheet_text import FORMULA_TRIGGERS, neutralise_formula, safe_cells
from .xlsx_rows import write_rows_into

logger = logging.getLogger(__name__)

# Told the number of rows written so far (a background export records its progress).
Progress = Callable[[int], None]
PROGRESS_EVERY = 1000

STREAM_CHUNK_SIZE = 2000
_TRIGGER_CHARACTERS = "".join(FORMULA_TRIGGERS)
ITEMS_SHEET = "事项"
HELP_SHEET = "填写说明"
LISTS_SHEET = "可选值"
LAST_TEMPLATE_ROW = 1_048_576
# xlsxwriter stores the worksheets as sheet1.xml, sheet2.xml … in the order they are added.
ITEMS_PART, HELP_PART, LISTS_PART = (f"xl/worksheets/sheet{number}.xml" for number in (1, 2, 3))
_WORKBOOK_OPTIONS = {
    "in_memory": True,  # header rows only: the rows below them are streamed afterwards
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}

_QUERY_FIELDS = {
    "main_item": "main_item__name",
    "department": "department__name",
    "sector": "sector__name",
}


def export_rows(queryset: QuerySet[ServiceItem], *, progress: Progress | None = None):
    """Yield one list of cells per item, in the template's column order.

    Two queries in all: the channels of the selected items, then the items streamed in chunks.
    `progress(rows)`, when given, hears the number of rows yielded every PROGRESS_EVERY rows
    and at the end.
    """
    if queryset.query.model is ServiceItem:
        through = ServiceItem.mobile_channels.through
        channels = {}
        for item_id, name in (
            through.objects.filter(serviceitem__in=queryset.order_by().values("pk"))
            .order_by("mobilechannel__sort_order", "mobilechannel__name")
            .values_list("serviceitem_id", "mobilechannel__name")
        ):
            channels.setdefault(item_id, []).append(name)
    else:  # the records of a past day (catalogue.admin_as_of): their kept channel ids
        channels = _record_channel_names(queryset)

    query_fields = [_query_field(column) for column in COLUMNS if column.kind != Kind.CHANNELS]
    renderers = cell_renderers()
    plan = []  # (position in the values tuple or None for channels, renderer)
    position = 1  # 0 is the pk
    for column in COLUMNS:
        if column.kind == Kind.CHANNELS:
            plan.append((None, None))
        else:
            plan.append((position, renderers[column.field]))
            position += 1
    rows = queryset.values_list("pk", *query_fields).iterator(chunk_size=STREAM_CHUNK_SIZE)
    count = 0
    for values in rows:
        cells = []
        for position, render in plan:
            if position is None:
                value = "、".join(channels.get(values[0], ()))
            else:
                value = values[position]
                if render is not None:
                    value = render(value)
            if value is None:
                value = ""
            elif value.__class__ is str and value and value[0] in _TRIGGER_CHARACTERS:
                value = neutralise_formula(value)
            cells.append(value)
        yield cells
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    if progress is not None:
        progress(count)


def _query_field(column):
    name = _QUERY_FIELDS.get(column.field, column.field)
    if column.kind == Kind.BOOL:
        # As the database gives it (SQLite 0/1, PostgreSQL a bool), which the 是/否 renderer
        # reads either way: on SQLite a BooleanField's converter sent every row through Django's
        # apply_converters (about 5 % of the export of 100,000 items). The SQL is the same.
        return ExpressionWrapper(F(name), output_field=IntegerField())
    return name


def _record_channel_names(records: QuerySet) -> dict[int, list[str]]:
    """Record pk -> its channels' names, in the channels' order (one query, and one for the
    ids of the records)."""
    order = {
        pk: (position, name)
        for position, (pk, name) in enumerate(
            MobileChannel.objects.order_by("sort_order", "name").values_list("pk", "name")
        )
    }
    found = {}
    for pk, ids in records.order_by().values_list("pk", "mobile_channel_ids"):
        known = sorted(order[channel] for channel in ids or () if channel in order)
        if known:
            found[pk] = [name for _position, name in known]
    return found


def write_csv(rows, stream: io.TextIOBase) -> int:
    """CSV with a byte-order mark, so that Excel reads the Chinese as UTF-8. Returns the number
    of rows written."""
    stream.write("\ufeff")
    writer = csv.writer(stream)
    writer.writerow(HEADERS)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def _log_export(*, user, file_name: str, count: int) -> None:
    who = user.get_username() if user is not None else "(command line, no user)"
    logger.info("Export of %d items to %r by %s", count, file_name, who)


def export_csv_bytes(
    queryset, *, user=None, file_name: str = "", progress: Progress | None = None
) -> bytes:
    stream = io.StringIO()
    count = write_csv(export_rows(queryset, progress=progress), stream)
    _log_export(user=user, file_name=file_name, count=count)
    return stream.getvalue().encode("utf-8")


def _departments_offered(user) -> QuerySet[Department] | None:
    # Department staff must not learn other departments' names from the drop-downs.
    return None if user is None else departments_for_user(user)


def export_xlsx(
    queryset, target, *, user=None, file_name: str = "", progress: Progress | None = None
) -> int:
    """The items of `queryset` in the template format, to `target` (a path or a binary file
    object). Returns the number of items written. `user`: whose departments the drop-down
    offers (None, from the command line: every department)."""
    count = write_xlsx(
        export_rows(queryset, progress=progress), target, departments=_departments_offered(user)
    )
    _log_export(user=user, file_name=file_name or str(target), count=count)
    return count


def write_xlsx(rows, target, *, departments: QuerySet[Department] | None = None) -> int:
    """The template (header row, drop-downs, explanation sheet) followed by `rows`.

    `target` is a path or a binary file object. `departments`: those the drop-down offers (the
    user's scope; None: every department). Returns the number of rows written.
    """
    package = io.BytesIO()
    workbook = xlsxwriter.Workbook(package, _WORKBOOK_OPTIONS)
    header_format = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    required_format = workbook.add_format(
        {"bold": True, "bg_color": "#FCE4D6", "border": 1, "font_color": "#C00000"}
    )
    text_format = workbook.add_format({"num_format": "@"})
    sheet = workbook.add_worksheet(ITEMS_SHEET)
    help_sheet = workbook.add_worksheet(HELP_SHEET)
    lists_sheet = workbook.add_worksheet(LISTS_SHEET)

    for index, column in enumerate(COLUMNS):
        text_column = column.kind in (Kind.CODE, Kind.TEXT)
        sheet.set_column(
            index,
            index,
            14 if column.kind == Kind.BOOL else 20,
            text_format if text_column else None,
        )
        sheet.write_string(
            0, index, column.header, required_format if column.required else header_format
        )
    sheet.freeze_panes(1, 0)

    lists = _choice_lists(departments)
    for index, header in enumerate(lists):
        lists_sheet.write_string(0, index, header)
    lists_sheet.hide()
    for index, column in enumerate(COLUMNS):
        if column.header in lists:
            _add_validation(
                sheet, index, column, len(lists[column.header]), list(lists).index(column.header)
            )
        elif column.kind == Kind.NUMBER:
            _add_number_validation(sheet, index, column)
    for index, width in enumerate((18, 10, 80, 60)):
        help_sheet.set_column(index, index, width)
    for index, title in enumerate((_("列标题"), _("必需列"), _("填写说明"), _("可选值"))):
        help_sheet.write_string(0, index, str(title), header_format)
    workbook.close()

    # All rows below the headers are streamed, reference names included: they are typed in by
    # people too, and xlsxwriter would not escape them (see catalogue.xlsx_rows).
    written = write_rows_into(
        package.getvalue(),
        {ITEMS_PART: rows, HELP_PART: _help_rows(lists), LISTS_PART: _list_rows(lists)},
        target,
    )
    return written[ITEMS_PART]


def export_xlsx_bytes(
    queryset, *, user=None, file_name: str = "", progress: Progress | None = None
) -> bytes:
    stream = io.BytesIO()
    export_xlsx(queryset, stream, user=user, file_name=file_name, progress=progress)
    return stream.getvalue()


def template_xlsx_bytes(*, user=None) -> bytes:
    """The empty template with one example row (marked 示例 in 实施编码, skipped on import)."""
    departments = _departments_offered(user)
    stream = io.BytesIO()
    write_xlsx([_example_row(departments)], stream, departments=departments)
    return stream.getvalue()


def _example_row(departments) -> list:
    department = (Department.objects if departments is None else departments).filter(is_active=True)
    sector = Sector.objects.filter(is_active=True)
    example = {
        "code": EXAMPLE_MARKER + "（本行为填写示例，导入时跳过）",  # the file's language
        "name": "建设工程规划许可证核发",
        "basic_code": "000000000000",
        "department": department.values_list("name", flat=True).first() or "",
        "sector": sector.values_list("name", flat=True).first() or "",
        "item_type": "行政许可",
        "power_source": "法定本级行使",
        "handling_type": "承诺件",
        "tiers": "市级、区级",
        "in_hall": "是",
        "one_window": "是",
        "comprehensive_window": "否",
        "is_online": "是",
        "online_depth": "Ⅲ级",
        "is_mobile": "否",
        "onsite_visits": 1,
        "onsite_reason": "需核验原件",
        "instant_approval": "否",
        "legal_limit": 20,
        "legal_limit_unit": "工作日",
        "promised_limit": 10,
        "promised_limit_unit": "工作日",
        "legal_basis": "《中华人民共和国城乡规划法》第四十条",
        "location": "行政服务大厅",
        "consult_phone": "0755-12345678",
        "complaint_phone": "0755-12345",
        "charges_fee": "否",
        "status": "在用",
    }
    return [example.get(column.field, "") for column in COLUMNS]


def _choice_lists(departments=None) -> dict[str, list[str]]:
    """Header -> values offered in its drop-down: fixed labels and the reference names."""
    lists = {}
    for column in COLUMNS:
        if column.kind == Kind.BOOL:
            lists[column.header] = ["是", "否"]
        elif column.choices is not None:
            lists[column.header] = [contract_text(label) for label in column.choices.labels]
    references = {
        "department": (Department.objects if departments is None else departments).filter(
            is_active=True
        ),
        "sector": Sector.objects.filter(is_active=True),
        "mobile_channels": MobileChannel.objects.filter(is_active=True),
    }
    for field_name, queryset in references.items():
        lists[COLUMN_BY_FIELD[field_name].header] = list(queryset.values_list("name", flat=True))
    order = {header: index for index, header in enumerate(HEADERS)}
    return {header: lists[header] for header in sorted(lists, key=order.get)}


def _list_rows(lists):
    columns = [[neutralise_formula(value) for value in values] for values in lists.values()]
    return itertools.zip_longest(*columns, fillvalue="")


def _add_validation(sheet, index, column, length, list_index):
    if length == 0:
        return
    letter = xlsxwriter.utility.xl_col_to_name(list_index)
    multiple = column.kind in (Kind.FLAGS, Kind.CHANNELS)
    if multiple:
        # A list drop-down holds one value and would replace (or reject) “市级、区级”: a prompt
        # naming the labels, the same as the lists sheet's, instead.
        sheet.data_validation(
            1,
            index,
            LAST_TEMPLATE_ROW - 1,
            index,
            {
                "validate": "any",
                "input_title": column.header[:32],
                "input_message": str(column.allowed or "")[:255],
            },
        )
        return
    options = {
        "validate": "list",
        "source": f"='{LISTS_SHEET}'!${letter}$2:${letter}${length + 1}",
        "input_title": column.header[:32],
        "input_message": str(column.allowed or _("请从下拉列表中选择"))[:255],
        "error_type": "warning",
        "error_title": column.header[:32],
        "error_message": str(_("该值不在下拉列表中；导入时会再检查（也接受代码、繁体字等写法）。")),
    }
    sheet.data_validation(1, index, LAST_TEMPLATE_ROW - 1, index, options)


def _add_number_validation(sheet, index, column):
    """Whole numbers within the field's range; a warning, not a stop, since the import also
    reads 20个工作日, 即办 and 无 (docs/excel-import.md)."""
    sheet.data_validation(
        1,
        index,
        LAST_TEMPLATE_ROW - 1,
        index,
        {
            "validate": "integer",
            "criteria": "between",
            "minimum": column.minimum,
            "maximum": column.maximum,
            "input_title": column.header[:32],
            "input_message": str(column.allowed or "")[:255],
            "error_type": "warning",
            "error_title": column.header[:32],
            "error_message": str(_("应为整数（天数或次数）。")),
        },
    )


def _help_rows(lists):
    for column in COLUMNS:
        values = lists.get(column.header)
        yield [
            column.header,
            str(_("是") if column.required else _("否")),
            str(column.allowed or _("可不填")),
            neutralise_formula("、".join(values))[:32000] if values else "",
        ]


def error_rows_xlsx_bytes(plan) -> bytes:
    """The failing rows of an import as found, with their Excel row number and the errors."""
    package = io.BytesIO()
    workbook = xlsxwriter.Workbook(package, _WORKBOOK_OPTIONS)
    header_format = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    error_format = workbook.add_format({"font_color": "#C00000", "text_wrap": True})
    sheet = workbook.add_worksheet("错误行")
    header = ["行号", *plan.header, "错误"]
    error_column = len(header) - 1
    # A column format: the streamed rows take their column's style.
    sheet.set_column(error_column, error_column, 80, error_format)
    # The headers come from the file: written blank with their format here, and filled in,
    # escaped, by write_rows_into (xlsxwriter would write some markup unescaped).
    for index in range(len(header)):
        sheet.write_blank(0, index, None, header_format)
    sheet.freeze_panes(1, 1)
    workbook.close()
    stream = io.BytesIO()
    write_rows_into(
        package.getvalue(),
        {ITEMS_PART: _error_rows(plan)},
        stream,
        headers={ITEMS_PART: safe_cells(header)},
    )
    return stream.getvalue()


def _error_rows(plan):
    width = len(plan.header)
    for row in plan.rows:
        if row.errors:
            cells = [neutralise_formula(str(value)) for value in (row.cells or [])[:width]]
            cells += [""] * (width - len(cells))
            yield [row.row, *cells, "\n".join(str(error) for error in row.errors)]
