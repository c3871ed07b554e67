import inspect
import io
from datetime import timedelta

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from import_export.admin import ImportMixin

from catalogue import maintenance
from catalogue.importing import messages
from catalogue.importing.columns import HEADERS
from catalogue.models import (
    DepartmentMembership,
    ImportBatch,
    KeptImportPlan,
    MobileChannel,
    ServiceItem,
)
from catalogue.roles import DEPARTMENT_STAFF
from catalogue.services.roles import roles_setup
from tests.catalogue.importing_support import (
    DEPARTMENT,
    OTHER_DEPARTMENT,
    rows_insert_queries,
    valid_row,
    xlsx_bytes,
)
from tests.factories import ServiceItemFactory, UserFactory

pytestmark = pytest.mark.usefixtures("department", "other_department", "sector")

IMPORT_URL = reverse("admin:catalogue_serviceitem_import")
CONFIRM_URL = reverse("admin:catalogue_serviceitem_process_import")
EXPORT_URL = reverse("admin:catalogue_serviceitem_export")
TEMPLATE_URL = reverse("admin:catalogue_serviceitem_import_template")
CHANGELIST_URL = reverse("admin:catalogue_serviceitem_changelist")


def _upload(client, rows, name="部门事项.xlsx"):
    data = xlsx_bytes(rows)
    return client.post(IMPORT_URL, {"import_file": SimpleUploadedFile(name, data)})


def _confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(
        CONFIRM_URL, {"token": form.initial["token"], "file_hash": form.initial["file_hash"]}
    )


def _sheet_rows(data):
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_changelist_offers_import_export_and_template(admin_client):
    page = admin_client.get(CHANGELIST_URL).content.decode()

    assert IMPORT_URL in page and EXPORT_URL in page and TEMPLATE_URL in page
    assert "下载导入模板" in page


def test_template_downloads_as_xlsx_with_the_header_row_and_the_example_row(admin_client):
    response = admin_client.get(TEMPLATE_URL)

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    header, example = _sheet_rows(response.content)
    assert header == list(HEADERS)
    assert example[0].startswith("示例")  # skipped on import (issue 10)


def test_import_page_shows_the_upload_form(admin_client):
    response = admin_client.get(IMPORT_URL)

    assert response.status_code == 200
    assert "检查并预览" in response.content.decode()


def test_preview_then_confirm_writes_the_kept_plan(admin_client):
    preview = _upload(admin_client, [valid_row(实施编码="A"), valid_row(实施编码="B")])

    assert preview.context["counts"] == {"new": 2, "update": 0, "unchanged": 0, "error": 0}
    assert ServiceItem.objects.count() == 0  # the preview writes nothing
    response = _confirm(admin_client, preview)

    assert response.status_code == 302 and response["Location"] == CHANGELIST_URL
    assert set(ServiceItem.objects.values_list("code", flat=True)) == {"A", "B"}
    followed = admin_client.get(CHANGELIST_URL).content.decode()
    assert "导入完成：新增 2 项，更新 0 项，0 项无变化。" in followed


def test_preview_lists_updates_with_old_and_new_values_and_collapses_unchanged(
    admin_client,
):
    admin_client.post(  # import two items, then change one of them in the file
        CONFIRM_URL,
        _confirm_data(_upload(admin_client, [valid_row(实施编码="A"), valid_row(实施编码="B")])),
    )

    preview = _upload(
        admin_client, [valid_row(实施编码="A", 办理地点="新地点"), valid_row(实施编码="B")]
    )

    page = preview.content.decode()
    assert preview.context["counts"] == {"new": 0, "update": 1, "unchanged": 1, "error": 0}
    name, old = valid_row()["事项名称"], valid_row()["办理地点"]
    # Each changed cell old → new (issue 10), not only the changed column's name.
    assert (
        f'<tr class="row-update"><td>2</td><td>A</td><td>{name}</td>'
        f'<td><ul class="changes"><li>办理地点：{old} → 新地点</li></ul></td></tr>'
    ) in page
    assert '<details id="import-unchanged">' in page and "1 行无变化" in page


def _confirm_data(preview):
    form = preview.context["confirm_form"]
    return {"token": form.initial["token"], "file_hash": form.initial["file_hash"]}


def test_preview_shows_errors_in_chinese_and_offers_no_confirmation(admin_client):
    preview = _upload(admin_client, [valid_row(), valid_row(实施编码="B", 实施主体="住建局")])

    page = preview.content.decode()
    assert preview.context["confirm_form"] is None
    assert "文件有错误，未导入任何数据。请改正后重新导入。" in page
    assert "<td>3</td><td>B</td><td>实施主体</td><td>住建局</td>" in page
    assert "系统中没有这个实施主体" in page
    assert ServiceItem.objects.count() == 0


