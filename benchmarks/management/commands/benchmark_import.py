"""Benchmark of the Excel import and export (see docs/benchmarks.md, "Excel import and export").

Each measurement runs in its own subprocess, so that its peak memory (maxrss) is its own, against
a throw-away database: a temporary SQLite file and, with --postgres, a temporary PostgreSQL
database created and dropped on that server. Synthetic files are built once in --workdir.

    DEBUG=true python manage.py benchmark_import --postgres postgres://postgres@127.0.0.1:5432/postgres
    DEBUG=true python manage.py benchmark_import --export-only --repeat 5 --sizes 100000 …
"""

import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

# The tasks run `manage.py benchmark_import`, which only the development settings install.
DEV_SETTINGS = "config.settings.dev"
DEPARTMENTS = 40
SECTORS = 20
MAIN_ITEMS_PER_DEPARTMENT = 25


def _synthetic_rows(size):
    """The shared synthetic template rows, as lists of cells in the columns' order."""
    from catalogue.importing.columns import COLUMNS
    from demo.synthetic import synthetic_import_rows

    rows = synthetic_import_rows(
        size,
        departments=DEPARTMENTS,
        sectors=SECTORS,
        main_items_per_department=MAIN_ITEMS_PER_DEPARTMENT,
    )
    for row in rows:
        yield [row[column.header] for column in COLUMNS]


# ---------------------------------------------------------------------------------------------
# Tasks run in a subprocess (python manage.py benchmark_import --task NAME ...)


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _measure(function):
    from django.db import connection

    counter = _QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        value = function()
    return value, time.perf_counter() - started, counter.count


def _maxrss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _task_seed(options):
    from catalogue.models import Department, MainItem, Sector
    from demo.synthetic import (
        synthetic_department_name,
        synthetic_main_item_name,
        synthetic_sector_name,
    )

    departments = Department.objects.bulk_create(
        Department(name=synthetic_department_name(n)) for n in range(DEPARTMENTS)
    )
    Sector.objects.bulk_create(Sector(name=synthetic_sector_name(n)) for n in range(SECTORS))
    MainItem.objects.bulk_create(
        MainItem(department=department, name=synthetic_main_item_name(n, m))
        for n, department in enumerate(departments)
        for m in range(MAIN_ITEMS_PER_DEPARTMENT)
        if m % 2 == 0  # the others are created by the first import
    )
    return {}


def _task_flush(options):
    """Delete every item in three statements: the ORM's delete would write (and close) a
    historical record per item, one statement each (more than six minutes for 100,000 items on
    PostgreSQL). The items' earlier records stay, as they did with the ORM's delete."""
    from catalogue.models import ImportBatchItem, ServiceItem

    ServiceItem.mobile_channels.through.objects.all()._raw_delete("default")
    ImportBatchItem.objects.all()._raw_delete("default")
    ServiceItem.objects.all()._raw_delete("default")
    return {}


def _task_import(options):
    from catalogue.importing import build_plan, read_sheet
    from catalogue.services.importing import items_import_apply

    data = Path(options["file"]).read_bytes()
    baseline = _maxrss_mib()
    sheet, read_seconds, _ = _measure(lambda: read_sheet(data))
    plan, plan_seconds, plan_queries = _measure(lambda: build_plan(sheet))
    if plan.has_errors:
        raise RuntimeError(f"the synthetic file has errors: {[str(e) for e in plan.errors[:5]]}")
    # The service, as the command line and the admin write: items, then the import batch with
    # one historical record per item written.
    _result, write_seconds, write_queries = _measure(
        lambda: items_import_apply(plan=plan, file_name=Path(options["file"]).name)
    )
    return {
        "parse": read_seconds,
        "validate": plan_seconds,
        "write": write_seconds,
        "total": read_seconds + plan_seconds + write_seconds,
        "queries": plan_queries + write_queries,
        "maxrss": _maxrss_mib(),
        "baseline": baseline,
        "counts": plan.counts,
    }


def _task_export(options):
    from catalogue.exporting import export_rows, write_xlsx
    from catalogue.models import ServiceItem

    baseline = _maxrss_mib()
    count, seconds, queries = _measure(
        lambda: write_xlsx(export_rows(ServiceItem.objects.all()), options["file"])
    )
    return {"total": seconds, "queries": queries, "maxrss": _maxrss_mib(), "baseline": baseline,
            "rows": count}  # fmt: skip


def _task_export_job(options):
    """The background export (catalogue.services.exports) of every item, as the worker runs
    it: the rows written recorded every 1,000 rows, the file kept in the database."""
    import pickle

    from django.contrib.auth.models import User

    from catalogue.models import ExportJob, ServiceItem
    from catalogue.services.exports import item_export_run

    user, _ = User.objects.get_or_create(username="benchmark-export")
    items = ServiceItem.objects.all()
    job = ExportJob.objects.create(
        user=user,
        file_name="export.xlsx",
        file_format=ExportJob.Format.XLSX,
        selection=pickle.dumps(items.query),
        total_rows=items.count(),
    )
    baseline = _maxrss_mib()
    _, seconds, queries = _measure(lambda: item_export_run(job_id=job.pk))
    job.refresh_from_db()
    rows = job.rows_written
    ExportJob.objects.filter(pk=job.pk).delete()
    return {"total": seconds, "queries": queries, "maxrss": _maxrss_mib(), "baseline": baseline,
            "rows": rows}  # fmt: skip


