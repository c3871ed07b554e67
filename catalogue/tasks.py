"""Background tasks (Django's tasks API): run by `manage.py db_worker`."""

from django_tasks import task

from .services.exports import item_export_run


@task()
def item_export_task(*, job_id: int) -> None:
    item_export_run(job_id=job_id)
