"""The background tasks (catalogue.tasks): each first ends the jobs of a stopped worker, and
never fails for that check."""

import logging

import pytest
from django.db import OperationalError

from catalogue import tasks
from catalogue.importing.uploads import import_file_keep
from catalogue.models import ImportJob
from tests.catalogue.importing_support import valid_row, xlsx_bytes

pytestmark = pytest.mark.usefixtures("department", "other_department", "sector")


def test_a_task_runs_when_the_check_for_stopped_jobs_finds_the_database_locked(
    centre_admin, monkeypatch, caplog
):
    data = xlsx_bytes([valid_row(实施编码="T-1")])
    upload = import_file_keep(data=data, file_name="大.xlsx", content_type="", user=centre_admin)
    job = ImportJob.objects.create(user=centre_admin, upload=upload, total_rows=1)

    def locked():
        raise OperationalError("database is locked")

    monkeypatch.setattr(tasks, "background_jobs_fail_stalled", locked)

    with caplog.at_level(logging.WARNING, logger="catalogue.tasks"):
        tasks.item_import_check_task.enqueue(job_id=job.pk)  # run at once in the tests

    job.refresh_from_db()
    assert (job.status, job.rows_to_write) == (ImportJob.Status.CHECKED, 1)
    assert "Stalled background jobs not checked" in caplog.text
    assert "database is locked" in caplog.text
