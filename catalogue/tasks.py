"""Background tasks (Django's tasks API): run by `manage.py db_worker`. Before each, the
worker ends the jobs of a worker that stopped mid-task (catalogue.services.background_jobs)."""

import logging

from django.db import DatabaseError
from django_tasks import task

from . import maintenance
from .services.background_jobs import background_jobs_fail_stalled
from .services.exports import item_export_run
from .services.import_jobs import import_job_check, import_job_write

logger = logging.getLogger(__name__)


def _stalled_jobs_end() -> None:
    # Never in the way of the task itself (on SQLite another worker's write may hold the lock).
    try:
        background_jobs_fail_stalled()
    except DatabaseError:
        logger.warning("Stalled background jobs not checked", exc_info=True)


@task()
def item_export_task(*, job_id: int) -> None:
    _stalled_jobs_end()
    item_export_run(job_id=job_id)


@task()
def item_import_check_task(*, job_id: int) -> None:
    _stalled_jobs_end()
    import_job_check(job_id=job_id)


@task()
def item_import_write_task(*, job_id: int) -> None:
    _stalled_jobs_end()
    import_job_write(job_id=job_id)


@task()
def catalogue_tables_analyze_task(*, using: str) -> None:
    maintenance.catalogue_tables_analyze(using=using)
