"""Bad and unusual files: a clear message, nothing written, never an exception."""

import io
import logging
import random
import re
import zipfile

import msoffcrypto.format.ooxml
import openpyxl
import pytest
import xlsxwriter
from django.template.defaultfilters import filesizeformat
from django.test import override_settings

from catalogue.importing import messages, reading
from catalogue.importing import plan as plan_module
from catalogue.importing.columns import HEADERS
from catalogue.importing.reading import OLE_SIGNATURE, read_sheet
from catalogue.models import ServiceItem
from catalogue.services.importing import items_import
from tests.catalogue.importing_support import valid_row, xlsx_bytes

pytestmark = pytest.mark.usefixtures("department", "other_department", "sector")

SHEET = "xl/worksheets/sheet1.xml"


def _patch_sheet(data: bytes, transform, member: str = SHEET) -> bytes:
    """The same workbook with its first sheet's XML (or `member`) passed through `transform`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == member:
                content = transform(content.decode()).encode()
            target.writestr(name, content)
    return out.getvalue()


def _workbook(build) -> bytes:
    """A workbook that `build(workbook)` filled in (openpyxl)."""
    workbook = openpyxl.Workbook()
    build(workbook)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _file_problem(data):
    result = items_import(file=data)
    assert not result.written
    assert ServiceItem.objects.count() == 0
    return result.plan.file_problem


def test_empty_file_is_refused():
    assert _file_problem(b"") == messages.EMPTY_FILE


def test_a_file_that_is_not_excel_is_refused():
    assert _file_problem("实施编码,事项名称\n1,2\n".encode()) == messages.NOT_EXCEL


def test_a_zip_that_is_not_a_workbook_is_refused():
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert _file_problem(stream.getvalue()) == messages.NOT_EXCEL


def test_a_truncated_workbook_is_refused():
    assert _file_problem(xlsx_bytes([valid_row()])[:2000]) == messages.NOT_EXCEL


def test_old_xls_file_is_refused_with_the_way_to_convert_it():
    # An Excel 97-2003 workbook is an OLE compound file holding a "Workbook" stream.
    data = OLE_SIGNATURE + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 1000
    assert _file_problem(data) == messages.OLD_XLS


def test_encrypted_workbook_is_refused():
    encrypted = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(xlsx_bytes([valid_row()]))).encrypt(
        "secret", encrypted
    )
    assert _file_problem(encrypted.getvalue()) == messages.ENCRYPTED


@override_settings(IMPORT_MAX_FILE_SIZE=4000)
def test_oversized_file_is_refused_with_the_limit():
    data = xlsx_bytes([valid_row(实施编码=f"C{n}") for n in range(50)])
    assert _file_problem(data) == messages.FILE_TOO_LARGE.format(
        size=filesizeformat(len(data)), limit=filesizeformat(4000)
    )


@override_settings(IMPORT_MAX_UNPACKED_SIZE=1_000_000)
def test_zip_bomb_is_refused():
    data = _patch_sheet(
        xlsx_bytes([valid_row()]),
        lambda xml: xml.replace("</worksheet>", "<!--" + " " * 2_000_000 + "--></worksheet>"),
    )
    assert len(data) < 50_000  # two megabytes of XML packed very small
    assert _file_problem(data) == messages.ZIP_BOMB.format(limit=filesizeformat(1_000_000))


def test_headers_only_is_refused():
    assert _file_problem(xlsx_bytes([])) == messages.NO_ROWS


def test_blank_sheet_is_refused():
    stream = io.BytesIO()
    openpyxl.Workbook().save(stream)
    assert _file_problem(stream.getvalue()) == messages.NO_HEADER


def test_merged_header_cells_are_refused_naming_them():
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([valid_row()])))
    workbook.active.merge_cells("B1:C1")
    stream = io.BytesIO()
    workbook.save(stream)
    assert _file_problem(stream.getvalue()) == messages.MERGED_HEADER.format(cells="B1:C1")


def test_formula_with_a_cached_value_imports_the_value():
    def cached_formula(xml):
        # 事项名称 (column B of row 2) becomes a formula whose saved result is the name.
        return re.sub(
            r'<c r="B2"[^>]*>.*?</c>',
            '<c r="B2" t="str"><f>CONCATENATE("施工","许可")</f><v>施工许可</v></c>',
            xml,
        )

    result = items_import(file=_patch_sheet(xlsx_bytes([valid_row()]), cached_formula))

    assert result.written, [str(error) for error in result.plan.errors]
    assert ServiceItem.objects.get().name == "施工许可"


def test_formula_without_a_cached_value_is_a_row_error():
    data = xlsx_bytes([valid_row(事项名称='=CONCATENATE("施工","许可")')])

    result = items_import(file=data)

    (error,) = result.plan.errors
    assert (error.row, error.column) == (2, "事项名称")
    assert error.problem == messages.FORMULA_WITHOUT_VALUE
    assert ServiceItem.objects.count() == 0


def test_a_row_holding_only_a_formula_without_a_cached_value_is_a_row_error_not_skipped():
    # The reader sees no value in such a row; it is still a row the person filled in.
    data = xlsx_bytes([valid_row(), {"事项名称": '=CONCATENATE("施工","许可")'}])

    result = items_import(file=data)

    assert not result.written
    assert {error.row for error in result.plan.errors} == {3}
    assert (3, "事项名称", messages.FORMULA_WITHOUT_VALUE) in [
        (error.row, error.column, error.problem) for error in result.plan.errors
    ]
    assert ServiceItem.objects.count() == 0


def test_rows_of_only_formulas_without_values_are_reported_in_their_places():
    def formulas_only(xml):
        # Rows 3 and 5 hold only a formula without a saved result, between and after valid
        # items; calamine reads nothing of them.
        return xml.replace(
            "</sheetData>",
            '<row r="5"><c r="B5"><f>1+1</f></c></row></sheetData>',
        )

    data = xlsx_bytes(
        [
            valid_row(),
            {"事项名称": "=A1"},
            valid_row(实施编码="11440300MB2C0000000000000000002"),
        ]
    )
    sheet = read_sheet(_patch_sheet(data, formulas_only))

    assert [number for number, _cells in sheet.rows] == [2, 3, 4, 5]


def test_a_sheet_claiming_a_million_mostly_blank_rows_imports_its_real_rows():
    def million_rows(xml):
        blank_rows = "".join(
            f'<row r="{number}"><c r="A{number}" s="0"/><c r="B{number}" t="inlineStr">'
            f"<is><t></t></is></c></row>"
            for number in range(4, 1_000_001)
        )
        xml = re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:AG1000000"', xml)
        return xml.replace("</sheetData>", blank_rows + "</sheetData>")

    rows = [valid_row(实施编码="R1"), valid_row(实施编码="R2")]
    data = _patch_sheet(xlsx_bytes(rows), million_rows)

    result = items_import(file=data)

    assert result.written, result.plan.file_problem
    assert ServiceItem.objects.count() == 2


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_excel():
    rows = [valid_row(实施编码="A"), [], valid_row(实施编码="B", 办件类型="马上办")]

    result = items_import(file=xlsx_bytes(rows))

    (error,) = result.plan.errors
    assert error.row == 4


def test_header_below_blank_rows_is_found_and_rows_keep_their_numbers():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    row = valid_row(办件类型="马上办")
    sheet.append([])
    sheet.append([])
    sheet.append(list(row))
    sheet.append(list(row.values()))
    stream = io.BytesIO()
    workbook.save(stream)

    result = items_import(file=stream.getvalue())

    (error,) = result.plan.errors
    assert (error.row, error.column) == (4, "办件类型")


def test_duplicate_headers_are_refused_naming_them():
    headers = [*valid_row(), "事项名称"]
    data = xlsx_bytes([[*valid_row().values(), "另一个名称"]], headers=headers)
    assert _file_problem(data) == messages.DUPLICATE_COLUMNS.format(columns="事项名称")


@pytest.fixture
def filter_blank_rows(monkeypatch):
    """Drop valueless rows before reading even in a small file (normally above 200,000 rows)."""
    monkeypatch.setattr("catalogue.importing.reading.BLANK_ROW_FILTER_THRESHOLD", 0)


@pytest.mark.usefixtures("filter_blank_rows")
def test_rows_survive_blank_row_filtering_with_shared_strings():
    # xlsxwriter's default mode stores text in the shared-strings table, as Excel does.
    stream = io.BytesIO()
    workbook = xlsxwriter.Workbook(stream)
    sheet = workbook.add_worksheet()
    rows = [list(valid_row()), [], list(valid_row(实施编码="S2").values()), ["  "]]
    rows.insert(1, list(valid_row(实施编码="S1").values()))
    for number, cells in enumerate(rows):
        sheet.write_row(number, 0, cells)
    workbook.close()

    result = items_import(file=stream.getvalue())

    assert result.written, [str(error) for error in result.plan.errors]
    assert [row.row for row in result.plan.rows] == [2, 4]


@pytest.mark.usefixtures("filter_blank_rows")
def test_formula_without_value_is_still_reported_after_blank_row_filtering():
    result = items_import(file=xlsx_bytes([valid_row(事项名称="=1+1")]))

    (error,) = result.plan.errors
    assert error.problem == messages.FORMULA_WITHOUT_VALUE


def _blank_row(number: int) -> str:
    return (
        f'<row r="{number}"><c r="A{number}" s="0"/><c r="B{number}" t="inlineStr">'
        f"<is><t></t></is></c></row>"
    )


def _text_row(number: int) -> str:
    return f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>x</t></is></c></row>'


def _chunk_sheets_opened(monkeypatch) -> list:
    """The names of the sheets the reader writes for calamine, as they are opened."""
    opened = []
    open_sheet = reading._ChunkedWorkbook.open_sheet

    def recording(self, name):
        opened.append(name)
        return open_sheet(self, name)

    monkeypatch.setattr(reading._ChunkedWorkbook, "open_sheet", recording)
    return opened


def _with_blank_rows(rows: range, *, claimed: int | None = None) -> bytes:
    """A valid row 2, then blank rows (cells holding empty strings) numbered `rows`; the used
    range (<dimension>) claims `claimed` rows if given."""

    def append(xml):
        if claimed is not None:
            xml = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="A1:AG{claimed}"', xml)
        blank_rows = "".join(_blank_row(number) for number in rows)
        return xml.replace("</sheetData>", blank_rows + "</sheetData>")

    return _patch_sheet(xlsx_bytes([valid_row()]), append)


@pytest.mark.usefixtures("filter_blank_rows")
def test_row_numbers_whose_rows_the_filter_drops_make_no_chunk_sheet_for_calamine(monkeypatch):
    # Rows 1,000 … 5,999 (chunks 1 to 5) hold nothing: calamine reads the first chunk only.
    opened = _chunk_sheets_opened(monkeypatch)

    result = items_import(file=_with_blank_rows(range(1000, 6000)))

    assert result.written, result.plan.file_problem
    assert [row.row for row in result.plan.rows] == [2]
    assert opened == ["s0c0", "s0f"]


@pytest.mark.usefixtures("filter_blank_rows")
@pytest.mark.parametrize("with_formula", [False, True], ids=["values", "values and a formula"])
def test_the_blank_row_filter_keeps_every_row_with_a_value_and_drops_rows_of_empty_cells(
    monkeypatch, with_formula
):
    # One row per chunk of row numbers: each row kept makes a chunk sheet for calamine.
    kept = {
        1000: '<c r="A1000"><v>0</v></c>',
        2000: '<c r="A2000" t="inlineStr"><is><r><t>x</t></r></is></c>',
        3000: '<c r="A3000" t="inlineStr"><is><t xml:space="preserve"> x </t></is></c>',
        4000: '<c r="A4000" t="b"><v>0</v></c>',
    }
    if with_formula:
        kept[5000] = '<c r="A5000" t="inlineStr"><is><t>y</t></is></c><c r="B5000"><f>1+1</f></c>'
    blank = (
        '<row r="{n}" spans="1:33"><c r="A{n}" s="1"/><c r="B{n}"><v></v></c>'
        '<c r="C{n}" t="inlineStr"><is><t xml:space="preserve">  </t></is></c>'
        '<c r="D{n}" t="inlineStr"><is><t/></is></c></row>'
    )
    rows = "".join(
        [f'<row r="{n}">{cells}</row>' for n, cells in kept.items()]
        + [blank.format(n=n) for n in (6000, 6001, 7000)]
    )
    data = _patch_sheet(
        xlsx_bytes([valid_row()]), lambda xml: xml.replace("</sheetData>", rows + "</sheetData>")
    )
    opened = _chunk_sheets_opened(monkeypatch)

    plan = items_import(file=data, dry_run=True).plan

    assert [row.row for row in plan.rows] == [2, *kept]
    assert opened == [f"s0c{n}" for n in range(len(kept) + 1)] + ["s0f"]


@pytest.mark.parametrize(
    ("claimed", "opened_sheets"),
    [(6_000, ["s0c0", "s0c1", "s0c2", "s0f"]), (1_000_000, ["s0c0", "s0f"])],
    ids=["its rows", "a million rows"],
)
def test_blank_rows_are_dropped_from_the_first_when_the_sheet_claims_more_than_the_threshold(
    monkeypatch, claimed, opened_sheets
):
    # Below the threshold's count of rows, blank rows are read (and skipped) unless the sheet's
    # used range already claims more: Excel's, when formatting reaches the bottom of the sheet.
    monkeypatch.setattr(reading, "BLANK_ROW_FILTER_THRESHOLD", 10_000)
    opened = _chunk_sheets_opened(monkeypatch)

    result = items_import(file=_with_blank_rows(range(1000, 3000), claimed=claimed))

    assert result.written, result.plan.file_problem
    assert [row.row for row in result.plan.rows] == [2]
    assert opened == opened_sheets


@pytest.mark.parametrize("filtered", [False, True], ids=["kept", "dropped by the filter"])
def test_rows_going_back_and_forth_between_chunks_are_refused_beyond_the_chunk_limit(
    monkeypatch, filtered
):
    # Each return to an earlier chunk of row numbers starts a chunk: rows 2, 1,000, 3, 1,001,
    # 4, 1,002 and 5 start seven, the sixth at row 1,002, whether or not rows 1,000 … 1,002
    # are blank rows that the filter drops.
    monkeypatch.setattr(reading, "MAX_CHUNKS", 5)
    if filtered:
        monkeypatch.setattr(reading, "BLANK_ROW_FILTER_THRESHOLD", 0)
    far = _blank_row if filtered else _text_row
    rows = far(1000) + _text_row(3) + far(1001) + _text_row(4) + far(1002) + _text_row(5)
    data = _patch_sheet(
        xlsx_bytes([valid_row()]), lambda xml: xml.replace("</sheetData>", rows + "</sheetData>")
    )

    assert _file_problem(data) == messages.ROWS_OUT_OF_PLACE.format(row="1002")

    monkeypatch.setattr(reading, "MAX_CHUNKS", 7)
    assert items_import(file=data, dry_run=True).plan.file_problem is None


def test_a_row_of_spaces_only_counts_as_blank():
    result = items_import(file=xlsx_bytes([valid_row(), ["  ", "\u3000"]]))

    assert result.written and len(result.plan.rows) == 1


def test_damaged_files_give_a_message_and_never_an_exception():
    good = xlsx_bytes([valid_row(实施编码=f"C{n}") for n in range(20)])
    rng = random.Random(7)
    outcomes = set()
    for _ in range(150):
        data = bytearray(good)
        for _ in range(rng.choice([1, 3, 10])):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.2:
            data = data[: rng.randrange(len(data))]

        result = items_import(file=bytes(data), dry_run=True)  # must not raise

        outcomes.add(result.plan.file_problem is None)
    assert outcomes == {True, False}  # some damage goes unnoticed by the format, most does not


def test_an_excel_error_value_is_a_row_error():
    def error_value(xml):
        # 承诺办结时限 (column Y of row 2) holds a formula whose result is #DIV/0!.
        return re.sub(
            r'<c r="Y2"[^>]*>.*?</c>', '<c r="Y2" t="e"><f>1/0</f><v>#DIV/0!</v></c>', xml
        )

    result = items_import(file=_patch_sheet(xlsx_bytes([valid_row()]), error_value))

    (error,) = result.plan.errors
    assert (error.row, error.column, error.problem) == (2, "承诺办结时限", messages.ERROR_VALUE)


def test_a_bug_while_reading_is_logged_and_not_blamed_on_the_file(monkeypatch, caplog):
    def broken_scan(archive, sheet_path):
        raise TypeError("a bug in the reader")

    monkeypatch.setattr(reading, "_scan_sheet", broken_scan)

    with caplog.at_level(logging.ERROR, logger="catalogue.importing.reading"):
        problem = _file_problem(xlsx_bytes([valid_row()]))

    assert problem == str(messages.READ_FAILED)
    assert problem != str(messages.CORRUPT)
    (record,) = caplog.records
    assert record.exc_info[0] is TypeError


def test_a_zip_with_a_negative_member_offset_is_damaged_not_a_bug(caplog):
    data = bytearray(xlsx_bytes([valid_row()]))
    # The end record claims the central directory starts 1 MB later than it does: zipfile
    # then places every member's header before the start of the file.
    end = data.rindex(b"PK\x05\x06")
    offset = int.from_bytes(data[end + 16 : end + 20], "little")
    data[end + 16 : end + 20] = (offset + 1_000_000).to_bytes(4, "little")

    with caplog.at_level(logging.ERROR):
        problem = _file_problem(bytes(data))

    assert problem in (str(messages.CORRUPT), str(messages.NOT_EXCEL))
    assert not caplog.records


def test_a_zip_member_marked_encrypted_is_refused_as_damaged():
    data = bytearray(xlsx_bytes([valid_row()]))
    entry = data.index(b"PK\x01\x02")
    data[entry + 8] |= 0x1  # general purpose flag: encrypted

    assert _file_problem(bytes(data)) == str(messages.CORRUPT)


def test_a_workbook_whose_sheet_part_is_missing_is_damaged():
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([valid_row()])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name != SHEET:
                target.writestr(name, source.read(name))

    assert _file_problem(out.getvalue()) == str(messages.CORRUPT)


def _with_cells_after_the_last(data: bytes, cells: str) -> bytes:
    """The workbook with `cells` appended to its second row."""

    def append(xml):
        header_end = xml.index("</row>") + len("</row>")
        return xml[:header_end] + xml[header_end:].replace("</row>", cells + "</row>", 1)

    return _patch_sheet(data, append)


def test_a_sheet_with_values_far_right_of_the_contract_is_refused_naming_the_cell():
    data = _with_cells_after_the_last(
        xlsx_bytes([valid_row()]), '<c r="XFD2" t="inlineStr"><is><t>x</t></is></c>'
    )

    assert _file_problem(data) == messages.TOO_WIDE.format(
        cell="XFD2", limit=reading.MAX_COLUMNS, columns=len(HEADERS)
    )


def test_the_hundredth_column_is_read_and_the_hundred_and_first_refused():
    row = valid_row()
    inside = xlsx_bytes([[*row.values(), *([""] * 66), "备注"]], headers=[*HEADERS, *["x"] * 67])
    assert len(HEADERS) + 67 == reading.MAX_COLUMNS
    assert items_import(file=inside, dry_run=True).plan.file_problem is None

    outside = xlsx_bytes([[*row.values(), *([""] * 67), "备注"]], headers=[*HEADERS, *["x"] * 68])
    assert _file_problem(outside) == messages.TOO_WIDE.format(
        cell="CW1", limit=reading.MAX_COLUMNS, columns=len(HEADERS)
    )


def test_formatted_empty_cells_far_right_do_not_count():
    data = _with_cells_after_the_last(xlsx_bytes([valid_row()]), '<c r="XFD2" s="0"/>')

    assert items_import(file=data, dry_run=True).plan.file_problem is None


def test_a_row_of_too_many_cells_without_references_is_refused():
    cells = '<c t="inlineStr"><is><t>x</t></is></c>' * (reading.MAX_COLUMNS + 1)
    data = _patch_sheet(
        xlsx_bytes([valid_row()]),
        lambda xml: xml.replace("</sheetData>", f"<row>{cells}</row></sheetData>"),
    )

    assert _file_problem(data) == messages.TOO_MANY_COLUMNS.format(
        count=reading.MAX_COLUMNS + 1, limit=reading.MAX_COLUMNS, columns=len(HEADERS)
    )


def test_a_sheet_with_more_filled_cells_than_the_budget_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_FILLED_CELLS", 50)

    problem = _file_problem(xlsx_bytes([valid_row(实施编码=f"C{n}") for n in range(3)]))

    assert problem == messages.TOO_MANY_CELLS.format(limit="50")


def test_checking_stops_after_enough_error_rows_and_says_where(monkeypatch):
    monkeypatch.setattr(plan_module, "MAX_ERROR_ROWS", 3)
    monkeypatch.setattr(plan_module, "CHUNK_ROWS", 2)
    rows = [valid_row(实施编码=f"C{n}", 办件类型="马上办") for n in range(10)]

    plan = items_import(file=xlsx_bytes(rows), dry_run=True).plan

    assert [row.row for row in plan.rows] == [2, 3, 4, 5]
    assert plan.unchecked_from_row == 6 and plan.has_errors
    assert plan.summary().endswith(str(messages.TOO_MANY_ERROR_ROWS.format(count=4, row=6)))
    assert plan_module.ImportPlan.from_dict(plan.to_dict()).unchecked_from_row == 6


def _with_rows_at(numbers_and_rows, headers=None) -> bytes:
    """A workbook whose data rows sit at the given Excel row numbers (the header in row 1)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(headers or HEADERS))
    for number, cells in numbers_and_rows:
        for column, value in enumerate(cells, start=1):
            sheet.cell(row=number, column=column, value=value)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def test_rows_of_different_chunks_keep_their_numbers_and_columns():
    # Rows 2 and 1,500 are read in two chunks; the second starts one column further right
    # (its column A is empty), and is aligned with the header again.
    headers = ["备注", *HEADERS]
    first = ["第一行", *valid_row(实施编码="CHUNK1").values()]
    second = ["", *valid_row(实施编码="CHUNK2", 办件类型="马上办").values()]

    plan = items_import(
        file=_with_rows_at([(2, first), (1500, second)], headers), dry_run=True
    ).plan

    assert [row.row for row in plan.rows] == [2, 1500]
    (error,) = plan.errors
    assert (error.row, error.column, error.value) == (1500, "办件类型", "马上办")


