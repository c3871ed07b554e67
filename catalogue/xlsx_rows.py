"""Stream rows into the sheets of a workbook made by xlsxwriter.

xlsxwriter's constant-memory mode spends about 3 µs of Python per cell (9.7 s of the 12 s export
of 100,000 items), and in every mode it copies a string that begins with "<r>" and ends with
"</r>" into the XML unescaped, as rich text: a cell value could inject a formula cell, past the
formula neutralisation. So xlsxwriter makes the workbook (styles, column widths and formats,
frozen panes, data validations) with header rows only, and the rows below them are written here:
every string escaped as inline text, each cell taking its column's style as xlsxwriter would
give it. The rows go to a temporary file first, so that the sheet's <dimension> can hold the
final size; memory stays flat whatever the number of rows.
"""

import contextlib
import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from math import isfinite

from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name, xl_rowcol_to_cell

MAX_STRING_LENGTH = 32767  # Excel's limit for a cell, in UTF-16 code units
_ROWS_PER_WRITE = 100

# As Excel and xlsxwriter do: control characters become _xHHHH_, and text that already looks
# like such an escape gets its underscore escaped, so that readers give back the same text.
_NEEDS_ESCAPING = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_LITERAL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_PRESERVE_SPACE = ' xml:space="preserve"'

_DIMENSION = re.compile(r'<dimension ref="([^"]*)"/>')
_ROW_NUMBER = re.compile(r'<row r="(\d+)"')
_COLUMN = re.compile(r"<col ([^>]*)/>")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


def write_rows_into(
    package: bytes,
    rows: Mapping[str, Iterable[Sequence]],
    target,
    *,
    headers: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, int]:
    """Write `package` (an .xlsx made by xlsxwriter) to `target`, with rows added to some of its
    sheets below the rows they have: `rows` maps a sheet's part name (xl/worksheets/sheet1.xml)
    to its rows. Returns the number of rows added to each.

    Cells are strings, ints or floats; "" and None leave the cell empty. A row may not be wider
    than its sheet's dimension (the header row). `target` is a path or a binary file object.

    `headers` maps a part to texts for its first row, whose cells xlsxwriter wrote blank with
    their format (`write_blank`): for headers that come from a file, which xlsxwriter would
    not escape either.
    """
    headers = headers or {}
    with zipfile.ZipFile(io.BytesIO(package)) as source, contextlib.ExitStack() as files:
        streamed = {}
        for part, part_rows in rows.items():
            body = files.enter_context(tempfile.TemporaryFile())
            sheet = source.read(part).decode()
            if part in headers:
                sheet = _filled_header(sheet, headers[part])
            streamed[part] = (*_stream_sheet(sheet, part_rows, body), body)
        # zlib's default level, as xlsxwriter: level 1 saves 0.6 s on 100,000 items but makes the
        # file 30 % larger, nearer the import's size limit.
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info in source.infolist():
                if info.filename not in streamed:
                    out.writestr(info, source.read(info))
                    continue
                head, tail, _count, body = streamed[info.filename]
                member = zipfile.ZipInfo(info.filename, info.date_time)
                member.compress_type = zipfile.ZIP_DEFLATED
                # Known in advance, so that zipfile switches to ZIP64 for a sheet over 4 GiB.
                member.file_size = len(head) + body.tell() + len(tail)
                with out.open(member, "w") as stream:
                    stream.write(head)
                    body.seek(0)
                    shutil.copyfileobj(body, stream, 1 << 20)
                    stream.write(tail)
    return {part: count for part, (_head, _tail, count, _body) in streamed.items()}


_BLANK_HEADER_CELL = re.compile(r'<c r="([A-Z]+)1"( s="\d+")?/>')


def _filled_header(sheet: str, texts: Sequence[str]) -> str:
    by_letter = {xl_col_to_name(index): text for index, text in enumerate(texts)}

    def fill(match):
        text = by_letter.get(match.group(1), "")
        if not text:
            return match.group(0)
        return _text_cell(f"{match.group(1)}1", match.group(2) or "", _escaped(_truncated(text)))

    return _BLANK_HEADER_CELL.sub(fill, sheet)