def test_failing_rows_download_as_xlsx_with_an_error_column(admin_client):
    preview = _upload(admin_client, [valid_row(), valid_row(实施编码="B", 办件类型="马上办")])

    response = admin_client.get(preview.context["errors_url"])

    rows = _sheet_rows(response.content)
    assert rows[0] == ["行号", *HEADERS, "错误"]
    assert len(rows) == 2
    assert rows[1][:3] == [3, "B", valid_row()["事项名称"]]
    assert rows[1][-1] == "第 3 行，“办件类型”：值“马上办”——不是可选值。可填：即办件、承诺件。"


def test_failing_rows_download_writes_markup_from_the_file_as_text(admin_client):
    injection = '<r><t>x</t></r></is></c><c r="D2"><f>1+1</f></c><c><is><r><t>y</t></r>'
    preview = _upload(admin_client, [valid_row(事项名称=injection, 办件类型="马上办")])

    response = admin_client.get(preview.context["errors_url"])

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["C2"].value == injection
    assert all(cell.data_type != "f" for cell in sheet[2])
    error_cell = sheet.cell(2, sheet.max_column)
    assert error_cell.value.startswith("第 2 行")
    assert (error_cell.font.color.rgb, error_cell.alignment.wrap_text) == ("FFC00000", True)


def test_a_bad_file_is_shown_as_a_form_error(admin_client):
    response = admin_client.post(
        IMPORT_URL,
        {"import_file": SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")},
    )

    assert response.status_code == 200
    assert str(messages.OLD_XLS) in response.content.decode()


def test_confirm_by_another_user_is_refused(admin_client, client):
    preview = _upload(admin_client, [valid_row()])
    other = User.objects.create_superuser("other", password="x")
    client.force_login(other)

    response = client.post(CONFIRM_URL, _confirm_data(preview), follow=True)

    assert str(messages.PLAN_EXPIRED) in response.content.decode()
    assert ServiceItem.objects.count() == 0


def test_confirm_with_another_file_hash_is_refused(admin_client):
    preview = _upload(admin_client, [valid_row()])
    data = {**_confirm_data(preview), "file_hash": "0" * 64}

    response = admin_client.post(CONFIRM_URL, data, follow=True)

    assert str(messages.PLAN_EXPIRED) in response.content.decode()
    assert ServiceItem.objects.count() == 0


def test_confirm_after_the_catalogue_changed_is_refused(admin_client, department, sector):
    item = ServiceItemFactory(code="A", department=department, sector=sector)
    preview = _upload(admin_client, [valid_row(实施编码="A")])
    item.name = "别人刚改过"
    item.save()

    response = admin_client.post(CONFIRM_URL, _confirm_data(preview), follow=True)

    assert "预览之后目录已被修改（A）" in response.content.decode()
    item.refresh_from_db()
    assert item.name == "别人刚改过"


def test_confirm_does_not_read_the_file_again(admin_client, django_assert_num_queries):
    preview = _upload(admin_client, [valid_row(实施编码=f"C{n}") for n in range(50)])

    # session; user; the kept plan; savepoint; its claim; the department and the sector still
    # there (held FOR KEY SHARE on PostgreSQL); one insert of the 50 items, whose unique
    # constraint refuses a code taken since the preview (on PostgreSQL: their ids from the
    # sequence, then a COPY Django does not record); the import batch: savepoint, the batch,
    # its links (one executemany; on PostgreSQL a COPY), the history records of the 50 items
    # (new: no earlier record to close), release; release. Nothing reads the file again.
    with django_assert_num_queries(13 + rows_insert_queries()):
        _confirm(admin_client, preview)

    assert ServiceItem.objects.count() == 50


def test_staff_with_export_but_no_import_permission_can_only_export(client):
    user = User.objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_serviceitem", "export_serviceitem"])
    )
    client.force_login(user)

    assert client.get(IMPORT_URL).status_code == 403
    assert client.get(TEMPLATE_URL).status_code == 403
    assert client.get(EXPORT_URL).status_code == 200


def test_staff_without_export_permission_cannot_export(client):
    user = User.objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_serviceitem"))
    client.force_login(user)

    assert client.get(EXPORT_URL).status_code == 403


