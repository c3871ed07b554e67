"""Reading an uploaded workbook safely and quickly.

python-calamine (Rust) reads the cell values, about five times faster than openpyxl. Before it
runs, the bytes are checked: size, kind of file (.xls and encrypted files are OLE containers, not
zip), and the unpacked size of the zip (a zip bomb unpacks to gigabytes). The worksheet XML is then
streamed once with a size cap, which also catches zip headers that lie about sizes, and formula
cells without a cached result are located (calamine would silently read them as blank).

calamine holds a whole sheet at once, as a rectangle from its first to its last used cell: memory
would grow with the file (a 121,000-row sheet took 200 MiB, two cells in A2 and CV1048576 took
3 GB). The stream is therefore cut into chunk sheets of at most 1,000 row numbers each, written
uncompressed to a temporary workbook, and calamine reads one chunk at a time.
"""

import io
import itertools
import logging
import posixpath
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from operator import methodcaller
from xml.etree import ElementTree

import python_calamine
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from catalogue.text import join_list

from . import messages
from .columns import COLUMNS, header_key, header_lookup
from .problems import FileProblem
from .size import claimed_rows

logger = logging.getLogger(__name__)

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Encrypted .xlsx files are OLE containers holding these streams.
ENCRYPTION_STREAM_NAMES = ("EncryptionInfo".encode("utf-16-le"), b"EncryptedPackage")
ZIP_SIGNATURE = b"PK\x03\x04"
_ZIP_ENCRYPTED_FLAG = 0x1

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")
# Above this many rows (counted so far, or claimed by the sheet's used range), rows without a
# value are dropped before calamine reads them.
BLANK_ROW_FILTER_THRESHOLD = 200_000
# The contract has about 35 columns; a file may carry a few of its own (ignored). A sheet with
# values far to the right (16,000 columns × 1,300 rows unpack to 437 MB, within the limits) is
# refused before it is read: calamine would hold every row at the full width.
MAX_COLUMNS = 100
# Cells with a value in one sheet: 100,000 full rows of the template and its header row. The
# work of a preview grows with it (the plan holds every row), whatever the file's size: at this
# budget the worst valid file previews in about 10 s on the 2-core machine (docs/benchmarks.md,
# "Hostile files"); at 4,000,000 cells (121,000 rows) it took 10.3 s, at 3,500,000 10.1 s.
MAX_FILLED_CELLS = (100_000 + 1) * len(COLUMNS)
# A row's XML: 100 cells of Excel's 32,767 characters at most, with room to spare.
MAX_ROW_BYTES = 16 << 20
# Chunk sheets hold the rows numbered k×1,000 … k×1,000+999 (1 … 999 for the first): at most
# 1,000 × 100 cells for calamine at once, whatever the cells' references claim.
ROWS_PER_CHUNK = 1000
# A sheet's rows fill at most 1,049 chunks in Excel's 1,048,576 rows; more means rows out of
# order (a chunk is started each time the row numbers go back).
MAX_CHUNKS = 1100
# Columns A … CV, the 100th (MAX_COLUMNS).
_COLUMNS_WITHIN = rb"(?:[A-Z]|[AB][A-Z]|C[A-V])"


