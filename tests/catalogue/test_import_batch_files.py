"""Every import that records a batch keeps the file it read, in the database, with its original
name and content type; the batch's page gives it back to those who may see the batch (issue 13)
and the batch list shows the user's background imports and exports."""

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from catalogue.importing import StalePlan, messages
from catalogue.models import DepartmentMembership, ImportBatch, ImportFile, ImportJob
from catalogue.roles import DEPARTMENT_STAFF
from catalogue.services import importing as importing_service
from catalogue.services.importing import items_import
from tests.catalogue.importing_support import valid_row, xlsx_bytes
from tests.factories import ServiceItemFactory, UserFactory

pytestmark = pytest.mark.usefixtures("department", "other_department", "sector")

IMPORT_URL = reverse("admin:catalogue_serviceitem_import")
CONFIRM_URL = reverse("admin:catalogue_serviceitem_process_import")
BATCHES_URL = reverse("admin:catalogue_importbatch_changelist")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def staff_client(client, dept_staff):
    client.force_login(dept_staff)
    client.user = dept_staff
    return client


@pytest.fixture
def other_staff_client(roles, other_department):
    """Department staff of the other department."""
    user = UserFactory(username="other_staff", groups=[roles[DEPARTMENT_STAFF]])
    DepartmentMembership.objects.create(user=user, department=other_department)
    other = Client()
    other.force_login(user)
    return other


def batch_url(batch, name="change"):
    return reverse(f"admin:catalogue_importbatch_{name}", args=[batch.pk])


def import_in_admin(client, rows, *, name="住建局三月.xlsx", content_type=XLSX) -> bytes:
    data = xlsx_bytes(rows)
    preview = client.post(
        IMPORT_URL, {"import_file": SimpleUploadedFile(name, data, content_type=content_type)}
    )
    form = preview.context["confirm_form"]
    client.post(CONFIRM_URL, {name: form.initial[name] for name in ("token", "file_hash")})
    return data


def test_an_import_in_the_admin_keeps_the_uploaded_file_with_its_batch(staff_client):
    client = staff_client
    data = import_in_admin(client, [valid_row(实施编码="A")])

    batch = ImportBatch.objects.select_related("upload").get()
    assert (batch.upload.file_name, batch.upload.content_type) == ("住建局三月.xlsx", XLSX)
    assert (bytes(batch.upload.data), batch.upload.size) == (data, len(data))
    assert batch.upload.user == client.user


def test_the_batch_page_offers_the_uploaded_file_as_it_arrived(staff_client):
    client = staff_client
    data = import_in_admin(client, [valid_row(实施编码="A")], content_type="application/x-foo")
    batch = ImportBatch.objects.get()

    page = client.get(batch_url(batch)).content.decode()
    download = client.get(batch_url(batch, "upload"))

    assert f'href="{batch_url(batch, "upload")}"' in page
    assert "下载 住建局三月.xlsx" in page
    assert download.content == data
    assert download["Content-Type"] == "application/x-foo"
    assert download["Content-Disposition"] == "attachment; filename*=utf-8''" + quote(
        "住建局三月.xlsx"
    )


def test_department_staff_get_no_file_of_a_batch_they_may_not_see(
    staff_client, other_staff_client, centre_admin, client
):
    import_in_admin(staff_client, [valid_row(实施编码="A")])
    batch = ImportBatch.objects.get()

    assert other_staff_client.get(batch_url(batch, "upload")).status_code == 404
    client.force_login(centre_admin)  # sees every batch
    assert client.get(batch_url(batch, "upload")).status_code == 200


def test_a_batch_recorded_before_files_were_kept_says_so(admin_client, admin_user):
    batch = ImportBatch.objects.create(file_name="旧.xlsx", user=admin_user)

    page = admin_client.get(batch_url(batch)).content.decode()

    assert "本批次在保存上传文件之前导入" in page
    assert admin_client.get(batch_url(batch, "upload")).status_code == 404


def test_an_import_from_the_command_line_keeps_the_file_with_its_batch(tmp_path):
    path = tmp_path / "民政局.xlsx"
    path.write_bytes(xlsx_bytes([valid_row(实施编码="A")]))

    call_command("import_items", str(path))

    upload = ImportBatch.objects.get().upload
    assert (upload.file_name, upload.content_type, upload.user) == ("民政局.xlsx", XLSX, None)
    assert bytes(upload.data) == path.read_bytes()


def test_a_command_line_import_that_writes_nothing_keeps_no_file(tmp_path):
    path = tmp_path / "items.xlsx"
    path.write_bytes(xlsx_bytes([valid_row(实施编码="A", 事项类型="无")]))

    with pytest.raises(CommandError):
        call_command("import_items", str(path))

    assert not ImportFile.objects.exists()


