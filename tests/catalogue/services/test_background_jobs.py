"""Background jobs whose worker stopped mid-task end as failed with a Chinese message; the
worker's heartbeat keeps a running job alive; `prune_jobs` deletes old finished jobs and the
files nothing refers to any more (catalogue.services.background_jobs)."""

import hashlib
import pickle
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from catalogue.importing import messages
from catalogue.importing.store import PLAN_LIFETIME
from catalogue.models import ExportJob, ImportBatch, ImportFile, ImportJob, ServiceItem
from catalogue.services.background_jobs import (
    background_jobs_fail_stalled,
    background_jobs_prune,
    job_heartbeat,
)

pytestmark = pytest.mark.django_db


def import_job(user, status, *, heartbeat_minutes=None, finished_days=None, name="大文件.xlsx"):
    data = name.encode()
    upload = ImportFile.objects.create(
        file_name=name,
        content_type="application/octet-stream",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        user=user,
    )
    batch = None
    if status == ImportJob.Status.DONE:
        batch = ImportBatch.objects.create(file_name=name, user=user, upload=upload)
    job = ImportJob.objects.create(user=user, upload=upload, status=status, batch=batch)
    _age(ImportJob, job, heartbeat_minutes, finished_days)
    ImportFile.objects.filter(pk=upload.pk).update(
        uploaded_at=timezone.now() - PLAN_LIFETIME - timedelta(hours=1)
    )
    job.refresh_from_db()
    return job


def export_job(user, status, *, heartbeat_minutes=None, finished_days=None):
    content = b"x" if status == ExportJob.Status.DONE else None
    job = ExportJob.objects.create(
        user=user,
        file_name="实施清单.xlsx",
        file_format="xlsx",
        selection=pickle.dumps(ServiceItem.objects.all().query),
        total_rows=0,
        status=status,
        content=content,
        finished_at=timezone.now() if status == ExportJob.Status.DONE else None,
    )
    _age(ExportJob, job, heartbeat_minutes, finished_days)
    job.refresh_from_db()
    return job


def _age(model, job, heartbeat_minutes, finished_days):
    now = timezone.now()
    fields = {"created_at": now - timedelta(hours=2)}
    if heartbeat_minutes is not None:
        fields["heartbeat_at"] = now - timedelta(minutes=heartbeat_minutes)
    if finished_days is not None:
        fields["finished_at"] = now - timedelta(days=finished_days)
    model.objects.filter(pk=job.pk).update(**fields)


@pytest.fixture
def stale_after_ten_minutes(settings):
    settings.BACKGROUND_JOB_STALE_SECONDS = 600


def test_a_running_job_silent_for_longer_than_the_setting_ends_as_failed(
    admin_user, stale_after_ten_minutes
):
    checking = import_job(admin_user, ImportJob.Status.CHECKING, heartbeat_minutes=11)
    writing = import_job(admin_user, ImportJob.Status.WRITING, name="b.xlsx")  # never beat
    alive = import_job(admin_user, ImportJob.Status.WRITING, heartbeat_minutes=1, name="c.xlsx")
    queued = import_job(admin_user, ImportJob.Status.QUEUED, name="d.xlsx")  # waits for a worker
    exporting = export_job(admin_user, ExportJob.Status.RUNNING, heartbeat_minutes=30)
    exporting_alive = export_job(admin_user, ExportJob.Status.RUNNING, heartbeat_minutes=2)

    assert background_jobs_fail_stalled() == 3

    for job in (checking, writing):
        job.refresh_from_db()
        assert (job.status, job.message) == ("failed", messages.BACKGROUND_STALLED)
        assert job.finished_at is not None
    for job, status in ((alive, "writing"), (queued, "queued"), (exporting_alive, "running")):
        job.refresh_from_db()
        assert job.status == status
    exporting.refresh_from_db()
    assert exporting.status == "failed"
    assert "后台进程已停止" in str(messages.BACKGROUND_STALLED)


def test_the_job_pages_end_a_stalled_job_and_say_why(
    admin_client, admin_user, stale_after_ten_minutes
):
    job = import_job(admin_user, ImportJob.Status.CHECKING, heartbeat_minutes=20)
    export = export_job(admin_user, ExportJob.Status.RUNNING, heartbeat_minutes=20)

    status = admin_client.get(
        reverse("admin:catalogue_serviceitem_import_job_status", args=[job.pk])
    ).json()
    page = admin_client.get(reverse("admin:catalogue_serviceitem_import_job", args=[job.pk]))
    export_status = admin_client.get(
        reverse("admin:catalogue_serviceitem_export_job_status", args=[export.pk])
    ).json()

    assert (status["status"], status["active"]) == ("failed", False)
    assert status["message"] == str(messages.BACKGROUND_STALLED)
    assert str(messages.BACKGROUND_STALLED) in page.content.decode()
    assert (export_status["status"], export_status["file_url"]) == ("failed", None)