def test_export_takes_the_changelist_filters_and_search(admin_client, department, other_department):
    department, other = department, other_department
    ServiceItemFactory(code="MINE-1", name="施工许可", department=department)
    ServiceItemFactory(code="MINE-2", name="竣工验收", department=department)
    ServiceItemFactory(code="THEIRS", name="施工许可", department=other)

    response = admin_client.post(
        f"{EXPORT_URL}?department__id__exact={department.pk}&q=施工", {"format": "0"}
    )

    rows = _sheet_rows(response.content)
    assert rows[0] == list(HEADERS)
    assert [row[0] for row in rows[1:]] == ["MINE-1"]
    assert rows[1][4] == DEPARTMENT


def test_csv_export_is_utf8_with_bom(admin_client, department):
    ServiceItemFactory(code="C1", name="=1+1", department=department)

    response = admin_client.post(EXPORT_URL, {"format": "1"})

    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "'=1+1" in response.content.decode("utf-8-sig")


def test_an_expired_preview_cannot_be_confirmed(admin_client):
    preview = _upload(admin_client, [valid_row()])
    data = _confirm_data(preview)
    KeptImportPlan.objects.filter(token=data["token"]).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )

    response = admin_client.post(CONFIRM_URL, data, follow=True)

    assert str(messages.PLAN_EXPIRED) in response.content.decode()
    assert ServiceItem.objects.count() == 0


def test_a_forged_token_is_refused(admin_client):
    response = admin_client.post(
        CONFIRM_URL, {"token": "../../etc/passwd", "file_hash": "0" * 64}, follow=True
    )

    assert str(messages.PLAN_EXPIRED) in response.content.decode()


# --- roles (issue 5): department staff import and export only their departments' items ---


@pytest.fixture
def staff_client(client, department):
    roles_setup()
    staff = UserFactory(username="dept_staff", groups=[Group.objects.get(name=DEPARTMENT_STAFF)])
    DepartmentMembership.objects.create(user=staff, department=department)
    client.force_login(staff)
    client.user = staff
    return client


def test_department_staff_preview_refuses_rows_of_another_department(staff_client):
    preview = _upload(
        staff_client,
        [valid_row(实施编码="OWN"), valid_row(实施编码="OTHER", 实施主体=OTHER_DEPARTMENT)],
    )

    assert preview.context["counts"]["error"] == 1
    assert preview.context["confirm_form"] is None
    assert messages.DEPARTMENT_NOT_ALLOWED.format(allowed=DEPARTMENT) in preview.content.decode()
    assert ServiceItem.objects.count() == 0


def test_department_staff_cannot_overwrite_a_code_of_another_department(
    staff_client, other_department
):
    theirs = ServiceItemFactory(code="THEIRS", name="他部门事项", department=other_department)

    preview = _upload(staff_client, [valid_row(实施编码="THEIRS", 事项名称="改名")])

    assert preview.context["counts"]["error"] == 1
    theirs.refresh_from_db()
    assert (theirs.name, theirs.department) == ("他部门事项", other_department)


def test_confirmed_import_is_recorded_as_a_batch_of_its_user(staff_client):
    preview = _upload(staff_client, [valid_row(实施编码="A")], name="住建局三月.xlsx")

    _confirm(staff_client, preview)

    batch = ImportBatch.objects.get()
    assert (batch.file_name, batch.user, batch.created_count) == (
        "住建局三月.xlsx",
        staff_client.user,
        1,
    )
    assert list(batch.items.values_list("code", flat=True)) == ["A"]


def test_department_staff_export_holds_only_their_departments_items(
    staff_client, department, other_department
):
    ServiceItemFactory(code="MINE", department=department)
    ServiceItemFactory(code="THEIRS", department=other_department)

    response = staff_client.post(EXPORT_URL, {"format": "0"})

    assert [row[0] for row in _sheet_rows(response.content)[1:]] == ["MINE"]


# --- department names stay within the user's scope (issue 12.8) ---


def _sheet_texts(data):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return {
        sheet.title: " ".join(
            str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell
        )
        for sheet in workbook
    }


def test_the_template_offers_department_staff_only_their_own_departments(staff_client):
    texts = _sheet_texts(staff_client.get(TEMPLATE_URL).content)

    for sheet in ("可选值", "填写说明"):
        assert DEPARTMENT in texts[sheet]
        assert OTHER_DEPARTMENT not in texts[sheet]


def test_the_export_offers_department_staff_only_their_own_departments(staff_client):
    response = staff_client.post(EXPORT_URL, {"format": "0", "resource": "0"})

    texts = _sheet_texts(response.content)
    assert DEPARTMENT in texts["可选值"]
    assert OTHER_DEPARTMENT not in texts["可选值"]


def test_the_template_offers_centre_administrators_every_department(admin_client):
    texts = _sheet_texts(admin_client.get(TEMPLATE_URL).content)

    assert DEPARTMENT in texts["可选值"] and OTHER_DEPARTMENT in texts["可选值"]


