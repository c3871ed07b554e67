"""A confirm killed mid-write (kill -9) leaves nothing partial: one transaction, all or nothing.

PostgreSQL only: the import runs in another process, which cannot open the in-memory SQLite
test database.
"""

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.db import connection

from catalogue.models import ImportBatch, KeptImportPlan, MainItem, ServiceItem
from tests.catalogue.importing_support import valid_row, xlsx_bytes

WAIT_SECONDS = 60

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="another process cannot open the in-memory SQLite test database",
    ),
]

# Imports the file, and once every row, the batch and the history are written (in the
# transaction, before the commit) says so and waits to be killed.
_IMPORT_THEN_WAIT = textwrap.dedent(
    """
    import sys, time, django
    django.setup()
    from catalogue.services.importing import items_import

    def written(result):
        print("written", len(result.created_ids), flush=True)
        time.sleep(120)

    items_import(file=sys.argv[1], on_written=written)
    """
)


def _database_url():
    database = connection.settings_dict
    user = database["USER"] or "postgres"
    host = database["HOST"] or "127.0.0.1"
    port = database["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{database['NAME']}"


def test_an_import_killed_before_its_commit_leaves_nothing(
    department, other_department, sector, tmp_path
):
    path = tmp_path / "items.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [
                valid_row(实施编码=f"11440300MB2C{n:019d}", 主项名称=f"新主项{n % 7}")
                for n in range(500)
            ]
        )
    )
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "true",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", _IMPORT_THEN_WAIT, str(path)],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.split() == ["written", "500"], process.stderr.read()
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=WAIT_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
        process.stderr.close()

    assert process.returncode == -signal.SIGKILL
    assert not ServiceItem.objects.exists()
    assert not MainItem.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not KeptImportPlan.objects.exists()
    assert not ServiceItem.history.model.objects.exists()
