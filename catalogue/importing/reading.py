"""Reading an uploaded workbook safely and quickly.

python-calamine (Rust) reads the cell values, about five times faster than openpyxl. Before it
runs, the bytes are checked: size, kind of file (.xls and encrypted files are OLE containers, not
zip), and the unpacked size of the zip (a zip bomb unpacks to gigabytes). The worksheet XML is then
streamed once with a size cap, which also catches zip headers that lie about sizes, and formula
cells without a cached result are located (calamine would silently read them as blank).
"""

import io
import itertools
import logging
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import methodcaller
from xml.etree import ElementTree

import python_calamine
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from catalogue.text import join_list

from . import messages
from .columns import COLUMNS, header_key, header_lookup
from .problems import FileProblem

logger = logging.getLogger(__name__)

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Encrypted .xlsx files are OLE containers holding these streams.
ENCRYPTION_STREAM_NAMES = ("EncryptionInfo".encode("utf-16-le"), b"EncryptedPackage")
ZIP_SIGNATURE = b"PK\x03\x04"
_ZIP_ENCRYPTED_FLAG = 0x1

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# A formula, or a cell holding an Excel error value (#DIV/0!, #N/A …), which calamine reads as
# blank: such cells are located and become row errors.
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_ERROR_TYPE = b' t="e"'

_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")
_ROW_ELEMENT = re.compile(rb"<row\b[^>]*?(?:/>|>.*?</row>)", re.DOTALL)
# A value that is not blank: <v>x</v>, inline text <t>x</t> with more than spaces, or a
# formula (kept so that one without a cached result is still reported).
_FILLED_VALUE = re.compile(rb"<v>\s*[^<\s]|<t(?:\s[^>]*)?>\s*[^<\s]|<f[\s>/]")
# Above this many rows, rows without a value are dropped before calamine reads the sheet.
BLANK_ROW_FILTER_THRESHOLD = 200_000
# The contract has about 35 columns; a file may carry a few of its own (ignored). A sheet with
# values far to the right (16,000 columns × 1,300 rows unpack to 437 MB, within the limits) is
# refused before it is read: calamine would hold every row at the full width.
MAX_COLUMNS = 100
# Cells with a value in one sheet: 100,000 rows of the whole template, with room to spare. The
# work and memory of a preview grow with it (calamine, the plan), whatever the file's size.
MAX_FILLED_CELLS = 4_000_000
# A cell with a value (not self-closing, not empty) in a column after CV, the 100th.
_FAR_COLUMN = rb'<c r="((?:[A-Z]{3}|[D-Z][A-Z]|C[W-Z])\d+)"'
_FAR_CELL = re.compile(_FAR_COLUMN + rb"[^>]*(?<!/)>(?!</c>)")
_CELL_WITHOUT_REFERENCE = re.compile(rb'<c(?:>| (?!r="))')
# Either of the two, in one pass (a shared prefix keeps the search fast).
_WIDTH_SUSPECT = re.compile(rb'<c(?:>| (?!r=")| r="(?:[A-Z]{3}|[D-Z][A-Z]|C[W-Z])\d)')


# What zipfile, zlib and ElementTree raise on damaged bytes (found by fuzzing the reader): bad
# headers, CRCs or sizes (BadZipFile), ZIP64 claims (LargeZipFile), bad deflate data (zlib.error),
# unknown compression methods or zip versions (NotImplementedError), truncated streams
# (EOFError), bad XML (ParseError). Missing members and encrypted members are checked before
# reading, so that zipfile's KeyError and RuntimeError never need catching. Anything else is a
# bug: it is logged and the person told so, never that the file is damaged.
_DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    NotImplementedError,
    EOFError,
    ElementTree.ParseError,
)


class _ArchiveBytes(io.BytesIO):
    """The upload as zipfile reads it. zipfile seeks to offsets written in the file; BytesIO
    refuses a damaged, negative one with ValueError, which here means a damaged zip."""

    def seek(self, offset, whence=io.SEEK_SET):
        if whence == io.SEEK_SET and offset < 0:
            raise zipfile.BadZipFile(f"negative offset {offset}")
        return super().seek(offset, whence)


