"""A person chooses the sheet and places the columns no known name placed (issue 10): in the
admin (the choice kept with the plan, offered again for the department's next file) and on
the command line (--sheet, --map)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalogue.importing import messages
from catalogue.models import ImportColumnChoice, ServiceItem
from catalogue.services.importing import items_import
from tests.catalogue.importing_support import DEPARTMENT, valid_row

pytestmark = pytest.mark.usefixtures("department", "other_department", "sector")

REAL = Path(__file__).parent / "files" / "real"
IMPORT_URL = reverse("admin:catalogue_serviceitem_import")
CONFIRM_URL = reverse("admin:catalogue_serviceitem_process_import")


def _upload(client, shape):
    data = (REAL / f"{shape}.openpyxl.xlsx").read_bytes()
    return client.post(IMPORT_URL, {"import_file": SimpleUploadedFile(f"{shape}.xlsx", data)})


def _choose(client, page, **choices):
    form = page.context["choice_form"]
    data = {name: form[name].value() or "" for name in ("upload", "headers", "chosen")}
    return client.post(IMPORT_URL, {**data, **choices})


def _confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(
        CONFIRM_URL, {"token": form.initial["token"], "file_hash": form.initial["file_hash"]}
    )


def test_the_admin_asks_to_place_a_resembling_column_then_imports_and_remembers(admin_client):
    page = _upload(admin_client, "column_resembling_an_element")

    form = page.context["choice_form"]
    assert form.fields["column_0"].label == "办结时限"
    assert [value for value, _label in form.fields["column_0"].choices][1:3] == [
        "promised_limit",
        "legal_limit",
    ]
    assert not ServiceItem.objects.exists()

    preview = _choose(admin_client, page, column_0="promised_limit")
    assert preview.context["plan"].mapping == {"办结时限": "promised_limit"}
    assert ("办结时限", "承诺办结时限") in preview.context["column_readings"]
    _confirm(admin_client, preview)

    assert ServiceItem.objects.get(code="R-01").promised_limit == 7
    choice = ImportColumnChoice.objects.get()
    assert (choice.department.name, choice.header, choice.field) == (
        DEPARTMENT,
        "办结时限",
        "promised_limit",
    )
    # The department's next file: the same choice is offered.
    again = _upload(admin_client, "column_resembling_an_element")
    assert again.context["choice_form"].fields["column_0"].initial == "promised_limit"


def test_the_admin_can_set_a_resembling_column_aside(admin_client):
    page = _upload(admin_client, "column_resembling_an_element")

    preview = _choose(admin_client, page, column_0="-")

    # Set aside, the file lacks a promised limit: the row's error says so, nothing written.
    assert preview.context["plan"].left_out == ["办结时限"]
    assert preview.context["confirm_form"] is None
    assert not ServiceItem.objects.exists()


def test_the_admin_asks_for_the_sheet_among_several(admin_client):
    page = _upload(admin_client, "several_candidate_sheets")

    assert page.context["problem"] == messages.SEVERAL_SHEETS.format(
        sheets="“住房和建设局”、“民政局”"
    )
    preview = _choose(admin_client, page, sheet="民政局")
    _confirm(admin_client, preview)

    assert list(ServiceItem.objects.values_list("code", flat=True)) == ["M-02"]


def test_the_command_line_places_columns_and_chooses_the_sheet():
    with pytest.raises(CommandError, match="办结时限"):
        call_command("import_items", str(REAL / "column_resembling_an_element.pandas.xlsx"))
    call_command(
        "import_items",
        str(REAL / "column_resembling_an_element.pandas.xlsx"),
        "--map",
        "办结时限=承诺办结时限",
    )
    assert ServiceItem.objects.get(code="R-01").promised_limit == 7

    with pytest.raises(CommandError, match="民政局"):
        call_command("import_items", str(REAL / "several_candidate_sheets.pandas.xlsx"))
    call_command(
        "import_items", str(REAL / "several_candidate_sheets.pandas.xlsx"), "--sheet", "民政局"
    )
    assert ServiceItem.objects.filter(code="M-02").exists()


def test_the_command_line_refuses_an_unknown_element():
    with pytest.raises(CommandError, match="“办结日期”不是要素名称"):
        call_command(
            "import_items",
            str(REAL / "column_resembling_an_element.pandas.xlsx"),
            "--map",
            "办结时限=办结日期",
        )


def test_the_preview_shows_readings_warnings_and_what_will_be_cleared(admin_client):
    items_import(rows=[valid_row(实施编码="U-01"), valid_row(实施编码="U-02", 咨询电话="0755-2")])

    page = _upload(admin_client, "blank_cells_on_update").content.decode()

    assert "本次导入将清空 2 个已存的值。" in page
    assert "<li>咨询电话：0755-2 → （空）</li>" in page
    provincial = _upload(admin_client, "provincial_headers").content.decode()
    assert "<tr><td>是否进驻政务大厅</td><td>→ 是否进驻大厅</td></tr>" in provincial
    missing = _upload(admin_client, "counted_columns_missing").content.decode()
    assert "文件没有以下列：到办事现场次数、是否秒批、是否指尖办。" in missing


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("several_candidate_sheets", "请用 --sheet 选择工作表。"),
        (
            "column_resembling_an_element",
            "请用 --map '列标题=要素'（或 '列标题=忽略'）指定这些列。",
        ),
    ],
)
def test_the_command_line_says_which_option_settles_the_file(name, hint, capsys):
    with pytest.raises(CommandError):
        call_command("import_items", str(REAL / f"{name}.pandas.xlsx"))

    assert capsys.readouterr().err == f"{hint}\n"
    assert not ServiceItem.objects.exists()
