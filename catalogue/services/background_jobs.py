"""Upkeep of the background jobs (ImportJob, ExportJob): the worker's heartbeat, jobs whose
worker stopped mid-task, and the pruning of old finished jobs.

A worker killed mid-task (kill -9, a crash, a restart of the machine) never ends its job: the
job stayed "正在读取和检查", "正在写入" or "正在导出" for ever. While a task runs, `job_heartbeat`
stamps `heartbeat_at` every BACKGROUND_JOB_HEARTBEAT_SECONDS from a thread of its own (its own
connection: the import's write is one long transaction). `background_jobs_fail_stalled`, run
by the job pages and by the worker before each task, ends as failed, with a Chinese message,
every running job whose last heartbeat is older than BACKGROUND_JOB_STALE_SECONDS. A killed
import wrote nothing: its write is one transaction, and its job is marked done inside it.
"""

import datetime
import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Q
from django.utils import timezone

from ..importing import messages as import_messages
from ..importing.uploads import import_files_prune
from ..models import ExportJob, ImportJob

logger = logging.getLogger(__name__)

# The states in which a worker is at work on the job (a queued job waits for a worker).
RUNNING = {
    ImportJob: (ImportJob.Status.CHECKING, ImportJob.Status.WRITING),
    ExportJob: (ExportJob.Status.RUNNING,),
}
FINISHED = {
    ImportJob: (ImportJob.Status.DONE, ImportJob.Status.FAILED),
    ExportJob: (ExportJob.Status.DONE, ExportJob.Status.FAILED),
}


@contextmanager
def job_heartbeat(job: ImportJob | ExportJob, *, every: float | None = None):
    """Stamp the job's heartbeat now, then every `every` seconds while the block runs."""
    model, every = type(job), every or settings.BACKGROUND_JOB_HEARTBEAT_SECONDS
    model.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(every):
                try:
                    model.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
                except DatabaseError:
                    # SQLite: the import's write holds the only write lock; beat again later.
                    logger.warning("No heartbeat for %s %s this time", model.__name__, job.pk)
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"heartbeat-{model.__name__}-{job.pk}")
    thread.daemon = True
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _stale_before(now: datetime.datetime) -> datetime.datetime:
    """A running job whose last sign of life is older than this has stalled."""
    return now - datetime.timedelta(seconds=settings.BACKGROUND_JOB_STALE_SECONDS)


def background_job_stalled(job: ImportJob | ExportJob, *, now: datetime.datetime | None = None):
    """Whether `job`, as read, is running with no sign of life for BACKGROUND_JOB_STALE_SECONDS."""
    since = _stale_before(now or timezone.now())
    return job.status in RUNNING[type(job)] and (job.heartbeat_at or job.created_at) < since


def background_job_fail_if_stalled(job: ImportJob | ExportJob) -> bool:
    """For a job page: end `job` as failed if it stalled, and read it again. Writes nothing
    otherwise (on SQLite a write would wait for the lock an import's write holds)."""
    if not background_job_stalled(job) or not background_jobs_fail_stalled(job=job):
        return False
    job.refresh_from_db()
    return True


def background_jobs_fail_stalled(
    *, job: ImportJob | ExportJob | None = None, now: datetime.datetime | None = None
) -> int:
    """End as failed every running job (or only `job`) whose worker gave no sign of life for
    BACKGROUND_JOB_STALE_SECONDS: one UPDATE per kind of job. Returns how many."""
    now = now or timezone.now()
    since = _stale_before(now)
    silent = Q(heartbeat_at__lt=since) | Q(heartbeat_at__isnull=True, created_at__lt=since)
    failed = 0
    for model, states in RUNNING.items():
        if job is not None and not isinstance(job, model):
            continue
        jobs = model.objects.filter(silent, status__in=states)
        if job is not None:
            jobs = jobs.filter(pk=job.pk)
        fields = {"status": model.Status.FAILED, "finished_at": now}
        if model is ImportJob:
            fields["message"] = str(import_messages.BACKGROUND_STALLED)
        count = jobs.update(**fields)
        if count:
            logger.warning("%d %s stalled (no heartbeat since %s): failed", count, model, since)
        failed += count
    return failed


def background_jobs_prune(*, days: int, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete the jobs finished more than `days` days ago (an export's file with it), then
    the uploaded files nothing refers to any more (a file an import batch records is kept)."""
    before = (now or timezone.now()) - datetime.timedelta(days=days)
    deleted = {}
    for model, states in FINISHED.items():
        count, _by_model = model.objects.filter(status__in=states, finished_at__lt=before).delete()
        deleted[model._meta.model_name] = count
    deleted["importfile"] = import_files_prune()
    return deleted