def test_closest_names_suggested_to_department_staff_are_only_their_own(staff_client):
    preview = _upload(staff_client, [valid_row(实施主体="深圳市光明区民政")])

    page = preview.content.decode()
    assert "最接近的有：" in page
    assert "民政局" not in page
    assert DEPARTMENT in page


def _url_views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _url_views(pattern.url_patterns)
        else:
            yield pattern.callback


def test_no_url_leads_to_the_stock_import_views_of_django_import_export():
    stock_views = {
        ImportMixin.import_action,
        ImportMixin.process_import,
        ImportMixin.process_dataset,
    }

    reached = set()
    for view in _url_views(get_resolver().url_patterns):
        # admin_view() wraps the bound method with functools.wraps
        view = inspect.unwrap(view)
        reached.add(getattr(view, "__func__", view))

    assert reached, "no URL views found"
    assert not reached & stock_views


def test_no_admin_offers_a_resource_to_the_stock_import(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    importing_admins = [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, ImportMixin)
    ]

    assert [type(model_admin).__name__ for model_admin in importing_admins] == ["ServiceItemAdmin"]
    for model_admin in importing_admins:
        assert model_admin.get_import_resource_classes(request) == []


def test_a_stock_import_confirmation_is_refused_and_writes_nothing(admin_client):
    # The fields django-import-export's own confirmation form posts.
    response = admin_client.post(
        CONFIRM_URL,
        {
            "import_file_name": "items.csv",
            "original_file_name": "items.csv",
            "format": "0",
            "resource": "0",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == IMPORT_URL
    assert not ServiceItem.objects.exists()


def test_a_plan_confirmed_twice_in_a_row_is_written_once(admin_client):
    preview = _upload(admin_client, [valid_row(实施编码="A")])
    data = _confirm_data(preview)
    admin_client.post(CONFIRM_URL, data)

    response = admin_client.post(CONFIRM_URL, data, follow=True)

    assert str(messages.PLAN_ALREADY_CONFIRMED) in response.content.decode()
    assert ImportBatch.objects.count() == 1
    assert ServiceItem.objects.count() == 1


def test_a_plan_outlives_no_department_membership(staff_client, department):
    preview = _upload(staff_client, [valid_row(实施编码=f"M{n}") for n in range(10)])
    DepartmentMembership.objects.filter(user=staff_client.user).delete()

    response = staff_client.post(CONFIRM_URL, _confirm_data(preview), follow=True)

    assert response.status_code == 200
    assert (
        str(messages.SCOPE_CHANGED.format(departments=department.name)) in response.content.decode()
    )
    assert not ServiceItem.objects.exists()


def test_a_plan_outlives_no_import_permission(staff_client):
    preview = _upload(staff_client, [valid_row(实施编码="A")])
    staff_client.user.groups.clear()

    response = staff_client.post(CONFIRM_URL, _confirm_data(preview))

    assert response.status_code == 403
    assert not ServiceItem.objects.exists()


def test_a_sector_deleted_after_the_preview_makes_the_plan_stale(admin_client, sector):
    preview = _upload(admin_client, [valid_row(实施编码="A")])
    sector.delete()

    response = admin_client.post(CONFIRM_URL, _confirm_data(preview), follow=True)

    assert response.status_code == 200
    assert "预览之后文件引用的" in response.content.decode()
    assert not ServiceItem.objects.exists()


def test_a_channel_deleted_after_the_preview_makes_the_plan_stale(admin_client):
    channel = MobileChannel.objects.first()
    preview = _upload(
        admin_client,
        [valid_row(实施编码="A", 是否指尖办="是", 指尖办渠道=channel.name, 指尖办服务="查阅")],
    )
    assert preview.context["counts"]["new"] == 1, preview.context["error_rows"]
    channel.delete()

    response = admin_client.post(CONFIRM_URL, _confirm_data(preview), follow=True)

    assert str(messages.REFERENCES_GONE.format(kinds="指尖办渠道")) in response.content.decode()
    assert not ServiceItem.objects.exists()


def test_a_failing_analyze_after_the_commit_does_not_report_the_import_as_failed(
    admin_client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.IMPORT_ANALYZE_MIN_ROWS = 1

    def broken(**kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(maintenance, "catalogue_tables_analyze", broken)
    preview = _upload(admin_client, [valid_row(实施编码="A")])

    with django_capture_on_commit_callbacks(execute=True):
        response = _confirm(admin_client, preview)

    assert response.status_code == 302
    assert ServiceItem.objects.count() == 1
