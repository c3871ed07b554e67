"""The admin pages a clerk and a supervisor meet beyond the item list and form — the sign-in,
the index, an item's history and its restore form, the export and import pages, the import
batches (with the uploaded file), a missing page — each at a desk (1440 px) and a phone
(390 px) in both languages: in the chosen language, without sideways scrolling, without
console errors. Screenshots go to test-artifacts/ to be looked at."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalogue.choices import ChangeSource
from catalogue.history import HistoricalServiceItem
from catalogue.services.items import service_item_create, service_item_update
from tests.catalogue.importing_support import valid_row, xlsx_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FITS_ITS_WIDTH = "() => document.documentElement.scrollWidth <= window.innerWidth"

# What each page says in each language, to show it is that page in that language.
PAGE_TEXT = {
    "index": {"zh-hans": "统计报表", "en": "Reports"},
    "history": {"zh-hans": "变更历史", "en": "history"},
    "restore": {"zh-hans": "还原", "en": "Revert"},
    "export": {"zh-hans": "导出", "en": "Export"},
    "import": {"zh-hans": "导入", "en": "Import"},
    "batches": {"zh-hans": "导入批次", "en": "import batch"},
    "batch": {"zh-hans": "下载", "en": "Download"},
    "missing": {"zh-hans": "页面不存在", "en": "not found"},
}


@pytest.fixture
def admin_pages(refs, admin_user, tmp_path):
    """The URL of each page, over a catalogue with an edited item and an import batch."""
    item = service_item_create(
        user=admin_user,
        source=ChangeSource.FORM,
        code="11440300MB2C00000000000000000000001",
        name="建筑工程施工许可证核发",
        department=refs.department,
        sector=refs.sector,
        item_type="licensing",
        handling_type="promised",
        tiers=12,
        promised_limit=5,
        promised_limit_unit="working_day",
    )
    service_item_update(
        item=item, user=admin_user, source=ChangeSource.FORM, name="建筑工程施工许可核发"
    )
    first_record = HistoricalServiceItem.objects.filter(id=item.pk).earliest("history_date")
    upload = tmp_path / "光明区住房和建设局2026年事项.xlsx"
    upload.write_bytes(xlsx_bytes([valid_row(实施编码="11440300MB2C00000000000000000000002")]))
    call_command("import_items", str(upload), "--user", admin_user.username)
    batch = admin_user.import_batches.get()
    return {
        "index": reverse("admin:index"),
        "history": reverse("admin:catalogue_serviceitem_history", args=[item.pk]),
        "restore": reverse(
            "admin:catalogue_serviceitem_simple_history", args=[item.pk, first_record.history_id]
        ),
        "export": reverse("admin:catalogue_serviceitem_export"),
        "import": reverse("admin:catalogue_serviceitem_import"),
        "batches": reverse("admin:catalogue_importbatch_changelist"),
        "batch": reverse("admin:catalogue_importbatch_change", args=[batch.pk]),
        "missing": "/admin/catalogue/serviceitem/999999/change/nothing-here/",
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [1440, 390])
def test_admin_pages_fit_the_screen_in_the_chosen_language(
    open_page, live_server, admin_user, admin_pages, artifacts, language, width
):
    browser = open_page(user=admin_user, width=width, language=language)
    page = browser.page
    problems = []
    for name, url in admin_pages.items():
        page.goto(live_server.url + url)
        page.screenshot(path=artifacts / f"admin-{name}-{width}-{language}.png", full_page=True)
        if page.evaluate("document.documentElement.lang") != language:
            problems.append(f"{name}: lang is {page.evaluate('document.documentElement.lang')}")
        if not page.evaluate(FITS_ITS_WIDTH):
            problems.append(f"{name}: scrolls sideways")
        expected = PAGE_TEXT[name][language]
        if expected.lower() not in page.inner_text("body").lower():
            problems.append(f"{name}: no {expected!r}")

    assert problems == []
    # The missing page's own 404 is the one expected console error.
    assert [error for error in browser.errors if "status of 404" not in error] == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [1440, 390])
def test_the_sign_in_page_fits_the_screen_in_the_chosen_language(
    open_page, live_server, artifacts, language, width
):
    browser = open_page(width=width, language=language)
    page = browser.page
    page.goto(live_server.url + reverse("admin-login"))
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "wrong")
    with page.expect_navigation():
        page.click("input[type=submit]")
    page.screenshot(path=artifacts / f"admin-login-{width}-{language}.png", full_page=True)

    assert page.evaluate("document.documentElement.lang") == language
    assert page.evaluate(FITS_ITS_WIDTH)
    error = page.inner_text(".errornote")
    if language == "zh-hans":
        assert "用户名" in error
        assert "." not in error
    else:
        assert "username" in error
    assert browser.errors == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [1440, 390])
def test_the_import_preview_fits_the_screen_in_the_chosen_language(
    open_page, live_server, admin_user, refs, artifacts, tmp_path, language, width
):
    path = tmp_path / "部门事项.xlsx"
    path.write_bytes(
        xlsx_bytes([valid_row(实施编码="A"), valid_row(实施编码="B", 办件类型="马上办")])
    )
    browser = open_page(user=admin_user, width=width, language=language)
    page = browser.page
    page.goto(live_server.url + reverse("admin:catalogue_serviceitem_import"))
    page.set_input_files("#id_import_file", str(path))
    page.click("#item-import-form input[type=submit]")
    page.wait_for_selector("#import-summary")
    page.screenshot(path=artifacts / f"admin-import-preview-{width}-{language}.png", full_page=True)

    assert page.evaluate("document.documentElement.lang") == language
    assert page.evaluate(FITS_ITS_WIDTH)
    assert browser.errors == []
