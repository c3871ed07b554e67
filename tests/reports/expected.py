"""The report's numbers computed independently, in plain Python over the items, for comparison."""

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from catalogue.choices import (
    HandlingType,
    ItemStatus,
    ItemType,
    MobileService,
    PowerSource,
    TimeUnit,
    tier_span_label,
)


def _round1(value) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _yes_no(items, attribute) -> dict:
    yes = sum(1 for item in items if getattr(item, attribute))
    return {"是": yes, "否": len(items) - yes}


def in_use(items) -> list:
    return [item for item in items if item.status == ItemStatus.ACTIVE]


def expected_charts(items) -> dict[str, dict]:
    """{slug: {label: value}} (a tuple of values for charts with two datasets)."""
    timed = [item for item in items if item.legal_limit is not None]
    time_compression = {}
    for unit in TimeUnit:
        same_unit = [
            item for item in timed if item.legal_limit_unit == item.promised_limit_unit == unit
        ]
        if not same_unit:
            continue
        legal = sum(item.legal_limit for item in same_unit)
        promised = sum(item.promised_limit for item in same_unit)
        time_compression[f"法定办结时限（{unit.label}）"] = (legal, _round1(legal / len(same_unit)))
        time_compression[f"承诺办结时限（{unit.label}）"] = (
            promised,
            _round1(promised / len(same_unit)),
        )

    item_types = {}
    for item_type in {item.item_type for item in items}:
        of_type = [item for item in items if item.item_type == item_type]
        mains = {item.main_item_id for item in of_type if item.main_item_id}
        lone = [item for item in of_type if item.main_item_id is None]
        item_types[str(ItemType(item_type).label)] = (len(of_type), len(mains) + len(lone))

    channels = Counter(channel.name for item in items for channel in item.mobile_channels.all())
    visits = Counter(min(item.onsite_visits, 3) for item in items)
    legal_buckets = Counter(
        "1天以内"
        if item.legal_limit <= 1
        else "2-10天"
        if item.legal_limit <= 10
        else "11-30天"
        if item.legal_limit <= 30
        else "30天以上"
        for item in timed
    )
    return {
        "department": dict(
            Counter(item.department.short_name or item.department.name for item in items)
        ),
        "sector": dict(Counter(item.sector.name for item in items)),
        "handling-type": {
            str(kind.label): sum(1 for item in items if item.handling_type == kind)
            for kind in HandlingType
        },
        "item-type": item_types,
        "power-source": {
            str(PowerSource(source).label): count
            for source, count in Counter(item.power_source for item in items).items()
        },
        "tier-span": dict(Counter(tier_span_label(item.tiers) for item in items)),
        "in-hall": _yes_no(items, "in_hall"),
        "one-window": _yes_no(items, "one_window"),
        "comprehensive-window": _yes_no(items, "comprehensive_window"),
        "online": _yes_no(items, "is_online"),
        "mobile": _yes_no(items, "is_mobile"),
        "mobile-channel": dict(channels),
        "mobile-service": {
            str(service.label): sum(1 for item in items if item.mobile_services & service)
            for service in MobileService
        },
        "onsite-visits": {
            "0次": visits[0],
            "1次": visits[1],
            "2次": visits[2],
            "3次及以上": visits[3],
        },
        "instant-approval": _yes_no(items, "instant_approval"),
        "legal-time": {
            label: legal_buckets[label] for label in ("1天以内", "2-10天", "11-30天", "30天以上")
        },
        "time-compression": time_compression,
        "channels": {
            label: (yes, len(items) - yes)
            for label, yes in (
                ("进驻大厅", sum(1 for item in items if item.in_hall)),
                ("一窗办理", sum(1 for item in items if item.one_window)),
                ("综合窗口受理", sum(1 for item in items if item.comprehensive_window)),
                ("网上可办", sum(1 for item in items if item.is_online)),
                ("指尖可办", sum(1 for item in items if item.is_mobile)),
                ("秒批", sum(1 for item in items if item.instant_approval)),
            )
        },
    }


def as_mapping(chart: dict) -> dict:
    """A Chart.js chart as {label: value}, or {label: (value, value, …)} for several datasets."""
    columns = [dataset["data"] for dataset in chart["datasets"]]
    if len(columns) == 1:
        return dict(zip(chart["labels"], columns[0], strict=True))
    return dict(zip(chart["labels"], zip(*columns, strict=True), strict=True))
