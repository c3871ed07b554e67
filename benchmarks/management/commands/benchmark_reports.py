"""Time summary.json and the report page on synthetic catalogues of growing size.

Runs in a scratch database created and dropped by the command (on PostgreSQL `bench_<name>`,
on SQLite a temporary file), so the configured database is left alone.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import connection
from django.urls import reverse

from benchmarks import reports as benchmark
from catalogue.models import Department, ServiceItem


class Command(BaseCommand):
    help = "Benchmark summary.json and the report page on 10k, 100k and 1M synthetic items."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000, 1_000_000])
        parser.add_argument("--repeat", type=int, default=5, help="timed runs (median shown)")
        parser.add_argument(
            "--page-at", type=int, default=100_000, help="also time the page at this size"
        )

    def handle(self, *args, sizes, repeat, page_at, **options):
        with benchmark.scratch_database():
            self._run(sorted(sizes), repeat, page_at)

    def _run(self, sizes, repeat, page_at):
        self.stdout.write(f"database: {connection.vendor}; median of {repeat} runs")
        self.stdout.write(
            "| items | build (s) | selectors + shaping (ms) | summary.json request (ms) "
            "| summary.json, one department (ms) | page (ms) |"
        )
        self.stdout.write("|---:|---:|---:|---:|---:|---:|")
        user = get_user_model().objects.create_user("benchmark", is_staff=True)
        # A supervisor's rights: the report pages over every department.
        user.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="catalogue",
                codename__in=["view_reports", "access_all_departments"],
            )
        )
        user = get_user_model().objects.get(pk=user.pk)
        client = benchmark.logged_in_client(user)
        reference = benchmark.reference_data_create()
        department = Department.objects.filter(pk__in=reference.departments).first()
        summary_url = reverse("reports:summary")
        built = 0
        for size in sizes:
            started = benchmark.time.perf_counter()
            benchmark.synthetic_items_create(
                start=built + 1, count=size - built, reference=reference
            )
            benchmark.analyze()
            build_seconds = benchmark.time.perf_counter() - started
            built = size
            counted = client.get(summary_url).json()["total"]
            if counted != ServiceItem.objects.in_use().count():
                raise RuntimeError(f"summary.json counts {counted} items of the {size:,} built")
            shaping = benchmark.median_seconds(lambda: benchmark.summary_build(user), repeat)
            request = benchmark.median_seconds(benchmark.get_ok(client, summary_url), repeat)
            one_department = benchmark.median_seconds(
                benchmark.get_ok(client, f"{summary_url}?department={department.pk}"), repeat
            )
            page = "—"
            if size == page_at:
                seconds = benchmark.median_seconds(
                    benchmark.get_ok(client, reverse("reports:page")), repeat
                )
                page = f"{seconds * 1000:.0f}"
            self.stdout.write(
                f"| {size:,} | {build_seconds:.0f} | {shaping * 1000:.0f} | {request * 1000:.0f} "
                f"| {one_department * 1000:.0f} | {page} |"
            )