# The header is looked for in this many non-blank rows from the top: department files put a
# title (merged or not), a 填报单位 line and the like above it.
HEADER_SEARCH_ROWS = 10
# A row with this many of the contract's column names (or their other names) is the header.
HEADER_MIN_NAMES = 3


class SheetChoiceNeeded(FileProblem):
    """Several sheets hold items: a person chooses one (`sheets`: their names, in file order)."""

    def __init__(self, message, sheets):
        super().__init__(message)
        self.sheets = sheets


@dataclass(frozen=True)
class _SheetEntry:
    name: str
    visible: bool
    path: str


@dataclass
class Sheet:
    # Rows as lists of raw cell values, with their Excel row numbers (1-based).
    header: list
    header_row: int
    rows: Iterable  # (row_number, [cells…]) for each non-blank row, streamed once
    first_column: int  # 0-based index of the sheet's first column in use
    # {(row number, 0-based column): problem}: formulas without a result, Excel error values
    formula_cells_without_value: dict = field(default_factory=dict)
    name: str = ""  # the sheet read, when the workbook has several (named in the summary)


def max_file_size() -> int:
    return settings.IMPORT_MAX_FILE_SIZE


def max_unpacked_size() -> int:
    return getattr(settings, "IMPORT_MAX_UNPACKED_SIZE", 25 * settings.IMPORT_MAX_FILE_SIZE)


def read_sheet(data: bytes, *, sheet: str | None = None) -> Sheet:
    """The worksheet `sheet` of an .xlsx file, by default its only visible sheet holding items;
    or FileProblem (SheetChoiceNeeded when several sheets hold items)."""
    try:
        return _read_sheet(data, sheet)
    except FileProblem:
        raise
    except Exception:
        # A bug of ours or of a reader, not a fault of the file: keep the trace for the
        # developers, and do not tell the person that their file is damaged.
        logger.exception("Unexpected error reading an uploaded workbook (%d bytes)", len(data))
        raise FileProblem(messages.READ_FAILED) from None


def _read_sheet(data: bytes, sheet_name: str | None) -> Sheet:
    archive = _check_kind_and_size(data)
    try:
        entries = _sheet_entries(archive)
        candidates = _candidate_sheets(entries, sheet_name)
        # Every sheet calamine may load is scanned first (width, size, formulas).
        scans = {entry: _scan_sheet(archive, entry.path) for entry in candidates}
        large = {entry.path for entry in candidates if scans[entry][0] > BLANK_ROW_FILTER_THRESHOLD}
        if large:
            data = _without_blank_rows(archive, large)
        sheet, entry = _read_values(data, entries, candidates)
        if scans[entry][1]:
            sheet.formula_cells_without_value = _cells_without_value(archive, entry.path)
    except _DAMAGED:
        raise FileProblem(messages.CORRUPT) from None
    return sheet


def _candidate_sheets(entries, sheet_name):
    """The sheets that may be read: the one asked for by name, else the visible ones (all of
    them if none is visible); _read_values picks among them."""
    if sheet_name is not None:
        chosen = [entry for entry in entries if entry.name == sheet_name.strip()]
        if not chosen:
            raise FileProblem(
                messages.UNKNOWN_SHEET.format(
                    sheet=sheet_name, sheets=join_list(f"“{e.name}”" for e in entries)
                )
            )
        return chosen
    return [entry for entry in entries if entry.visible] or entries


def _looks_like_header(cells) -> bool:
    known = _known_header_keys()
    return sum(1 for cell in cells if cell.__class__ is str and header_key(cell) in known) >= (
        HEADER_MIN_NAMES
    )


def _known_header_keys() -> frozenset:
    global _KNOWN_HEADER_KEYS
    if _KNOWN_HEADER_KEYS is None:
        _KNOWN_HEADER_KEYS = frozenset(header_lookup())
    return _KNOWN_HEADER_KEYS


