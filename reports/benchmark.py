"""Synthetic catalogues and timings for `manage.py benchmark_reports` (see docs/benchmarks.md)."""

import random
import statistics
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.http import QueryDict
from django.test import Client

from catalogue.choices import (
    HandlingType,
    ItemStatus,
    ItemType,
    MobileService,
    OnlineDepth,
    PowerSource,
    Tier,
    TimeUnit,
)
from catalogue.models import Department, MainItem, MobileChannel, Sector, ServiceItem

from .filters import ReportFilter
from .report import report_build
from .selectors import report_items

BATCH = 5_000
DEPARTMENTS = 40
SECTORS = 25
MAIN_ITEMS_PER_DEPARTMENT = 150

# Roughly the shares of the centre's report, so that every bucket and filter has work to do.
TIER_MASKS = {
    Tier.CITY | Tier.COUNTY: 34,
    Tier.COUNTY: 29,
    Tier.PROVINCE | Tier.CITY | Tier.COUNTY: 27,
    Tier.COUNTY | Tier.TOWNSHIP: 4,
    Tier.CITY | Tier.COUNTY | Tier.TOWNSHIP: 3,
    Tier.COUNTY | Tier.TOWNSHIP | Tier.VILLAGE: 2,
    Tier.PROVINCE | Tier.CITY | Tier.COUNTY | Tier.TOWNSHIP | Tier.VILLAGE: 1,
}
ITEM_TYPES = {ItemType.LICENSING: 40, ItemType.PUBLIC_SERVICE: 26, **dict.fromkeys(ItemType, 3)}
POWER_SOURCES = {
    PowerSource.LOCAL_STATUTORY: 63,
    PowerSource.AUTHORIZED_BY_SUPERIOR: 12,
    PowerSource.ENTRUSTED_BY_SUPERIOR: 10,
    PowerSource.DELEGATED_BY_SUPERIOR: 10,
    PowerSource.OTHER: 5,
}
LEGAL_LIMITS = {None: 3, 1: 7, 5: 7, 10: 6, 15: 20, 20: 26, 30: 20, 60: 11}


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def reference_data_create() -> dict:
    """Departments, sectors and main items the synthetic items point to."""
    departments = Department.objects.bulk_create(
        [Department(name=f"基准测试局{n:02d}") for n in range(DEPARTMENTS)]
    )
    sectors = Sector.objects.bulk_create(
        [Sector(name=f"基准测试行业{n:02d}") for n in range(SECTORS)]
    )
    departments = list(Department.objects.filter(name__startswith="基准测试局"))
    sectors = list(Sector.objects.filter(name__startswith="基准测试行业"))
    MainItem.objects.bulk_create(
        [
            MainItem(department=department, name=f"基准测试主项{n}")
            for department in departments
            for n in range(MAIN_ITEMS_PER_DEPARTMENT)
        ]
    )
    main_items = {}
    for main_item_id, department_id in MainItem.objects.values_list("pk", "department_id"):
        main_items.setdefault(department_id, []).append(main_item_id)
    return {
        "departments": [d.pk for d in departments],
        "sectors": [s.pk for s in sectors],
        "main_items": main_items,
        "channels": list(MobileChannel.objects.values_list("pk", flat=True)),
    }


def _item(rng: random.Random, pk: int, reference: dict) -> tuple[ServiceItem, list[int]]:
    department = rng.choice(reference["departments"])
    handling_type = HandlingType.PROMISED if rng.random() < 0.59 else HandlingType.IMMEDIATE
    legal_limit = _weighted(rng, LEGAL_LIMITS)
    if handling_type == HandlingType.IMMEDIATE:
        promised_limit = 0
    else:
        promised_limit = max(1, round((legal_limit or 20) * rng.uniform(0.1, 0.5)))
    is_online = rng.random() < 0.94
    online_depth = rng.choice(OnlineDepth.values) if is_online else None
    visits = 0
    if online_depth != OnlineDepth.LEVEL_4 and rng.random() < 0.3:
        visits = 1 if rng.random() < 0.98 else 2
    is_mobile = rng.random() < 0.05
    power_source = _weighted(rng, POWER_SOURCES)
    item = ServiceItem(
        pk=pk,
        code=f"BENCH{pk:031d}",
        name=f"基准测试事项{pk}",
        department_id=department,
        sector_id=rng.choice(reference["sectors"]),
        main_item_id=rng.choice(reference["main_items"][department])
        if rng.random() < 0.6
        else None,
        item_type=_weighted(rng, ITEM_TYPES),
        status=ItemStatus.ACTIVE if rng.random() < 0.95 else ItemStatus.SUSPENDED,
        power_source=power_source,
        entrusting_body="委托部门" if power_source == PowerSource.ENTRUSTED_BY_SUPERIOR else "",
        handling_type=handling_type,
        tiers=_weighted(rng, TIER_MASKS),
        in_hall=rng.random() < 0.75,
        one_window=rng.random() < 0.07,
        comprehensive_window=rng.random() < 0.78,
        is_online=is_online,
        online_depth=online_depth,
        instant_approval=is_online and rng.random() < 0.03,
        is_mobile=is_mobile,
        mobile_services=rng.randint(1, sum(MobileService.values)) if is_mobile else 0,
        onsite_visits=visits,
        onsite_reason="需现场核验" if visits else "",
        legal_limit=legal_limit,
        legal_limit_unit=TimeUnit.WORKING_DAY if legal_limit is not None else "",
        promised_limit=promised_limit,
    )
    channels = rng.sample(reference["channels"], rng.randint(1, 3)) if is_mobile else []
    return item, channels


def synthetic_items_create(*, start: int, count: int, reference: dict, seed: int = 0) -> None:
    """Insert `count` valid items with primary keys from `start`, in bulk batches."""
    rng = random.Random(seed + start)
    through = ServiceItem.mobile_channels.through
    for batch_start in range(start, start + count, BATCH):
        batch_end = min(batch_start + BATCH, start + count)
        items, links = [], []
        for pk in range(batch_start, batch_end):
            item, channels = _item(rng, pk, reference)
            items.append(item)
            links.extend(through(serviceitem_id=pk, mobilechannel_id=c) for c in channels)
        with transaction.atomic():
            ServiceItem.objects.bulk_create(items)
            through.objects.bulk_create(links)


def analyze() -> None:
    """Fresh planner statistics, as a settled database would have."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    run()  # warm-up
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def summary_build(user, query: str = ""):
    filterset = ReportFilter(QueryDict(query), queryset=report_items(user=user))
    assert filterset.is_valid(), filterset.errors
    return report_build(items=filterset.qs).as_summary()


def logged_in_client(user) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def get_ok(client: Client, url: str) -> Callable[[], None]:
    def run():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")

    return run
