"""The item list's facet counts at province scale (catalogue.models.ItemFacetCount).

The table's triggers append a row per combination of the counted columns for every statement
that writes items; `item_facet_counts_compact` folds them into one row per combination, so
that a count reads about as many rows as there are combinations. Writers only insert, and the
compaction holds an advisory lock (one at a time, skipped if another runs), so neither makes
a writer wait or deadlock.
"""

from django.db import connections, router, transaction

from ..models import ItemFacetCount

# Rows appended since the last compaction (folded = false) above which a read compacts.
COMPACT_AFTER_ROWS = 10_000
_LOCK_KEY = 0x46414345  # "FACE": pg_try_advisory_xact_lock's key for the compaction


def item_facet_counts_kept(*, using: str | None = None) -> bool:
    """Whether the database keeps the counts (PostgreSQL; SQLite counts the items)."""
    alias = using or router.db_for_read(ItemFacetCount)
    return connections[alias].vendor == "postgresql"


def item_facet_counts_compact(*, using: str | None = None) -> bool:
    """Fold the rows of each combination into one, dropping combinations that count no item.

    Returns False without waiting when another compaction is running (or on SQLite). Rows that
    writers append meanwhile are not yet visible to it and stay as they are.
    """
    alias = using or router.db_for_write(ItemFacetCount)
    if not item_facet_counts_kept(using=alias):
        return False
    connection = connections[alias]
    table = connection.ops.quote_name(ItemFacetCount._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in ItemFacetCount.COLUMNS)
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK_KEY])
        if not cursor.fetchone()[0]:
            return False
        cursor.execute(
            f"WITH gone AS (DELETE FROM {table} RETURNING {columns}, items) "
            f"INSERT INTO {table} ({columns}, items, folded) "
            f"SELECT {columns}, sum(items), true FROM gone GROUP BY {columns} "
            "HAVING sum(items) <> 0"
        )
    return True
