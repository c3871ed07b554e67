import json
from io import BytesIO

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from openpyxl import load_workbook

from catalogue.choices import HandlingType, ItemStatus, ItemType, Tier, TimeUnit
from catalogue.models import Department, Sector, ServiceItem
from reports import filters
from reports.charts import CHART_SPECS, SECTIONS
from tests.factories import ServiceItemFactory, UserFactory
from tests.reports.conftest import make_varied_items
from tests.reports.expected import as_mapping, expected_charts

pytestmark = pytest.mark.django_db

PAGE = reverse("reports:page")
SUMMARY = reverse("reports:summary")
EXPORT = reverse("reports:export")


def chart_url(slug):
    return reverse("reports:chart", args=[slug])


def nonzero(mapping: dict) -> dict:
    return {label: value for label, value in mapping.items() if value and value != (0, 0)}


def _filter_cases():
    """(query parameters, predicate on an item) for each filter, alone and together."""
    return [
        ({}, lambda item: item.status == ItemStatus.ACTIVE),
        ({"status": ""}, lambda item: True),
        ({"status": "suspended"}, lambda item: item.status == ItemStatus.SUSPENDED),
        (
            {"department": "民政局"},
            lambda item: item.department.short_name == "民政局" and item.status == "active",
        ),
        (
            {"sector": "人社"},
            lambda item: item.sector.name == "人社" and item.status == "active",
        ),
        (
            {"item_type": ItemType.PUBLIC_SERVICE},
            lambda item: item.item_type == ItemType.PUBLIC_SERVICE and item.status == "active",
        ),
        (
            {"handling_type": HandlingType.IMMEDIATE},
            lambda item: item.handling_type == HandlingType.IMMEDIATE and item.status == "active",
        ),
        (
            {"tier": str(Tier.TOWNSHIP)},
            lambda item: bool(item.tiers & Tier.TOWNSHIP) and item.status == "active",
        ),
        (
            {"department": "住房和建设局", "tier": str(Tier.CITY), "status": ""},
            lambda item: (
                item.department.short_name == "住房和建设局" and bool(item.tiers & Tier.CITY)
            ),
        ),
    ]


def _query(params: dict) -> dict:
    """Names of departments and sectors in the cases become their ids."""
    query = dict(params)
    if "department" in query:
        query["department"] = Department.objects.get(short_name=query["department"]).pk
    if "sector" in query:
        query["sector"] = Sector.objects.get(name=query["sector"]).pk
    return query