class _Patterns:
    """The XML patterns for a sheet whose main namespace has `prefix` (b"" or b"x:": the
    OpenXML SDK writes <x:row>; calamine reads both)."""

    def __init__(self, prefix: bytes):
        p = re.escape(prefix)
        self.prefix_key = prefix
        self.row_open = b"<" + prefix + b"row"
        self.row_end = b"</" + prefix + b"row>"
        self.cell_end = b"</" + prefix + b"c>"
        self.sheet_data_end = b"</" + prefix + b"sheetData>"
        self.sheet_data = re.compile(rb"<" + p + rb"sheetData\b[^>]*?(/?)>")
        self.closing = b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
        self.numbered_row = re.compile(rb"<" + p + rb'row r="(\d+)"')
        # A formula, or a cell holding an Excel error value (#DIV/0!, #N/A …), which calamine
        # reads as blank: such cells are located and become row errors. (A literal start keeps
        # the search fast.)
        self.formula = re.compile(rb"<" + p + rb"f[\s>/]")
        self.error_type = b' t="e"'
        # A row without a value, by its structure: no cells, or only cells that are empty, hold
        # an empty <v> or inline text of spaces. Anything else (a value, a formula, kept so that
        # one without a cached result is still reported, rich text, an element not listed here)
        # is kept for calamine, and a blank row kept is skipped when the rows are read. One
        # substitution drops them, without a Python call per row (a third of the time of
        # matching each row and searching it for a value).
        space = rb"[ \t\r\n]"
        text = rb"<" + p + rb"t(?:\s[^/>]*+)?"
        empty_cell = b"".join(
            (
                rb"<" + p + rb"c\b[^/>]*+(?:/>|>(?:",
                space,
                rb"|<" + p + rb"v>" + space + rb"*+</" + p + rb"v>|<" + p + rb"v/>",
                rb"|<" + p + rb"is>" + space + rb"*+(?:" + text + rb">" + space + rb"*+</" + p,
                rb"t>|" + text + rb"/>)?" + space + rb"*+</" + p + rb"is>|<" + p + rb"is/>",
                rb")*+</" + p + rb"c>)",
            )
        )
        self.blank_row = re.compile(
            b"".join((rb"<", p, rb"row\b[^/>]*+(?:/>|>(?:", space, rb"|", empty_cell))
            + b"".join((rb")*+</", p, rb"row>)"))
        )
        # Text after a tag: without any (and without a formula), every row is blank.
        self.text_after_tag = re.compile(rb">[^<]")
        self.cell_start = rb"<" + p + rb"c"
        # A cell with a value (not self-closing, not empty) in a column after CV, the 100th.
        self.far_cell = re.compile(
            self.cell_start
            + rb' r="((?:[A-Z]{3}|[D-Z][A-Z]|C[W-Z])\d+)"[^>]*(?<!/)>(?!</'
            + p
            + rb"c>)"
        )
        self.cell_without_reference = re.compile(self.cell_start + rb'(?:>| (?!r="))')

    def rows_in(self, chunk: int) -> bytes:
        return rb"[1-9]\d{0,2}" if chunk == 0 else str(chunk).encode() + rb"\d{3}"


@lru_cache(maxsize=4)
def _patterns(prefix: bytes) -> _Patterns:
    return _Patterns(prefix)


@lru_cache(maxsize=256)
def _chunk_patterns(prefix: bytes, chunk: int):
    """(cell suspect, cell outside the chunk, row outside the chunk) for chunk `chunk`.

    The suspect pattern finds, in one pass, every cell that is not plainly inside columns
    A … CV and the chunk's rows: cells without a reference, beyond CV, or in other rows."""
    patterns = _patterns(prefix)
    rows, p = patterns.rows_in(chunk), re.escape(prefix)
    start = patterns.cell_start
    suspect = re.compile(start + rb'(?:>| (?!r=")| r="(?!' + _COLUMNS_WITHIN + rows + rb'"))')
    outside = re.compile(
        start + rb' r="([A-Z]++(?!' + rows + rb'")\d*)"[^>]*(?<!/)>(?!</' + p + rb"c>)"
    )
    other_row = re.compile(rb"<" + p + rb'row(?! r="' + rows + rb'")')
    return suspect, outside, other_row


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
        # Every sheet calamine may read is scanned (width, size, formulas) and cut into chunks.
        with tempfile.NamedTemporaryFile(
            suffix=".xlsx", dir=settings.FILE_UPLOAD_TEMP_DIR
        ) as temporary:
            with _ChunkedWorkbook(archive, temporary) as chunked:
                scans = {
                    entry: _scan_sheet(archive, entry.path, chunked, number)
                    for number, entry in enumerate(candidates)
                }
            sheet, entry = _read_values(temporary.name, entries, candidates, scans)
        # calamine keeps the file open: it is read chunk by chunk, and gone when the rows are.
        if scans[entry].has_formula:
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


