"""Statistics of the report, computed in the database.

Each function below runs exactly one query on the items it is given (already filtered) and
returns plain values: a dict of figures or a list of grouped rows. Shaping them for Chart.js
is the job of `reports.charts`.
"""

import datetime

from django.db import connections
from django.db.models import (
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
    When,
)

from catalogue.choices import ItemStatus
from catalogue.history import HistoricalServiceItem
from catalogue.models import Department, MobileChannel, Sector, ServiceItem
from catalogue.selectors import (
    departments_for_user,
    service_item_history_start,
    service_item_records,
    service_items_as_of,
    service_items_for_user,
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


def item_figures(items: QuerySet[ServiceItem]) -> dict:
    """Every per-item figure of the report in one conditional aggregate (one query).

    Counts are keyed by the buckets of `reports.buckets`. `timed` counts the items that have
    a 法定办结时限; the day sums are per time unit (`legal_days_<unit>` …) over the items whose
    two limits share that unit, and None when there is none.
    """
    per_unit = {}
    for bucket in buckets.TIME_UNITS:
        keys = buckets.time_unit_keys(bucket)
        per_unit[keys["items"]] = Count("pk", filter=bucket.condition)
        per_unit[keys["legal_days"]] = Sum("legal_limit", filter=bucket.condition)
        per_unit[keys["promised_days"]] = Sum("promised_limit", filter=bucket.condition)
    return items.aggregate(
        total=Count("pk"),
        data_updated_at=Max("updated_at"),
        **{bucket.key: Count("pk", filter=bucket.condition) for bucket in buckets.COUNTED},
        timed=Count("pk", filter=buckets.TIMED),
        **per_unit,
    )


def items_by_department(items: QuerySet[ServiceItem]) -> list[dict]:
    """Rows `department_id, department__name, department__short_name, count`, largest first."""
    return list(
        items.values("department_id", "department__name", "department__short_name")
        .annotate(count=Count("*"))
        .order_by("-count", "department__name")
    )


def items_by_sector(items: QuerySet[ServiceItem]) -> list[dict]:
    """Rows `sector_id, sector__name, count`, largest first."""
    return list(
        items.values("sector_id", "sector__name")
        .annotate(count=Count("*"))
        .order_by("-count", "sector__name")
    )


def items_by_item_type(items: QuerySet[ServiceItem]) -> list[dict]:
    """Rows `item_type, sub_items, main_items`, most 子项 first.

    A 大项 is a main item, or an item without one (it is its own 大项).
    """
    return list(
        items.values("item_type")
        .annotate(
            sub_items=Count("*"),
            # distinct main items, plus the items without one (all items less those with one)
            main_items=Count("main_item", distinct=True) + Count("*") - Count("main_item"),
        )
        .order_by("-sub_items", "item_type")
    )


def items_by_power_source(items: QuerySet[ServiceItem]) -> list[dict]:
    """Rows `power_source, count`, largest first."""
    return list(
        items.values("power_source").annotate(count=Count("*")).order_by("-count", "power_source")
    )


def items_by_tier_span(items: QuerySet[ServiceItem]) -> list[dict]:
    """Rows `tiers, count`, largest first: one per tier combination (the set of tiers)."""
    return list(items.values("tiers").annotate(count=Count("*")).order_by("-count", "tiers"))


def items_by_mobile_channel(items: QuerySet[ServiceItem]) -> list[dict]:
    """Rows `mobile_channels__id, mobile_channels__name, count` of the channels the items use,
    largest first. Only 可指尖办 items have channels (catalogue.rules); saying so lets the
    database start from the few mobile items (partial index item_mobile_status_idx)."""
    if items.model is HistoricalServiceItem:
        return _records_by_mobile_channel(items)
    return list(
        items.filter(is_mobile=True, mobile_channels__isnull=False)
        .values("mobile_channels__id", "mobile_channels__name")
        .annotate(count=Count("*"))
        .order_by("-count", "mobile_channels__name")
    )


def _records_by_mobile_channel(records: QuerySet[HistoricalServiceItem]) -> list[dict]:
    # A record keeps its channels as a JSON list of ids (the many-to-many has no history):
    # the same rows as above, from the list's elements. Records whose channels are unknown
    # (None: written outside the services) count in no channel.
    connection = connections[records.db]
    qn = connection.ops.quote_name
    inner, params = (
        records.filter(is_mobile=True)
        .order_by()
        .values("mobile_channel_ids")
        .query.sql_with_params()
    )
    if connection.vendor == "postgresql":
        elements = "CROSS JOIN LATERAL jsonb_array_elements_text(r.mobile_channel_ids) e(value)"
        channel_id = "e.value::integer"
    else:
        elements = "CROSS JOIN json_each(r.mobile_channel_ids) e"
        channel_id = "e.value"
    channels = qn(MobileChannel._meta.db_table)
    sql = (
        f"SELECT c.id, c.name, COUNT(*) FROM ({inner}) r {elements} "
        f"JOIN {channels} c ON c.id = {channel_id} "
        f"GROUP BY c.id, c.name ORDER BY COUNT(*) DESC, c.name"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            {"mobile_channels__id": pk, "mobile_channels__name": name, "count": count}
            for pk, name, count in cursor.fetchall()
        ]


def records_trend(
    records: QuerySet[HistoricalServiceItem], moments: list[datetime.datetime]
) -> list[dict]:
    """For each moment, the figures of the records valid just before it (as
    `service_item_records_valid_at`): `total`, a count per buckets.TREND_BUCKETS key and
    `legal_days_<unit>` / `promised_days_<unit>` per time unit. One query whatever the number of
    moments: each record is joined to the moments it was valid at."""
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
    inner, params = (
        records.order_by()
        .annotate(**{f"trend_{name}": expression for name, expression in columns.items()})
        .values("history_date", "valid_until", *(f"trend_{name}" for name in columns))
        .query.sql_with_params()
    )
    connection = connections[records.db]
    date_field = HistoricalServiceItem._meta.get_field("history_date")
    ends = " UNION ALL ".join(
        f"SELECT %s AS moment, {index} AS month_index" for index in range(len(moments))
    )
    end_params = [date_field.get_db_prep_value(m, connection) for m in moments]
    sums = ", ".join(f"SUM(r.trend_{name})" for name in columns)
    sql = (
        f"SELECT m.month_index, COUNT(*), {sums} FROM ({inner}) r "
        f"JOIN ({ends}) m ON r.history_date < m.moment "
        f"AND (r.valid_until IS NULL OR r.valid_until >= m.moment) "
        f"GROUP BY m.month_index"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *end_params])
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    names = ["total", *columns]
    empty = (0, *(0 for _ in columns))
    return [dict(zip(names, found.get(index, empty), strict=True)) for index in range(len(moments))]
