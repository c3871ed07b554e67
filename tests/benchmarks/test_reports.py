import re
from io import StringIO

import pytest

from benchmarks import reports as benchmark
from benchmarks.management.commands.benchmark_report_as_of import Command as AsOfCommand
from benchmarks.management.commands.benchmark_reports import Command
from catalogue.choices import ItemStatus
from catalogue.history import HistoricalServiceItem
from catalogue.models import ServiceItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference():
    return benchmark.reference_data_create()


def test_reference_data_has_every_department_sector_and_main_item(reference):
    assert len(reference.departments) == benchmark.DEPARTMENTS
    assert len(reference.sectors) == benchmark.SECTORS
    assert set(reference.main_items) == set(reference.departments)
    assert {len(ids) for ids in reference.main_items.values()} == {
        benchmark.MAIN_ITEMS_PER_DEPARTMENT
    }


def test_synthetic_items_are_inserted_in_bulk_with_the_given_keys(
    reference, django_assert_max_num_queries
):
    count = benchmark.BATCH + 10
    # Multi-row inserts: on PostgreSQL one per batch, on SQLite one per ~27 rows (999 parameters).
    with django_assert_max_num_queries(count // 20):
        benchmark.synthetic_items_create(start=1, count=count, reference=reference)

    assert list(ServiceItem.objects.order_by("pk").values_list("pk", flat=True)) == list(
        range(1, count + 1)
    )


def test_synthetic_items_point_to_the_reference_rows_only(reference):
    benchmark.synthetic_items_create(start=1, count=500, reference=reference)

    assert set(ServiceItem.objects.values_list("department_id", flat=True)) <= set(
        reference.departments
    )
    assert set(ServiceItem.objects.values_list("sector_id", flat=True)) <= set(reference.sectors)
    for department_id, main_item_id in ServiceItem.objects.filter(
        main_item__isnull=False
    ).values_list("department_id", "main_item_id"):
        assert main_item_id in reference.main_items[department_id]


def test_only_mobile_synthetic_items_get_channels(reference):
    benchmark.synthetic_items_create(start=1, count=2_000, reference=reference)

    with_channels = ServiceItem.objects.filter(mobile_channels__isnull=False).distinct()
    assert with_channels.exists()
    assert not with_channels.filter(is_mobile=False).exists()


def test_summary_build_reports_the_items_in_use(reference, admin_user):
    benchmark.synthetic_items_create(start=1, count=500, reference=reference)

    summary = benchmark.summary_build(admin_user)

    assert summary["total"] == ServiceItem.objects.filter(status=ItemStatus.ACTIVE).count()
    assert 0 < summary["total"] < 500


def test_summary_build_refuses_invalid_filters(admin_user):
    with pytest.raises(ValueError, match="report filters"):
        benchmark.summary_build(admin_user, "tier=bad")


def test_median_seconds_warms_up_once_then_reports_the_median_run(monkeypatch):
    calls = []
    # perf_counter at the start and the end of each timed run: runs of 3, 1 and 2 seconds.
    clock = iter([0.0, 3.0, 10.0, 11.0, 20.0, 22.0])
    monkeypatch.setattr(benchmark.time, "perf_counter", lambda: next(clock))

    seconds = benchmark.median_seconds(lambda: calls.append(1), repeat=3)

    assert len(calls) == 4
    assert seconds == 2.0


def test_get_ok_fails_loudly_on_an_error_status(admin_user):
    run = benchmark.get_ok(benchmark.logged_in_client(admin_user), "/reports/?tier=bad")

    with pytest.raises(RuntimeError, match="answered 400"):
        run()


def test_benchmark_reports_times_each_size_on_the_catalogue_it_built():
    out = StringIO()
    command = Command(stdout=out)

    command._run([30, 80], repeat=1, page_at=80)

    rows = [line for line in out.getvalue().splitlines() if re.match(r"\| \d", line)]
    assert [row.split("|")[1].strip() for row in rows] == ["30", "80"]
    assert rows[0].split("|")[-2].strip() == "—"  # the page is timed at --page-at only
    assert rows[1].split("|")[-2].strip().isdigit()
    assert ServiceItem.objects.count() == 80


def test_benchmark_report_as_of_builds_the_history_and_times_every_kind_of_report():
    out = StringIO()
    AsOfCommand(stdout=out)._run(60, 5, repeat=1)

    assert HistoricalServiceItem.objects.count() == 300
    assert HistoricalServiceItem.objects.filter(valid_until__isnull=True).count() == 60
    rows = [line.split("|")[1].strip() for line in out.getvalue().splitlines() if "|" in line]
    assert "live" in rows
    assert sum(row.startswith("as of") and "compared" not in row for row in rows) == 5
    assert sum(row.endswith("compared") for row in rows) == 3
    assert any(row.startswith("trend.json") for row in rows)