_KNOWN_HEADER_KEYS = None


def _check_kind_and_size(data: bytes) -> zipfile.ZipFile:
    if not data:
        raise FileProblem(messages.EMPTY_FILE)
    if len(data) > max_file_size():
        raise FileProblem(
            messages.FILE_TOO_LARGE.format(
                size=filesizeformat(len(data)), limit=filesizeformat(max_file_size())
            )
        )
    if data.startswith(OLE_SIGNATURE):
        if any(name in data for name in ENCRYPTION_STREAM_NAMES):
            raise FileProblem(messages.ENCRYPTED)
        raise FileProblem(messages.OLD_XLS)
    if not data.startswith(ZIP_SIGNATURE):
        raise FileProblem(messages.NOT_EXCEL)
    try:
        archive = zipfile.ZipFile(_ArchiveBytes(data))
        infos = archive.infolist()
    except (*_DAMAGED, UnicodeDecodeError):  # zipfile decodes member names marked UTF-8
        raise FileProblem(messages.NOT_EXCEL) from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise FileProblem(messages.NOT_EXCEL)
    if sum(info.file_size for info in infos) > max_unpacked_size():
        raise FileProblem(messages.ZIP_BOMB.format(limit=filesizeformat(max_unpacked_size())))
    if any(info.flag_bits & _ZIP_ENCRYPTED_FLAG for info in infos):
        raise FileProblem(messages.CORRUPT)  # Excel encrypts in an OLE container, never so
    return archive


def _member(archive: zipfile.ZipFile, name: str) -> bytes:
    if name not in archive.NameToInfo:
        raise FileProblem(messages.CORRUPT)
    return archive.read(name)


def _sheet_entries(archive: zipfile.ZipFile) -> list[_SheetEntry]:
    """The workbook's worksheets in file order: name, visibility, path of their XML."""
    workbook = ElementTree.fromstring(_member(archive, "xl/workbook.xml"))
    sheets = workbook.find(f"{_MAIN_NS}sheets")
    if sheets is None or not len(sheets):
        raise FileProblem(messages.NO_SHEET)
    relations = ElementTree.fromstring(_member(archive, "xl/_rels/workbook.xml.rels"))
    targets = {
        relation.get("Id"): relation.get("Target")
        for relation in relations.iter(f"{_PKG_REL_NS}Relationship")
        if relation.get("Target")
    }
    entries = []
    for sheet in sheets:
        target = targets.get(sheet.get(f"{_REL_NS}id"))
        if target is None:
            raise FileProblem(messages.NO_SHEET if not entries else messages.CORRUPT)
        if target.startswith("/"):
            path = target.lstrip("/")
        else:
            path = posixpath.normpath(posixpath.join("xl", target))
        if path not in archive.NameToInfo:
            raise FileProblem(messages.CORRUPT)
        visible = sheet.get("state", "visible") not in ("hidden", "veryHidden")
        entries.append(_SheetEntry(sheet.get("name", ""), visible, path))
    return entries


