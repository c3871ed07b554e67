"""Statistics of the report, computed in the database.

Each function below runs exactly one query on the items it is given (already filtered) and
returns plain values: a dict of figures or a list of grouped rows. Shaping them for Chart.js
is the job of `reports.charts`.
"""

import datetime
import json

from django.db import connections
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    Count,
    F,
    Func,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Star
from django.db.models.sql.datastructures import BaseTable
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalogue.choices import ItemStatus
from catalogue.history import HistoricalServiceItem
from catalogue.models import Department, MobileChannel, Sector, ServiceItem
from catalogue.selectors import (
    departments_for_user,
    service_item_history_start,
    service_item_records,
    service_items_as_of,
    service_items_for_user,
    valid_until_or_open_gte,
)

from . import buckets


def report_items(*, user) -> QuerySet[ServiceItem]:
    """The items every report of `user` starts from (page, charts, summary, export).

    The one place where a report is scoped to what the user may see.
    """
    return service_items_for_user(user)


def report_items_as_of(*, user, day: datetime.date) -> QuerySet[HistoricalServiceItem]:
    """The same items as they stood at the end of `day`: one historical record per item, with
    the item's fields, so every selector below runs on them unchanged (but the channels)."""
    return service_items_as_of(user, day=day)


class Likely(Func):
    """A condition most rows meet. SQLite then scans the table rather than walking an index
    on the condition and fetching nearly every row from it (measured: 2.5 times faster at
    100,000 items); other databases get the bare condition and plan from their statistics."""

    function = "likely"
    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, **extra_context)


def report_history_start() -> datetime.datetime | None:
    return service_item_history_start()


def report_records(*, user) -> QuerySet[HistoricalServiceItem]:
    """Every record of the user's items, to be filtered like items (the trend's rows)."""
    return service_item_records(user)


def items_in_status(items: QuerySet[ServiceItem], status: str) -> QuerySet[ServiceItem]:
    if status == ItemStatus.ACTIVE:  # nearly every item of a catalogue
        return items.filter(Likely(Q(status=status)))
    return items.filter(status=status)


def report_departments(*, user) -> QuerySet[Department]:
    """The departments `user` may filter the report by."""
    return departments_for_user(user)


def report_sectors(*, user) -> QuerySet[Sector]:
    return Sector.objects.all()


class RowCount(Aggregate):
    """COUNT(*), with a FILTER where given (Django's Count("*") takes no filter). Counts the
    same rows as COUNT(id) (a row always has its key) without reading and testing a column per
    bucket and row: the figures' aggregate went from 65 to 59 ms on SQLite at 100,000 items."""

    function = "COUNT"
    name = "RowCount"
    output_field = IntegerField()
    empty_result_set_value = 0

    def __init__(self, *, filter=None):
        super().__init__(Star(), filter=filter)


def _figure_aggregates() -> dict:
    per_unit = {}
    for bucket in buckets.TIME_UNITS:
        keys = buckets.time_unit_keys(bucket)
        per_unit[keys["items"]] = RowCount(filter=bucket.condition)
        per_unit[keys["legal_days"]] = Sum("legal_limit", filter=bucket.condition)
        per_unit[keys["promised_days"]] = Sum("promised_limit", filter=bucket.condition)
    return {
        "total": RowCount(),
        "data_updated_at": Max("updated_at"),
        **{bucket.key: RowCount(filter=bucket.condition) for bucket in buckets.COUNTED},
        "timed": RowCount(filter=buckets.TIMED),
        **per_unit,
    }


def item_figures(items: QuerySet[ServiceItem]) -> dict:
    """Every per-item figure of the report in one conditional aggregate (one query).

    Counts are keyed by the buckets of `reports.buckets`. `timed` counts the items that have
    a 法定办结时限; the day sums are per time unit (`legal_days_<unit>` …) over the items whose
    two limits share that unit, and None when there is none.
    """
    return items.aggregate(**_figure_aggregates())


def item_figures_query(items: QuerySet) -> QuerySet:
    """`item_figures` as a query of one row (to run inside `records_sources`)."""
    aggregates = _figure_aggregates()
    return (
        items.order_by()
        .annotate(whole=Value(1, output_field=IntegerField()))
        .values("whole")
        .annotate(**aggregates)
        .values(*aggregates)
    )


