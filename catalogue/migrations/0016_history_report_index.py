"""A covering index for the report as of a date (issue 14): the records valid at a moment
are a range of its leading key COALESCE(valid_until, OPEN_END), and every column the report
reads is in the index, so PostgreSQL answers from the index alone (an index-only scan reads
about a third of the bytes of the history table, which the records' later closing of
valid_until also leaves half dead). See docs/report-as-of.md and docs/benchmarks.md.

simple-history builds the historical model's Meta, so the index is not declared on the
model; it is PostgreSQL's only (SQLite has no INCLUDE, and scans the table either way).
"""

from django.db import migrations

INDEX = "history_report_idx"
# catalogue.selectors.OPEN_END, frozen here: the query's expression must equal the index's.
KEY = "(COALESCE(valid_until, '9999-12-31 00:00:00+00'::timestamptz)), history_date"
COLUMNS = (
    "valid_until",
    "history_id",
    "history_type",
    "status",
    "department_id",
    "sector_id",
    "main_item_id",
    "item_type",
    "power_source",
    "handling_type",
    "tiers",
    "in_hall",
    "one_window",
    "comprehensive_window",
    "is_online",
    "is_mobile",
    "instant_approval",
    "mobile_services",
    "onsite_visits",
    "legal_limit",
    "legal_limit_unit",
    "promised_limit",
    "promised_limit_unit",
    "updated_at",
    "mobile_channel_ids",
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("catalogue", "HistoricalServiceItem")._meta.db_table
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON {table} ({KEY}) "
        f"INCLUDE ({', '.join(COLUMNS)})"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    # CONCURRENTLY: writes of history go on while the index is built.
    atomic = False

    dependencies = [
        ("catalogue", "0015_import_files_and_jobs"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
