"""A province-sized catalogue for `manage.py benchmark_changelist` and `benchmark_load`, built once
into a database of its own and kept (see docs/benchmarks.md).

The demo catalogue of 光明区 (681 valid items, demo/builder.py) is loaded first, then copied
into region after region by one INSERT … SELECT per batch of copies: each copy gets its own codes
(``R<copy:04d>`` before the demo code) and its region's copies of the 31 departments, and keeps
the item's name, so the names read as a real province's: the same 施工许可 in every district.
"""

import time

from django.core.management import call_command
from django.db import connection, transaction

from benchmarks.reports import analyze
from catalogue.models import Department, ServiceItem
from catalogue.services.facet_counts import item_facet_counts_compact
from demo.services import demo_catalogue_load

REGIONS = 40
COPIES_PER_STATEMENT = 50
# The item columns a copy takes from its demo item; id, code, name, department and main item
# are the copy's own (main items belong to one department: the copies are their own 大项).
_OWN_COLUMNS = {"id", "code", "department_id", "main_item_id", "created_at", "updated_at"}


def region_department_name(region: int, name: str) -> str:
    return f"{name}（{region:02d}区）"


def database_switch(name: str) -> None:
    """Point the default connection at database `name` (a file path on SQLite)."""
    connection.close()
    connection.settings_dict["NAME"] = name


def postgres_database_ensure(name: str, *, template: str | None = None) -> bool:
    """Create PostgreSQL database `name` unless it exists (as a copy of `template` if given);
    True when it was created."""
    # The server's maintenance database: the configured one need not exist.
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone():
            return False
        cursor.execute(
            f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        )
    return True


def catalogue_build(*, items: int, log=print) -> None:
    """Fill an empty migrated database with `items` items (the demo, then copies of it)."""
    call_command("setup_roles", verbosity=0)
    started = time.perf_counter()
    demo_catalogue_load()
    demo_departments = list(Department.objects.order_by("pk"))
    regions = {
        (region, department.pk): department
        for region in range(1, REGIONS)
        for department in demo_departments
    }
    Department.objects.bulk_create(
        [
            Department(
                name=region_department_name(region, department.name),
                short_name=department.short_name,
                nature=department.nature,
            )
            for (region, _pk), department in regions.items()
        ]
    )
    by_name = dict(Department.objects.values_list("name", "pk"))
    department_map = [(0, d.pk, d.pk) for d in demo_departments] + [
        (region, pk, by_name[region_department_name(region, department.name)])
        for (region, pk), department in regions.items()
    ]
    demo_count = ServiceItem.objects.count()
    copies = -(-(items - demo_count) // demo_count)
    columns = [
        field.column
        for field in ServiceItem._meta.concrete_fields
        if field.column not in _OWN_COLUMNS and field.column != "name"
    ]
    table = ServiceItem._meta.db_table
    demo_last = ServiceItem.objects.order_by("-pk").values_list("pk", flat=True).first()
    if connection.vendor == "postgresql":
        copy_code = "'R' || lpad(copies.n::text, 4, '0') || demo.code"
    else:
        copy_code = "'R' || printf('%%04d', copies.n) || demo.code"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_department_map (region int, demo int, target int)"
        )
        cursor.executemany("INSERT INTO bench_department_map VALUES (%s, %s, %s)", department_map)
    log(f"demo loaded, {copies:,} copies of {demo_count} items to insert …")
    limit = items - demo_count
    for first in range(1, copies + 1, COPIES_PER_STATEMENT):
        last = min(first + COPIES_PER_STATEMENT - 1, copies)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH RECURSIVE copies(n) AS (
                    SELECT %s UNION ALL SELECT n + 1 FROM copies WHERE n < %s
                ), demo AS (
                    SELECT * FROM {table} WHERE id <= %s
                )
                INSERT INTO {table} (code, name, department_id, main_item_id,
                                     created_at, updated_at, {", ".join(columns)})
                SELECT {copy_code},
                       demo.name, map.target, NULL, demo.created_at, demo.updated_at,
                       {", ".join(f"demo.{column}" for column in columns)}
                FROM copies CROSS JOIN demo
                JOIN bench_department_map map
                  ON map.demo = demo.department_id AND map.region = copies.n %% {REGIONS}
                ORDER BY copies.n, demo.id
                LIMIT %s
                """,
                [first, last, demo_last, min(limit, (last - first + 1) * demo_count)],
            )
        # Counted, not cursor.rowcount: SQLite's driver gives -1 for a statement starting WITH.
        limit = items - ServiceItem.objects.count()
        log(f"  {items - limit:,} items")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_department_map")
    # Each copy's statement appended its counts for the facets: folded, as the first facet
    # read would fold them (catalogue.services.facet_counts).
    item_facet_counts_compact()
    analyze()
    log(f"built {ServiceItem.objects.count():,} items in {time.perf_counter() - started:.0f} s")
