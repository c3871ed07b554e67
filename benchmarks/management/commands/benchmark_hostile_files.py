"""Benchmark of the preview of the worst files within the upload limits (docs/benchmarks.md,
"Hostile files").

Builds each file once in --workdir (the generator is part of the benchmark), then previews it
as the admin does (read, check every row as a department user, keep the plan) in its own
subprocess against a throw-away SQLite database seeded like benchmark_import, so that the peak
memory (maxrss) is that of the preview alone.

    DEBUG=true python manage.py benchmark_hostile_files
"""

import io
import json
import os
import resource
import time
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from benchmarks.management.commands.benchmark_import import (
    _run_task,
    _synthetic_rows,
    _temporary_database,
)


def _column_letters(index: int) -> str:
    letters, index = "", index + 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _workbook_with_sheet(path: Path, header: list, rows_xml) -> None:
    """An .xlsx whose first sheet is `header` then the XML of `rows_xml` (an iterable of
    bytes, streamed into the zip), built on a workbook made by the product's writer."""
    from catalogue.exporting import write_xlsx

    stream = io.BytesIO()
    write_xlsx((), stream)
    source = zipfile.ZipFile(stream)
    header_xml = "".join(
        f'<c r="{_column_letters(index)}1" t="inlineStr"><is><t>{title}</t></is></c>'
        for index, title in enumerate(header)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, source.read(info))
                continue
            xml = source.read(info).decode()
            head = xml[: xml.index("<sheetData")] + "<sheetData>"
            xml = xml.replace("<sheetData/>", "<sheetData></sheetData>")
            tail = "</sheetData>" + xml.split("</sheetData>", 1)[1]
            with target.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(head.encode())
                sheet.write(f'<row r="1">{header_xml}</row>'.encode())
                for chunk in rows_xml:
                    sheet.write(chunk)
                sheet.write(tail.encode())


def _numbers_rows(columns: int, rows: int, *, references: bool):
    for number in range(2, rows + 2):
        if references:
            cells = "".join(
                f'<c r="{_column_letters(index)}{number}"><v>1</v></c>' for index in range(columns)
            )
        else:
            cells = "<c><v>1</v></c>" * columns
        yield f'<row r="{number}">{cells}</row>'.encode()


def _far_right_rows(columns: int, rows: int):
    """Calamine holds every row at the width of the widest: 16,384 cells a row from a few."""
    for number in range(2, rows + 2):
        cells = "".join(
            f'<c r="{_column_letters(index)}{number}"><v>1</v></c>' for index in range(columns)
        )
        yield f'<row r="{number}">{cells}<c r="XFD{number}"><v>1</v></c></row>'.encode()


def _error_rows(columns: int, rows: int):
    """Rows of the template's width plus extra columns, every cell of them wrong."""
    for number in range(2, rows + 2):
        cells = "".join(
            f'<c r="{_column_letters(index)}{number}" t="inlineStr"><is><t>错{index}</t></is></c>'
            for index in range(columns)
        )
        yield f'<row r="{number}">{cells}</row>'.encode()


def _far_apart_rows():
    """Two cells a million rows apart: calamine alone would hold the 1,048,575 × 100 cells
    between them (3 GB)."""
    yield b'<row r="2"><c r="A2"><v>1</v></c></row>'
    yield b'<row r="1048576"><c r="CV1048576"><v>1</v></c></row>'


def _cell_outside_its_row():
    """A cell whose reference names row 1,048,576 inside the element of row 2."""
    yield b'<row r="2"><c r="A2"><v>1</v></c><c r="CV1048576"><v>1</v></c></row>'


