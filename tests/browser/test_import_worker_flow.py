"""A large import end to end in a real browser with a real worker (`manage.py db_worker`,
another process): the upload hands the file to the task queue and opens the job's page, which
shows the rows read, checked and written without reloading; the worker checks the file, the
page then shows the preview; the confirmation is written by the worker; the job's page leads to
the import batch, whose page gives back the uploaded file. Screenshots at 1440 px and 390 px."""

import pytest
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from catalogue.models import ImportBatch, ImportJob, ServiceItem
from tests.browser.test_accessibility import serious_violations
from tests.catalogue.importing_support import valid_row, xlsx_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a worker in another process needs a database server (the SQLite test database "
        "is in memory)",
    ),
]

ROWS = 2500


def _shoot(page, artifacts, name):
    """Screenshots of the page at 1440 px and at 390 px (a phone)."""
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})


def test_a_large_import_is_checked_and_written_by_the_worker(
    open_page,
    live_server,
    admin_user,
    department,
    sector,
    settings,
    start_worker,
    tmp_path,
    artifacts,
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.IMPORT_BACKGROUND_ROWS = 1000
    path = tmp_path / "全区事项.xlsx"
    path.write_bytes(xlsx_bytes([valid_row(实施编码=f"BG{number:05d}") for number in range(ROWS)]))
    browser = open_page(user=admin_user, width=1440)
    page = browser.page
    polled = []
    page.on(
        "response",
        lambda response: polled.append(response.url) if response.url.endswith("/status/") else None,
    )

    page.goto(live_server.url + reverse("admin:catalogue_serviceitem_import"))
    page.set_input_files("#id_import_file", str(path))
    page.click("#item-import-form input[type=submit]")
    page.wait_for_url("**/admin/catalogue/serviceitem/import/job/*/")
    job_page = page.url
    # No worker yet: the job waits, and its page says so.
    assert page.text_content("#import-job-status") == "排队等待检查"
    assert page.text_content("#import-job-read") == "0"
    _shoot(page, artifacts, "import-job-queued")
    assert serious_violations(page, live_server) == []
    page.evaluate("window.sameDocument = true")

    start_worker()
    # The page polls the status and, once the check is done, loads the preview.
    page.wait_for_selector("#import-confirm-form", timeout=120_000)
    assert polled, "the progress was polled"
    assert page.evaluate("window.sameDocument === undefined")  # loaded again for the preview
    assert page.text_content("#import-job-status") == "已检查，等待确认"
    assert page.text_content("#import-job-read") == str(ROWS)
    assert page.text_content("#import-job-checked") == str(ROWS)
    assert page.inner_text("#import-summary .count-new") == str(ROWS)
    _shoot(page, artifacts, "import-job-preview")

    page.click("#import-confirm-form input[type=submit]")
    page.wait_for_selector("#import-job-batch", timeout=120_000)
    assert page.url == job_page
    assert page.text_content("#import-job-status") == "已导入"
    assert page.text_content("#import-job-written") == str(ROWS)
    assert f"新增 {ROWS} 项" in page.text_content("#import-job-message")
    _shoot(page, artifacts, "import-job-done")
    assert serious_violations(page, live_server) == []

    page.click("#import-job-batch")
    page.wait_for_selector("#import-batch-upload")
    _shoot(page, artifacts, "import-batch")
    with page.expect_download() as download:
        page.click("#import-batch-upload")
    assert download.value.suggested_filename == "全区事项.xlsx"
    saved = tmp_path / "downloaded.xlsx"
    download.value.save_as(saved)
    assert saved.read_bytes() == path.read_bytes()
    page.goto(live_server.url + reverse("admin:catalogue_importbatch_changelist"))
    _shoot(page, artifacts, "import-batches")
    # axe-core's own inline styles are refused by the site's CSP; nothing else may fail.
    assert [error for error in browser.errors if "axe-core/axe.min.js" not in error] == []

    # Checked and written by the worker process, not in the requests.
    job = ImportJob.objects.get()
    assert (job.status, job.rows_written, job.batch) == ("done", ROWS, ImportBatch.objects.get())
    assert ServiceItem.objects.count() == ROWS
    tasks = DBTaskResult.objects.order_by("enqueued_at")
    assert [(task.task_path, task.status) for task in tasks] == [
        ("catalogue.tasks.item_import_check_task", "SUCCESSFUL"),
        ("catalogue.tasks.item_import_write_task", "SUCCESSFUL"),
    ]