@pytest.mark.parametrize("url", [PAGE, SUMMARY, EXPORT, chart_url("online")])
def test_anonymous_user_is_sent_to_the_login_page(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_page_shows_every_section_chart_table_and_sentence(admin_client, varied_items):
    response = admin_client.get(PAGE)

    content = response.content.decode()
    report = response.context["report"]
    assert response.status_code == 200
    for _key, title, slugs in SECTIONS:
        assert f"{title}</h2>" in content
        for slug in slugs:
            assert report.charts[slug].sentence in content
            # The yes/no statistics are drawn once, together, in the channel comparison.
            drawn = report.charts[slug].kind != "yes-no"
            assert (f'<canvas data-chart="{slug}"' in content) == drawn, slug
    drawn = [chart for chart in report.charts.values() if chart.kind != "yes-no"]
    assert content.count('<table class="data-table">') == len(drawn) == len(CHART_SPECS) - 6
    assert 'class="key-figure-value report-total">' + str(report.total) in content


def test_page_hands_the_chart_data_to_javascript_through_json_script(admin_client, varied_items):
    response = admin_client.get(PAGE)

    content = response.content.decode()
    start = content.index('<script id="report-data" type="application/json">')
    data = json.loads(content[content.index(">", start) + 1 : content.index("</script>", start)])
    summary = admin_client.get(SUMMARY).json()
    assert {
        slug: {"labels": d["labels"], "datasets": d["datasets"]} for slug, d in data.items()
    } == (summary["charts"])
    assert "vendor/chart.js/chart.umd.min.js" in content
    assert "js/reports/charts.js" in content


def test_page_header_gives_total_and_date_of_the_data(admin_client, varied_items):
    response = admin_client.get(PAGE)

    report = response.context["report"]
    newest = max(item.updated_at for item in varied_items if item.status == ItemStatus.ACTIVE)
    assert report.total == sum(1 for item in varied_items if item.status == ItemStatus.ACTIVE)
    assert report.data_updated_at == newest
    assert "数据日期" in response.content.decode()


@pytest.mark.parametrize("slug", sorted(CHART_SPECS))
def test_chart_endpoint_matches_numbers_computed_independently(admin_client, varied_items, slug):
    response = admin_client.get(chart_url(slug))

    active = [item for item in varied_items if item.status == ItemStatus.ACTIVE]
    assert response.status_code == 200
    assert nonzero(as_mapping(response.json())) == nonzero(expected_charts(active)[slug])


@pytest.mark.parametrize(("params", "keep"), _filter_cases())
def test_filters_apply_to_every_endpoint_alike(admin_client, varied_items, params, keep):
    query = _query(params)
    expected = expected_charts([item for item in varied_items if keep(item)])

    summary = admin_client.get(SUMMARY, query).json()
    page = admin_client.get(PAGE, query)
    workbook = load_workbook(BytesIO(admin_client.get(EXPORT, query).content))
    total = sum(1 for item in varied_items if keep(item))
    assert summary["total"] == page.context["report"].total == total
    assert workbook.worksheets[0]["B2"].value == total
    for slug in CHART_SPECS:
        chart = admin_client.get(chart_url(slug), query).json()
        assert nonzero(as_mapping(chart)) == nonzero(expected[slug]), slug
        assert nonzero(as_mapping(summary["charts"][slug])) == nonzero(expected[slug]), slug
        page_chart = page.context["report"].charts[slug].as_chartjs()
        assert nonzero(as_mapping(page_chart)) == nonzero(expected[slug]), slug


@pytest.mark.parametrize("url", [SUMMARY, EXPORT, *(chart_url(slug) for slug in CHART_SPECS)])
def test_bad_filter_values_give_400_json_with_chinese_messages(admin_client, url):
    response = admin_client.get(url, {"tier": "9", "item_type": "bogus", "department": "x"})

    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "department": [filters.INVALID_DEPARTMENT % {"value": "x"}],
            "item_type": [filters.INVALID_ITEM_TYPE % {"value": "bogus"}],
            "tier": [filters.INVALID_TIER % {"value": "9"}],
        }
    }


def test_bad_filter_values_show_the_messages_on_the_page(admin_client):
    response = admin_client.get(PAGE, {"status": "gone"})

    content = response.content.decode()
    assert response.status_code == 400
    assert str(filters.INVALID_STATUS % {"value": "gone"}) in content
    assert "<canvas" not in content


def test_unknown_chart_is_not_found(admin_client):
    assert admin_client.get(chart_url("pie-in-the-sky")).status_code == 404


def test_summary_holds_total_date_every_chart_and_the_time_figures(admin_client, varied_items):
    summary = admin_client.get(SUMMARY).json()

    assert set(summary) == {
        "total",
        "as_of",
        "comparison",
        "generated_at",
        "data_updated_at",
        "charts",
        "sentences",
        "figures",
    }
    assert summary["as_of"] is None  # the live catalogue
    assert summary["comparison"] is None  # no history a year back
    assert set(summary["charts"]) == set(CHART_SPECS)
    assert {
        "time_limits",
        "items_with_time_limits",
        "items_with_differing_units",
        "items_without_legal_limit",
    } <= set(summary["figures"])
    assert set(summary["figures"]["time_limits"]) == {"working_day", "natural_day"}
    active = [item for item in varied_items if item.status == ItemStatus.ACTIVE]
    assert summary["figures"]["items_without_legal_limit"] == sum(
        1 for item in active if item.legal_limit is None
    )