def _task_stock(options):
    """django-import-export's default row-by-row import (no bulk), one run (the admin does two)."""
    import tablib

    from benchmarks.stock_resource import StockServiceItemResource

    baseline = _maxrss_mib()
    data = Path(options["file"]).read_bytes()
    dataset, read_seconds, _ = _measure(lambda: tablib.Dataset().load(data, format="xlsx"))
    result, seconds, queries = _measure(
        lambda: StockServiceItemResource().import_data(dataset, dry_run=False, raise_errors=False)
    )
    return {
        "parse": read_seconds,
        "write": seconds,
        "total": read_seconds + seconds,
        "queries": queries,
        "maxrss": _maxrss_mib(),
        "baseline": baseline,
        "errors": result.has_errors() or result.has_validation_errors(),
    }


def _task_admin(options):
    """The admin's preview (upload) and confirm, through Django's test client."""
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    user = User.objects.create_superuser(f"bench-{uuid.uuid4().hex[:8]}", password="x")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    data = Path(options["file"]).read_bytes()
    upload = SimpleUploadedFile("bench.xlsx", data)
    preview, preview_seconds, preview_queries = _measure(
        lambda: client.post(
            reverse("admin:catalogue_serviceitem_import"), {"import_file": upload}, secure=True
        )
    )
    # Outside tests the response has no context: read the confirm form's hidden fields.
    page = preview.content.decode()
    fields = {
        name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1)
        for name in ("token", "file_hash")
    }
    confirm, confirm_seconds, confirm_queries = _measure(
        lambda: client.post(
            reverse("admin:catalogue_serviceitem_process_import"), fields, secure=True
        )
    )
    if confirm.status_code != 302:
        raise RuntimeError(f"the admin's confirm answered {confirm.status_code}")
    return {
        "preview": preview_seconds,
        "confirm": confirm_seconds,
        "total": preview_seconds + confirm_seconds,
        "queries": preview_queries + confirm_queries,
        "maxrss": _maxrss_mib(),
    }


TASKS = {
    "seed": _task_seed,
    "flush": _task_flush,
    "import": _task_import,
    "export": _task_export,
    "export_job": _task_export_job,
    "stock": _task_stock,
    "admin": _task_admin,
}


