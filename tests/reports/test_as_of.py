"""The report as of a date equals the live report computed on that date.

The catalogue is built through its real write paths (service create/update, bulk status change,
deletion, restore, Excel import) on simulated days; on each day the live summaries are kept,
and afterwards the report as of that day must give them back, filters and scopes included.
"""

import datetime
import io
import random
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import QueryDict
from django.urls import reverse
from docx import Document

from catalogue.choices import ChangeSource, ItemStatus
from catalogue.history import HistoricalServiceItem
from catalogue.models import MobileChannel, ServiceItem
from catalogue.roles import DEPARTMENT_STAFF
from catalogue.selectors import day_end, service_items_as_of
from catalogue.services.importing import items_import
from catalogue.services.items import (
    service_item_create,
    service_item_update,
    service_items_delete,
    service_items_set_status,
)
from demo.synthetic import VARIED_MIX, SyntheticReference, synthetic_item_fields
from reports import filters
from reports.filters import ReportFilter
from reports.report import SOURCES, report_build
from reports.selectors import records_sources, report_items
from tests.catalogue.importing_support import valid_row
from tests.factories import MainItemFactory, SectorFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUERIES = ("", "status=", "status=suspended", "item_type=licensing", "tier=2")


def _summary(user, query: str) -> dict:
    request = type("Request", (), {"user": user})()
    filterset = ReportFilter(QueryDict(query), queryset=report_items(user=user), request=request)
    assert filterset.is_valid(), filterset.errors
    report = report_build(items=filterset.qs, as_of=filterset.form.cleaned_data["as_of"])
    document = report.as_summary()
    del document["generated_at"], document["as_of"]
    return document


def _with_day(query: str, day: datetime.date) -> str:
    return "&".join(part for part in (query, f"as_of={day.isoformat()}") if part)


def _create(rng, reference, user):
    fields, channels = synthetic_item_fields(rng, reference, VARIED_MIX)
    return service_item_create(
        code=f"AS{rng.randrange(10**12):012d}",
        name="事项",
        mobile_channels=channels,
        user=user,
        source=ChangeSource.FORM,
        **fields,
    )


def _edit(rng, reference, item, user, source=ChangeSource.FORM):
    fields, channels = synthetic_item_fields(rng, reference, VARIED_MIX)
    fields.pop("department")  # keep the scope of department staff meaningful
    fields.pop("main_item")
    return service_item_update(
        item=item, mobile_channels=channels, user=user, source=source, **fields
    )


@pytest.fixture
def reference(department, other_department):
    return SyntheticReference(
        departments=[department, other_department],
        sectors=[SectorFactory(name="住房和城乡建设"), SectorFactory(name="民政")],
        main_items={
            department: [MainItemFactory(department=department)]
            for department in (department, other_department)
        },
        channels=list(MobileChannel.objects.order_by("pk")),
    )


def _days():
    # Two years of month ends and ordinary days, some at night so the day in Shanghai differs
    # from the day in UTC.
    return [
        datetime.datetime(2024, 12, 31, 23, 30, tzinfo=SHANGHAI),
        datetime.datetime(2025, 3, 1, 0, 15, tzinfo=SHANGHAI),
        datetime.datetime(2025, 6, 30, 12, 0, tzinfo=SHANGHAI),
        datetime.datetime(2025, 12, 31, 18, 0, tzinfo=SHANGHAI),
    ]


@pytest.mark.django_db
def test_report_as_of_each_day_equals_the_live_report_of_that_day(
    reference, supervisor, dept_staff, centre_admin, department
):
    rng = random.Random(14)
    users = (supervisor, dept_staff)
    kept = {}
    for step, moment in enumerate(_days()):
        with time_machine.travel(moment, tick=False):
            items = [_create(rng, reference, centre_admin) for _ in range(12)]
            live = list(ServiceItem.objects.order_by("pk"))
            for item in rng.sample(live, 6):
                _edit(rng, reference, item, centre_admin)
            service_items_set_status(
                items=ServiceItem.objects.filter(pk__in=[i.pk for i in rng.sample(live, 4)]),
                status=ItemStatus.SUSPENDED,
                user=centre_admin,
            )
            service_items_set_status(
                items=ServiceItem.objects.filter(pk__in=[i.pk for i in rng.sample(live, 3)]),
                status=ItemStatus.ACTIVE,
                user=centre_admin,
            )
            service_items_delete(items=rng.sample(items, 2), user=centre_admin)
            # a restore is a form save with the older values
            restored = rng.choice(list(ServiceItem.objects.all()))
            _edit(rng, reference, restored, centre_admin, source=ChangeSource.RESTORE)
            items_import(
                rows=[
                    valid_row(实施编码=f"IMPORT{step}{n:025d}", 事项名称=f"导入事项{n}")
                    for n in range(3)
                ],
                user=centre_admin,
            )
            day = moment.date()
            kept[day] = {(user.pk, q): _summary(user, q) for user in users for q in QUERIES}
        # A later write on the same day, after the report, must not count: the day ends later.
    with time_machine.travel(datetime.datetime(2026, 1, 5, 9, tzinfo=SHANGHAI), tick=False):
        for item in ServiceItem.objects.all():
            _edit(rng, reference, item, centre_admin)
    for day, summaries in kept.items():
        for user in users:
            for query in QUERIES:
                as_of = _summary(user, _with_day(query, day))
                assert as_of == summaries[(user.pk, query)], (day, user.username, query)


