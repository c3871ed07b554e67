"""Imports of large files (IMPORT_BACKGROUND_ROWS rows or more), checked and written by the
background worker (catalogue.tasks) instead of the request.

The same services do the work as in a request: items_import_plan reads and checks, the plan is
kept (catalogue.importing.store) under a token the job holds, and items_import_confirm writes it
in one transaction that claims the plan once, re-checks the user's permission and scope and
locks and re-checks what the plan read. Here they run in the worker, recording their progress
on the ImportJob, which the admin's job page polls. A failure ends the job with a message for
the person; the uploaded file stays kept with the job.
"""

import logging

from django.db.models import Q
from django.utils import timezone

from ..importing import NEW, UPDATE, ImportProblem, ImportResult
from ..importing import messages as import_messages
from ..importing.plan import CHUNK_ROWS
from ..importing.store import plan_keep
from ..models import ImportBatch, ImportFile, ImportJob
from ..roles import may_import_items
from .background_jobs import job_heartbeat
from .importing import items_import_confirm, items_import_plan

logger = logging.getLogger(__name__)

Status = ImportJob.Status
# States in which the worker still has something to do (the job page polls while in them).
ACTIVE = frozenset({Status.QUEUED, Status.CHECKING, Status.WRITE_QUEUED, Status.WRITING})


def import_job_start(
    *,
    user,
    upload: ImportFile,
    total_rows: int,
    sheet: str = "",
    mapping: dict | None = None,
) -> ImportJob:
    """Record the background import of `upload` by `user` and queue its check."""
    job = ImportJob.objects.create(
        user=user, upload=upload, total_rows=total_rows, sheet=sheet, mapping=mapping or {}
    )
    _enqueue_check(job)
    return job


def import_job_choose(*, job: ImportJob, sheet: str, mapping: dict) -> bool:
    """Check the job's file again with the sheet and columns a person chose; False when the job
    was not waiting for a choice (another tab chose already)."""
    requeued = ImportJob.objects.filter(pk=job.pk, status=Status.CHOOSING).update(
        status=Status.QUEUED,
        sheet=sheet,
        mapping=mapping,
        choices_needed={},
        message="",
        rows_read=0,
        rows_checked=0,
    )
    if requeued:
        _enqueue_check(job)
    return bool(requeued)


def _enqueue_check(job: ImportJob) -> None:
    from ..tasks import item_import_check_task  # the task module imports this one

    result = item_import_check_task.enqueue(job_id=job.pk)
    logger.info(
        "Import of %r (about %d rows) by %s queued for checking as task %s",
        job.upload.file_name,
        job.total_rows,
        job.user.get_username(),
        result.id,
    )


def import_job_check(*, job_id: int) -> None:
    """Read and check the job's file (in the worker); keep the plan for the person's
    confirmation, or record what they must choose, or why the file was refused."""
    job = ImportJob.objects.select_related("user", "upload").get(pk=job_id)
    if not ImportJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(status=Status.CHECKING):
        logger.warning("Import job %s was not queued for checking; left as it is", job.pk)
        return
    try:
        with job_heartbeat(job):
            _check(job)
    except Exception:
        logger.exception("Checking import job %s (%r) failed", job.pk, job.upload.file_name)
        _fail(job, import_messages.BACKGROUND_FAILED)
        raise


def _check(job: ImportJob) -> None:
    user = job.user
    if not may_import_items(user):
        _fail(job, import_messages.NO_IMPORT_PERMISSION)
        return

    def progress(rows: int) -> None:
        # Rows are checked CHUNK_ROWS at a time, once a chunk is read.
        ImportJob.objects.filter(pk=job.pk).update(
            rows_read=rows, rows_checked=rows - rows % CHUNK_ROWS
        )

    plan = items_import_plan(
        file=bytes(job.upload.data),
        user=user,
        sheet=job.sheet or None,
        mapping=job.mapping or None,
        progress=progress,
    )
    rows = len(plan.rows)
    if plan.sheet_choices or plan.unplaced:
        ImportJob.objects.filter(pk=job.pk).update(
            status=Status.CHOOSING,
            choices_needed={"sheets": plan.sheet_choices, "unplaced": plan.unplaced},
            message=str(plan.file_problem or ""),
            rows_read=rows,
            rows_checked=rows,
        )
        return
    if plan.file_problem:
        logger.info("Import job %s refused the file: %s", job.pk, plan.file_problem)
        _fail(job, plan.file_problem)
        return
    token = plan_keep(
        plan=plan,
        user=user,
        file_hash=job.upload.sha256,
        file_name=job.upload.file_name,
        upload=job.upload,
    )
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.CHECKED,
        plan_token=token,
        rows_to_write=plan.counts[NEW] + plan.counts[UPDATE],
        rows_read=rows,
        rows_checked=rows,
        message=plan.summary(),
    )


def import_job_confirm(*, job: ImportJob, user) -> bool:
    """Queue the write of the job's checked plan, once: False when it was not waiting for a
    confirmation (confirmed already, in another tab or by a double click)."""
    from ..tasks import item_import_write_task

    if job.user_id != user.pk or not ImportJob.objects.filter(
        pk=job.pk, status=Status.CHECKED
    ).update(status=Status.WRITE_QUEUED):
        return False
    result = item_import_write_task.enqueue(job_id=job.pk)
    logger.info("Import job %s confirmed by %s: write queued as task %s", job.pk, user, result.id)
    return True


def import_job_write(*, job_id: int) -> None:
    """Write the job's kept plan (in the worker) through items_import_confirm, all or nothing;
    the job is marked done with its batch in the same transaction."""
    job = ImportJob.objects.select_related("user", "upload").defer("upload__data").get(pk=job_id)
    if not ImportJob.objects.filter(pk=job.pk, status=Status.WRITE_QUEUED).update(
        status=Status.WRITING
    ):
        logger.warning("Import job %s was not queued for writing; left as it is", job.pk)
        return

    def done(result: ImportResult) -> None:
        batch = ImportBatch.objects.filter(upload=job.upload_id).latest("pk")
        ImportJob.objects.filter(pk=job.pk).update(
            status=Status.DONE,
            batch=batch,
            rows_written=len(result.created_ids) + len(result.updated_ids),
            message=import_messages.WRITTEN.format(
                new=len(result.created_ids),
                update=len(result.updated_ids),
                unchanged=len(result.unchanged_ids),
            ),
            finished_at=timezone.now(),
        )

    try:
        with job_heartbeat(job):
            items_import_confirm(
                token=job.plan_token, file_hash=job.upload.sha256, user=job.user, on_written=done
            )
    except ImportProblem as problem:
        logger.info("Import job %s refused at the write: %s", job.pk, problem.message)
        _fail(job, problem.message)
    except Exception:
        logger.exception("Writing import job %s (%r) failed", job.pk, job.upload.file_name)
        _fail(job, import_messages.BACKGROUND_FAILED)
        raise


def _fail(job: ImportJob, message) -> None:
    ImportJob.objects.filter(pk=job.pk).filter(~Q(status=Status.DONE)).update(
        status=Status.FAILED, message=str(message), finished_at=timezone.now()
    )
