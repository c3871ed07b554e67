"""The rows of a workbook, found without reading it (whether an import goes to the worker)."""

import io
import re
import zipfile

import xlsxwriter

from catalogue.importing.size import workbook_rows
from tests.catalogue.importing_support import valid_row, xlsx_bytes


def _without_dimension(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                content = re.sub(rb"<dimension [^>]*/>", b"", content)
            target.writestr(info, content)
    return stream.getvalue()


def test_the_rows_are_read_from_the_sheets_used_range():
    data = xlsx_bytes([valid_row(实施编码=f"A{n}") for n in range(3)])

    assert workbook_rows(data, limit=100) == 4  # the header and three rows


def test_the_largest_sheet_counts():
    stream = io.BytesIO()
    workbook = xlsxwriter.Workbook(stream)
    workbook.add_worksheet("说明").write(0, 0, "说明")
    items = workbook.add_worksheet("事项")
    for row in range(25):
        items.write(row, 0, f"A{row}")
    workbook.close()

    assert workbook_rows(stream.getvalue(), limit=100) == 25


def test_a_sheet_without_a_used_range_has_its_rows_counted():
    data = _without_dimension(xlsx_bytes([valid_row(实施编码=f"A{n}") for n in range(3)]))

    assert b"<dimension" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert workbook_rows(data, limit=100) == 4
    assert workbook_rows(data, limit=2) >= 2  # counted up to the limit at least


def test_a_file_that_is_no_workbook_counts_no_rows():
    assert workbook_rows(b"not a zip", limit=100) == 0
    assert workbook_rows(b"PK\x03\x04broken", limit=100) == 0


def test_a_long_sheet_without_a_used_range_has_every_row_counted_past_its_first_kilobytes():
    stream = io.BytesIO()
    workbook = xlsxwriter.Workbook(stream)
    sheet = workbook.add_worksheet("事项")
    for row in range(1000):  # about 45 KB of XML: rows counted after the first 16 KB
        sheet.write(row, 0, row)
    workbook.close()
    data = _without_dimension(stream.getvalue())

    assert len(zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")) > 32 * 1024
    assert workbook_rows(data, limit=10_000) == 1000