@pytest.mark.django_db
def test_every_item_has_exactly_one_record_valid_at_any_moment(reference, centre_admin):
    rng = random.Random(3)
    for moment in _days():
        with time_machine.travel(moment, tick=False):
            for _ in range(3):
                item = _create(rng, reference, centre_admin)
                _edit(rng, reference, item, centre_admin)
                _edit(rng, reference, item, centre_admin)
    open_records = HistoricalServiceItem.objects.filter(valid_until__isnull=True)
    assert open_records.count() == ServiceItem.objects.count()
    for moment in _days():
        end = day_end(moment.date())
        records = HistoricalServiceItem.objects.filter(history_date__lt=end)
        valid = records.exclude(valid_until__lt=end).exclude(history_type="-")
        assert valid.count() == len({r.id for r in records})


@pytest.mark.django_db
def test_items_deleted_and_created_on_the_day_count_as_the_day_ends(reference, centre_admin):
    rng = random.Random(5)
    with time_machine.travel(datetime.datetime(2025, 5, 1, 9, tzinfo=SHANGHAI), tick=False):
        kept = _create(rng, reference, centre_admin)
        gone = _create(rng, reference, centre_admin)
    with time_machine.travel(datetime.datetime(2025, 5, 2, 23, 59, tzinfo=SHANGHAI), tick=False):
        service_items_delete(items=[gone], user=centre_admin)
        _create(rng, reference, centre_admin)
    assert _summary(centre_admin, "status=&as_of=2025-04-30")["total"] == 0
    assert _summary(centre_admin, "status=&as_of=2025-05-01")["total"] == 2
    assert _summary(centre_admin, "status=&as_of=2025-05-02")["total"] == 2
    assert kept.pk in ServiceItem.objects.values_list("pk", flat=True)


@pytest.mark.django_db
def test_summary_json_as_of_runs_one_statement_whatever_the_day(
    admin_client, reference, centre_admin, django_assert_num_queries
):
    rng = random.Random(8)
    for moment in _days():
        with time_machine.travel(moment, tick=False):
            for _ in range(3):
                _edit(rng, reference, _create(rng, reference, centre_admin), centre_admin)
    url = reverse("reports:summary")
    # session, user, 1 conditional aggregate, 6 grouped queries
    with django_assert_num_queries(9):
        admin_client.get(url, {"compare_to": ""})
    for day in ("2024-01-01", "2025-03-01", "2025-12-31", "2026-01-01"):
        # session, user, and every figure and grouping of the day in one statement
        with django_assert_num_queries(3):
            response = admin_client.get(url, {"as_of": day, "compare_to": ""})
        assert response.status_code == 200
        assert response.json()["as_of"] == day
        # and one for the headline figures of the day compared with
        with django_assert_num_queries(4):
            response = admin_client.get(url, {"as_of": day, "compare_to": "2024-06-30"})
        assert response.json()["comparison"]["compare_to"] == "2024-06-30"


@pytest.mark.django_db
def test_records_sources_give_what_the_per_source_queries_give_on_the_same_records(
    reference, centre_admin, django_assert_num_queries
):
    rng = random.Random(12)
    for moment in _days():
        with time_machine.travel(moment, tick=False):
            for _ in range(6):
                _edit(rng, reference, _create(rng, reference, centre_admin), centre_admin)
    for day in (datetime.date(2025, 3, 1), datetime.date(2026, 1, 1)):
        records = service_items_as_of(centre_admin, day=day)
        with django_assert_num_queries(1):
            together = records_sources(records, SOURCES)
        one_by_one = {
            name: source(records) for name, source in SOURCES.items() if name != "mobile_channels"
        }
        assert {name: together[name] for name in one_by_one} == one_by_one
        assert together["figures"]["total"] > 0
        assert together["mobile_channels"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value, message",
    [
        ("2025-13-01", "统计日期：“2025-13-01”不是有效的日期，请按“2025-12-31”的格式填写。"),
        ("31.12.2025", "统计日期：“31.12.2025”不是有效的日期，请按“2025-12-31”的格式填写。"),
        ("2999-01-01", "统计日期：不能晚于今天"),
    ],
)
def test_an_invalid_as_of_is_refused_with_a_message_saying_what_to_change(
    client, supervisor, value, message
):
    client.force_login(supervisor)
    response = client.get(reverse("reports:summary"), {"as_of": value})
    assert response.status_code == 400
    assert response.json()["errors"]["as_of"][0].startswith(message)


