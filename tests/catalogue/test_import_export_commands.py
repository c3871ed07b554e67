import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from catalogue.importing import messages
from catalogue.importing.columns import COLUMN_BY_FIELD
from catalogue.models import DepartmentMembership, ImportBatch, ServiceItem
from catalogue.roles import DEPARTMENT_STAFF, SUPERVISOR
from catalogue.services.importing import items_import_plan
from catalogue.services.roles import roles_setup
from tests.catalogue.importing_support import valid_row, xlsx_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("department", "other_department", "sector")


@pytest.fixture
def write_file(tmp_path):
    def write(rows):
        path = tmp_path / "items.xlsx"
        path.write_bytes(xlsx_bytes(rows))
        return str(path)

    return write


def test_import_items_prints_the_summary_and_writes(write_file, capsys):
    call_command("import_items", write_file([valid_row()]))

    out = capsys.readouterr().out
    assert "共 1 行：新增 1 行，更新 0 行，无变化 0 行，错误 0 行。" in out
    assert "导入完成：新增 1 项，更新 0 项，0 项无变化。" in out
    assert ServiceItem.objects.count() == 1


def test_import_items_dry_run_writes_nothing(write_file, capsys):
    call_command("import_items", write_file([valid_row()]), "--dry-run")

    assert str(messages.DRY_RUN_DONE) in capsys.readouterr().out
    assert ServiceItem.objects.count() == 0


def test_import_items_prints_errors_and_fails_writing_nothing(write_file, capsys):
    rows = [valid_row(), valid_row(实施编码="B", 办件类型="马上办")]

    with pytest.raises(CommandError) as failure:
        call_command("import_items", write_file(rows))

    assert str(failure.value) == messages.NOTHING_WRITTEN
    assert "第 3 行，“办件类型”：值“马上办”" in capsys.readouterr().err
    assert ServiceItem.objects.count() == 0


def test_import_items_fails_on_a_bad_file(tmp_path):
    path = tmp_path / "items.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)

    with pytest.raises(CommandError) as failure:
        call_command("import_items", str(path))

    assert str(failure.value) == messages.OLD_XLS


def test_import_items_fails_on_a_missing_file(tmp_path):
    with pytest.raises(CommandError) as failure:
        call_command("import_items", str(tmp_path / "none.xlsx"))

    assert str(failure.value) == f"无法读取文件：文件或文件夹不存在（{tmp_path / 'none.xlsx'}）"


def test_import_items_exits_with_status_1_on_error(write_file):
    # What the shell sees: CommandError becomes exit status 1 when run from manage.py.
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(
            ["manage.py", "import_items", write_file([valid_row(行使层级="")])]
        ).execute()

    assert exit_.value.code == 1


def test_export_items_writes_the_whole_catalogue_in_the_template_format(write_file, tmp_path):
    call_command("import_items", write_file([valid_row(实施编码=f"E{n}") for n in range(3)]))
    target = tmp_path / "out.xlsx"

    call_command("export_items", str(target))

    sheet = openpyxl.load_workbook(target, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(valid_row())
    assert sorted(row[0] for row in rows[1:]) == ["E0", "E1", "E2"]


def test_import_items_records_a_command_line_batch(write_file):
    call_command("import_items", write_file([valid_row()]))

    batch = ImportBatch.objects.get()
    assert (batch.file_name, batch.user, batch.created_count) == ("items.xlsx", None, 1)


def test_import_items_as_a_user_keeps_to_their_departments(write_file, other_department, capsys):
    roles_setup()
    staff = UserFactory(username="dept_staff", groups=[Group.objects.get(name=DEPARTMENT_STAFF)])
    DepartmentMembership.objects.create(user=staff, department=other_department)

    with pytest.raises(CommandError):
        call_command("import_items", write_file([valid_row()]), "--user", "dept_staff")

    assert "实施主体" in capsys.readouterr().err
    assert ServiceItem.objects.count() == 0


@pytest.mark.parametrize("dry_run", [False, True])
def test_import_items_refuses_a_user_without_the_import_permission(write_file, dry_run):
    roles_setup()
    UserFactory(username="supervisor", groups=[Group.objects.get(name=SUPERVISOR)])
    args = ["--dry-run"] if dry_run else []

    with pytest.raises(CommandError, match="用户“supervisor”没有导入实施清单事项的权限") as refused:
        call_command("import_items", write_file([valid_row()]), "--user", "supervisor", *args)

    assert "未写入任何内容" in str(refused.value)
    assert refused.value.returncode != 0  # manage.py exits with it
    assert not ServiceItem.objects.exists()
    assert not ServiceItem.history.exists()
    assert not ImportBatch.objects.exists()


def test_import_items_as_a_department_staff_user_writes_their_departments_items(
    write_file, department
):
    roles_setup()
    staff = UserFactory(username="dept_staff", groups=[Group.objects.get(name=DEPARTMENT_STAFF)])
    DepartmentMembership.objects.create(user=staff, department=department)

    call_command("import_items", write_file([valid_row()]), "--user", "dept_staff")

    assert ServiceItem.objects.get().department == department
    assert ImportBatch.objects.get().user == staff


def test_import_items_refuses_an_unknown_user(write_file):
    with pytest.raises(CommandError, match="没有名为“nobody”的有效用户。"):
        call_command("import_items", write_file([valid_row()]), "--user", "nobody")


def test_export_items_says_in_chinese_why_it_cannot_write_the_file(tmp_path):
    target = tmp_path / "没有的目录" / "事项.xlsx"

    with pytest.raises(CommandError) as refused:
        call_command("export_items", str(target))

    assert str(refused.value) == f"无法写入文件：文件或文件夹不存在（{target}）"
    assert not target.parent.exists()


def test_export_items_onto_a_folder_says_it_is_a_folder(tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("export_items", str(tmp_path))

    assert str(refused.value) == f"无法写入文件：这是一个文件夹，请给出文件名（{tmp_path}）"


def test_import_items_says_which_columns_it_set_aside(tmp_path, capsys):
    path = tmp_path / "items.xlsx"
    row = {**valid_row(), "备注": "内部使用"}
    path.write_bytes(xlsx_bytes([row], headers=[*valid_row(), "备注"]))

    call_command("import_items", str(path))

    assert capsys.readouterr().err == "以下列不属于模板，已忽略：备注。\n"
    assert ServiceItem.objects.count() == 1


def test_import_items_warns_on_stderr_of_counted_columns_the_file_lacks(tmp_path, capsys):
    header = COLUMN_BY_FIELD["instant_approval"].header
    row = {name: value for name, value in valid_row().items() if name != header}
    (warning,) = items_import_plan(rows=[row]).warnings  # for the one new item
    path = tmp_path / "items.xlsx"
    path.write_bytes(xlsx_bytes([row], headers=list(row)))

    call_command("import_items", str(path))

    assert header in warning
    assert capsys.readouterr().err == f"{warning}\n"
    assert ServiceItem.objects.get().instant_approval is False  # the default, as warned