def _scan_sheet(archive: zipfile.ZipFile, sheet_path: str) -> tuple[int, bool]:
    """Stream the sheet's XML once: its number of rows, and whether it holds any formula or
    error value; refuse a sheet far wider than the contract before calamine reads it (calamine
    holds every row at the width of the widest)."""
    limit = max_unpacked_size()
    seen, rows, filled, has_formula, pending = 0, 0, 0, False, b""
    with archive.open(sheet_path) as stream:
        # zipfile stops at the declared size and checks the CRC, so a lying header fails here.
        while chunk := stream.read(1 << 20):
            seen += len(chunk)
            if seen > limit:
                raise FileProblem(messages.ZIP_BOMB.format(limit=filesizeformat(limit)))
            pending += chunk
            cut = pending.rfind(b"</row>")
            if cut < 0 and len(pending) < (8 << 20):
                continue  # a row is checked whole; a row without end is checked at 8 MiB
            cut = cut + len(b"</row>") if cut >= 0 else len(pending)
            block, pending = pending[:cut], pending[cut:]
            rows += block.count(b"<row ") + block.count(b"<row>")
            has_formula = has_formula or _ERROR_TYPE in block or bool(_FORMULA_TAG.search(block))
            _check_width(block)
            filled += block.count(b"</c>")
            if filled > MAX_FILLED_CELLS:
                raise FileProblem(messages.TOO_MANY_CELLS.format(limit=f"{MAX_FILLED_CELLS:,}"))
    rows += pending.count(b"<row ") + pending.count(b"<row>")
    has_formula = has_formula or _ERROR_TYPE in pending or bool(_FORMULA_TAG.search(pending))
    _check_width(pending)
    if filled + pending.count(b"</c>") > MAX_FILLED_CELLS:
        raise FileProblem(messages.TOO_MANY_CELLS.format(limit=f"{MAX_FILLED_CELLS:,}"))
    return rows, has_formula


def _check_width(block: bytes) -> None:
    """No cell with a value beyond column MAX_COLUMNS: neither by its reference nor, for cells
    written without one, by its position in the row (cells with a value end with </c>).

    One regex pass over the block in the usual case (every cell has a reference within the
    limit); the closer checks run only on blocks where it finds something.
    """
    suspect = _WIDTH_SUSPECT.search(block)
    if suspect is None:
        return
    far = _FAR_CELL.search(block, suspect.start())
    if far is not None:
        raise FileProblem(
            messages.TOO_WIDE.format(
                cell=far.group(1).decode(), limit=MAX_COLUMNS, columns=len(COLUMNS)
            )
        )
    if _CELL_WITHOUT_REFERENCE.search(block, suspect.start()) is None:
        return
    widest = max(map(methodcaller("count", b"</c>"), block.split(b"</row>")))
    if widest > MAX_COLUMNS:
        raise FileProblem(
            messages.TOO_MANY_COLUMNS.format(count=widest, limit=MAX_COLUMNS, columns=len(COLUMNS))
        )