@pytest.mark.django_db
def test_the_page_and_export_take_as_of(client, supervisor, reference, centre_admin):
    rng = random.Random(9)
    with time_machine.travel(datetime.datetime(2025, 5, 1, 9, tzinfo=SHANGHAI), tick=False):
        _create(rng, reference, centre_admin)
    client.force_login(supervisor)
    page = client.get(reverse("reports:page"), {"as_of": "2025-05-01"})
    assert page.status_code == 200
    assert 'type="date"' in page.content.decode()
    assert "统计日期：2025-05-01" in page.content.decode()
    export = client.get(reverse("reports:export"), {"as_of": "2025-05-01"})
    assert export.status_code == 200
    chart = client.get(
        reverse("reports:chart", kwargs={"slug": "mobile-channel"}), {"as_of": "2025-04-01"}
    )
    assert chart.status_code == 200


@pytest.mark.django_db
def test_year_over_year_shows_both_figures_the_change_and_a_sentence(
    admin_client, reference, centre_admin
):
    rng = random.Random(11)
    with time_machine.travel(datetime.datetime(2025, 12, 31, 9, tzinfo=SHANGHAI), tick=False):
        items = [_create(rng, reference, centre_admin) for _ in range(10)]
        for item in items:
            service_item_update(
                item=item,
                is_online=False,
                online_depth=None,
                instant_approval=False,
                user=centre_admin,
            )
    with time_machine.travel(datetime.datetime(2026, 6, 30, 9, tzinfo=SHANGHAI), tick=False):
        for item in items[:4]:
            service_item_update(item=item, is_online=True, online_depth=3, user=centre_admin)
    summary = admin_client.get(
        reverse("reports:summary"), {"as_of": "2026-06-30", "status": ""}
    ).json()
    # absent compare_to: a year before the report's day, but the history starts later
    assert summary["comparison"] is None

    summary = admin_client.get(
        reverse("reports:summary"),
        {"as_of": "2026-06-30", "compare_to": "2025-12-31", "status": ""},
    ).json()
    comparison = summary["comparison"]
    assert summary["figures"]["online_percent"] == 40.0
    assert comparison["figures"]["online_percent"] == 0.0
    assert comparison["change"]["online_count"] == 4
    assert comparison["change"]["online_percent"] == 40.0
    online = next(row for row in comparison["rates"] if row["key"] == "online")
    assert (online["previous"], online["current"], online["change"]) == (0.0, 40.0, 40.0)
    assert comparison["sentences"]["online"] == (
        "网上可办的事项达到4项，占比40.0%，比2025年底提高40个百分点。"
    )


@pytest.mark.django_db
def test_the_default_comparison_is_a_year_before_when_the_history_reaches_back_to_then(
    admin_client, reference, centre_admin
):
    with time_machine.travel(datetime.datetime(2025, 3, 1, 9, tzinfo=SHANGHAI), tick=False):
        _create(random.Random(1), reference, centre_admin)
    summary = admin_client.get(reverse("reports:summary"), {"as_of": "2026-03-01"}).json()
    assert summary["comparison"]["compare_to"] == "2025-03-01"
    summary = admin_client.get(reverse("reports:summary"), {"as_of": "2026-02-28"}).json()
    assert summary["comparison"] is None
    compared = admin_client.get(reverse("reports:summary"), {"compare_to": "2020-01-01"}).json()
    assert compared["comparison"]["figures"]["total"] == 0


