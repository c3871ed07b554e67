"""Plain rows written in bulk: COPY on PostgreSQL, one prepared INSERT run for many rows elsewhere.

For rows whose values are already what the database stores (ids, booleans, checked texts), the
ORM's bulk_create costs more than the write itself: it builds a model instance per row and
prepares every field. On PostgreSQL, psycopg's executemany still sends one INSERT per row
(100,000 links of an import: about 2 s); a COPY of the same rows takes a tenth of that.
"""

from collections.abc import Iterable, Sequence

from django.db import connections, router
from django.db.models import Model

BATCH_SIZE = 1000


def rows_insert(
    *,
    model: type[Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[object]],
    using: str | None = None,
) -> None:
    """Insert `rows` (one value per name of `fields`, as the database stores it) into the table
    of `model`. The table's constraints apply as to any insert: a duplicate or a missing
    reference raises Django's IntegrityError. Returns nothing (no ids)."""
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The raw psycopg cursor: wrap its errors as Django's (IntegrityError …).
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH_SIZE:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