def test_two_rows_a_million_rows_apart_are_both_read():
    rows = [
        (2, valid_row(实施编码="TOP").values()),
        (1_048_576, valid_row(实施编码="END").values()),
    ]

    result = items_import(file=_with_rows_at(rows))

    assert result.written, result.plan.file_problem
    assert [row.row for row in result.plan.rows] == [2, 1_048_576]


def test_a_cell_placed_outside_its_row_is_refused():
    # Excel never writes it; calamine would hold every row between row 2 and row 1,048,576.
    data = _with_cells_after_the_last(xlsx_bytes([valid_row()]), '<c r="A1048576"><v>1</v></c>')

    assert _file_problem(data) == messages.ROWS_OUT_OF_PLACE.format(row="2")


def test_a_row_without_its_number_is_refused():
    data = _patch_sheet(
        xlsx_bytes([valid_row()]),
        lambda xml: xml.replace(
            "</sheetData>", '<row><c t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
        ),
    )

    assert _file_problem(data) == messages.ROWS_OUT_OF_PLACE.format(row="3")  # the row after row 2


def test_a_sheet_written_with_a_namespace_prefix_is_read_and_checked():
    # The OpenXML SDK writes <x:worksheet xmlns:x="…"><x:sheetData><x:row …>.
    def prefixed(xml):
        xml = re.sub(r"<(/?)(?!\?)", r"<\1x:", xml)
        return xml.replace('xmlns="', 'xmlns:x="', 1)

    good = _patch_sheet(xlsx_bytes([valid_row()]), prefixed)
    assert items_import(file=good, dry_run=True).plan.counts["new"] == 1

    wide = _with_cells_after_the_last(
        xlsx_bytes([valid_row()]), '<c r="XFD2" t="inlineStr"><is><t>x</t></is></c>'
    )
    assert _file_problem(_patch_sheet(wide, prefixed)) == messages.TOO_WIDE.format(
        cell="XFD2", limit=reading.MAX_COLUMNS, columns=len(HEADERS)
    )


