"""The background import's tasks (catalogue.services.import_jobs) when the job is not what the
task expects, or the worker fails: the job is left alone or ends failed with a message, and
nothing is written. The job pages and the whole flow are in tests/catalogue/test_import_jobs.py."""

import logging

import pytest

from catalogue.importing import messages
from catalogue.importing.uploads import import_file_keep
from catalogue.models import ImportBatch, ImportJob, ServiceItem
from catalogue.services import import_jobs
from catalogue.services.import_jobs import import_job_check, import_job_write
from tests.catalogue.importing_support import valid_row, xlsx_bytes

pytestmark = pytest.mark.usefixtures("department", "other_department", "sector")

Status = ImportJob.Status


def _job(user, status) -> ImportJob:
    data = xlsx_bytes([valid_row(实施编码="J-1")])
    upload = import_file_keep(data=data, file_name="大文件.xlsx", content_type="", user=user)
    return ImportJob.objects.create(user=user, upload=upload, total_rows=1, status=status)


@pytest.mark.parametrize(
    ("task", "status"),
    [
        (import_job_check, Status.CHECKED),  # checked already (a task run twice)
        (import_job_check, Status.FAILED),
        (import_job_write, Status.CHECKED),  # not confirmed
        (import_job_write, Status.WRITING),  # another worker is writing it
    ],
)
def test_a_task_for_a_job_not_queued_for_it_leaves_the_job_as_it_is(
    task, status, centre_admin, caplog
):
    job = _job(centre_admin, status)

    with caplog.at_level(logging.WARNING, logger="catalogue.services.import_jobs"):
        task(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.message) == (status, "")
    assert f"Import job {job.pk} was not queued for" in caplog.text
    assert not ServiceItem.objects.exists()


def test_the_check_of_a_user_who_lost_the_import_permission_fails_with_a_message(dept_staff):
    job = _job(dept_staff, Status.QUEUED)
    dept_staff.groups.clear()

    import_job_check(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.message) == (Status.FAILED, messages.NO_IMPORT_PERMISSION)
    assert not job.plan_token and job.finished_at is not None


def test_an_unexpected_failure_at_the_write_fails_the_job_and_writes_nothing(
    centre_admin, monkeypatch, caplog
):
    job = _job(centre_admin, Status.WRITE_QUEUED)

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(import_jobs, "items_import_confirm", broken)

    with (
        caplog.at_level(logging.ERROR, logger="catalogue.services.import_jobs"),
        pytest.raises(RuntimeError, match="a bug"),  # the task fails too, for the worker's log
    ):
        import_job_write(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.message) == (Status.FAILED, messages.BACKGROUND_FAILED)
    assert f"Writing import job {job.pk} ('大文件.xlsx') failed" in caplog.text
    assert not ServiceItem.objects.exists() and not ImportBatch.objects.exists()
