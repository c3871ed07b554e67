"""Item exports of EXPORT_BACKGROUND_MIN_ROWS items or more are written by a background task
(run at once in the tests), shown with their progress and offered when done; smaller ones are
answered in the request as before."""

import io
import pickle

import openpyxl
import pytest
from django.db import IntegrityError
from django.urls import reverse

from catalogue import exporting
from catalogue.models import ExportJob, ServiceItem
from catalogue.services.exports import item_export_run
from tests.factories import DepartmentFactory, ServiceItemFactory, UserFactory

pytestmark = pytest.mark.django_db

EXPORT_URL = reverse("admin:catalogue_serviceitem_export")
CHANGELIST_URL = reverse("admin:catalogue_serviceitem_changelist")


def job_url(name, job):
    return reverse(f"admin:catalogue_serviceitem_export_job{name}", args=[job.pk])


def sheet_codes(data):
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


def queued_job(user, file_format, queryset) -> ExportJob:
    return ExportJob.objects.create(
        user=user,
        file_name=f"实施清单.{file_format}",
        file_format=file_format,
        selection=pickle.dumps(queryset.query),
        total_rows=queryset.count(),
    )


@pytest.fixture
def three_items(db):
    department = DepartmentFactory(name="深圳市光明区住房和建设局")
    return [ServiceItemFactory(code=f"BG-{n}", department=department) for n in range(3)]


def test_an_export_below_the_size_is_answered_in_the_request(admin_client, settings, three_items):
    settings.EXPORT_BACKGROUND_MIN_ROWS = 4

    response = admin_client.post(EXPORT_URL, {"format": "0"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert sorted(sheet_codes(response.content)) == ["BG-0", "BG-1", "BG-2"]
    assert not ExportJob.objects.exists()


def test_an_export_of_the_size_runs_as_a_task_and_its_page_offers_the_file(
    admin_client, admin_user, settings, three_items
):
    settings.EXPORT_BACKGROUND_MIN_ROWS = 3

    response = admin_client.post(EXPORT_URL, {"format": "0"})

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job_url("", job)
    assert (job.user, job.status, job.total_rows, job.rows_written) == (admin_user, "done", 3, 3)
    page = admin_client.get(job_url("", job)).content.decode()
    assert f'href="{job_url("_file", job)}"' in page
    assert 'src="/static/js/admin/export_job.js"' in page
    download = admin_client.get(job_url("_file", job))
    assert download["Content-Disposition"].startswith("attachment")
    assert sorted(sheet_codes(download.content)) == ["BG-0", "BG-1", "BG-2"]


def test_the_status_endpoint_tells_the_rows_written_and_the_file_when_done(
    admin_client, settings, three_items
):
    settings.EXPORT_BACKGROUND_MIN_ROWS = 1
    admin_client.post(EXPORT_URL, {"format": "1"})
    job = ExportJob.objects.get()

    status = admin_client.get(job_url("_status", job)).json()

    assert status == {
        "status": "done",
        "status_label": "已完成",
        "rows_written": 3,
        "total_rows": 3,
        "message": "已写入 3 / 3 个事项。",
        "file_url": job_url("_file", job),
    }
    csv_text = admin_client.get(job_url("_file", job)).content.decode("utf-8-sig")
    assert csv_text.count("BG-") == 3


def test_a_queued_export_offers_no_file_yet(admin_client, admin_user, three_items):
    job = queued_job(admin_user, "xlsx", ServiceItem.objects.all())

    status = admin_client.get(job_url("_status", job)).json()

    assert (status["status"], status["rows_written"], status["file_url"]) == ("queued", 0, None)
    assert admin_client.get(job_url("_file", job)).status_code == 404
    assert 'id="export-file" href="" hidden' in admin_client.get(job_url("", job)).content.decode()


def test_the_task_exports_the_filtered_selection_of_the_changelist(
    admin_client, settings, three_items
):
    settings.EXPORT_BACKGROUND_MIN_ROWS = 1

    admin_client.post(f"{EXPORT_URL}?q=BG-1", {"format": "0"})

    job = ExportJob.objects.get()
    assert job.total_rows == 1
    assert sheet_codes(bytes(job.content)) == ["BG-1"]


def test_department_staff_background_export_holds_only_their_items(
    client, settings, dept_staff, own_item, other_item
):
    settings.EXPORT_BACKGROUND_MIN_ROWS = 1
    client.force_login(dept_staff)

    client.post(EXPORT_URL, {"format": "0"})

    assert sheet_codes(bytes(ExportJob.objects.get().content)) == [own_item.code]


def test_another_user_cannot_see_or_download_an_export(client, admin_client, settings, three_items):
    settings.EXPORT_BACKGROUND_MIN_ROWS = 1
    admin_client.post(EXPORT_URL, {"format": "0"})
    job = ExportJob.objects.get()
    client.force_login(UserFactory(is_superuser=True))

    for name in ("", "_status", "_file"):
        assert client.get(job_url(name, job)).status_code == 404


def test_progress_is_recorded_while_the_rows_are_written(
    admin_user, monkeypatch, django_assert_num_queries, three_items
):
    monkeypatch.setattr(exporting, "PROGRESS_EVERY", 1)
    job = queued_job(admin_user, "csv", ServiceItem.objects.order_by("code"))
    seen = []
    original = ExportJob.objects.filter

    def watching_filter(*args, **kwargs):
        seen.append(ExportJob.objects.values_list("rows_written", flat=True).get(pk=job.pk))
        return original(*args, **kwargs)

    monkeypatch.setattr(ExportJob.objects, "filter", watching_filter)

    item_export_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.rows_written) == ("done", 3)
    # Before: running, the first heartbeat, then after rows 1, 2, 3 and the final count; then
    # done.
    assert seen == [0, 0, 0, 1, 2, 3, 3]


def test_a_failed_export_is_marked_failed(admin_user, monkeypatch, three_items):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exporting, "export_xlsx_bytes", broken)
    job = queued_job(admin_user, "xlsx", ServiceItem.objects.all())

    with pytest.raises(OSError, match="disk full"):
        item_export_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.content, job.finished_at is not None) == ("failed", None, True)


def test_the_database_refuses_a_done_export_without_its_file(admin_user):
    with pytest.raises(IntegrityError):
        ExportJob.objects.create(
            user=admin_user,
            file_name="x.xlsx",
            file_format="xlsx",
            selection=b"",
            total_rows=0,
            status="done",
        )