def _build(name: str, workdir: Path) -> Path:
    from catalogue.exporting import write_xlsx
    from catalogue.importing.columns import HEADERS
    from catalogue.importing.reading import MAX_COLUMNS, MAX_FILLED_CELLS

    path = workdir / f"hostile-{name}.xlsx"
    if path.exists():
        return path
    extra = [f"备注{n}" for n in range(MAX_COLUMNS - len(HEADERS))]
    if name == "far-right-cell-x1300":  # each row: the template's cells and one in XFD
        _workbook_with_sheet(path, list(HEADERS), _far_right_rows(len(HEADERS), 1_300))
    elif name == "wide-16000x1300-no-references":
        _workbook_with_sheet(path, list(HEADERS), _numbers_rows(16_000, 1_300, references=False))
    elif name == "errors-100-columns":  # the widest allowed, all errors, at the cell budget
        rows = MAX_FILLED_CELLS // MAX_COLUMNS - 1
        _workbook_with_sheet(path, [*HEADERS, *extra], _error_rows(MAX_COLUMNS, rows))
    elif name == "two-cells-a-million-rows-apart":
        _workbook_with_sheet(path, list(HEADERS), _far_apart_rows())
    elif name == "cell-outside-its-row":
        _workbook_with_sheet(path, list(HEADERS), _cell_outside_its_row())
    elif name == "valid-at-cell-budget":  # the largest valid file that is still read
        write_xlsx(_synthetic_rows(MAX_FILLED_CELLS // len(HEADERS) - 1), str(path))
    else:
        raise ValueError(name)
    return path


CASES = (
    "far-right-cell-x1300",
    "wide-16000x1300-no-references",
    "two-cells-a-million-rows-apart",
    "cell-outside-its-row",
    "errors-100-columns",
    "valid-at-cell-budget",
)


class Command(BaseCommand):
    help = "Measure the preview of the worst files within the upload limits (time and memory)."

    def add_arguments(self, parser):
        parser.add_argument("--workdir", default=str(Path(settings.BASE_DIR) / "var" / "benchmark"))
        parser.add_argument("--cases", default=",".join(CASES))
        parser.add_argument("--task", choices=["preview"], help="(internal)")
        parser.add_argument("--file", help="(internal)")

    def handle(self, *args, **options):
        if options["task"]:
            self.stdout.write("RESULT " + json.dumps(_preview(options["file"])))
            return
        workdir = Path(options["workdir"])
        workdir.mkdir(parents=True, exist_ok=True)
        files = {}
        for name in options["cases"].split(","):
            started = time.perf_counter()
            files[name] = _build(name, workdir)
            self.stdout.write(f"built {files[name]} in {time.perf_counter() - started:.0f} s")
        self.stdout.write(f"load: {os.getloadavg()}")
        lines = [
            "| file | size | unpacked | preview s | peak MiB (process) | outcome |",
            "|---|---:|---:|---:|---:|---|",
        ]
        with _temporary_database(None, workdir) as url:
            _run_task(url, "seed")
            for name, path in files.items():
                result = _run_task(url, "preview", path, command_name="benchmark_hostile_files")
                with zipfile.ZipFile(path) as archive:
                    unpacked = sum(info.file_size for info in archive.infolist())
                lines.append(
                    f"| {name} | {path.stat().st_size / 2**20:.1f} MiB | "
                    f"{unpacked / 2**20:.0f} MiB | {result['seconds']:.2f} | "
                    f"{result['maxrss']:.0f} | {result['outcome']} |"
                )
                self.stdout.write(lines[-1])
        self.stdout.write(f"load: {os.getloadavg()}")
        self.stdout.write("\n".join(lines))


def _preview(file: str) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from catalogue.importing.store import plan_keep
    from catalogue.models import Department, DepartmentMembership
    from catalogue.roles import DEPARTMENT_STAFF
    from catalogue.services.importing import items_import_plan
    from catalogue.services.roles import roles_setup

    roles_setup()
    user, _created = get_user_model().objects.get_or_create(username="benchmark_staff")
    user.groups.add(Group.objects.get(name=DEPARTMENT_STAFF))
    for department in Department.objects.all():
        DepartmentMembership.objects.get_or_create(user=user, department=department)
    user = get_user_model().objects.get(pk=user.pk)
    data = Path(file).read_bytes()
    started = time.perf_counter()
    plan = items_import_plan(file=data, user=user)
    if plan.file_problem is None:
        plan_keep(plan=plan, user=user, file_hash="x" * 64, file_name=Path(file).name)
    seconds = time.perf_counter() - started
    outcome = f"refused: {plan.file_problem}" if plan.file_problem else plan.summary()
    return {
        "seconds": seconds,
        "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "outcome": outcome,
    }
