import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks import default_task_backend

from catalogue.choices import ChangeSource
from catalogue.maintenance import (
    STALE_STATISTICS_MIN_ROWS,
    catalogue_tables_analyze,
    catalogue_tables_analyze_if_stale,
)
from catalogue.models import ImportBatchItem, ServiceItem
from catalogue.services.importing import items_import
from catalogue.tasks import catalogue_tables_analyze_task
from tests.catalogue.importing_support import valid_row, xlsx_bytes

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ANALYZE runs on PostgreSQL only"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite behaviour")


def _rows(count):
    return [valid_row(实施编码=f"11440300MB2C{number:019d}") for number in range(count)]


def _analyze_statements(queries):
    return [query["sql"] for query in queries if query["sql"].startswith("ANALYZE")]


@on_postgresql
@pytest.mark.django_db
def test_analyze_refreshes_the_statistics_of_every_table_an_import_writes():
    with CaptureQueriesContext(connection) as queries:
        tables = catalogue_tables_analyze()

    assert ServiceItem._meta.db_table in tables
    assert ServiceItem.history.model._meta.db_table in tables
    [statement] = _analyze_statements(queries.captured_queries)
    assert all(f'"{table}"' in statement for table in tables)


@on_sqlite
@pytest.mark.django_db
def test_analyze_does_nothing_on_sqlite():
    with CaptureQueriesContext(connection) as queries:
        assert catalogue_tables_analyze() == []

    assert queries.captured_queries == []


@pytest.mark.parametrize(
    "threshold, analyzed",
    [pytest.param(3, True, id="at-the-threshold"), pytest.param(4, False, id="below-it")],
)
def test_an_import_of_enough_items_analyzes_once_committed(
    threshold,
    analyzed,
    department,
    other_department,
    sector,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.IMPORT_ANALYZE_MIN_ROWS = threshold

    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        result = items_import(file=xlsx_bytes(_rows(3)))

    assert result.written
    # Below the threshold autovacuum keeps the statistics; SQLite has no ANALYZE here at all.
    # The tests' task backend runs the queued task at once (the worker does, in production).
    on_postgresql = connection.vendor == "postgresql"
    assert len(callbacks) == int(analyzed and on_postgresql)
    assert len(_analyze_statements(queries.captured_queries)) == int(analyzed and on_postgresql)


@on_postgresql
def test_a_large_import_leaves_its_analyze_to_the_background_worker(
    department, other_department, sector, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_ANALYZE_MIN_ROWS = 3
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = items_import(file=xlsx_bytes(_rows(3)))

    assert result.written
    # Nothing analysed in the import's own request: one task queued, for after the commit.
    assert _analyze_statements(queries.captured_queries) == []
    [queued] = default_task_backend.results
    assert queued.task.func is catalogue_tables_analyze_task.func
    assert queued.kwargs == {"using": "default"}
    with CaptureQueriesContext(connection) as queries:
        queued.task.call(**queued.kwargs)
    assert len(_analyze_statements(queries.captured_queries)) == 1


def _statistics_say_empty():
    """Delete every item (in SQL, as the benchmarks' flush does) and ANALYZE: the planner's
    statistics then say the item tables hold no rows while their pages are still there, as
    after autovacuum's analyse of a catalogue emptied by hand (and in the test database, whose
    flush deletes rows). PostgreSQL then estimates every later row count at one, however
    many rows the tables get, until the next ANALYZE."""
    ServiceItem.mobile_channels.through.objects.all()._raw_delete("default")
    ImportBatchItem.objects.all()._raw_delete("default")
    ServiceItem.objects.all()._raw_delete("default")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@on_postgresql
@pytest.mark.django_db
def test_a_large_import_finishes_when_the_statistics_say_the_catalogue_is_empty(department, sector):
    rows = _rows(1000)
    items_import(file=xlsx_bytes(rows))
    _statistics_say_empty()
    with connection.cursor() as cursor:
        # Without fresh statistics, the history's INSERT ... SELECT joined every item with
        # every item and link: more than 200 s for 2,500 rows, minutes here.
        cursor.execute("SET LOCAL statement_timeout = '10s'")

    result = items_import(file=xlsx_bytes(rows))

    assert len(result.created_ids) == len(rows)
    assert ServiceItem.history.filter(change_source=ChangeSource.IMPORT).count() == 2 * len(rows)


@on_postgresql
@pytest.mark.django_db
def test_statistics_are_refreshed_in_the_import_only_when_they_misjudge_its_rows(
    department, sector
):
    items_import(file=xlsx_bytes(_rows(STALE_STATISTICS_MIN_ROWS)))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    assert not catalogue_tables_analyze_if_stale(rows_written=STALE_STATISTICS_MIN_ROWS)
    _statistics_say_empty()
    assert not catalogue_tables_analyze_if_stale(rows_written=STALE_STATISTICS_MIN_ROWS - 1)
    with CaptureQueriesContext(connection) as queries:
        assert catalogue_tables_analyze_if_stale(rows_written=STALE_STATISTICS_MIN_ROWS)
    assert len(_analyze_statements(queries.captured_queries)) == 1


@on_sqlite
@pytest.mark.django_db
def test_sqlite_has_no_statistics_to_refresh_in_the_import():
    with CaptureQueriesContext(connection) as queries:
        assert not catalogue_tables_analyze_if_stale(rows_written=10**6)

    assert queries.captured_queries == []