def items_by_department_query(items: QuerySet) -> QuerySet:
    return (
        items.values("department_id", "department__name", "department__short_name")
        .annotate(count=Count("*"))
        .order_by("-count", "department__name")
    )


def items_by_department(items: QuerySet[ServiceItem]) -> list[dict]:
    """Rows `department_id, department__name, department__short_name, count`, largest first."""
    return list(items_by_department_query(items))


def items_by_sector_query(items: QuerySet) -> QuerySet:
    return (
        items.values("sector_id", "sector__name")
        .annotate(count=Count("*"))
        .order_by("-count", "sector__name")
    )


def items_by_sector(items: QuerySet[ServiceItem]) -> list[dict]:
    """Rows `sector_id, sector__name, count`, largest first."""
    return list(items_by_sector_query(items))


def items_by_item_type_query(items: QuerySet) -> QuerySet:
    return (
        items.values("item_type")
        .annotate(
            sub_items=Count("*"),
            # distinct main items, plus the items without one (all items less those with one)
            main_items=Count("main_item", distinct=True) + Count("*") - Count("main_item"),
        )
        .order_by("-sub_items", "item_type")
    )


def items_by_item_type(items: QuerySet[ServiceItem]) -> list[dict]:
    """Rows `item_type, sub_items, main_items`, most 子项 first.

    A 大项 is a main item, or an item without one (it is its own 大项).
    """
    return list(items_by_item_type_query(items))


def items_by_power_source_query(items: QuerySet) -> QuerySet:
    return (
        items.values("power_source").annotate(count=Count("*")).order_by("-count", "power_source")
    )


def items_by_power_source(items: QuerySet[ServiceItem]) -> list[dict]:
    """Rows `power_source, count`, largest first."""
    return list(items_by_power_source_query(items))


def items_by_tier_span_query(items: QuerySet) -> QuerySet:
    return items.values("tiers").annotate(count=Count("*")).order_by("-count", "tiers")


def items_by_tier_span(items: QuerySet[ServiceItem]) -> list[dict]:
    """Rows `tiers, count`, largest first: one per tier combination (the set of tiers)."""
    return list(items_by_tier_span_query(items))


def items_by_mobile_channel(items: QuerySet[ServiceItem]) -> list[dict]:
    """Rows `mobile_channels__id, mobile_channels__name, count` of the channels the items use,
    largest first. Only 可指尖办 items have channels (catalogue.rules); saying so lets the
    database start from the few mobile items (partial index item_mobile_status_idx)."""
    if items.model is HistoricalServiceItem:
        return records_sources(items, ["mobile_channels"])["mobile_channels"]
    return list(
        items.filter(is_mobile=True, mobile_channels__isnull=False)
        .values("mobile_channels__id", "mobile_channels__name")
        .annotate(count=Count("*"))
        .order_by("-count", "mobile_channels__name")
    )


# --- the report as of a date: every source in one statement over the records -------------

