"""The item list at a clerk's screen width: no sideways scrolling, compact filters, scope."""

import pytest
from django.urls import reverse

from catalogue.choices import Tier
from catalogue.models import DepartmentMembership
from tests.factories import DepartmentFactory, ServiceItemFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ALL_TIERS = sum(Tier.values)


@pytest.fixture
def long_catalogue(refs):
    """31 departments with long names, and items with 35-character codes and all six tiers."""
    departments = [refs.department, refs.other_department] + [
        DepartmentFactory(name=f"深圳市光明区城市更新和土地整备局第{n}事务中心") for n in range(29)
    ]
    for n in range(30):
        ServiceItemFactory(
            department=departments[n % len(departments)],
            sector=refs.sector,
            name="建设工程规划许可证（建筑类）核发" if n % 2 else "社会团体成立登记",
            tiers=ALL_TIERS if n % 3 == 0 else Tier.CITY | Tier.COUNTY,
            is_mobile=n % 2 == 0,
            instant_approval=n % 5 == 0,
        )
    return departments


def _open_list(open_page, live_server, user, *, width, language="zh-hans"):
    browser = open_page(user=user, width=width, language=language)
    page = browser.page
    page.goto(live_server.url + reverse("admin:catalogue_serviceitem_changelist"))
    return browser


def _one_line(page, selector) -> bool:
    return page.evaluate(
        """selector => [...document.querySelectorAll(selector)].every(cell => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            // Screen-reader text (.visually-hidden) is a 1 px box; only what is seen counts.
            const seen = [...range.getClientRects()].filter(r => r.width > 1 && r.height > 1);
            const tops = seen.map(r => r.top);
            return !tops.length || Math.max(...tops) - Math.min(...tops) < 8;
        })""",
        selector,
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_item_list_fits_1440_px_without_sideways_scrolling(
    open_page, live_server, admin_user, long_catalogue, artifacts, language
):
    browser = _open_list(open_page, live_server, admin_user, width=1440, language=language)
    page = browser.page
    page.screenshot(path=artifacts / f"admin-item-list-1440-{language}.png", full_page=True)

    page_width = page.evaluate("document.documentElement.scrollWidth")
    results = page.evaluate(
        "(() => { const r = document.querySelector('#changelist-form .results');"
        " return [r.scrollWidth, r.clientWidth]; })()"
    )
    filter_height = page.evaluate(
        "document.querySelector('#changelist-filter').getBoundingClientRect().height"
    )

    assert page_width <= 1440
    assert results[0] <= results[1]
    for column in ["code", "department_name", "tier_combination", "channel_flags", "status"]:
        assert _one_line(page, f"td.field-{column}"), column
    assert filter_height < 1300
    assert page.locator("#changelist-filter select").count() >= 10
    assert browser.errors == []


def test_department_filter_is_a_drop_down_that_filters(
    open_page, live_server, admin_user, long_catalogue
):
    browser = _open_list(open_page, live_server, admin_user, width=1440)
    page = browser.page
    select = page.locator("details[data-filter-title='实施主体'] select")

    with page.expect_navigation():
        select.select_option(label="深圳市光明区民政局")

    assert "department__id__exact=" in page.url
    assert page.locator("#result_list tbody tr").count() == 1
    assert browser.errors == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_item_list_at_390_px(
    open_page, live_server, admin_user, long_catalogue, artifacts, language
):
    browser = _open_list(open_page, live_server, admin_user, width=390, language=language)
    browser.page.screenshot(path=artifacts / f"admin-item-list-390-{language}.png", full_page=True)

    too_wide = browser.page.evaluate(
        """[...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.results'))
            .map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 5)"""
    )

    assert browser.page.locator("#result_list tbody tr").count() == 30
    # Only the table scrolls sideways, inside its box; the page itself fits the phone.
    assert too_wide == []
    assert browser.page.evaluate("document.documentElement.scrollWidth") <= 390
    assert browser.errors == []


def test_department_staff_see_their_scope_and_no_department_column(
    open_page, live_server, dept_staff, department, artifacts
):
    ServiceItemFactory(department=department)
    browser = _open_list(open_page, live_server, dept_staff, width=1440)
    page = browser.page
    page.screenshot(path=artifacts / "admin-item-list-1440-dept-staff.png", full_page=True)

    assert page.inner_text(".scope-note") == f"您负责：{department.name}"
    assert page.locator("th.column-department_name").count() == 0
    assert page.locator("details[data-filter-title='实施主体']").count() == 0
    assert browser.errors == []


def test_department_staff_of_two_departments_see_the_department_column(
    open_page, live_server, dept_staff, department, other_department
):
    DepartmentMembership.objects.create(user=dept_staff, department=other_department)
    ServiceItemFactory(department=department)
    browser = _open_list(open_page, live_server, dept_staff, width=1440)
    page = browser.page

    assert page.inner_text(".scope-note") == f"您负责：{department.name}、{other_department.name}"
    assert page.locator("th.column-department_name").count() == 1
