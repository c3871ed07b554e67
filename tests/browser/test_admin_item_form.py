import os
from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse

from tests.factories import MainItemFactory

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server, admin_user, monkeypatch):
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium to run browser tests)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the
    # fixtures are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        # Staff browsers ask for Chinese (zh-CN, served as zh-hans).
        page = browser.new_page(locale="zh-CN")
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("console", lambda message: _keep_console_error(page.errors, message))
        page.goto(live_server.url + reverse("admin:login"))
        page.fill("#id_username", admin_user.username)
        page.fill("#id_password", "password")
        page.click("input[type=submit]")
        yield page
        browser.close()
        # The ORM calls made while Playwright runs open their own connection (Django's
        # connections are per context): close it, or PostgreSQL cannot drop the test database.
        connections.close_all()


def _keep_console_error(errors, message):
    # The admin has no favicon; the browser asks for one anyway.
    if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
        errors.append(message.text)


def _choose(page, field, text):
    page.click(f"#id_{field} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", text)
    page.click(f".select2-results__option:text-is('{text}')")


def _offered(page, field):
    with page.expect_response(lambda response: f"field_name={field}" in response.url):
        page.click(f"#id_{field} + .select2 .select2-selection")
    page.wait_for_selector(".select2-results__option.loading-results", state="detached")
    offered = page.locator(".select2-results__option").all_inner_texts()
    page.keyboard.press("Escape")
    return offered


def test_main_item_autocomplete_offers_the_chosen_departments_main_items(page, live_server, refs):
    MainItemFactory(department=refs.department, name="建设工程竣工验收备案")
    page.goto(live_server.url + reverse("admin:catalogue_serviceitem_add"))

    _choose(page, "department", "深圳市光明区住房和建设局")
    offered_first = _offered(page, "main_item")
    _choose(page, "main_item", "建设工程施工许可")
    _choose(page, "department", "深圳市光明区民政局")
    chosen_after_switch = page.input_value("#id_main_item")
    offered_after_switch = _offered(page, "main_item")

    assert offered_first == ["建设工程施工许可", "建设工程竣工验收备案"]
    assert chosen_after_switch == ""
    assert offered_after_switch == ["社会团体登记"]
    assert page.errors == []


def test_item_form_shows_tier_checkboxes_and_switches_to_english(page, live_server, refs):
    page.goto(live_server.url + reverse("admin:catalogue_serviceitem_add"))
    chinese_label = page.inner_text("label[for=id_tiers_3]")

    page.select_option("#language-select", "en")
    page.click("#language-switcher button")
    page.wait_for_load_state()

    assert chinese_label.strip() == "县级（区）"
    assert page.inner_text("label[for=id_tiers_3]").strip() == "County (district)"
    assert page.inner_text("#site-name").strip() == "Government Service Catalogue"
    assert page.errors == []
