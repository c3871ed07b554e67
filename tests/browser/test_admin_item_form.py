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


def _form_rows_shown(page, *fields):
    return {field: page.locator(f".form-row.field-{field}").is_visible() for field in fields}


DEPENDENT = ["entrusting_body", "online_depth", "mobile_channels", "mobile_services"]
DEPENDENT += ["onsite_reason", "fee_basis"]


def test_dependent_fields_show_only_when_they_apply(open_page, live_server, admin_user, refs):
    browser = _open_add_form(open_page, live_server, admin_user)
    page = browser.page
    hidden_at_first = _form_rows_shown(page, *DEPENDENT)

    page.select_option("#id_power_source", "entrusted_by_peer")
    page.check("#id_is_online")
    page.check("#id_is_mobile")
    page.fill("#id_onsite_visits", "2")
    page.check("#id_charges_fee")
    shown_when_they_apply = _form_rows_shown(page, *DEPENDENT)
    page.fill("#id_fee_basis", "粤价〔2020〕1号")
    page.uncheck("#id_charges_fee")
    kept_while_it_holds_a_value = _form_rows_shown(page, "fee_basis")

    assert hidden_at_first == dict.fromkeys(DEPENDENT, False)
    assert shown_when_they_apply == dict.fromkeys(DEPENDENT, True)
    assert kept_while_it_holds_a_value == {"fee_basis": True}
    assert browser.errors == []


def test_without_javascript_every_field_is_shown(open_page, live_server, admin_user, refs):
    browser = open_page(user=admin_user)
    context = browser.page.context.browser.new_context(java_script_enabled=False)
    context.add_cookies(browser.page.context.cookies())
    page = context.new_page()
    page.goto(live_server.url + reverse("admin:catalogue_serviceitem_add"))

    assert _form_rows_shown(page, *DEPENDENT) == dict.fromkeys(DEPENDENT, True)
    context.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [1440, 390])
def test_error_banner_counts_the_errors_and_links_to_each_field(
    open_page, live_server, admin_user, refs, artifacts, language, width
):
    browser = open_page(user=admin_user, width=width, language=language)
    page = browser.page
    page.goto(live_server.url + reverse("admin:catalogue_serviceitem_add"))
    page.screenshot(path=artifacts / f"admin-item-form-{width}-{language}.png", full_page=True)
    page.select_option("#id_handling_type", "immediate")
    page.fill("#id_promised_limit", "5")
    with page.expect_navigation():
        page.click("input[name=_save]")
    page.screenshot(
        path=artifacts / f"admin-item-form-errors-{width}-{language}.png", full_page=True
    )

    summary = page.locator(".error-summary")
    links = summary.locator("a")
    targets = [link.get_attribute("href") for link in links.all()]
    fields_with_errors = page.locator("fieldset .form-row .errorlist").count()

    assert summary.is_visible()
    assert page.locator("p.errornote:not(.error-summary)").is_hidden()
    assert str(fields_with_errors) in summary.locator("p").inner_text()
    assert len(targets) == fields_with_errors >= 4
    assert all(page.locator(target).count() == 1 for target in targets)
    assert page.locator("label.required[for=id_name]").count() == 1
    assert browser.errors == []


def test_error_banner_says_the_immediate_item_rule_without_contradiction(
    open_page, live_server, admin_user, refs
):
    browser = _open_add_form(open_page, live_server, admin_user)
    page = browser.page
    page.select_option("#id_handling_type", "immediate")
    page.fill("#id_promised_limit", "5")
    with page.expect_navigation():
        page.click("input[name=_save]")

    text = page.inner_text(".error-summary")

    assert "承诺办结时限" in text
    assert "应为 0（至多 1 天）" not in text