def test_export_has_an_overview_and_a_sheet_per_chart_with_its_table(admin_client, varied_items):
    response = admin_client.get(EXPORT, {"tier": str(Tier.CITY)})

    workbook = load_workbook(BytesIO(response.content))
    report = admin_client.get(PAGE, {"tier": str(Tier.CITY)}).context["report"]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert workbook.sheetnames == ["报表说明", *(chart.title for chart in report.charts.values())]
    overview = [row for row in workbook["报表说明"].iter_rows(values_only=True)]
    assert ("筛选条件：行使层级", "市级") in [row[:2] for row in overview]
    for chart in report.charts.values():
        rows = list(workbook[chart.title].iter_rows(values_only=True))
        table = chart.table()
        assert list(rows[0]) == table["headers"]
        for row, expected in zip(rows[1:], table["rows"], strict=False):
            shown = [
                round(cell * 100, 1) if kind == "percent" else cell
                for kind, cell in zip(chart.column_kinds(), row, strict=True)
            ]
            assert shown == expected, chart.slug


def _pin_queries(admin_client, django_assert_num_queries, url, expected):
    with django_assert_num_queries(expected):
        assert admin_client.get(url).status_code == 200


def test_page_runs_a_fixed_number_of_queries_whatever_the_item_count(
    admin_client, django_assert_num_queries
):
    # session, user, the first day of history (read once: is there a year to compare with, and
    # a month end for the trend?), the 7 report queries (1 conditional aggregate and 6
    # grouped), and the department and sector choices of the filter form. These items have no
    # history, so no month end to query: with history, one query more for the trend, pinned in
    # tests/reports/test_as_of.py.
    make_varied_items(3, seed=1)
    _pin_queries(admin_client, django_assert_num_queries, PAGE, 12)
    make_varied_items(60, seed=2)
    _pin_queries(admin_client, django_assert_num_queries, PAGE, 12)


def test_page_runs_a_fixed_number_of_queries_and_tabulates_every_department_whatever_their_number(
    admin_client, django_assert_num_queries
):
    # A province's catalogue has 1,240 departments: the page must not query per department (its
    # chart, table, sentence and filter choices come from one grouped query and one list).
    make_varied_items(3, seed=1)
    _pin_queries(admin_client, django_assert_num_queries, PAGE, 12)
    ServiceItemFactory.create_batch(40)
    with django_assert_num_queries(12):
        response = admin_client.get(PAGE)
    chart = response.context["report"].charts["department"]
    shown = ServiceItem.objects.in_use().values("department").distinct().count()
    assert len(chart.labels) == len(chart.table_cells()["rows"]) == shown > 40
    assert response.content.decode().count("<option") > Department.objects.count()


def test_summary_runs_a_fixed_number_of_queries_whatever_the_item_count(
    admin_client, django_assert_num_queries
):
    # session, user, the first day of history, 1 conditional aggregate, 6 grouped queries.
    make_varied_items(3, seed=1)
    _pin_queries(admin_client, django_assert_num_queries, SUMMARY, 10)
    make_varied_items(60, seed=2)
    _pin_queries(admin_client, django_assert_num_queries, SUMMARY, 10)


def test_a_department_filter_adds_one_query_to_look_the_department_up(
    admin_client, django_assert_num_queries, varied_items
):
    department = Department.objects.first()
    # session, user, the department lookup of the filter, the first day of history, 7 report
    # queries.
    with django_assert_num_queries(11):
        admin_client.get(SUMMARY, {"department": department.pk})


def test_chartjs_bundled_static_files_are_not_served():
    # django-chartjs ships Chart.js 2.9.3 (CVE-2020-7746); only its view classes are used.
    assert "chartjs" not in settings.INSTALLED_APPS
    assert finders.find("js/Chart.min.js") is None
    assert finders.find("js/highcharts/highcharts.js") is None