def _without_blank_rows(archive: zipfile.ZipFile, sheet_paths: set[str]) -> bytes:
    """The workbook again, without the rows of `sheet_paths` that hold no value.

    A sheet claiming a million rows whose cells hold empty strings would make calamine build a
    million full rows (over a gigabyte); dropped here, it reads like a normal file.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in archive.infolist():
            if info.filename not in sheet_paths:
                target.writestr(info, archive.read(info.filename))
                continue
            with archive.open(info) as source, target.open(info.filename, "w") as sink:
                pending = b""
                while chunk := source.read(1 << 20):
                    pending += chunk
                    cut = pending.rfind(b"</row>")
                    if cut >= 0:
                        cut += len(b"</row>")
                        sink.write(_ROW_ELEMENT.sub(_keep_filled_row, pending[:cut]))
                        pending = pending[cut:]
                sink.write(_ROW_ELEMENT.sub(_keep_filled_row, pending))
    return out.getvalue()


def _keep_filled_row(match) -> bytes:
    row = match.group(0)
    return row if _FILLED_VALUE.search(row) else b""


def _cells_without_value(archive: zipfile.ZipFile, sheet_path: str) -> dict:
    """{(row number, 0-based column): problem} for formulas without a cached result and for
    Excel error values."""
    cells = {}
    with archive.open(sheet_path) as stream:
        for _event, element in ElementTree.iterparse(stream):
            if element.tag != f"{_MAIN_NS}c":
                if element.tag == f"{_MAIN_NS}row":
                    element.clear()
                continue
            formula = element.find(f"{_MAIN_NS}f")
            value = element.find(f"{_MAIN_NS}v")
            if element.get("t") == "e":
                problem = messages.ERROR_VALUE
            elif formula is not None and (value is None or not (value.text or "").strip()):
                problem = messages.FORMULA_WITHOUT_VALUE
            else:
                continue
            match = _CELL_REF.match(element.get("r", ""))
            if match:
                cells[(int(match.group(2)), _column_index(match.group(1)))] = str(problem)
    return cells


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _read_values(data: bytes, entries, candidates) -> tuple[Sheet, _SheetEntry]:
    """The sheet to read among `candidates`: the first, unless another holds the header and it
    does not; several holding a header need a person's choice (SheetChoiceNeeded). Each sheet is
    loaded once; the first visible sheet is usually the items and the others short."""
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise FileProblem(messages.NO_SHEET)
        entry = candidates[0]
        sheet, header_row, header, rows, found = _load(workbook, entries.index(entry))
        others = [
            other
            for other in candidates[1:]
            if _load(workbook, entries.index(other), top_only=True)[4]
        ]
        with_header = ([entry] if found else []) + others
        if len(with_header) > 1:
            names = [other.name for other in with_header]
            raise SheetChoiceNeeded(
                messages.SEVERAL_SHEETS.format(sheets=join_list(f"“{name}”" for name in names)),
                names,
            )
        if with_header and with_header[0] is not entry:
            entry = with_header[0]
            sheet, header_row, header, rows, found = _load(workbook, entries.index(entry))
        # The summary names the sheet only where there is another to tell it from.
        name = entry.name if len(workbook.sheet_names) > 1 else ""
        merged = sheet.merged_cell_ranges or []
        start = sheet.start or (0, 0)
    except python_calamine.PasswordError:
        raise FileProblem(messages.ENCRYPTED) from None
    except python_calamine.CalamineError:
        raise FileProblem(messages.CORRUPT) from None
    first_column = start[1]
    if header is None:
        raise FileProblem(messages.NO_HEADER)
    header_merges = [
        (top, left, bottom, right)
        for (top, left), (bottom, right) in merged
        if top <= header_row - 1 <= bottom
    ]
    if header_merges:
        raise FileProblem(
            messages.MERGED_HEADER.format(
                cells=join_list(
                    f"{_column_letters(left)}{top + 1}:{_column_letters(right)}{bottom + 1}"
                    for top, left, bottom, right in header_merges
                )
            )
        )
    sheet = Sheet(
        header=header,
        header_row=header_row,
        rows=_data_rows(rows, workbook),
        first_column=first_column,
        name=name,
    )
    return sheet, entry


def _load(workbook, index, *, top_only=False):
    """(sheet, header row number, header, the rows after it, whether it looks like a header)."""
    sheet = workbook.get_sheet_by_index(index)
    # iter_rows starts at the sheet's first row, blank or not, and at its first used column.
    rows = enumerate(sheet.iter_rows(), start=1)
    if top_only:
        rows = itertools.islice(rows, 50)
    return (sheet, *_find_header(rows))


def _find_header(rows):
    """(row number, cells, the rows after it, found): the first of the top non-blank rows that holds
    enough column names, else the first non-blank row (its missing columns are then reported).
    Title rows above the header are no data."""
    top = []
    for number, cells in rows:
        if not any(_filled(cell) for cell in cells):
            continue
        top.append((number, cells))
        if _looks_like_header(cells):
            return number, cells, rows, True
        if len(top) == HEADER_SEARCH_ROWS:
            break
    if not top:
        return None, None, rows, False
    (header_row, header), *after = top
    return header_row, header, itertools.chain(after, rows), False


def _data_rows(rows, workbook):
    """The non-blank rows, streamed (the plan keeps what it needs, not the whole sheet)."""
    del workbook  # referenced only to keep it open while rows are read
    for number, cells in rows:
        # Real files end with many blank rows (a claimed 1,000,000): skip them at C speed.
        if cells.count("") != len(cells) and any(_filled(cell) for cell in cells):
            yield number, cells


def _filled(cell) -> bool:
    if cell.__class__ is str:
        return bool(cell.strip())
    return cell is not None


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