@pytest.mark.django_db
def test_the_trend_at_month_ends_equals_the_report_as_of_each_month_end(
    client, reference, supervisor, dept_staff, centre_admin, django_assert_num_queries
):
    rng = random.Random(21)
    moments = [
        datetime.datetime(2025, 1, 15, 9, tzinfo=SHANGHAI),
        datetime.datetime(2025, 3, 31, 23, 50, tzinfo=SHANGHAI),
        datetime.datetime(2025, 4, 1, 0, 10, tzinfo=SHANGHAI),
        datetime.datetime(2025, 6, 2, 9, tzinfo=SHANGHAI),
    ]
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            for _ in range(4):
                _create(rng, reference, centre_admin)
            for item in rng.sample(list(ServiceItem.objects.all()), 3):
                _edit(rng, reference, item, centre_admin)
            service_items_delete(
                items=rng.sample(list(ServiceItem.objects.all()), 1), user=centre_admin
            )
    # session, user, user and group permissions (the departments of department staff), the
    # first record's date, the trend: one query for every month end
    for user, queries in ((supervisor, 6), (dept_staff, 7)):
        client.force_login(user)
        with django_assert_num_queries(queries):
            trend = client.get(
                reverse("reports:trend"), {"as_of": "2025-07-15", "status": ""}
            ).json()
        assert trend["days"] == [
            "2025-01-31",
            "2025-02-28",
            "2025-03-31",
            "2025-04-30",
            "2025-05-31",
            "2025-06-30",
        ]
        for index, day in enumerate(trend["days"]):
            summary = _summary(user, f"status=&compare_to=&as_of={day}")
            assert trend["totals"][index] == summary["total"]
            figures = summary["figures"]
            for key in ("in_hall", "online", "mobile", "visits_0", "instant_approval"):
                assert trend["rates"][key][index] == figures[f"{key}_percent"], (day, key)
            working = figures["time_limits"]["working_day"]["promised_to_legal_percent"]
            assert trend["rates"]["promised_to_legal_working_day"][index] == working


@pytest.mark.django_db
def test_the_page_draws_the_trend_with_a_table_of_the_same_numbers(
    client, reference, supervisor, centre_admin, django_assert_num_queries
):
    rng = random.Random(22)
    for moment in _days():
        with time_machine.travel(moment, tick=False):
            for _ in range(3):
                _create(rng, reference, centre_admin)
    client.force_login(supervisor)
    with time_machine.travel(datetime.datetime(2026, 2, 10, 9, tzinfo=SHANGHAI), tick=False):
        trend = client.get(reverse("reports:trend"), {"status": ""}).json()
        # session, user, user and group permissions, the first day of history (read once, for
        # the comparison and the trend), the 7 report queries, the headline figures a year
        # before (one statement), the trend (one query), the department and sector choices of
        # the filter form
        with django_assert_num_queries(16):
            page = client.get(reverse("reports:page"), {"status": ""})
    html = page.content.decode()
    assert page.context["trend"] == trend
    assert trend["days"][0] == "2024-12-31" and trend["days"][-1] == "2026-01-31"
    assert 'id="trend-data"' in html and "data-trend-chart" in html
    assert "js/reports/trend.js" in html
    table = page.context["trend_table"]
    assert table["headers"][:2] == ["月末", "事项总数"]
    assert "网上可办（%）" in table["headers"]
    online = table["headers"].index("网上可办（%）")
    for index, row in enumerate(table["rows"]):
        assert row[0] == trend["days"][index]
        assert row[1] == trend["totals"][index]
        assert row[online] == trend["rates"]["online"][index]
    assert f'<th scope="row">{trend["days"][-1]}</th>' in html


@pytest.mark.django_db
def test_the_word_document_ends_with_the_trend_chart_and_its_table(
    client, reference, supervisor, centre_admin
):
    rng = random.Random(23)
    for moment in _days():
        with time_machine.travel(moment, tick=False):
            _create(rng, reference, centre_admin)
    client.force_login(supervisor)
    with time_machine.travel(datetime.datetime(2026, 2, 10, 9, tzinfo=SHANGHAI), tick=False):
        response = client.get(reverse("reports:document"), {"status": ""})
        trend = client.get(reverse("reports:trend"), {"status": ""}).json()
    document = Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[-1] == "关键指标趋势"
    table = document.tables[-1]
    assert [cell.text for cell in table.rows[0].cells][:2] == ["月末", "事项总数"]
    assert [row.cells[0].text for row in table.rows[1:]] == trend["days"]
    assert len(document.inline_shapes) >= 2  # the charts' images and the trend's


@pytest.mark.django_db
def test_the_report_as_of_a_day_of_a_user_without_departments_is_empty(
    client, roles, reference, centre_admin
):
    with time_machine.travel(datetime.datetime(2025, 5, 1, 9, tzinfo=SHANGHAI), tick=False):
        _create(random.Random(2), reference, centre_admin)
    client.force_login(UserFactory(username="no_department", groups=[roles[DEPARTMENT_STAFF]]))

    summary = client.get(reverse("reports:summary"), {"as_of": "2025-05-01"}).json()

    assert summary["total"] == 0
    assert summary["figures"]["online_count"] == 0


@pytest.mark.django_db
def test_the_trend_refuses_bad_filters_in_chinese(admin_client):
    response = admin_client.get(reverse("reports:trend"), {"tier": "9", "as_of": "2025-13-01"})

    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "tier": [filters.INVALID_TIER % {"value": "9"}],
            "as_of": [filters.INVALID_AS_OF % {"value": "2025-13-01"}],
        }
    }
