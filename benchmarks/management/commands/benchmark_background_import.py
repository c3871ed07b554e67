"""Benchmark of the admin's import of a large file, in the request and in the background (see
docs/benchmarks.md, "Background import").

For one synthetic file, run after run in turn (so that both see the same load), each in its own
subprocess against a throw-away database (benchmark_import's): the upload request when the
file is checked in the request (IMPORT_BACKGROUND_ROWS above its size), and when it goes to the
worker: the upload request, the worker's check, the confirm request and the worker's write.

    DEBUG=true python manage.py benchmark_background_import --rows 20000 --repeat 3
"""

import json
import os
import re
import statistics
import uuid
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from .benchmark_import import (
    TASKS as IMPORT_TASKS,
)
from .benchmark_import import (
    _maxrss_mib,
    _measure,
    _run_task,
    _synthetic_rows,
    _temporary_database,
    argparse_hidden,
)

COMMAND = "benchmark_background_import"


def _client():
    from django.contrib.auth.models import User
    from django.test import Client

    user = User.objects.create_superuser(f"bench-{uuid.uuid4().hex[:8]}", password="x")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _upload(client, path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    upload = SimpleUploadedFile(path.name, path.read_bytes())
    return _measure(
        lambda: client.post(
            reverse("admin:catalogue_serviceitem_import"), {"import_file": upload}, secure=True
        )
    )


def _task_in_request(options):
    from django.test import override_settings

    client = _client()
    with override_settings(IMPORT_BACKGROUND_ROWS=10**9):
        response, seconds, queries = _upload(client, Path(options["file"]))
    if response.status_code != 200 or 'name="token"' not in response.content.decode():
        raise RuntimeError(f"the preview answered {response.status_code} without a confirmation")
    return {"upload": seconds, "upload_queries": queries, "maxrss": _maxrss_mib()}


def _task_background(options):
    from django.test import override_settings
    from django.urls import reverse

    from catalogue.models import ImportJob
    from catalogue.services.import_jobs import import_job_check, import_job_write

    client = _client()
    # The database backend only records the task: this process then runs it as the worker would.
    with override_settings(IMPORT_BACKGROUND_ROWS=1):
        response, upload_seconds, upload_queries = _upload(client, Path(options["file"]))
    if response.status_code != 302:
        raise RuntimeError(f"the upload answered {response.status_code}, not the job's page")
    job = ImportJob.objects.get()
    _none, check_seconds, check_queries = _measure(lambda: import_job_check(job_id=job.pk))
    page = client.get(response["Location"], secure=True).content.decode()
    fields = {
        name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1)
        for name in ("token", "file_hash", "job")
    }
    confirm, confirm_seconds, confirm_queries = _measure(
        lambda: client.post(
            reverse("admin:catalogue_serviceitem_process_import"), fields, secure=True
        )
    )
    _none, write_seconds, write_queries = _measure(lambda: import_job_write(job_id=job.pk))
    job.refresh_from_db()
    if confirm.status_code != 302 or job.status != ImportJob.Status.DONE:
        raise RuntimeError(f"the job ended {job.status}: {job.message}")
    return {
        "upload": upload_seconds,
        "upload_queries": upload_queries,
        "check": check_seconds,
        "check_queries": check_queries,
        "confirm": confirm_seconds,
        "confirm_queries": confirm_queries,
        "write": write_seconds,
        "write_queries": write_queries,
        "maxrss": _maxrss_mib(),
    }


TASKS = {
    "seed": IMPORT_TASKS["seed"],
    "in_request": _task_in_request,
    "background": _task_background,
}


class Command(BaseCommand):
    help = "Measure the admin's import of a large file in the request and in the background."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=20_000)
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--workdir", default=str(Path(settings.BASE_DIR) / "var" / "benchmark"))
        parser.add_argument("--task", choices=sorted(TASKS), help=argparse_hidden())
        parser.add_argument("--file", help=argparse_hidden())

    def handle(self, *args, **options):
        if options["task"]:
            result = TASKS[options["task"]](options)
            self.stdout.write("RESULT " + json.dumps(result))
            return
        from catalogue.exporting import write_xlsx

        workdir = Path(options["workdir"])
        workdir.mkdir(parents=True, exist_ok=True)
        path = workdir / f"items-{options['rows']}.xlsx"
        if not path.exists():
            write_xlsx(_synthetic_rows(options["rows"]), str(path))
        self.stdout.write(f"load: {os.getloadavg()}")
        runs = {"in_request": [], "background": []}
        for _ in range(options["repeat"]):
            for task in runs:
                with _temporary_database(None, workdir) as url:
                    _run_task(url, "seed", command_name=COMMAND)
                    runs[task].append(_run_task(url, task, file=path, command_name=COMMAND))
        self.stdout.write(f"load: {os.getloadavg()}")
        for task, results in runs.items():
            self.stdout.write(f"{task}: {json.dumps(results)}")
        in_request = statistics.median(r["upload"] for r in runs["in_request"])
        background = {
            key: statistics.median(r[key] for r in runs["background"])
            for key in ("upload", "check", "confirm", "write")
        }
        rows = f"{options['rows']:,} rows"
        self.stdout.write(
            f"| {rows} | upload request, in the request | {in_request:.2f} s |\n"
            f"| {rows} | upload request, background | {background['upload']:.2f} s |\n"
            f"| | worker: check | {background['check']:.2f} s |\n"
            f"| | confirm request, background | {background['confirm']:.2f} s |\n"
            f"| | worker: write | {background['write']:.2f} s |"
        )