def _text_cell(reference: str, style: str, escaped_text: str) -> str:
    space = _PRESERVE_SPACE if escaped_text.strip() != escaped_text else ""
    return f'<c r="{reference}"{style} t="inlineStr"><is><t{space}>{escaped_text}</t></is></c>'


def _stream_sheet(sheet: str, rows, body) -> tuple[bytes, bytes, int]:
    """Write the rows' XML to `body`; return the sheet's XML before and after them, and their
    number."""
    head, tail = sheet.replace("<sheetData/>", "<sheetData></sheetData>").split("</sheetData>")
    first_row = max(map(int, _ROW_NUMBER.findall(head)), default=0) + 1
    last_column = _last_column(head)
    count = _write_rows(rows, first_row, _column_styles(head, last_column), body)
    if count:
        last_cell = xl_rowcol_to_cell(first_row + count - 2, last_column)
        head = _DIMENSION.sub(f'<dimension ref="A1:{last_cell}"/>', head)
    return head.encode(), ("</sheetData>" + tail).encode(), count


def _last_column(head: str) -> int:
    match = _DIMENSION.search(head)
    last_cell = match.group(1).split(":")[-1] if match else "A1"
    return xl_cell_to_rowcol(last_cell)[1]


def _column_styles(head: str, last_column: int) -> list[str]:
    """The ` s="…"` attribute of each column's cells: the column's format, if it has one."""
    styles = [""] * (last_column + 1)
    for match in _COLUMN.finditer(head):
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        if "style" in attributes:
            first, last = int(attributes["min"]) - 1, int(attributes["max"]) - 1
            for column in range(first, min(last, last_column) + 1):
                styles[column] = f' s="{attributes["style"]}"'
    return styles


def _write_rows(rows, first_row: int, styles: list[str], body) -> int:
    # Each column's cell XML before and after the row number, built once: a cell is then one
    # f-string, the XML of _text_cell written inline (a call per cell cost 0.3 s of the export of
    # 100,000 items; tests/catalogue/test_xlsx_rows.py checks the XML byte for byte).
    columns = [
        (f'<c r="{xl_col_to_name(index)}', f'"{style} t="inlineStr"><is><t', f'"{style}><v>')
        for index, style in enumerate(styles)
    ]
    chunk = []
    count = 0
    for count, cells in enumerate(rows, start=1):
        number = str(first_row + count - 1)
        if len(cells) > len(columns):
            raise ValueError(f"row {number}: {len(cells)} cells for {len(columns)} columns")
        # One search per row rather than per cell: most rows need no escaping at all.
        escape = _NEEDS_ESCAPING.search("\t".join([v for v in cells if v.__class__ is str]))
        parts = [f'<row r="{number}">']
        for (start, text_tail, number_tail), value in zip(columns, cells, strict=False):
            if value.__class__ is str:
                if not value:
                    continue
                if len(value) > MAX_STRING_LENGTH // 2:
                    value = _truncated(value)
                if escape:
                    value = _escaped(value)
                space = _PRESERVE_SPACE if value.strip() != value else ""
                parts.append(f"{start}{number}{text_tail}{space}>{value}</t></is></c>")
            elif value.__class__ is int or (value.__class__ is float and isfinite(value)):
                parts.append(f"{start}{number}{number_tail}{value!r}</v></c>")
            elif value is not None:
                raise TypeError(f"cannot write {value!r} in a cell")
        parts.append("</row>")
        chunk.append("".join(parts))
        if len(chunk) == _ROWS_PER_WRITE:
            body.write("".join(chunk).encode())
            chunk.clear()
    body.write("".join(chunk).encode())
    return count


def _escaped(text: str) -> str:
    text = _LITERAL_ESCAPE.sub(r"_x005F_\1", text)
    text = _CONTROL_CHARACTER.sub(lambda match: f"_x{ord(match.group()):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _truncated(text: str) -> str:
    encoded = text.encode("utf-16-le")
    if len(encoded) <= 2 * MAX_STRING_LENGTH:
        return text
    # A surrogate pair cut in half is dropped rather than written broken.
    return encoded[: 2 * MAX_STRING_LENGTH].decode("utf-16-le", errors="ignore")
