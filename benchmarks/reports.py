"""Synthetic catalogues (demo.synthetic's REPORT_MIX) and timings for `manage.py benchmark_reports`
(see docs/benchmarks.md)."""

import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

from django.db import connection, transaction
from django.http import QueryDict
from django.test import Client

from catalogue.models import Department, MainItem, MobileChannel, Sector, ServiceItem
from demo.synthetic import REPORT_MIX, SyntheticReference, synthetic_item_fields
from reports.filters import ReportFilter
from reports.report import report_build
from reports.selectors import report_items

BATCH = 5_000
DEPARTMENTS = 40
SECTORS = 25
MAIN_ITEMS_PER_DEPARTMENT = 150


@contextmanager
def scratch_database(*, keep: bool = False) -> Iterator[str]:
    """A fresh migrated database for a benchmark, dropped afterwards (unless `keep`): on
    PostgreSQL `bench_<name>`, on SQLite a temporary file. Yields its name."""
    with tempfile.TemporaryDirectory() as scratch:
        old_name = connection.settings_dict["NAME"]
        if connection.vendor == "sqlite":
            name = str(Path(scratch) / "bench.sqlite3")
        else:
            name = f"bench_{old_name}"
        connection.settings_dict.setdefault("TEST", {})["NAME"] = name
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield name
        finally:
            if not keep:
                connection.creation.destroy_test_db(old_name, verbosity=0)


def reference_data_create() -> SyntheticReference:
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
    return SyntheticReference(
        departments=[d.pk for d in departments],
        sectors=[s.pk for s in sectors],
        main_items=main_items,
        channels=list(MobileChannel.objects.values_list("pk", flat=True)),
    )


def _item(rng: random.Random, pk: int, reference: SyntheticReference):
    fields, channels = synthetic_item_fields(rng, reference, REPORT_MIX)
    item = ServiceItem(
        pk=pk,
        code=f"BENCH{pk:031d}",
        name=f"基准测试事项{pk}",
        department_id=fields.pop("department"),
        sector_id=fields.pop("sector"),
        main_item_id=fields.pop("main_item"),
        **fields,
    )
    return item, channels


def synthetic_items_create(
    *, start: int, count: int, reference: SyntheticReference, seed: int = 0
) -> None:
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
    # VACUUM cannot run in a transaction (a test's): ANALYZE alone still refreshes the statistics.
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    run()  # warm-up
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def summary_build(user, query: str = ""):
    filterset = ReportFilter(
        QueryDict(query), queryset=report_items(user=user), request=SimpleNamespace(user=user)
    )
    if not filterset.is_valid():
        raise ValueError(f"report filters {query!r}: {filterset.errors}")
    as_of = filterset.form.cleaned_data["as_of"]
    return report_build(items=filterset.qs, as_of=as_of).as_summary()


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
