"""Load on the production server (docs/benchmarks.md, "Load"): requests per second and latency
percentiles of four pages, idle and while a 10,000-row import runs.

gunicorn runs as `make serve` runs it (config.settings.base, DEBUG off, deploy/gunicorn.conf.py,
static files collected), with --workers sync workers, on a free loopback port, against a kept
PostgreSQL database of --items items (benchmarks/changelist.py, built once: the demo copied
region after region). For each URL, --clients threads send requests one after another over
keep-alive connections (http.client) for --seconds; a signed-in superuser's session cookie.
During the import phase `manage.py import_items` imports a synthetic 10,000-row file again and
again (its items deleted between runs), from the start of the phase to its end.

    DEBUG=true DJANGO_SETTINGS_MODULE=config.settings.dev \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
    python manage.py benchmark_load --items 100000 --workers 2 --clients 4 --seconds 20
"""

import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from benchmarks import changelist as catalogue
from benchmarks.management.commands.benchmark_import import (
    DEPARTMENTS,
    MAIN_ITEMS_PER_DEPARTMENT,
    SECTORS,
    _synthetic_rows,
)
from catalogue.models import Department, ImportBatchItem, MainItem, Sector, ServiceItem
from demo.synthetic import (
    synthetic_department_name,
    synthetic_main_item_name,
    synthetic_sector_name,
)

IMPORT_ROWS = 10_000
IMPORTED_CODES = "11440300MB2C"  # demo.synthetic.synthetic_import_rows


def imported_items_remove() -> None:
    """Delete the items of the synthetic import file in three statements: the ORM's delete
    writes a historical record per item, one statement each (minutes for 10,000)."""
    items = ServiceItem.objects.filter(code__startswith=IMPORTED_CODES).values("pk")
    ServiceItem.mobile_channels.through.objects.filter(serviceitem__in=items)._raw_delete("default")
    ImportBatchItem.objects.filter(item__in=items)._raw_delete("default")
    ServiceItem.objects.filter(code__startswith=IMPORTED_CODES)._raw_delete("default")


def percentile(sorted_values, share):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * share))]


