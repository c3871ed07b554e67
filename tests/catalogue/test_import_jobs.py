"""Imports of files of IMPORT_BACKGROUND_ROWS rows or more are checked and written by the
background worker (tasks run at once in the tests): the request keeps the file and opens the
job's page, which shows the progress, then the preview with its choices, then the result; the
guarantees of the import in a request hold (all or nothing, checked at write time under lock,
confirmed once, permission and scope checked again). Smaller files are imported as before."""

import logging
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogue.importing import messages
from catalogue.models import (
    DepartmentMembership,
    ImportBatch,
    ImportFile,
    ImportJob,
    KeptImportPlan,
    ServiceItem,
)
from catalogue.roles import DEPARTMENT_STAFF
from catalogue.services import import_jobs
from catalogue.services.import_jobs import import_job_write
from catalogue.services.roles import roles_setup
from tests.catalogue.importing_support import DEPARTMENT, valid_row, xlsx_bytes
from tests.factories import ServiceItemFactory, UserFactory

pytestmark = pytest.mark.usefixtures("department", "other_department", "sector")

REAL = Path(__file__).parent / "files" / "real"
IMPORT_URL = reverse("admin:catalogue_serviceitem_import")
CONFIRM_URL = reverse("admin:catalogue_serviceitem_process_import")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def job_url(job, name=""):
    return reverse(f"admin:catalogue_serviceitem_import_job{name}", args=[job.pk])


def upload(client, rows, name="大文件.xlsx"):
    data = xlsx_bytes(rows)
    response = client.post(
        IMPORT_URL, {"import_file": SimpleUploadedFile(name, data, content_type=XLSX)}
    )
    response.uploaded = data
    return response


def confirm(client, page):
    form = page.context["confirm_form"]
    return client.post(
        CONFIRM_URL, {name: form.initial[name] for name in ("token", "file_hash", "job")}
    )


@pytest.fixture
def small_threshold(settings):
    settings.IMPORT_BACKGROUND_ROWS = 4  # the header and three rows
    return settings.IMPORT_BACKGROUND_ROWS


@pytest.fixture
def staff_client(client, department):
    roles_setup()
    staff = UserFactory(username="dept_staff", groups=[Group.objects.get(name=DEPARTMENT_STAFF)])
    DepartmentMembership.objects.create(user=staff, department=department)
    client.force_login(staff)
    client.user = staff
    return client


def test_an_import_below_the_size_is_checked_in_the_request(admin_client, small_threshold):
    response = upload(admin_client, [valid_row(实施编码=f"S{n}") for n in range(2)])

    assert response.status_code == 200
    assert response.context["counts"]["new"] == 2
    assert not ImportJob.objects.exists()


def test_an_import_of_the_size_is_checked_in_the_background_and_its_page_previews_it(
    admin_client, admin_user, small_threshold
):
    rows = [valid_row(实施编码=f"B{n}") for n in range(3)]

    response = upload(admin_client, rows)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    assert (job.user, job.status, job.total_rows) == (admin_user, "checked", 3)
    assert (job.rows_read, job.rows_checked, job.rows_to_write, job.rows_written) == (3, 3, 3, 0)
    assert job.upload.data == response.uploaded
    assert KeptImportPlan.objects.get(token=job.plan_token).upload == job.upload
    page = admin_client.get(job_url(job))
    html = page.content.decode()
    assert page.context["counts"]["new"] == 3
    assert page.context["confirm_form"].initial["job"] == job.pk
    assert 'src="/static/js/admin/import_job.js"' in html
    assert f'data-status-url="{job_url(job, "_status")}"' in html
    assert 'data-active="false"' in html
    assert not ServiceItem.objects.exists()


def test_the_confirm_of_a_background_import_is_written_by_the_worker_with_its_batch(
    admin_client, admin_user, small_threshold
):
    upload(admin_client, [valid_row(实施编码=f"B{n}") for n in range(3)])
    job = ImportJob.objects.get()

    response = confirm(admin_client, admin_client.get(job_url(job)))

    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    job.refresh_from_db()
    batch = ImportBatch.objects.get()
    assert (job.status, job.batch, job.rows_written) == ("done", batch, 3)
    assert job.message == messages.WRITTEN.format(new=3, update=0, unchanged=0)
    assert (batch.user, batch.upload, batch.created_count) == (admin_user, job.upload, 3)
    assert sorted(ServiceItem.objects.values_list("code", flat=True)) == ["B0", "B1", "B2"]
    page = admin_client.get(job_url(job)).content.decode()
    assert reverse("admin:catalogue_importbatch_change", args=[batch.pk]) in page
    assert not KeptImportPlan.objects.get(token=job.plan_token).plan  # claimed