class Command(BaseCommand):
    help = (
        "Measure the Excel import and export (1,000 / 10,000 / 100,000 items) "
        "on SQLite and PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="1000,10000,100000")
        parser.add_argument(
            "--postgres",
            help="URL of a PostgreSQL server database to connect to (a temporary database is "
            "created next to it and dropped), e.g. postgres://postgres@127.0.0.1:5432/postgres",
        )
        parser.add_argument("--workdir", default=str(Path(settings.BASE_DIR) / "var" / "benchmark"))
        parser.add_argument("--skip-stock", action="store_true")
        parser.add_argument(
            "--export-only",
            action="store_true",
            help="only the export of the largest size (its import is run first, not reported)",
        )
        parser.add_argument(
            "--repeat", type=int, default=1, help="runs of the export; the median is reported"
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="with --export-only: also the background export job, run after run in turn",
        )
        parser.add_argument("--task", choices=sorted(TASKS), help=argparse_hidden())
        parser.add_argument("--file", help=argparse_hidden())

    def handle(self, *args, **options):
        if options["task"]:
            result = TASKS[options["task"]](options)
            self.stdout.write("RESULT " + json.dumps(result))
            return
        sizes = [int(size) for size in options["sizes"].split(",")]
        workdir = Path(options["workdir"])
        workdir.mkdir(parents=True, exist_ok=True)
        files = {size: self._synthetic_file(workdir, size) for size in sizes}
        self.stdout.write(f"load: {os.getloadavg()}")
        databases = [("SQLite", None)]
        if options["postgres"]:
            databases.append(("PostgreSQL", options["postgres"]))
        lines = []
        for label, server_url in databases:
            with _temporary_database(server_url, workdir) as url:
                lines += self._run_database(label, url, sizes, files, workdir, options)
        self.stdout.write(f"load: {os.getloadavg()}")
        self.stdout.write("\n".join(lines))

    def _synthetic_file(self, workdir, size):
        from catalogue.exporting import write_xlsx

        path = workdir / f"items-{size}.xlsx"
        if not path.exists():
            self.stdout.write(f"building {path} …")
            write_xlsx(_synthetic_rows(size), str(path))
        return path

    def _million_rows_file(self, workdir):
        """Two real rows, then blank rows up to row 1,000,000 (cells holding empty strings)."""
        import io
        import zipfile

        from catalogue.exporting import write_xlsx

        path = workdir / "items-2-of-1000000.xlsx"
        if path.exists():
            return path
        stream = io.BytesIO()
        write_xlsx(_synthetic_rows(2), stream)
        source = zipfile.ZipFile(stream)
        blank_rows = "".join(
            f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t></t></is></c>'
            f'<c r="AG{number}" t="inlineStr"><is><t></t></is></c></row>'
            for number in range(4, 1_000_001)
        )
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for name in source.namelist():
                content = source.read(name)
                if name == "xl/worksheets/sheet1.xml":
                    content = content.replace(
                        b"</sheetData>", blank_rows.encode() + b"</sheetData>"
                    )
                    content = re.sub(
                        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:AG1000000"', content
                    )
                target.writestr(name, content)
        return path

    def _run_database(self, label, url, sizes, files, workdir, options):
        run = lambda task, **kw: _run_task(url, task, **kw)  # noqa: E731
        lines = [
            f"| {label} | work | parse s | validate s | write s | total s | queries | peak MiB |",
            "|---|---|---|---|---|---|---|---|",
        ]

        def line(work, result):
            cells = [
                f"{result.get(key):.2f}" if isinstance(result.get(key), float) else "–"
                for key in ("parse", "validate", "write", "total")
            ]
            lines.append(
                f"| {label} | {work} | {' | '.join(cells)} | {result['queries']:,} | "
                f"{result['maxrss']:.0f} |"
            )
            self.stdout.write(lines[-1])

        def export(size):
            target = workdir / f"export-{size}.xlsx"
            tasks = {"export": f"export {size:,} items to .xlsx"}
            if options["background"]:
                tasks["export_job"] = f"background export job, {size:,} items to .xlsx"
            runs = {task: [] for task in tasks}
            # In turn, so that both see the same load.
            for _ in range(options["repeat"]):
                for task in tasks:
                    runs[task].append(run(task, file=target))
            for task, work in tasks.items():
                totals = sorted(result["total"] for result in runs[task])
                self.stdout.write(f"{label} {task} runs: {', '.join(f'{t:.2f}' for t in totals)} s")
                median = statistics.median_low(totals)
                line(work, next(result for result in runs[task] if result["total"] == median))

        run("seed")
        if options["export_only"]:
            run("flush")
            run("import", file=files[max(sizes)])
            export(max(sizes))
            return lines
        for size in sizes:
            run("flush")
            line(f"import {size:,} new items", run("import", file=files[size]))
            if size == 10_000:
                line("re-import 10,000 unchanged items", run("import", file=files[size]))
            if size == max(sizes):
                export(size)
        run("flush")
        line(
            "sheet claiming 1,000,000 rows, 2 real ones",
            run("import", file=self._million_rows_file(workdir)),
        )
        if 10_000 in sizes:
            run("flush")
            cli = run("import", file=files[10_000])
            run("flush")
            admin = run("admin", file=files[10_000])
            line("command-line import 10,000 (again, for the admin ratio)", cli)
            admin_line = dict(admin, parse=None, validate=admin["preview"], write=admin["confirm"])
            ratio = admin["total"] / cli["total"]
            line(f"admin preview + confirm 10,000 (ratio to CLI {ratio:.2f})", admin_line)
            if not options["skip_stock"]:
                run("flush")
                stock = run("stock", file=files[10_000])
                line("stock django-import-export, 10,000 new items, one run", stock)
        return lines


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS


def _run_task(database_url, task, file=None, *, command_name="benchmark_import"):
    command = [sys.executable, "manage.py", command_name, "--task", task]
    if file is not None:
        command += ["--file", str(file)]
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": DEV_SETTINGS,
        "DEBUG": "false",  # no query log in connection.queries
        "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-" + "x" * 40),
    }
    completed = subprocess.run(
        command, env=environment, cwd=settings.BASE_DIR, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"task {task} failed:\n{completed.stderr[-3000:]}")
    result_line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(result_line.removeprefix("RESULT "))


class _temporary_database:
    """A fresh, migrated database: an SQLite file, or a new database on a PostgreSQL server."""

    def __init__(self, server_url, workdir):
        self.server_url, self.workdir = server_url, workdir

    def __enter__(self):
        if self.server_url is None:
            handle, self.path = tempfile.mkstemp(suffix=".sqlite3", dir=self.workdir)
            os.close(handle)
            url = f"sqlite:///{self.path}"
        else:
            self.name = f"benchmark_import_{uuid.uuid4().hex[:8]}"
            self._postgres(f'CREATE DATABASE "{self.name}"')
            base = self.server_url.rsplit("/", 1)[0]
            url = f"{base}/{self.name}"
        environment = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "true",
            "DJANGO_SETTINGS_MODULE": DEV_SETTINGS,
        }
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            env=environment, cwd=settings.BASE_DIR, check=True,
        )  # fmt: skip
        return url

    def __exit__(self, *exc):
        if self.server_url is None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        else:
            self._postgres(f'DROP DATABASE IF EXISTS "{self.name}"')

    def _postgres(self, statement):
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True) as connection:
            connection.execute(statement)