@dataclass
class _SheetScan:
    chunks: list  # names of the chunk sheets holding its rows, in order
    frame: str  # name of the sheet holding its head and tail (merged cells), no rows
    has_formula: bool = False


class _ChunkedWorkbook:
    """A workbook written (uncompressed) to `target` with the shared strings and styles of
    `archive` and the chunk sheets the scans add; the sheets' names are its own."""

    def __init__(self, archive: zipfile.ZipFile, target):
        self.archive, self.target, self.sheets = archive, target, []
        self.writing = None
        self.zip = zipfile.ZipFile(target, "w", zipfile.ZIP_STORED)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            if self.writing is not None:
                self.writing.close()
            if exc[0] is None:
                self._finish()
        finally:
            self.zip.close()
            self.target.flush()

    def open_sheet(self, name: str):
        self.sheets.append(name)
        if self.writing is not None:
            self.writing.close()
        self.writing = self.zip.open(f"xl/worksheets/{name}.xml", "w")
        return self.writing

    def _finish(self):
        names = self.archive.NameToInfo
        for member in ("xl/sharedStrings.xml", "xl/styles.xml"):
            if member in names:
                with self.archive.open(member) as source, self.zip.open(member, "w") as sink:
                    while chunk := source.read(1 << 20):
                        sink.write(chunk)
        workbook = _member(self.archive, "xl/workbook.xml")
        date1904 = re.search(rb'date1904="(?:1|true)"', workbook) is not None
        sheets = "".join(
            f'<sheet name="{name}" sheetId="{n + 1}" r:id="rId{n + 1}"/>'
            for n, name in enumerate(self.sheets)
        )
        self.zip.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN_NS[1:-1]}" xmlns:r="{_REL_NS[1:-1]}">'
            f'<workbookPr date1904="{int(date1904)}"/><sheets>{sheets}</sheets></workbook>',
        )
        relations = "".join(
            f'<Relationship Id="rId{n + 1}" Target="worksheets/{name}.xml" '
            f'Type="{_REL_NS[1:-1]}/worksheet"/>'
            for n, name in enumerate(self.sheets)
        )
        self.zip.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_PKG_REL_NS[1:-1]}">{relations}</Relationships>',
        )
        self.zip.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{_PKG_REL_NS[1:-1]}"><Relationship Id="rId1" '
            f'Type="{_REL_NS[1:-1]}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )


def _scan_sheet(archive, sheet_path, chunked, number) -> _SheetScan:
    """Stream the sheet's XML once: refuse it if far wider than the contract, over the cell
    budget or with cells outside their rows (calamine holds the rectangle of every cell it
    reads); note whether it holds a formula or an error value; and write its rows to
    `chunked`, ROWS_PER_CHUNK row numbers per chunk sheet."""
    limit = max_unpacked_size()
    splitter = None
    seen, pending = 0, b""
    with archive.open(sheet_path) as stream:
        # zipfile stops at the declared size and checks the CRC, so a lying header fails here.
        while chunk := stream.read(1 << 20):
            seen += len(chunk)
            if seen > limit:
                raise FileProblem(messages.ZIP_BOMB.format(limit=filesizeformat(limit)))
            pending += chunk
            if splitter is None:
                splitter, pending = _Splitter.start(pending, chunked, number)
                if splitter is None:
                    continue  # the head is longer than this chunk
            cut = pending.rfind(splitter.patterns.row_end)
            if cut < 0:
                if len(pending) > MAX_ROW_BYTES:
                    _check_width(pending, splitter.patterns)
                    raise FileProblem(
                        messages.ROW_TOO_LARGE.format(
                            limit=filesizeformat(MAX_ROW_BYTES), columns=MAX_COLUMNS
                        )
                    )
                continue  # a row is checked whole
            cut += len(splitter.patterns.row_end)
            splitter.feed(pending[:cut])
            pending = pending[cut:]
    if splitter is None:
        splitter, pending = _Splitter.start(pending, chunked, number, last=True)
    return splitter.finish(pending)