def test_the_status_endpoint_tells_the_rows_read_checked_and_written(admin_client, small_threshold):
    upload(admin_client, [valid_row(实施编码=f"B{n}") for n in range(3)])
    job = ImportJob.objects.get()

    status = admin_client.get(job_url(job, "_status")).json()

    assert status == {
        "status": "checked",
        "status_label": "已检查，等待确认",
        "active": False,
        "total_rows": 3,
        "rows_read": 3,
        "rows_checked": 3,
        "rows_to_write": 3,
        "rows_written": 0,
        "message": "共 3 行：新增 3 行，更新 0 行，无变化 0 行，错误 0 行。",
    }


def test_the_check_records_the_rows_read_while_it_reads(admin_client, settings, monkeypatch):
    settings.IMPORT_BACKGROUND_ROWS = 4
    monkeypatch.setattr("catalogue.services.importing.PROGRESS_EVERY_ROWS", 2)
    real, seen = import_jobs.items_import_plan, []

    def observed(*, progress, **kwargs):
        def recording(rows):
            progress(rows)
            seen.append(ImportJob.objects.values_list("status", "rows_read", "rows_checked").get())

        return real(progress=recording, **kwargs)

    monkeypatch.setattr(import_jobs, "items_import_plan", observed)

    upload(admin_client, [valid_row(实施编码=f"B{n}") for n in range(5)])

    # Checked 2,000 rows at a time: none yet at 2 and 4 rows read.
    assert seen == [("checking", 2, 0), ("checking", 4, 0)]
    assert ImportJob.objects.values_list("rows_read", "rows_checked").get() == (5, 5)


def test_a_background_import_with_errors_offers_the_failed_rows_and_no_confirmation(
    admin_client, small_threshold
):
    upload(
        admin_client, [valid_row(实施编码=f"B{n}") for n in range(2)] + [valid_row(事项类型="无")]
    )
    job = ImportJob.objects.get()

    page = admin_client.get(job_url(job))

    assert page.context["counts"]["error"] == 1
    assert page.context["confirm_form"] is None
    errors = admin_client.get(page.context["errors_url"])
    assert errors["Content-Disposition"].startswith("attachment")
    assert (
        "大文件-错误行.xlsx" in errors["Content-Disposition"]
        or "filename*" in errors["Content-Disposition"]
    )


def test_a_background_import_is_confirmed_once(admin_client, small_threshold):
    upload(admin_client, [valid_row(实施编码=f"B{n}") for n in range(3)])
    job = ImportJob.objects.get()
    page = admin_client.get(job_url(job))

    confirm(admin_client, page)
    again = admin_client.post(
        CONFIRM_URL,
        {
            name: page.context["confirm_form"].initial[name]
            for name in ("token", "file_hash", "job")
        },
        follow=True,
    )

    assert str(messages.JOB_NOT_WAITING) in again.content.decode()
    assert ImportBatch.objects.count() == 1
    assert ServiceItem.objects.count() == 3


def test_a_background_plan_is_checked_against_the_catalogue_when_it_is_written(
    admin_client, small_threshold, department
):
    upload(admin_client, [valid_row(实施编码=f"B{n}") for n in range(3)])
    job = ImportJob.objects.get()
    page = admin_client.get(job_url(job))
    ServiceItemFactory(code="B1", department=department)  # taken after the check

    confirm(admin_client, page)

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message == messages.NEW_CODES_TAKEN.format(codes="B1")
    assert ServiceItem.objects.count() == 1
    assert not ImportBatch.objects.exists()
    page = admin_client.get(job_url(job)).content.decode()
    assert job.message in page
    assert admin_client.get(job_url(job, "_file")).content == job.upload.data  # not lost


def _written_later(client, rows):
    """A job checked and confirmed, whose write the worker has not run yet."""
    upload(client, rows)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.WRITE_QUEUED)
    return job


