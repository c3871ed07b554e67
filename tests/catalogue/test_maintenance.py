import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks import default_task_backend

from catalogue.maintenance import catalogue_tables_analyze
from catalogue.models import ServiceItem
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