class _Splitter:
    """The rows of one sheet, block by block (each block whole rows), into chunk sheets."""

    def __init__(self, head, patterns, chunked, number):
        self.head, self.patterns, self.chunked, self.number = head, patterns, chunked, number
        self.chunk_head = head
        self.rows = self.filled = 0
        self.has_formula = False
        self.chunks, self.sink, self.chunk = [], None, None
        # Chunks started (each return to earlier row numbers starts one), sheet or not.
        self.started = 0

    @classmethod
    def start(cls, pending, chunked, number, *, last=False):
        """(splitter, the rest) once `pending` holds the sheet's head up to <sheetData>."""
        root = re.search(rb"<(\w+:)?worksheet\b", pending)
        if root is None:
            if not last and len(pending) < MAX_ROW_BYTES:
                return None, pending
            raise FileProblem(messages.CORRUPT)
        patterns = _patterns(root.group(1) or b"")
        opening = patterns.sheet_data.search(pending, root.end())
        if opening is None:
            if not last and len(pending) < MAX_ROW_BYTES:
                return None, pending
            # No rows at all: the sheet is its own frame.
            opening_end, self_closing = len(pending), True
        else:
            opening_end, self_closing = opening.end(), bool(opening.group(1))
        head = pending[:opening_end]
        splitter = cls(head, patterns, chunked, number)
        # A sheet whose used range claims more rows than the threshold (Excel's, when rows were
        # formatted to the bottom) has its blank rows dropped from the first: they are not
        # counted before they are written.
        splitter.filtering = (claimed_rows(head) or 0) > BLANK_ROW_FILTER_THRESHOLD
        if opening is not None:
            # python-calamine reads a sheet's merged cells with every load, parsing the XML a
            # second time up to <mergeCells>: in a chunk it comes first (the frame keeps the
            # sheet's own), which saves a third of calamine's time.
            prefix = patterns.prefix_key
            splitter.chunk_head = b"".join(
                (
                    pending[: opening.start()],
                    b"<" + prefix + b"mergeCells></" + prefix + b"mergeCells>",
                    pending[opening.start() : opening_end],
                )
            )
        if self_closing:
            splitter.frame_only = pending
            return splitter, b""
        return splitter, pending[opening_end:]

    frame_only = None
    filtering = False  # blank rows are dropped (else from BLANK_ROW_FILTER_THRESHOLD rows on)

    def feed(self, block: bytes) -> None:
        patterns = self.patterns
        self.rows += block.count(patterns.row_open)
        self.has_formula = self.has_formula or (
            patterns.error_type in block or patterns.formula.search(block) is not None
        )
        self.filled += block.count(patterns.cell_end)
        if self.filled > MAX_FILLED_CELLS:
            raise FileProblem(messages.TOO_MANY_CELLS.format(limit=f"{MAX_FILLED_CELLS:,}"))
        position = 0
        while True:
            row = patterns.numbered_row.search(block, position)
            if row is None:
                if patterns.row_open in block[position:]:
                    self._refuse_rows(self._from_row(block, position), block[:position])
                self._write(block[position:])
                return
            if patterns.row_open in block[position : row.start()]:
                self._refuse_rows(self._from_row(block, position), block[:position])
            chunk = int(row.group(1)) // ROWS_PER_CHUNK
            suspect, outside, other_row = _chunk_patterns(patterns.prefix_key, chunk)
            following = other_row.search(block, row.end())
            end = len(block) if following is None else following.start()
            piece = block[position:end]
            found = suspect.search(piece)
            if found is not None:
                self._check_cells(piece, found.start(), outside)
            self._switch(chunk, int(row.group(1)))
            self._write(piece)
            if following is None:
                return
            position = end

    def _from_row(self, block, position):
        return block[block.find(self.patterns.row_open, position) :]

    def _check_cells(self, piece, start, outside):
        _check_width(piece, self.patterns, start)
        misplaced = outside.search(piece, start)
        if misplaced is not None:
            row_start = piece.rfind(self.patterns.row_open, 0, misplaced.start())
            self._refuse_rows(piece[max(row_start, 0) :])

    def _refuse_rows(self, rest, before=b""):
        """Refuse the sheet for the first row of `rest` (a row without a number: the one after
        the last numbered row of `before`)."""
        _check_width(rest, self.patterns)  # a width problem is the clearer message
        row = self.patterns.numbered_row.match(rest.lstrip())
        if row is not None:
            number = int(row.group(1))
        else:
            previous = list(self.patterns.numbered_row.finditer(before[-(1 << 16) :]))
            number = int(previous[-1].group(1)) + 1 if previous else self.last_row + 1
        raise FileProblem(messages.ROWS_OUT_OF_PLACE.format(row=number))

    last_row = 0

    def _switch(self, chunk, row_number):
        self.last_row = row_number
        if chunk == self.chunk:
            return
        if self.sink is not None:
            self.sink.write(self.patterns.closing)
            self.sink.close()
            self.sink = None
        if self.started >= MAX_CHUNKS:
            raise FileProblem(messages.ROWS_OUT_OF_PLACE.format(row=row_number))
        self.started += 1
        self.chunk = chunk  # its sheet is opened by the first piece left to write in it

    def _write(self, piece):
        if self.chunk is None:
            if piece.strip():
                self._refuse_rows(piece)
            return
        if self.filtering or self.rows > BLANK_ROW_FILTER_THRESHOLD:
            # A sheet claiming a million rows of empty strings would make calamine and the
            # reading of rows build a million blank rows: they are dropped here, a run of rows
            # without any text or formula at once.
            if self.has_formula or self.patterns.text_after_tag.search(piece) is not None:
                piece = self.patterns.blank_row.sub(b"", piece)
            else:
                piece = b""
        if self.sink is None:
            if not piece.strip():
                return  # nothing left in this chunk (yet): calamine need not load a sheet
            name = f"s{self.number}c{len(self.chunks)}"
            self.chunks.append(name)
            self.sink = self.chunked.open_sheet(name)
            self.sink.write(self.chunk_head)
        self.sink.write(piece)

    def finish(self, tail: bytes) -> _SheetScan:
        """The rest after the last row: </sheetData> and what follows (merged cells …)."""
        if self.frame_only is not None:
            frame = self.frame_only + tail
        else:
            end = tail.find(self.patterns.sheet_data_end)
            if end < 0:
                raise FileProblem(messages.CORRUPT)
            if end:
                self.feed(tail[:end])
            frame = self.head + tail[end:]
        if self.sink is not None:
            self.sink.write(self.patterns.closing)
            self.sink.close()
        name = f"s{self.number}f"
        with self.chunked.open_sheet(name) as sink:
            sink.write(frame)
        return _SheetScan(chunks=self.chunks, frame=name, has_formula=self.has_formula)