def test_the_write_checks_the_permission_again(staff_client, small_threshold):
    job = _written_later(staff_client, [valid_row(实施编码=f"B{n}") for n in range(3)])
    staff_client.user.groups.clear()

    import_job_write(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", messages.NO_IMPORT_PERMISSION)
    assert not ServiceItem.objects.exists()


def test_the_write_checks_the_department_scope_again(staff_client, small_threshold, department):
    job = _written_later(staff_client, [valid_row(实施编码=f"B{n}") for n in range(3)])
    DepartmentMembership.objects.filter(user=staff_client.user).delete()

    import_job_write(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.message) == (
        "failed",
        messages.SCOPE_CHANGED.format(departments=department.name),
    )
    assert not ServiceItem.objects.exists()


def test_the_check_scopes_the_rows_to_the_users_departments(staff_client, small_threshold):
    upload(
        staff_client,
        [valid_row(实施编码=f"B{n}") for n in range(2)]
        + [valid_row(实施主体="深圳市光明区民政局")],
    )

    page = staff_client.get(job_url(ImportJob.objects.get()))

    assert page.context["counts"]["error"] == 1
    assert messages.DEPARTMENT_NOT_ALLOWED.format(allowed=DEPARTMENT) in page.content.decode()


def test_an_unexpected_failure_in_the_worker_ends_in_a_message_and_keeps_the_file(
    admin_client, small_threshold, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(import_jobs, "items_import_plan", broken)

    with caplog.at_level(logging.ERROR, logger="catalogue.services.import_jobs"):
        upload(admin_client, [valid_row(实施编码=f"B{n}") for n in range(3)])

    job = ImportJob.objects.get()
    assert (job.status, job.message) == ("failed", messages.BACKGROUND_FAILED)
    assert "Checking import job" in caplog.text and "RuntimeError: a bug" in caplog.text
    page = admin_client.get(job_url(job)).content.decode()
    assert str(messages.BACKGROUND_FAILED) in page
    download = admin_client.get(job_url(job, "_file"))
    assert download.content == job.upload.data
    assert download["Content-Type"] == XLSX


def test_a_file_refused_in_the_background_says_why(admin_client, settings):
    settings.IMPORT_BACKGROUND_ROWS = 1  # the header alone

    upload(admin_client, [])

    job = ImportJob.objects.get()
    assert (job.status, job.message) == ("failed", messages.NO_ROWS)


def test_a_column_to_place_is_asked_on_the_jobs_page_then_checked_again(admin_client, settings):
    settings.IMPORT_BACKGROUND_ROWS = 2
    data = (REAL / "column_resembling_an_element.openpyxl.xlsx").read_bytes()
    admin_client.post(IMPORT_URL, {"import_file": SimpleUploadedFile("列.xlsx", data)})
    job = ImportJob.objects.get()
    assert job.status == "choosing"

    page = admin_client.get(job_url(job))
    assert page.context["choice_form"].fields["column_0"].label == "办结时限"
    assert f'action="{job_url(job)}"' in page.content.decode()
    admin_client.post(job_url(job), {"upload": str(job.pk), "column_0": "promised_limit"})

    job.refresh_from_db()
    assert (job.status, job.mapping, job.choices_needed) == (
        "checked",
        {"办结时限": "promised_limit"},
        {},
    )
    confirm(admin_client, admin_client.get(job_url(job)))
    assert ServiceItem.objects.get(code="R-01").promised_limit == 7


def test_another_user_finds_no_background_import(admin_client, client, small_threshold):
    upload(admin_client, [valid_row(实施编码=f"B{n}") for n in range(3)])
    job = ImportJob.objects.get()
    roles_setup()
    other = UserFactory(username="other", groups=[Group.objects.get(name=DEPARTMENT_STAFF)])
    client.force_login(other)

    for name in ("", "_status", "_file"):
        assert client.get(job_url(job, name)).status_code == 404


def test_files_nothing_refers_to_are_forgotten_after_the_plans_lifetime(
    admin_client, small_threshold
):
    from datetime import timedelta

    from django.utils import timezone

    upload(admin_client, [valid_row(实施编码="S0")], name="小.xlsx")  # in the request
    kept = ImportFile.objects.get()
    KeptImportPlan.objects.all().delete()
    ImportFile.objects.filter(pk=kept.pk).update(uploaded_at=timezone.now() - timedelta(hours=3))

    upload(admin_client, [valid_row(实施编码="S1")], name="下一个.xlsx")

    assert list(ImportFile.objects.values_list("file_name", flat=True)) == ["下一个.xlsx"]


def test_the_status_endpoint_reads_the_job_without_its_file(admin_client, small_threshold):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    upload(admin_client, [valid_row(实施编码=f"B{n}") for n in range(3)])
    job = ImportJob.objects.get()

    with CaptureQueriesContext(connection) as queries:
        admin_client.get(job_url(job, "_status"))

    # session; user; the job with its file's name (not its bytes)
    assert len(queries) == 3
    assert not any('"data"' in query["sql"] for query in queries)


def test_the_import_page_says_from_which_size_files_go_to_the_background(admin_client, settings):
    settings.IMPORT_BACKGROUND_ROWS = 20_000

    page = admin_client.get(IMPORT_URL).content.decode()

    assert "20000 行及以上的文件由后台检查和写入" in page
    assert f'<a href="{reverse("admin:catalogue_importbatch_changelist")}">导入批次</a>' in page
