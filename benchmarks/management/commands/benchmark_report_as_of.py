"""Time the report as of a past date against the live report (docs/report-as-of.md).

    DJANGO_SETTINGS_MODULE=config.settings.dev manage.py benchmark_report_as_of --items 100000

Builds `--items` synthetic items, then `--records` history records per item over the last two
years through the bulk writer of records (catalogue.history.history_records_insert_select, which
also closes the validity of the earlier records), each earlier record differing from the item in
some of the figures the report counts. Runs in a scratch database created and dropped by the
command (on PostgreSQL `bench_<name>`, on SQLite a temporary file).
"""

import datetime
import time

import time_machine
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.core.signals import request_started
from django.db import connection, reset_queries
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from benchmarks import reports as benchmark
from catalogue.choices import ChangeSource, ItemStatus
from catalogue.history import CHANGED, CREATED, HistoricalServiceItem, history_records_insert_select
from catalogue.models import ServiceItem

GROUPS = 20  # items are written in groups, each on its own days
SPAN_DAYS = 720


def _record_overrides(step: int, last: int) -> dict:
    # Earlier records differ from today's item; the last one is the item as it is.
    if step == last:
        return {}
    return {
        "is_online": step % 2 == 0,
        "in_hall": step % 3 != 0,
        "instant_approval": step == 1,
        "onsite_visits": step % 3,
        "status": ItemStatus.SUSPENDED if step == 2 else ItemStatus.ACTIVE,
    }


class Command(BaseCommand):
    help = "Benchmark summary.json as of past dates against the live summary."

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=100_000)
        parser.add_argument("--records", type=int, default=5, help="history records per item")
        parser.add_argument("--repeat", type=int, default=5, help="timed runs (median shown)")
        parser.add_argument(
            "--keep", action="store_true", help="leave the scratch database (PostgreSQL)"
        )

    def handle(self, *args, items, records, repeat, keep, **options):
        with benchmark.scratch_database(keep=keep) as name:
            self._run(items, records, repeat)
        if keep:
            self.stdout.write(f"kept the database {name}")

    def _build(self, count: int, records: int) -> datetime.datetime:
        reference = benchmark.reference_data_create()
        benchmark.synthetic_items_create(start=1, count=count, reference=reference)
        start = timezone.now() - datetime.timedelta(days=SPAN_DAYS + 5)
        step_days = SPAN_DAYS // (records * GROUPS)
        for group in range(GROUPS):
            items = ServiceItem.objects.annotate(group=F("pk") % GROUPS).filter(group=group)
            for step in range(records):
                moment = start + datetime.timedelta(days=(step * GROUPS + group) * step_days)
                with time_machine.travel(moment, tick=False):
                    history_records_insert_select(
                        items,
                        history_type=CREATED if step == 0 else CHANGED,
                        user=None,
                        source=ChangeSource.IMPORT,
                        overrides=_record_overrides(step, records - 1),
                    )
        benchmark.analyze()
        return start

    def _run(self, count, records, repeat):
        started = time.perf_counter()
        start = self._build(count, records)
        build_seconds = time.perf_counter() - started
        written = HistoricalServiceItem.objects.count()
        open_records = HistoricalServiceItem.objects.filter(valid_until__isnull=True).count()
        if open_records != count:
            raise RuntimeError(f"{open_records} open records for {count} items")
        user = self.user = get_user_model().objects.create_superuser("benchmark")
        client = benchmark.logged_in_client(user)
        url = reverse("reports:summary")
        today = timezone.localdate()
        days = [today - datetime.timedelta(days=offset) for offset in (1, 182, 365, 547, SPAN_DAYS)]
        self.stdout.write(
            f"database: {connection.vendor}; {count:,} items, {written:,} history records "
            f"from {start.date()}; built in {build_seconds:.0f} s; median of {repeat} runs"
        )
        self.stdout.write(
            "| report | queries (request) | summary.json request (ms) | ratio to live |"
        )
        self.stdout.write("|---|---:|---:|---:|")
        live = self._time(client, url, {"compare_to": ""}, repeat)
        self._row("live", live, live)
        for day in days:
            query = {"as_of": day.isoformat(), "compare_to": ""}
            self._row(f"as of {day}", self._time(client, url, query, repeat), live)
        # The comparison view: as of a day, compared with a year before (the default).
        for day in days[:3]:
            query = {"as_of": day.isoformat()}
            self._row(f"as of {day}, compared", self._time(client, url, query, repeat), live)
        trend = self._time(client, reverse("reports:trend"), {}, repeat)
        months = len(client.get(reverse("reports:trend")).json()["days"])
        self._row(f"trend.json, {months} month ends", trend, live)

    def _time(self, client, url, query, repeat):
        # Count the request's queries: Django empties the log when a request starts.
        request_started.disconnect(reset_queries)
        try:
            reset_queries()  # a full log (DEBUG keeps 9,000) would count nothing new
            with CaptureQueriesContext(connection) as queries:
                client.get(url, query)
        finally:
            request_started.connect(reset_queries)
        seconds = benchmark.median_seconds(benchmark.get_ok(client, f"{url}?{_q(query)}"), repeat)
        return len(queries), seconds

    def _row(self, label, measured, live):
        queries, seconds = measured
        self.stdout.write(
            f"| {label} | {queries} | {seconds * 1000:.0f} | {seconds / live[1]:.2f} |"
        )


def _q(query: dict) -> str:
    return "&".join(f"{key}={value}" for key, value in query.items())
