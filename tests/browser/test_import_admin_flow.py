"""The admin import flow in a real browser: upload, preview with errors, error download, confirm."""

import io
import os
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from catalogue.models import ServiceItem
from tests.catalogue.importing_support import valid_row, xlsx_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def page(open_page, admin_user, department, other_department, sector):
    browser = open_page(user=admin_user)
    browser.page.errors = browser.errors
    return browser.page


def _choose_file(page, tmp_path, name, rows):
    path = tmp_path / name
    path.write_bytes(xlsx_bytes(rows))
    page.set_input_files("#id_import_file", str(path))
    page.click("#item-import-form input[type=submit]")


def test_admin_import_preview_errors_download_and_confirm(page, live_server, tmp_path):
    page.goto(live_server.url + reverse("admin:catalogue_serviceitem_changelist"))
    page.get_by_role("link", name="导入", exact=True).click()  # django-import-export's button
    assert page.url.endswith(reverse("admin:catalogue_serviceitem_import"))

    _choose_file(
        page, tmp_path, "有错误.xlsx", [valid_row(), valid_row(实施编码="B", 办件类型="马上办")]
    )
    assert page.inner_text("#import-summary .count-error") == "1"
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["SCREENSHOTS"]) / "import-errors.png"))
    assert "不是可选值。可填：即办件、承诺件。" in page.inner_text("#import-errors")
    assert page.locator("#import-confirm-form").count() == 0
    with page.expect_download() as download:
        page.click("#download-errors")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet["A2"].value == 3 and sheet.cell(1, sheet.max_column).value == "错误"

    page.goto(live_server.url + reverse("admin:catalogue_serviceitem_import"))
    _choose_file(page, tmp_path, "正确.xlsx", [valid_row(实施编码="A"), valid_row(实施编码="B")])
    assert page.inner_text("#import-summary .count-new") == "2"
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["SCREENSHOTS"]) / "import-preview.png"))
    page.click("#import-confirm-form input[type=submit]")

    page.wait_for_url(live_server.url + reverse("admin:catalogue_serviceitem_changelist"))
    assert "导入完成：新增 2 项，更新 0 项，0 项无变化。" in page.inner_text(".messagelist")
    assert page.errors == []
    assert set(ServiceItem.objects.values_list("code", flat=True)) == {"A", "B"}


def test_import_form_says_the_check_is_under_way_and_blocks_a_second_submit(
    page, live_server, tmp_path
):
    page.goto(live_server.url + reverse("admin:catalogue_serviceitem_import"))
    path = tmp_path / "部门事项.xlsx"
    path.write_bytes(xlsx_bytes([valid_row()]))
    page.set_input_files("#id_import_file", str(path))
    # Keep the page here, as if the server were still checking a large file.
    page.evaluate(
        "document.getElementById('item-import-form')"
        ".addEventListener('submit', (event) => event.preventDefault())"
    )

    page.click("#item-import-form input[type=submit]")

    assert "正在上传并检查文件" in page.inner_text("#item-import-form .busy-status")
    page.wait_for_function(
        "document.querySelector('#item-import-form input[type=submit]').disabled"
    )
    assert page.errors == []
