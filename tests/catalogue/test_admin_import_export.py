"""The admin's import and export views (catalogue.admin_import_export): what they refuse and
what they say when a choice, a kept plan or a background job is not what the request expects.
The import's flow itself is in test_import_admin.py, test_importing_choices.py and
test_import_jobs.py."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogue.importing import messages
from catalogue.importing import plan as plan_module
from catalogue.models import ExportJob, ImportFile, ImportJob, KeptImportPlan, ServiceItem
from tests.catalogue.importing_support import valid_row, xlsx_bytes

pytestmark = pytest.mark.usefixtures("department", "other_department", "sector")

REAL = Path(__file__).parent / "files" / "real"
IMPORT_URL = reverse("admin:catalogue_serviceitem_import")
CONFIRM_URL = reverse("admin:catalogue_serviceitem_process_import")


def _post_file(client, data, name="部门事项.xlsx"):
    return client.post(IMPORT_URL, {"import_file": SimpleUploadedFile(name, data)})


def _choose(client, page, **choices):
    form = page.context["choice_form"]
    data = {name: form[name].value() or "" for name in ("upload", "headers", "chosen")}
    return client.post(IMPORT_URL, {**data, **choices})


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _job_url(job, name=""):
    return reverse(f"admin:catalogue_serviceitem_import_job{name}", args=[job.pk])


def _renamed(row: dict, old: str, new: str) -> dict:
    return {new if header == old else header: value for header, value in row.items()}


def _workbook(sheets: dict[str, list[dict]]) -> bytes:
    """A workbook of one sheet per name, each a header row (the rows' keys) and the rows."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        headers = list(rows[0])
        sheet.append(headers)
        for row in rows:
            sheet.append([row[header] for header in headers])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


# --- an import checked in the request ---


def test_a_file_over_the_size_limit_is_refused_by_the_upload_form(admin_client, settings):
    data = xlsx_bytes([valid_row()])
    settings.IMPORT_MAX_FILE_SIZE = len(data) - 1

    response = _post_file(admin_client, data)

    assert response.status_code == 200
    (error,) = response.context["form"].errors["import_file"]
    assert error.startswith("文件过大（") and error.endswith("请拆分后分批导入。")
    assert not ImportFile.objects.exists() and not KeptImportPlan.objects.exists()


@pytest.mark.parametrize("field", ["upload", "headers"])
def test_choices_for_an_upload_that_is_gone_or_garbled_say_the_preview_expired(admin_client, field):
    page = _post_file(
        admin_client, (REAL / "column_resembling_an_element.openpyxl.xlsx").read_bytes()
    )
    form = page.context["choice_form"]
    data = {name: form[name].value() or "" for name in ("upload", "headers", "chosen")}
    data[field] = "不是这个" if field == "upload" else "{not json"

    response = admin_client.post(IMPORT_URL, {**data, "column_0": "promised_limit"}, follow=True)

    assert response.redirect_chain == [(IMPORT_URL, 302)]
    assert _messages(response) == [str(messages.PLAN_EXPIRED)]
    assert not ServiceItem.objects.exists()


def test_a_choice_that_is_no_element_is_asked_again_with_its_error(admin_client):
    page = _post_file(
        admin_client, (REAL / "column_resembling_an_element.openpyxl.xlsx").read_bytes()
    )

    again = _choose(admin_client, page, column_0="no_such_field")

    form = again.context["choice_form"]
    assert form.errors["column_0"] and form.fields["column_0"].label == "办结时限"
    assert not KeptImportPlan.objects.exists()


def test_after_the_sheet_is_chosen_its_unplaced_columns_are_asked_for_then_previewed(admin_client):
    row = valid_row(实施编码="S-2")
    data = _workbook(
        {"甲": [valid_row(实施编码="S-1")], "乙": [_renamed(row, "事项名称", "事项的名称")]}
    )
    page = _post_file(admin_client, data)
    assert page.context["choice_form"].fields["sheet"]

    again = _choose(admin_client, page, sheet="乙")

    # Asked for the sheet's column, not yet refused for it; the chosen sheet is kept.
    form = again.context["choice_form"]
    assert list(form.fields) == ["upload", "headers", "chosen", "column_0"]
    assert form.fields["column_0"].label == "事项的名称"
    assert not form.errors
    preview = _choose(admin_client, again, column_0="name")
    assert preview.context["plan"].sheet_name == "乙"
    assert [row.code for row in preview.context["plan"].rows] == ["S-2"]


def test_a_required_column_set_aside_is_refused_on_the_upload_page(admin_client):
    row = _renamed(valid_row(), "事项名称", "事项的名称")
    page = _post_file(admin_client, xlsx_bytes([row], headers=list(row)))

    response = _choose(admin_client, page, column_0="-")

    (error,) = response.context["form"].errors["import_file"]
    assert "事项名称" in error
    assert "choice_form" not in response.context
    assert not KeptImportPlan.objects.exists()


def test_a_preview_whose_checking_stopped_early_says_from_which_row(admin_client, monkeypatch):
    monkeypatch.setattr(plan_module, "MAX_ERROR_ROWS", 2)
    monkeypatch.setattr(plan_module, "CHUNK_ROWS", 2)
    rows = [valid_row(实施编码=f"C{n}", 办件类型="马上办") for n in range(5)]

    preview = _post_file(admin_client, xlsx_bytes(rows))

    assert _messages(preview) == [str(messages.TOO_MANY_ERROR_ROWS.format(count=2, row=4))]
    assert preview.context["confirm_form"] is None


def test_the_failed_rows_of_a_plan_that_is_gone_say_the_preview_expired(admin_client):
    url = reverse("admin:catalogue_serviceitem_import_errors", args=["不存在的预览"])

    response = admin_client.get(url, follow=True)

    assert response.redirect_chain == [(IMPORT_URL, 302)]
    assert _messages(response) == [str(messages.PLAN_EXPIRED)]


def test_who_may_not_import_gets_no_failed_rows(client, supervisor, admin_client):
    preview = _post_file(admin_client, xlsx_bytes([valid_row(办件类型="马上办")]))
    client.force_login(supervisor)

    assert client.get(preview.context["errors_url"]).status_code == 403


# --- a background import ---


@pytest.fixture
def checked_job(admin_client, settings):
    """A background import of three rows, checked and waiting for its confirmation."""
    settings.IMPORT_BACKGROUND_ROWS = 4
    _post_file(admin_client, xlsx_bytes([valid_row(实施编码=f"B{n}") for n in range(3)]))
    return ImportJob.objects.get(status=ImportJob.Status.CHECKED)


def test_confirming_a_job_that_is_not_the_users_says_the_preview_expired(admin_client, checked_job):
    response = admin_client.post(
        CONFIRM_URL,
        {"token": "另一个", "file_hash": checked_job.upload.sha256, "job": checked_job.pk},
        follow=True,
    )

    assert response.redirect_chain == [(IMPORT_URL, 302)]
    assert _messages(response) == [str(messages.PLAN_EXPIRED)]
    checked_job.refresh_from_db()
    assert checked_job.status == ImportJob.Status.CHECKED


def test_confirming_a_job_with_another_files_hash_is_refused(admin_client, checked_job):
    response = admin_client.post(
        CONFIRM_URL,
        {"token": checked_job.plan_token, "file_hash": "0" * 64, "job": checked_job.pk},
        follow=True,
    )

    assert response.redirect_chain == [(_job_url(checked_job), 302)]
    assert str(messages.PLAN_EXPIRED) in _messages(response)
    checked_job.refresh_from_db()
    assert checked_job.status == ImportJob.Status.CHECKED
    assert not ServiceItem.objects.exists()


def test_a_checked_job_whose_plan_is_gone_says_so_and_offers_no_confirmation(
    admin_client, checked_job
):
    KeptImportPlan.objects.all().delete()

    page = admin_client.get(_job_url(checked_job))

    assert _messages(page) == [str(messages.PLAN_EXPIRED)]
    assert "confirm_form" not in page.context


def test_a_job_whose_checking_stopped_early_says_from_which_row(
    admin_client, settings, monkeypatch
):
    settings.IMPORT_BACKGROUND_ROWS = 4
    monkeypatch.setattr(plan_module, "MAX_ERROR_ROWS", 2)
    monkeypatch.setattr(plan_module, "CHUNK_ROWS", 2)
    rows = [valid_row(实施编码=f"C{n}", 办件类型="马上办") for n in range(5)]
    _post_file(admin_client, xlsx_bytes(rows))

    page = admin_client.get(_job_url(ImportJob.objects.get()))

    assert _messages(page) == [str(messages.TOO_MANY_ERROR_ROWS.format(count=2, row=4))]
    assert page.context["confirm_form"] is None


def test_choices_posted_to_a_job_not_waiting_for_them_are_refused(admin_client, checked_job):
    response = admin_client.post(
        _job_url(checked_job), {"upload": str(checked_job.pk), "column_0": "name"}, follow=True
    )

    assert response.redirect_chain == [(_job_url(checked_job), 302)]
    assert str(messages.JOB_NOT_WAITING) in _messages(response)
    checked_job.refresh_from_db()
    assert checked_job.status == ImportJob.Status.CHECKED


def test_a_jobs_choice_that_is_no_element_is_asked_again_with_its_error(admin_client, settings):
    settings.IMPORT_BACKGROUND_ROWS = 2
    data = (REAL / "column_resembling_an_element.openpyxl.xlsx").read_bytes()
    _post_file(admin_client, data)
    job = ImportJob.objects.get(status=ImportJob.Status.CHOOSING)

    page = admin_client.post(_job_url(job), {"upload": str(job.pk), "column_0": "no_such_field"})

    assert page.status_code == 200
    assert page.context["choice_form"].errors["column_0"]
    job.refresh_from_db()
    assert (job.status, job.mapping) == (ImportJob.Status.CHOOSING, {})


def test_who_may_not_import_sees_no_import_job(client, supervisor, checked_job):
    client.force_login(supervisor)

    for name in ("", "_status", "_file"):
        assert client.get(_job_url(checked_job, name)).status_code == 403


def test_who_may_not_export_sees_no_export_job(client, dept_staff, admin_user):
    job = ExportJob.objects.create(
        user=admin_user, file_name="实施清单.xlsx", file_format="xlsx", selection=b"", total_rows=1
    )
    dept_staff.groups.clear()  # the export permission comes with the role
    client.force_login(dept_staff)

    url = reverse("admin:catalogue_serviceitem_export_job", args=[job.pk])
    assert client.get(url).status_code == 403