def test_a_dry_run_keeps_no_file(tmp_path):
    path = tmp_path / "items.xlsx"
    path.write_bytes(xlsx_bytes([valid_row(实施编码="A")]))

    call_command("import_items", str(path), "--dry-run")

    assert not ImportFile.objects.exists()


def _code_taken_after_the_check(monkeypatch, department, sector, code):
    """Another import takes `code` between this import's check and its write."""
    check = importing_service.items_import_plan

    def check_then_race(**kwargs):
        plan = check(**kwargs)
        ServiceItemFactory(code=code, department=department, sector=sector)
        return plan

    monkeypatch.setattr(importing_service, "items_import_plan", check_then_race)


def test_the_import_service_keeps_the_file_with_the_batch_it_writes(dept_staff):
    data = xlsx_bytes([valid_row(实施编码="A")])

    result = items_import(
        file=data, user=dept_staff, file_name="住建局.xlsx", keep_file=True, content_type=XLSX
    )

    assert result.written
    upload = ImportBatch.objects.get().upload
    assert (upload.file_name, upload.content_type, upload.user) == ("住建局.xlsx", XLSX, dept_staff)
    assert (bytes(upload.data), upload.size) == (data, len(data))


@pytest.mark.parametrize("dry_run", [False, True], ids=["errors", "dry-run"])
def test_the_import_service_keeps_no_file_when_nothing_is_written(dry_run):
    row = valid_row(实施编码="A") if dry_run else valid_row(实施编码="A", 事项类型="无")

    result = items_import(file=xlsx_bytes([row]), keep_file=True, dry_run=dry_run)

    assert not result.written
    assert not ImportFile.objects.exists()


def test_the_import_service_keeps_no_file_when_the_write_is_refused(
    monkeypatch, department, sector
):
    _code_taken_after_the_check(monkeypatch, department, sector, "A")

    with pytest.raises(StalePlan) as refused:
        items_import(file=xlsx_bytes([valid_row(实施编码="A")]), keep_file=True)

    assert str(refused.value.message) == str(messages.NEW_CODES_TAKEN.format(codes="A"))
    assert not ImportFile.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_command_line_import_refused_at_the_write_keeps_no_file(
    tmp_path, monkeypatch, department, sector
):
    path = tmp_path / "items.xlsx"
    path.write_bytes(xlsx_bytes([valid_row(实施编码="A")]))
    _code_taken_after_the_check(monkeypatch, department, sector, "A")

    with pytest.raises(CommandError, match="已被"):
        call_command("import_items", str(path))

    assert not ImportFile.objects.exists()


def test_an_import_of_rows_without_a_file_records_a_batch_without_one():
    items_import(rows=[valid_row(实施编码="A")], file_name="rows")

    assert ImportBatch.objects.get().upload is None


def test_the_batch_list_shows_the_users_background_imports_and_exports(admin_client, settings):
    settings.IMPORT_BACKGROUND_ROWS = 2
    data = xlsx_bytes([valid_row(实施编码="A"), valid_row(实施编码="B")])
    admin_client.post(IMPORT_URL, {"import_file": SimpleUploadedFile("大.xlsx", data)})
    job = ImportJob.objects.get()

    page = admin_client.get(BATCHES_URL).content.decode()

    assert 'id="background-jobs"' in page
    job_url = reverse("admin:catalogue_serviceitem_import_job", args=[job.pk])
    assert f'<a href="{job_url}">大.xlsx</a>' in page


def test_a_preview_with_errors_keeps_no_file(admin_client):
    data = xlsx_bytes([valid_row(实施编码="A", 事项类型="无")])

    preview = admin_client.post(IMPORT_URL, {"import_file": SimpleUploadedFile("错.xlsx", data)})

    assert preview.context["counts"]["error"] == 1
    assert not ImportFile.objects.exists()


def test_the_batch_links_to_its_background_job_for_its_user_only(
    admin_client, settings, centre_admin, client
):
    settings.IMPORT_BACKGROUND_ROWS = 2
    data = xlsx_bytes([valid_row(实施编码="A"), valid_row(实施编码="B")])
    admin_client.post(IMPORT_URL, {"import_file": SimpleUploadedFile("大.xlsx", data)})
    job = ImportJob.objects.get()
    page = admin_client.get(reverse("admin:catalogue_serviceitem_import_job", args=[job.pk]))
    form = page.context["confirm_form"]
    admin_client.post(
        CONFIRM_URL, {name: form.initial[name] for name in ("token", "file_hash", "job")}
    )
    batch = ImportBatch.objects.get()
    job_url = reverse("admin:catalogue_serviceitem_import_job", args=[job.pk])

    assert f'href="{job_url}"' in admin_client.get(batch_url(batch)).content.decode()
    client.force_login(centre_admin)
    others_page = client.get(batch_url(batch)).content.decode()
    assert f'href="{job_url}"' not in others_page
    assert f'href="{batch_url(batch, "upload")}"' in others_page
