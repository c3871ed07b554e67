"""Background tasks (Django's tasks API): run by `manage.py db_worker`."""

from django_tasks import task

from . import maintenance
from .services.exports import item_export_run
from .services.import_jobs import import_job_check, import_job_write


@task()
def item_export_task(*, job_id: int) -> None:
    item_export_run(job_id=job_id)


@task()
def item_import_check_task(*, job_id: int) -> None:
    import_job_check(job_id=job_id)


@task()
def item_import_write_task(*, job_id: int) -> None:
    import_job_write(job_id=job_id)


@task()
def catalogue_tables_analyze_task(*, using: str) -> None:
    maintenance.catalogue_tables_analyze(using=using)
