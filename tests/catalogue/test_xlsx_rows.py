import io
import zipfile

import openpyxl
import pytest
import python_calamine
import xlsxwriter

from catalogue.xlsx_rows import MAX_STRING_LENGTH, write_rows_into

SHEET_PART = "xl/worksheets/sheet1.xml"


def _package(columns=3, text_column=None):
    """A workbook from xlsxwriter with a header row of `columns` cells, and a second sheet."""
    stream = io.BytesIO()
    workbook = xlsxwriter.Workbook(stream, {"in_memory": True})
    sheet = workbook.add_worksheet("Items")
    workbook.add_worksheet("Other").write_string(0, 0, "Other header")
    if text_column is not None:
        sheet.set_column(text_column, text_column, 20, workbook.add_format({"num_format": "@"}))
    for index in range(columns):
        sheet.write_string(0, index, f"H{index}")
    sheet.data_validation(1, 0, 1000, 0, {"validate": "list", "source": ["a", "b"]})
    workbook.close()
    return stream.getvalue()


def _written(rows, **package_options):
    target = io.BytesIO()
    counts = write_rows_into(_package(**package_options), {SHEET_PART: rows}, target)
    return counts[SHEET_PART], target.getvalue()


def _calamine_rows(data):
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return workbook.get_sheet_by_index(0).to_python()


def test_rows_follow_the_header_with_values_as_given():
    count, data = _written([["a", 1, "c"], ["", 2.5, None]])

    assert count == 2
    assert _calamine_rows(data) == [["H0", "H1", "H2"], ["a", 1.0, "c"], ["", 2.5, ""]]
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.dimensions == "A1:C3"
    assert len(sheet.data_validations.dataValidation) == 1  # the rest of the sheet is kept


def test_markup_is_written_as_text_not_as_rich_text_or_cells():
    # xlsxwriter copies "<r>…</r>" into the XML as rich text, which let this inject a formula.
    injection = '<r><t>a</t></r></is></c><c r="B2"><f>1+1</f><v>2</v></c><c><is><r><t>b</t></r>'
    _, data = _written([[injection, "A & B <c>", "x"]])

    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert [cell.value for cell in sheet[2]] == [injection, "A & B <c>", "x"]
    assert [cell.data_type for cell in sheet[2]] == ["s", "s", "s"]


def test_control_characters_and_escape_lookalikes_read_back_unchanged():
    texts = ["line\nbreak\ttab", "bell\x07 and \x1f", "_x0041_ stays literal"]
    _, data = _written([texts])

    assert _calamine_rows(data)[1] == texts


def test_leading_and_trailing_spaces_are_kept():
    _, data = _written([[" lead", "trail ", "\u3000full-width"]])

    assert _calamine_rows(data)[1] == [" lead", "trail ", "\u3000full-width"]


def test_cells_take_their_column_format():
    _, data = _written([["0012", "0012", "0012"]], text_column=1)

    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert [cell.number_format for cell in sheet[2]] == ["General", "@", "General"]


def test_text_longer_than_excel_allows_is_cut_at_the_limit():
    _, data = _written([["x" * (MAX_STRING_LENGTH + 10), "😀" * MAX_STRING_LENGTH, ""]])

    first, second, _ = _calamine_rows(data)[1]
    assert first == "x" * MAX_STRING_LENGTH
    assert second == "😀" * (MAX_STRING_LENGTH // 2)  # each counts two UTF-16 units


def test_no_rows_leaves_the_header_only():
    count, data = _written([])

    assert count == 0
    assert _calamine_rows(data) == [["H0", "H1", "H2"]]


def test_the_sheet_is_deflated_and_other_parts_are_copied():
    _, data = _written([["a", "b", "c"]] * 100)

    source, written = zipfile.ZipFile(io.BytesIO(_package())), zipfile.ZipFile(io.BytesIO(data))
    assert written.namelist() == source.namelist()
    assert written.getinfo(SHEET_PART).compress_type == zipfile.ZIP_DEFLATED
    assert written.read("xl/styles.xml") == source.read("xl/styles.xml")


def test_rows_go_to_each_sheet_given():
    target = io.BytesIO()
    second = "xl/worksheets/sheet2.xml"
    counts = write_rows_into(_package(), {SHEET_PART: [["a"]], second: [["b"], ["c"]]}, target)

    assert counts == {SHEET_PART: 1, second: 2}
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(target.getvalue()))
    assert workbook.get_sheet_by_index(0).to_python() == [["H0", "H1", "H2"], ["a", "", ""]]
    assert workbook.get_sheet_by_index(1).to_python() == [["Other header"], ["b"], ["c"]]


def test_a_row_wider_than_the_header_is_refused():
    with pytest.raises(ValueError, match="row 2: 4 cells for 3 columns"):
        _written([["a", "b", "c", "d"]])


@pytest.mark.parametrize("value", [True, float("nan"), b"bytes"])
def test_values_a_cell_cannot_hold_are_refused(value):
    with pytest.raises(TypeError):
        _written([[value]])


def test_streamed_cells_are_this_xml_byte_for_byte():
    # The exact form of each cell, as 96fff26 wrote it: a faster writer must not change a byte.
    _, data = _written([["a", " b", 7], ["", 2.5, "x<y"]], text_column=1)

    sheet = zipfile.ZipFile(io.BytesIO(data)).read(SHEET_PART).decode()
    rows = sheet.split("</row>", 1)[1].split("</sheetData>")[0]
    style = ' s="1"'
    assert rows == (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c>'
        f'<c r="B2"{style} t="inlineStr"><is><t xml:space="preserve"> b</t></is></c>'
        '<c r="C2"><v>7</v></c></row>'
        f'<row r="3"><c r="B3"{style}><v>2.5</v></c>'
        '<c r="C3" t="inlineStr"><is><t>x&lt;y</t></is></c></row>'
    )