class Command(BaseCommand):
    help = "Load the production server (gunicorn) with concurrent requests, idle and importing."

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=100_000)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
        parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
        parser.add_argument("--seconds", type=float, default=20, help="per URL and phase")
        parser.add_argument("--database", help="PostgreSQL database (default bench_load_<items>)")
        parser.add_argument("--skip-import", action="store_true", help="only the idle phase")

    def handle(self, *args, items, workers, clients, seconds, database, skip_import, **options):
        if connection.vendor != "postgresql":
            raise CommandError("benchmark_load runs on PostgreSQL: set DATABASE_URL.")
        name = database or f"bench_load_{items}"
        catalogue.postgres_database_ensure(name)
        catalogue.database_switch(name)
        call_command("migrate", verbosity=0)
        if not ServiceItem.objects.exists():
            catalogue.catalogue_build(items=items, log=self.stdout.write)
        self._import_references_ensure()
        imported_items_remove()
        catalogue.analyze()
        user, _created = get_user_model().objects.get_or_create(
            username="benchmark_superuser", defaults={"is_staff": True, "is_superuser": True}
        )
        secret_key = secrets.token_urlsafe(50)
        with tempfile.TemporaryDirectory() as work:
            environment = self._server_environment(name, work, secret_key)
            with self.settings_secret(secret_key):
                cookie = self._session_cookie(user)
            item = ServiceItem.objects.order_by("pk")[items // 2]
            urls = {
                "/reports/summary.json": reverse("reports:summary"),
                "/reports/": reverse("reports:page"),
                "item changelist": reverse("admin:catalogue_serviceitem_changelist"),
                "item change form": reverse("admin:catalogue_serviceitem_change", args=[item.pk]),
            }
            port = self._free_port()
            server = self._server_start(environment, work, port, workers)
            try:
                self._report(
                    urls,
                    port,
                    cookie,
                    clients,
                    seconds,
                    workers,
                    items,
                    skip_import,
                    environment,
                    work,
                )
            finally:
                server.terminate()
                server.wait(timeout=30)

    # --- the database and the server -------------------------------------------------------

    def _import_references_ensure(self):
        """The departments, sectors and main items the synthetic import file names."""
        departments = [
            Department.objects.get_or_create(name=synthetic_department_name(n))[0]
            for n in range(DEPARTMENTS)
        ]
        for n in range(SECTORS):
            Sector.objects.get_or_create(name=synthetic_sector_name(n))
        for n, department in enumerate(departments):
            for m in range(0, MAIN_ITEMS_PER_DEPARTMENT, 2):
                MainItem.objects.get_or_create(
                    department=department, name=synthetic_main_item_name(n, m)
                )

    def settings_secret(self, secret_key):
        from django.test.utils import override_settings

        return override_settings(SECRET_KEY=secret_key)

    def _session_cookie(self, user) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    def _server_environment(self, name, work, secret_key) -> dict:
        url = connection.settings_dict
        database_url = f"postgres://{url['USER']}@{url['HOST']}:{url['PORT']}/{name}"
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "false",
            "SECRET_KEY": secret_key,
            "DATABASE_URL": database_url,
            "STATIC_ROOT": str(Path(work) / "static"),
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "GUNICORN_ACCESSLOG": str(Path(work) / "access.log"),
        }

    def _free_port(self) -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    def _server_start(self, environment, work, port, workers):
        python = sys.executable
        subprocess.run(
            [python, "manage.py", "collectstatic", "--noinput", "-v0"],
            env=environment, cwd=settings.BASE_DIR, check=True,
        )  # fmt: skip
        gunicorn = Path(python).with_name("gunicorn")
        server = subprocess.Popen(
            [str(gunicorn), "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "config.wsgi"],
            env=environment, cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL, stderr=(Path(work) / "error.log").open("w"),
        )  # fmt: skip
        for _ in range(100):
            try:
                connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection_.request("GET", "/healthz")
                if connection_.getresponse().status == 200:
                    return server
            except OSError:
                time.sleep(0.2)
        server.terminate()
        raise CommandError(f"gunicorn did not answer: {(Path(work) / 'error.log').read_text()}")

    # --- the load ----------------------------------------------------------------------------

    def _load(self, port, path, cookie, clients, seconds):
        """Latencies (ms) of the requests `clients` threads completed in `seconds`."""
        deadline = time.perf_counter() + seconds
        latencies, errors = [], []

        def client():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}", "Host": "127.0.0.1"}
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as error:
                    errors.append(repr(error))
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                    continue
                if response.status != 200:
                    errors.append(str(response.status))
                    continue
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sorted(latencies), errors, time.perf_counter() - started

    def _report(
        self, urls, port, cookie, clients, seconds, workers, items, skip_import, environment, work
    ):
        self.stdout.write(
            f"gunicorn {workers} sync workers, {clients} concurrent clients, {seconds:.0f} s per "
            f"URL and phase, {items:,} items on PostgreSQL; load {os.getloadavg()}"
        )
        self.stdout.write(
            "| phase | URL | requests/s | p50 (ms) | p95 (ms) | p99 (ms) | requests | errors |"
        )
        self.stdout.write("|---|---|---:|---:|---:|---:|---:|---:|")
        phases = ["idle"] if skip_import else ["idle", "during a 10,000-row import"]
        for phase in phases:
            importer = None if phase == "idle" else self._importer_start(environment, work)
            try:
                for label, path in urls.items():
                    self._load(port, path, cookie, clients, min(seconds, 3))  # warm-up
                    latencies, errors, elapsed = self._load(port, path, cookie, clients, seconds)
                    if not latencies:
                        self.stdout.write(
                            f"| {phase} | {label} | – | – | – | – | 0 | {errors[:1]} |"
                        )
                        continue
                    self.stdout.write(
                        f"| {phase} | {label} | {len(latencies) / elapsed:.1f} | "
                        f"{statistics.median(latencies):.0f} | {percentile(latencies, 0.95):.0f} | "
                        f"{percentile(latencies, 0.99):.0f} | {len(latencies)} | {len(errors)} |"
                    )
                    self.stdout.flush()
            finally:
                if importer is not None:
                    imports = self._importer_stop(importer)
                    self.stdout.write(
                        f"imports of {IMPORT_ROWS:,} rows completed during the phase: {imports}"
                    )
        self.stdout.write(f"load {os.getloadavg()}")

    def _importer_start(self, environment, work):
        path = Path(settings.BASE_DIR) / "var" / "benchmark" / f"items-{IMPORT_ROWS}.xlsx"
        if not path.exists():
            from catalogue.exporting import write_xlsx

            path.parent.mkdir(parents=True, exist_ok=True)
            write_xlsx(_synthetic_rows(IMPORT_ROWS), str(path))
        stop = Path(work) / "stop-importing"
        done = Path(work) / "imports-done"
        script = (
            "import subprocess, sys, pathlib\n"
            "from benchmarks.management.commands.benchmark_load import imported_items_remove\n"
            f"stop, done = pathlib.Path({str(stop)!r}), pathlib.Path({str(done)!r})\n"
            "count = 0\n"
            "while not stop.exists():\n"
            "    subprocess.run([sys.executable, 'manage.py', 'import_items', "
            f"{str(path)!r}], check=True, capture_output=True)\n"
            "    count += 1\n"
            "    imported_items_remove()\n"
            "done.write_text(str(count))\n"
        )
        importer = subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", script],
            # The development settings: the shell imports this module (benchmarks app).
            env={**environment, "DJANGO_SETTINGS_MODULE": "config.settings.dev"},
            cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL,
            stderr=(Path(work) / "import.log").open("w"),
        )  # fmt: skip
        time.sleep(3)  # the first import under way
        return importer, stop, done

    def _importer_stop(self, importer):
        process, stop, done = importer
        stop.touch()
        process.wait(timeout=600)
        return done.read_text() if done.exists() else f"failed ({process.returncode})"