def test_the_cell_budget_admits_100000_full_rows_of_the_template_and_its_header_and_no_more():
    rows, partial_row = divmod(reading.MAX_FILLED_CELLS, len(HEADERS))

    assert (rows, partial_row) == (100_000 + 1, 0)


@pytest.mark.parametrize(
    "transform",
    [
        lambda xml: re.sub(r"<sheets>.*</sheets>", "<sheets/>", xml),
        lambda xml: xml.replace('r:id="rId1"', 'r:id="rId99"'),  # no part behind the sheet
    ],
    ids=["no sheet listed", "sheet without its part"],
)
def test_a_workbook_without_a_readable_sheet_is_refused(transform):
    data = _patch_sheet(xlsx_bytes([valid_row()]), transform, member="xl/workbook.xml")

    assert _file_problem(data) == messages.NO_SHEET


@pytest.mark.parametrize(
    "transform",
    [
        lambda xml: xml.replace("</sheetData>", ""),
        lambda xml: xml.replace("worksheet", "worksheat"),  # no worksheet at the root
    ],
    ids=["rows never closed", "not a worksheet"],
)
def test_a_sheet_whose_xml_is_cut_or_is_no_worksheet_is_refused_as_corrupt(transform):
    assert _file_problem(_patch_sheet(xlsx_bytes([valid_row()]), transform)) == messages.CORRUPT


