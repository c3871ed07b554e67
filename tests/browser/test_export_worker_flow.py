"""A large item export end to end in a real browser with a real worker: the export page hands
it to the task queue, the job page shows the rows written without reloading, and offers the
file when the worker (`manage.py db_worker`, another process) has written it."""

import io

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.factories import DepartmentFactory, ServiceItemFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a worker in another process needs a database server (the SQLite test database "
        "is in memory)",
    ),
]

ITEMS = 30


@pytest.fixture
def worker(start_worker):
    start_worker()


def test_a_large_export_is_written_by_the_worker_and_offered_on_its_page(
    open_page, live_server, admin_user, settings, worker, tmp_path
):
    department = DepartmentFactory(name="深圳市光明区住房和建设局")
    for number in range(ITEMS):
        ServiceItemFactory(code=f"W-{number:03d}", department=department)
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.EXPORT_BACKGROUND_MIN_ROWS = 10
    browser = open_page(user=admin_user)
    page = browser.page

    page.goto(live_server.url + reverse("admin:catalogue_serviceitem_export"))
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/catalogue/serviceitem/export/*/")
    page.wait_for_selector("#export-file:not([hidden])", timeout=60_000)

    assert page.text_content("#export-message") == f"已写入 {ITEMS} / {ITEMS} 个事项。"
    assert page.text_content("#export-status") == "已完成"
    assert page.eval_on_selector("#export-progress", "p => [p.value, p.max]") == [ITEMS, ITEMS]
    with page.expect_download() as download:
        page.click("#export-file")
    path = tmp_path / "export.xlsx"
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes())).worksheets[0]
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(codes) == [f"W-{number:03d}" for number in range(ITEMS)]
    assert browser.errors == []
    # Run by the worker process, not in the request.
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.status) == ("catalogue.tasks.item_export_task", "SUCCESSFUL")
    assert len(task.worker_ids) == 1
