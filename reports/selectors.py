"""Statistics of the report, computed in the database.

Each function below runs exactly one query on the items it is given (already filtered) and
returns plain values: a dict of figures or a list of grouped rows. Shaping them for Chart.js
is the job of `reports.charts`.
"""

from django.db.models import BooleanField, Count, Func, Max, Min, Q, QuerySet, Sum

from catalogue.choices import HandlingType, ItemStatus, MobileService
from catalogue.models import Department, Sector, ServiceItem
from catalogue.selectors import departments_for_user, service_items_for_user


def report_items(*, user) -> QuerySet[ServiceItem]:
    """The items every report of `user` starts from (page, charts, summary, export).

    The one place where a report is scoped to what the user may see.
    """
    return service_items_for_user(user)


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


def items_in_status(items: QuerySet[ServiceItem], status: str) -> QuerySet[ServiceItem]:
    if status == ItemStatus.ACTIVE:  # nearly every item of a catalogue
        return items.filter(Likely(Q(status=status)))
    return items.filter(status=status)


def report_departments(*, user) -> QuerySet[Department]:
    """The departments `user` may filter the report by."""
    return departments_for_user(user)


def report_sectors(*, user) -> QuerySet[Sector]:
    return Sector.objects.all()


# Buckets of the conditional aggregate; `reports.charts` gives them their labels.
ONSITE_VISIT_BUCKETS = {
    "visits_0": Q(onsite_visits=0),
    "visits_1": Q(onsite_visits=1),
    "visits_2": Q(onsite_visits=2),
    "visits_3_plus": Q(onsite_visits__gte=3),
}
LEGAL_LIMIT_BUCKETS = {
    "legal_upto_1": Q(legal_limit__lte=1),
    "legal_2_10": Q(legal_limit__gte=2, legal_limit__lte=10),
    "legal_11_30": Q(legal_limit__gte=11, legal_limit__lte=30),
    "legal_over_30": Q(legal_limit__gt=30),
}
YES_FLAGS = ("in_hall", "one_window", "comprehensive_window", "is_online", "is_mobile")


def mobile_service_key(service: MobileService) -> str:
    return f"mobile_service_{service.value}"


def item_figures(items: QuerySet[ServiceItem]) -> dict:
    """Every per-item figure of the report in one conditional aggregate (one query).

    Time sums cover the items that have a 法定办结时限 (`timed`); the others are left out of
    the time figures. Sums are None when no item is timed.
    """
    timed = Q(legal_limit__isnull=False)
    return items.aggregate(
        total=Count("pk"),
        data_updated_at=Max("updated_at"),
        immediate=Count("pk", filter=Q(handling_type=HandlingType.IMMEDIATE)),
        promised=Count("pk", filter=Q(handling_type=HandlingType.PROMISED)),
        instant_approval=Count("pk", filter=Q(instant_approval=True)),
        **{flag: Count("pk", filter=Q(**{flag: True})) for flag in YES_FLAGS},
        **{
            mobile_service_key(service): Count("pk", filter=Q(mobile_services__has=service))
            for service in MobileService
        },
        **{key: Count("pk", filter=bucket) for key, bucket in ONSITE_VISIT_BUCKETS.items()},
        **{key: Count("pk", filter=bucket) for key, bucket in LEGAL_LIMIT_BUCKETS.items()},
        timed=Count("pk", filter=timed),
        legal_days=Sum("legal_limit", filter=timed),
        promised_days=Sum("promised_limit", filter=timed),
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
    """Rows `tier_span, mask, count`, largest first; `mask` is the tier set of that span."""
    return list(
        items.values("tier_span")
        .annotate(count=Count("*"), mask=Min("tiers"))
        .order_by("-count", "mask")
    )


def items_by_mobile_channel(items: QuerySet[ServiceItem]) -> list[dict]:
    """Rows `mobile_channels__id, mobile_channels__name, count` of the channels the items use,
    largest first. Only 可指尖办 items have channels (catalogue.rules); saying so lets the
    database start from the few mobile items (partial index item_mobile_status_idx)."""
    return list(
        items.filter(is_mobile=True, mobile_channels__isnull=False)
        .values("mobile_channels__id", "mobile_channels__name")
        .annotate(count=Count("*"))
        .order_by("-count", "mobile_channels__name")
    )