def test_a_sheet_without_any_rows_element_is_read_as_empty():
    data = _patch_sheet(
        xlsx_bytes([valid_row()]), lambda xml: re.sub(r"<sheetData>.*</sheetData>", "", xml)
    )

    assert _file_problem(data) == messages.NO_HEADER


def _notes_then_items(workbook):
    notes = workbook.active
    notes.title = "填表说明"
    notes.append(["本表由住房和建设局填写"])
    notes.append(["请勿修改列标题"])
    items = workbook.create_sheet("事项")
    items.append(list(HEADERS))
    items.append([valid_row(实施编码="N-1")[header] for header in HEADERS])


def test_the_items_are_read_from_the_sheet_holding_the_header_after_a_sheet_of_notes():
    result = items_import(file=_workbook(_notes_then_items))

    assert result.plan.sheet_name == "事项"
    assert list(ServiceItem.objects.values_list("code", flat=True)) == ["N-1"]


def test_a_sheet_named_that_the_file_does_not_hold_is_refused_listing_its_sheets():
    result = items_import(file=_workbook(_notes_then_items), sheet="民政局")

    assert result.plan.file_problem == messages.UNKNOWN_SHEET.format(
        sheet="民政局", sheets="“填表说明”、“事项”"
    )
    assert not ServiceItem.objects.exists()