RECORDS_CTE = "report_records"
# The columns of a record the report's queries read (all in catalogue's covering index
# history_report_idx, so PostgreSQL reads the records from the index alone).
RECORD_COLUMNS = (
    "history_id",
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
# name: (the query of the source, one row or a list); the same queries as today's items'.
RECORD_QUERIES = {
    "figures": (item_figures_query, False),
    "departments": (items_by_department_query, True),
    "sectors": (items_by_sector_query, True),
    "item_types": (items_by_item_type_query, True),
    "power_sources": (items_by_power_source_query, True),
    "tier_spans": (items_by_tier_span_query, True),
}


def _on_records_cte(queryset: QuerySet) -> tuple[str, tuple, list[str]]:
    """The SQL of `queryset` (built on all records) reading the CTE of the records instead of
    the history table: the table keeps its alias, so every column and join reads the same."""
    query = queryset.query.clone()
    alias = query.get_initial_alias()
    query.alias_map[alias] = BaseTable(RECORDS_CTE, alias)
    sql, params = query.get_compiler(queryset.db).as_sql()
    names = [*query.values_select, *query.annotation_select]
    return sql, params, names


def _channels_sql(connection) -> tuple[str, list[str]]:
    # A record keeps its channels as a JSON list of ids (the many-to-many has no history):
    # the rows of items_by_mobile_channel from the list's elements. Records whose channels
    # are unknown (None: written outside the services) count in no channel.
    if connection.vendor == "postgresql":
        elements = "CROSS JOIN LATERAL jsonb_array_elements_text(r.mobile_channel_ids) e(value)"
        channel_id = "e.value::integer"
    else:
        elements = "CROSS JOIN json_each(r.mobile_channel_ids) e"
        channel_id = "e.value"
    qn = connection.ops.quote_name
    names = ["mobile_channels__id", "mobile_channels__name", "count"]
    sql = (
        f"SELECT c.id AS {qn(names[0])}, c.name AS {qn(names[1])}, COUNT(*) AS {qn(names[2])} "
        f"FROM {qn(RECORDS_CTE)} r {elements} "
        f"JOIN {qn(MobileChannel._meta.db_table)} c ON c.id = {channel_id} "
        f"WHERE r.is_mobile GROUP BY c.id, c.name ORDER BY COUNT(*) DESC, c.name"
    )
    return sql, names


def _as_json(connection, sql: str, names: list[str], *, many: bool) -> str:
    if connection.vendor == "postgresql":
        if many:
            return f"(SELECT COALESCE(json_agg(p), '[]'::json) FROM ({sql}) p)"
        return f"(SELECT row_to_json(p) FROM ({sql}) p)"
    qn = connection.ops.quote_name
    pairs = ", ".join(f"'{name}', p.{qn(name)}" for name in names)
    if many:
        return f"(SELECT json_group_array(json_object({pairs})) FROM ({sql}) p)"
    return f"(SELECT json_object({pairs}) FROM ({sql}) p)"


def _record_figures(figures: dict) -> dict:
    # JSON has no dates: the one date of the figures back to an aware datetime (SQLite keeps
    # UTC without an offset).
    moment = figures["data_updated_at"]
    if moment is not None:
        moment = parse_datetime(moment)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, datetime.UTC)
        figures["data_updated_at"] = moment
    return figures


# For the statements over the records, PostgreSQL plans with these, for that statement only
# (SET LOCAL, sent with it: the same one query). Compiling the many expressions just in time
# cost more than the statement saves (250 ms of 1,300 measured); and with the default
# random_page_cost for spinning disks the planner reads the whole table rather than the
# covering index for dates a year back or more (2.1-2.8 s against 0.9-1.5 s, EXPLAIN
# ANALYZE in docs/benchmarks.md).
POSTGRESQL_STATEMENT_SETTINGS = "SET LOCAL jit = off; SET LOCAL random_page_cost = 1.1; "


def _execute_statement(cursor, sql: str, params: list) -> None:
    if cursor.db.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    cursor.execute(POSTGRESQL_STATEMENT_SETTINGS + sql, params)
    # psycopg 3 stands on the first statement's (empty) result.
    while cursor.description is None and cursor.nextset():
        pass


def records_sources(records: QuerySet[HistoricalServiceItem], names) -> dict:
    """The sources `names` of `reports.report.SOURCES` for historical records (the catalogue
    as of a date), in ONE statement: the records are read once into a CTE and every source's
    query (the same query as for today's items) runs on it, each giving back a JSON value.

    Seven queries on the records would each read the history table (five times the rows of
    the live table); one read of the covering index, then the groupings in memory, keeps the
    report as of a date within a small factor of the live one (docs/benchmarks.md).
    """
    names = list(dict.fromkeys(names))
    if records.query.is_empty():  # a user who sees no department
        empty = HistoricalServiceItem.objects.none()
        return {
            name: [] if name == "mobile_channels" else SOURCE_FUNCTIONS[name](empty)
            for name in names
        }
    connection = connections[records.db]
    base = HistoricalServiceItem.objects.using(records.db).all()
    parts, params = [], []
    for name in names:
        if name == "mobile_channels":
            sql, columns = _channels_sql(connection)
            parts.append(_as_json(connection, sql, columns, many=True))
            continue
        build, many = RECORD_QUERIES[name]
        sql, part_params, columns = _on_records_cte(build(base))
        parts.append(_as_json(connection, sql, columns, many=many))
        params.extend(part_params)
    cte_sql, cte_params = records.order_by().values(*RECORD_COLUMNS).query.sql_with_params()
    qn = connection.ops.quote_name
    sql = f"WITH {qn(RECORDS_CTE)} AS MATERIALIZED ({cte_sql}) SELECT {', '.join(parts)}"
    with connection.cursor() as cursor:
        _execute_statement(cursor, sql, [*cte_params, *params])
        row = cursor.fetchone()
    found = {}
    for name, value in zip(names, row, strict=True):
        found[name] = json.loads(value) if isinstance(value, str) else value
    if "figures" in found:
        found["figures"] = _record_figures(found["figures"])
    return found


