"""How many rows an uploaded workbook's sheets hold, found without reading them.

The admin decides from it whether an import is checked in the request or in the background
(settings.IMPORT_BACKGROUND_ROWS). Excel, WPS and xlsxwriter write each sheet's used range
(`<dimension ref="A1:AI20001"/>`) at the start of its XML, so the first few kilobytes answer;
for a sheet without one its rows are counted on the compressed stream. The reader
(catalogue.importing.reading) checks the file properly later: a file that is not a readable
workbook counts 0 rows here and is refused in the request as before.
"""

import io
import re
import zipfile
import zlib

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]*\d*:?[A-Z]*(\d+)"')
_ROW_START = re.compile(rb"<(?:\w+:)?row[\s>]")
_HEAD_BYTES = 16 * 1024
_CHUNK_BYTES = 1 << 20
_UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError)


def workbook_rows(data: bytes, *, limit: int) -> int:
    """The rows of the workbook's largest worksheet (header included), counted up to `limit`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        sheets = [
            info
            for info in archive.infolist()
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        ]
        return max((_sheet_rows(archive, info, limit) for info in sheets), default=0)
    except (*_UNREADABLE, EOFError, OSError, ValueError, RuntimeError):
        return 0


def _sheet_rows(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> int:
    with archive.open(info) as stream:
        head = stream.read(_HEAD_BYTES)
        if (claimed := claimed_rows(head)) is not None:
            return claimed
        rows, tail = len(_ROW_START.findall(head)), head[-16:]
        while rows < limit and (chunk := stream.read(_CHUNK_BYTES)):
            rows += len(_ROW_START.findall(tail + chunk)) - len(_ROW_START.findall(tail))
            tail = chunk[-16:]
        return rows


def claimed_rows(head: bytes) -> int | None:
    """The last row of the used range that the head of a sheet's XML claims (its
    <dimension>), or None without one. A claim, not a count: the file may lie."""
    match = _DIMENSION.search(head)
    return int(match.group(1)) if match else None
