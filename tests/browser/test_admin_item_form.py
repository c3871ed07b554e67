import pytest
from django.urls import reverse

from tests.factories import MainItemFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _open_add_form(open_page, live_server, admin_user):
    browser = open_page(user=admin_user)
    browser.page.goto(live_server.url + reverse("admin:catalogue_serviceitem_add"))
    return browser


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


def test_main_item_autocomplete_offers_the_chosen_departments_main_items(
    open_page, live_server, admin_user, refs
):
    MainItemFactory(department=refs.department, name="建设工程竣工验收备案")
    browser = _open_add_form(open_page, live_server, admin_user)
    page = browser.page

    _choose(page, "department", "深圳市光明区住房和建设局")
    offered_first = _offered(page, "main_item")
    _choose(page, "main_item", "建设工程施工许可")
    _choose(page, "department", "深圳市光明区民政局")
    chosen_after_switch = page.input_value("#id_main_item")
    offered_after_switch = _offered(page, "main_item")

    assert offered_first == ["建设工程施工许可", "建设工程竣工验收备案"]
    assert chosen_after_switch == ""
    assert offered_after_switch == ["社会团体登记"]
    assert browser.errors == []


def test_item_form_shows_tier_checkboxes_and_switches_to_english(
    open_page, live_server, admin_user, refs
):
    browser = _open_add_form(open_page, live_server, admin_user)
    page = browser.page
    chinese_label = page.inner_text("label[for=id_tiers_3]")

    page.select_option("#language-select", "en")
    page.click("#language-switcher button")
    page.wait_for_load_state()

    assert chinese_label.strip() == "县级（区）"
    assert page.inner_text("label[for=id_tiers_3]").strip() == "County (district)"
    assert page.inner_text("#site-name").strip() == "Government Service Catalogue"
    assert browser.errors == []