def test_a_job_page_writes_nothing_while_the_worker_beats(
    admin_client, admin_user, stale_after_ten_minutes, django_assert_num_queries
):
    job = import_job(admin_user, ImportJob.Status.WRITING, heartbeat_minutes=1)

    # session; user; the job (no UPDATE: on SQLite it would wait for the import's write lock)
    with django_assert_num_queries(3):
        status = admin_client.get(
            reverse("admin:catalogue_serviceitem_import_job_status", args=[job.pk])
        ).json()

    assert status["status"] == "writing"


def test_the_worker_ends_stalled_jobs_before_its_next_task(
    admin_user, stale_after_ten_minutes, monkeypatch
):
    from catalogue import tasks

    stalled = import_job(admin_user, ImportJob.Status.WRITING, heartbeat_minutes=15)
    export = export_job(admin_user, ExportJob.Status.QUEUED)
    monkeypatch.setattr(tasks, "item_export_run", lambda *, job_id: None)

    tasks.item_export_task.call(job_id=export.pk)

    stalled.refresh_from_db()
    assert stalled.status == "failed"


def test_the_heartbeat_is_stamped_when_the_task_starts(admin_user):
    job = import_job(admin_user, ImportJob.Status.CHECKING, heartbeat_minutes=60)
    before = timezone.now()

    with job_heartbeat(job, every=60):
        job.refresh_from_db()
        assert job.heartbeat_at >= before


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the heartbeat's thread cannot open the in-memory SQLite test database",
)
# serialized_rollback: later tests restore the serialized database (test_import_concurrency.py).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_heartbeat_beats_from_its_own_thread_while_the_task_runs(admin_user):
    job = import_job(admin_user, ImportJob.Status.WRITING, heartbeat_minutes=60)
    stamps = []

    with job_heartbeat(job, every=0.05):
        first = ImportJob.objects.get(pk=job.pk).heartbeat_at
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(set(stamps)) < 3:
            stamps.append(ImportJob.objects.get(pk=job.pk).heartbeat_at)
            time.sleep(0.05)

    assert len({first, *stamps}) >= 3
    assert not [t for t in threading.enumerate() if t.name.startswith("heartbeat-")]


def test_prune_jobs_deletes_old_finished_jobs_and_the_files_nothing_refers_to(admin_user):
    old_done = import_job(admin_user, ImportJob.Status.DONE, finished_days=40, name="done.xlsx")
    old_failed = import_job(
        admin_user, ImportJob.Status.FAILED, finished_days=40, name="failed.xlsx"
    )
    recent = import_job(admin_user, ImportJob.Status.FAILED, finished_days=3, name="recent.xlsx")
    old_export = export_job(admin_user, ExportJob.Status.DONE, finished_days=40)
    running = export_job(admin_user, ExportJob.Status.RUNNING, heartbeat_minutes=0)

    call_command("prune_jobs", "--days", "30")

    assert list(ImportJob.objects.all()) == [recent]
    assert list(ExportJob.objects.all()) == [running]
    # The batch's file stays (the record of an import); the failed job's file goes.
    files = set(ImportFile.objects.values_list("file_name", flat=True))
    assert files == {"done.xlsx", "recent.xlsx"}
    assert ImportBatch.objects.filter(upload=old_done.upload_id).exists()
    assert not ImportFile.objects.filter(pk=old_failed.upload_id).exists()
    assert not ExportJob.objects.filter(pk=old_export.pk).exists()


def test_prune_jobs_refuses_a_negative_number_of_days():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="不能为负数"):
        call_command("prune_jobs", "--days", "-1")


def test_prune_counts_what_it_deleted(admin_user):
    import_job(admin_user, ImportJob.Status.FAILED, finished_days=10)

    assert background_jobs_prune(days=30) == {"importjob": 0, "exportjob": 0, "importfile": 0}
    assert background_jobs_prune(days=7) == {"importjob": 1, "exportjob": 0, "importfile": 1}