SOURCE_FUNCTIONS = {
    "figures": item_figures,
    "departments": items_by_department,
    "sectors": items_by_sector,
    "item_types": items_by_item_type,
    "power_sources": items_by_power_source,
    "tier_spans": items_by_tier_span,
    "mobile_channels": items_by_mobile_channel,
}


def _moments_before(connection, column: str, moments_sql: list[str]) -> str:
    """SQL of the number of moments (ascending) at or before `column`; n for NULL."""
    if connection.vendor == "postgresql":
        count = f"width_bucket({column}, ARRAY[{', '.join(moments_sql)}]::timestamptz[])"
    else:
        whens = " ".join(
            f"WHEN {column} < {moment} THEN {index}" for index, moment in enumerate(moments_sql)
        )
        count = f"CASE {whens} ELSE {len(moments_sql)} END"
    return f"COALESCE({count}, {len(moments_sql)})"


def records_trend(
    records: QuerySet[HistoricalServiceItem], moments: list[datetime.datetime]
) -> list[dict]:
    """For each moment (ascending), the figures of the records valid just before it (as
    `service_item_records_valid_at`): `total`, a count per buckets.TREND_BUCKETS key and
    `legal_days_<unit>` / `promised_days_<unit>` per time unit.

    One query, one read of the records whatever the number of moments: a record counts at
    moments first..last-1, where first is the number of moments up to its history_date and
    last the number up to its valid_until; the database groups the records by (first, last),
    and the running sums over the moments are added up here.
    """
    if not moments:
        return []
    columns = {
        bucket.key: Case(When(bucket.condition, then=1), default=0, output_field=IntegerField())
        for bucket in buckets.TREND_BUCKETS
    }
    for unit in buckets.TIME_UNITS:
        keys = buckets.time_unit_keys(unit)
        columns[keys["legal_days"]] = Case(When(unit.condition, then=F("legal_limit")))
        columns[keys["promised_days"]] = Case(When(unit.condition, then=F("promised_limit")))
    # Only records valid at some moment: open at the last or closed after the first.
    valid = records.filter(
        valid_until_or_open_gte(moments[0]), history_date__lt=moments[-1]
    ).order_by()
    inner, params = (
        valid.annotate(**{f"trend_{name}": expression for name, expression in columns.items()})
        .values("history_date", "valid_until", *(f"trend_{name}" for name in columns))
        .query.sql_with_params()
    )
    connection = connections[records.db]
    date_field = HistoricalServiceItem._meta.get_field("history_date")
    moment_params = [date_field.get_db_prep_value(m, connection) for m in moments]
    placeholders = ["%s"] * len(moments)
    first = _moments_before(connection, "r.history_date", placeholders)
    last = _moments_before(connection, "r.valid_until", placeholders)
    sums = ", ".join(f"SUM(g.trend_{name})" for name in columns)
    sql = (
        f"SELECT g.first, g.last, COUNT(*), {sums} FROM ("
        f"SELECT r.*, {first} AS first, {last} AS last FROM ({inner}) r"
        f") g GROUP BY g.first, g.last"
    )
    with connection.cursor() as cursor:
        _execute_statement(cursor, sql, [*moment_params, *moment_params, *params])
        groups = cursor.fetchall()
    names = ["total", *columns]
    steps = [[0] * len(names) for _ in range(len(moments) + 1)]
    for first_index, last_index, *values in groups:
        if first_index >= last_index:
            continue  # superseded before the next moment came
        for position, value in enumerate(values):
            steps[first_index][position] += value or 0
            steps[last_index][position] -= value or 0
    rows, running = [], [0] * len(names)
    for index in range(len(moments)):
        running = [total + step for total, step in zip(running, steps[index], strict=True)]
        rows.append(dict(zip(names, running, strict=True)))
    return rows
