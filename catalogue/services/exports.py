"""An item export written in the background: started from the admin, run by a task."""

import logging
import pickle

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone

from config.db_routers import replica_reads

from .. import exporting
from ..models import ExportJob, ServiceItem
from .background_jobs import job_heartbeat

logger = logging.getLogger(__name__)


def item_export_start(
    *, user: User, queryset: QuerySet[ServiceItem], file_format: str, file_name: str
) -> ExportJob:
    """Record the export of `queryset` (already narrowed to what `user` may see) and queue the
    task that writes it; returns the job, whose progress the admin shows."""
    from ..tasks import item_export_task  # the task module imports this one

    job = ExportJob.objects.create(
        user=user,
        file_name=file_name[:255],
        file_format=file_format,
        selection=pickle.dumps(queryset.query),
        total_rows=queryset.count(),
    )
    result = item_export_task.enqueue(job_id=job.pk)
    logger.info(
        "Export of %d items to %r queued as task %s", job.total_rows, job.file_name, result.id
    )
    return job


def item_export_run(*, job_id: int) -> None:
    """Write the job's file, recording the rows written as it goes; the file is kept in the
    job. A failure marks the job failed and is raised again for the task's result."""
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    queryset = ServiceItem.objects.all()
    # Trusted: written by item_export_start, never by a request.
    queryset.query = pickle.loads(job.selection)

    def progress(rows: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_written=rows)

    write = (
        exporting.export_csv_bytes
        if job.file_format == ExportJob.Format.CSV
        else exporting.export_xlsx_bytes
    )
    try:
        # The rows are only read: they may come from the replica; the progress is written.
        with replica_reads(), job_heartbeat(job):
            content = write(queryset, user=job.user, file_name=job.file_name, progress=progress)
    except Exception:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, finished_at=timezone.now()
        )
        logger.exception("Export %s to %r failed", job.pk, job.file_name)
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE, content=content, finished_at=timezone.now()
    )