def _check_width(block: bytes, patterns: _Patterns, start: int = 0) -> None:
    """No cell with a value beyond column MAX_COLUMNS: neither by its reference nor, for cells
    written without one, by its position in the row (cells with a value end with </c>)."""
    far = patterns.far_cell.search(block, start)
    if far is not None:
        raise FileProblem(
            messages.TOO_WIDE.format(
                cell=far.group(1).decode(), limit=MAX_COLUMNS, columns=len(COLUMNS)
            )
        )
    if patterns.cell_without_reference.search(block, start) is None:
        return
    widest = max(map(methodcaller("count", patterns.cell_end), block.split(patterns.row_end)))
    if widest > MAX_COLUMNS:
        raise FileProblem(
            messages.TOO_MANY_COLUMNS.format(count=widest, limit=MAX_COLUMNS, columns=len(COLUMNS))
        )


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


def _read_values(path: str, entries, candidates, scans) -> tuple[Sheet, _SheetEntry]:
    """The sheet to read among `candidates`: the first, unless another holds the header and it
    does not; several holding a header need a person's choice (SheetChoiceNeeded). The first
    visible sheet is usually the items; of the others only the top is read."""
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(path)
        entry = candidates[0]
        rows, header_row, header, found = _load(workbook, scans[entry])
        others = [
            other for other in candidates[1:] if _load(workbook, scans[other], top_only=True)[3]
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
            rows, header_row, header, found = _load(workbook, scans[entry])
        # The summary names the sheet only where there is another to tell it from.
        name = entry.name if len(entries) > 1 else ""
        merged = workbook.get_sheet_by_name(scans[entry].frame).merged_cell_ranges or []
    except python_calamine.PasswordError:
        raise FileProblem(messages.ENCRYPTED) from None
    except python_calamine.CalamineError:
        raise FileProblem(messages.CORRUPT) from None
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
        rows=(),
        first_column=rows.first_column or 0,
        name=name,
    )
    sheet.rows = _data_rows(rows.after_header, rows, sheet)
    return sheet, entry


