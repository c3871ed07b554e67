"""Building Excel files in tests, and the reference data every import test needs."""

import io

import openpyxl
from django.db import connection

from catalogue.importing.columns import HEADERS
from demo.synthetic import valid_import_row

DEPARTMENT = "深圳市光明区住房和建设局"
OTHER_DEPARTMENT = "深圳市光明区民政局"
SECTOR = "住房和城乡建设"


def rows_insert_queries(batches: int = 1) -> int:
    """The statements Django records for catalogue.bulk_rows.rows_insert writing `batches`
    batches of up to 1,000 rows: one executemany each; on PostgreSQL none (one COPY, which
    Django does not record)."""
    return 0 if connection.vendor == "postgresql" else batches


def valid_row(**overrides) -> dict:
    """A complete, valid row {header: cell} (demo.synthetic's), with `overrides` by header."""
    return {**valid_import_row(department=DEPARTMENT, sector=SECTOR), **overrides}


def xlsx_bytes(rows, headers=None) -> bytes:
    """A one-sheet workbook: the header row, then each row (a mapping or a list of cells)."""
    headers = list(headers or HEADERS)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header, "") for header in headers] if isinstance(row, dict) else row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