# --- roles (issue 5): every report is scoped to what the user may see ---


def test_department_staff_see_only_their_departments_figures(
    client, dept_staff, own_item, other_item
):
    client.force_login(dept_staff)

    summary = client.get(SUMMARY).json()
    department_chart = client.get(chart_url("department")).json()

    assert summary["total"] == 1
    assert department_chart["labels"] == [own_item.department.short_name]


def test_department_staff_cannot_filter_the_report_by_another_department(
    client, dept_staff, own_item, other_item
):
    client.force_login(dept_staff)

    response = client.get(SUMMARY, {"department": other_item.department_id})

    assert response.status_code == 400
    assert "department" in response.json()["errors"]


@pytest.mark.parametrize("role", ["supervisor", "centre_admin"])
def test_supervisors_and_administrators_see_every_department(
    client, request, role, own_item, other_item
):
    client.force_login(request.getfixturevalue(role))

    assert client.get(SUMMARY).json()["total"] == 2


@pytest.mark.parametrize("url", [PAGE, SUMMARY, EXPORT])
def test_signed_in_user_without_a_role_is_refused(client, url, own_item):
    client.force_login(UserFactory(username="nobody", is_staff=True))

    assert client.get(url).status_code == 403


@pytest.fixture
def mixed_unit_items(db):
    """Two items timed in 工作日, one in 自然日, one whose limits use different units."""
    working, natural = TimeUnit.WORKING_DAY, TimeUnit.NATURAL_DAY
    ServiceItemFactory(legal_limit=20, promised_limit=5)
    ServiceItemFactory(legal_limit=10, promised_limit=3)
    ServiceItemFactory(
        legal_limit=60, legal_limit_unit=natural, promised_limit=30, promised_limit_unit=natural
    )
    ServiceItemFactory(
        legal_limit=30, legal_limit_unit=working, promised_limit=10, promised_limit_unit=natural
    )


def test_summary_never_adds_working_days_and_natural_days(admin_client, mixed_unit_items):
    figures = admin_client.get(SUMMARY).json()["figures"]

    assert figures["time_limits"] == {
        "working_day": {
            "items": 2,
            "legal_days_total": 30,
            "promised_days_total": 8,
            "promised_to_legal_ratio": 0.2667,
            "promised_to_legal_percent": 26.7,
            "avg_legal_days": 15.0,
            "avg_promised_days": 4.0,
            "avg_promised_to_legal_percent": 26.7,
        },
        "natural_day": {
            "items": 1,
            "legal_days_total": 60,
            "promised_days_total": 30,
            "promised_to_legal_ratio": 0.5,
            "promised_to_legal_percent": 50.0,
            "avg_legal_days": 60.0,
            "avg_promised_days": 30.0,
            "avg_promised_to_legal_percent": 50.0,
        },
    }
    assert figures["items_with_time_limits"] == 4
    assert figures["items_with_differing_units"] == 1


def test_page_states_time_figures_per_unit_and_the_rule(admin_client, mixed_unit_items):
    page = admin_client.get(PAGE).content.decode()

    assert "按工作日计的2项事项，平均法定时间为15.0天，而承诺时间已压缩至4.0天" in page
    assert "承诺时间只有法定时间的26.7%" in page
    assert "按自然日计的1项事项，平均法定时间为60.0天，而承诺时间已压缩至30.0天" in page
    assert "承诺时间只有法定时间的50.0%" in page
    assert "另有1项事项的法定办结时限与承诺办结时限单位不同，未计入时间压缩。" in page
    assert "工作日与自然日分开统计，不相加" in page
    chart = admin_client.get(chart_url("time-compression")).json()
    assert as_mapping(chart) == {
        "法定办结时限（工作日）": (30, 15.0),
        "承诺办结时限（工作日）": (8, 4.0),
        "法定办结时限（自然日）": (60, 60.0),
        "承诺办结时限（自然日）": (30, 30.0),
    }