class _ChunkRows:
    """The rows of a sheet's chunks as (Excel row number, cells), one chunk in memory at a
    time. Cells start at the first chunk's first used column (calamine starts each chunk at
    its own): later chunks are shifted to it, so that a column keeps its index."""

    def __init__(self, workbook, chunks):
        self.workbook, self.chunks = workbook, chunks
        self.first_column = None
        self.after_header = None

    def __iter__(self):
        for name in self.chunks:
            try:
                sheet = self.workbook.get_sheet_by_name(name)
            except python_calamine.PasswordError:
                raise FileProblem(messages.ENCRYPTED) from None
            except python_calamine.CalamineError:
                raise FileProblem(messages.CORRUPT) from None
            start = sheet.start
            if start is None:
                continue
            if self.first_column is None:
                self.first_column = start[1]
            shift = start[1] - self.first_column
            number = start[0]
            rows = sheet.to_python()
            del sheet
            for cells in rows:
                number += 1
                if shift > 0:
                    cells[:0] = [""] * shift
                elif shift < 0:  # columns left of the header's first: no header, ignored
                    del cells[:-shift]
                yield number, cells


def _load(workbook, scan, *, top_only=False):
    """(rows, header row number, header, whether it looks like a header); rows.after_header
    streams the rows after the header."""
    rows = _ChunkRows(workbook, scan.chunks)
    iterator = iter(rows)
    if top_only:
        iterator = itertools.islice(iterator, 50)
    header_row, header, rows.after_header, found = _find_header(iterator)
    return rows, header_row, header, found


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


def _data_rows(rows, source, sheet):
    """The non-blank rows, streamed (the plan keeps what it needs, not the whole sheet).

    A row whose only content is formulas without a saved result (or error values) is a row
    the person filled in, though calamine reads nothing there, not even the row: it is given
    in its place, without cells, so that the plan reports those cells
    (sheet.formula_cells_without_value, found before the rows are read)."""
    del source  # referenced only to keep the workbook open while rows are read
    unread = sorted({number for number, _column in sheet.formula_cells_without_value}, reverse=True)
    while unread and unread[-1] <= sheet.header_row:
        unread.pop()
    for number, cells in rows:
        while unread and unread[-1] <= number:
            formula_row = unread.pop()
            if formula_row < number:
                yield formula_row, []
            else:
                yield number, cells
                break
        else:
            # Real files end with many blank rows (a claimed 1,000,000): skip them at C speed.
            if cells.count("") != len(cells) and any(_filled(cell) for cell in cells):
                yield number, cells
    while unread:
        yield unread.pop(), []


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
