"""Database upkeep after large writes.

A large import leaves PostgreSQL's planner with the statistics of the catalogue before it (and
dead tuples until autovacuum comes): measured, 189,000 dead tuples after imports made
summary.json three times slower. ANALYZE refreshes the statistics at once; the background worker
runs it, once the import is committed, so that the person importing does not wait for it
(about 1 s after 100,000 items, 0.2 s after 10,000).

Statistics that know fewer items than an import has just written are another matter: they
come from an analyse of tables since emptied (autovacuum analyses a catalogue emptied by hand;
the test database's flush deletes rows), and PostgreSQL then takes each table for one row
whatever it holds. The import's own statements after its bulk writes (the batch's history,
joined with its links) became nested loops over every item: more than 200 s for 2,500 rows.
Such an import analyses in its own transaction first, which sees its own rows.
"""

import logging

from django.conf import settings
from django.db import connections, router, transaction

from .models import ImportBatch, ImportBatchItem, MainItem, ServiceItem

logger = logging.getLogger(__name__)


def _tables_written_by_an_import() -> list[str]:
    return [
        ServiceItem._meta.db_table,
        ServiceItem.mobile_channels.through._meta.db_table,
        ServiceItem.history.model._meta.db_table,
        MainItem._meta.db_table,
        ImportBatch._meta.db_table,
        ImportBatchItem._meta.db_table,
    ]


def catalogue_tables_analyze(*, using: str | None = None) -> list[str]:
    """ANALYZE the tables an import writes, on PostgreSQL; elsewhere nothing. Returns them."""
    alias = using or router.db_for_write(ServiceItem)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return []
    tables = _tables_written_by_an_import()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(connection.ops.quote_name(t) for t in tables)}")
    logger.info("Analysed %s after a large import", ", ".join(tables))
    return tables


# Below this many rows, even a plan that takes every table for one row costs little.
STALE_STATISTICS_MIN_ROWS = 200


def catalogue_tables_analyze_if_stale(*, rows_written: int, using: str | None = None) -> bool:
    """In the writing transaction, ANALYZE the tables an import writes if it wrote
    STALE_STATISTICS_MIN_ROWS items or more and PostgreSQL estimates the item table, from its
    statistics, at fewer rows than that. Returns whether it analysed.

    The planner's estimate is its statistics' rows per page times the table's pages now; a
    table never analysed (reltuples -1) is estimated from its rows' width instead, which holds.
    """
    alias = using or router.db_for_write(ServiceItem)
    connection = connections[alias]
    if connection.vendor != "postgresql" or rows_written < STALE_STATISTICS_MIN_ROWS:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples / relpages * pg_relation_size(oid) "
            "/ current_setting('block_size')::int FROM pg_class "
            "WHERE oid = %s::regclass AND relpages > 0 AND reltuples >= 0",
            [connection.ops.quote_name(ServiceItem._meta.db_table)],
        )
        estimate = cursor.fetchone()
    if estimate is None or estimate[0] >= rows_written:
        return False
    logger.info("Estimated %d items, %d written: analysing now", estimate[0], rows_written)
    catalogue_tables_analyze(using=alias)
    return True


def catalogue_tables_analyze_after_import(*, result) -> None:
    """Once the import of `result` is committed, queue the ANALYZE for the background worker
    (catalogue.tasks) if it wrote IMPORT_ANALYZE_MIN_ROWS items or more; a smaller import leaves
    the statistics to autovacuum."""
    written = len(result.created_ids) + len(result.updated_ids)
    if written < settings.IMPORT_ANALYZE_MIN_ROWS:
        return
    alias = router.db_for_write(ServiceItem)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return
    from .tasks import catalogue_tables_analyze_task

    # robust: the import is committed by then; a failure to queue (or, with the immediate
    # backend, to analyse) is logged, never reported as a failed import.
    transaction.on_commit(
        lambda: catalogue_tables_analyze_task.enqueue(using=alias), using=alias, robust=True
    )
