"""Time the item changelist of the admin at province scale (docs/benchmarks.md, "Item list").

The catalogue (benchmarks/changelist.py: the demo, copied region after region) is built once into
a database of its own and kept: on PostgreSQL `bench_changelist_<items>` on the configured
server (`--database` names another, `--template` clones one already built), on SQLite a file in
var/benchmark/. Each run migrates it first, so the same database serves the code before and
after a change of indexes if each has its own clone. Every view is requested through the Django
test client as a superuser: one warm-up, then the median of `--repeat` runs, with its queries.
"""

import re
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks import changelist as catalogue
from catalogue.models import Department, ServiceItem


def changelist_views(department: Department, last_page: int) -> list[tuple[str, dict]]:
    """(label, query parameters) of every view the benchmark times."""
    return [
        ("first page", {}),
        (
            "two filters: department + 在用",
            {"department__id__exact": department.pk, "status__exact": "active"},
        ),
        (
            "two filters: 行政许可 + 网办",
            {"item_type__exact": "licensing", "is_online__exact": "1"},
        ),
        ("filter: 行使层级 街道级", {"tier": "16"}),
        ("search 许可 (2 characters, common)", {"q": "许可"}),
        ("search 施工许可", {"q": "施工许可"}),
        ("search 殡葬 (2 characters, rare)", {"q": "殡葬"}),
        ("search 不存在的 (nothing)", {"q": "不存在的"}),
        ("search code prefix R0123", {"q": "R0123"}),
        (
            "search a whole code",
            {"q": ServiceItem.objects.order_by("-pk").values_list("code", flat=True).first()},
        ),
        *[
            (f"sorted by column {column}", {"o": column})
            for column in ("2", "-2", "3", "4", "5", "7")
        ],
        ("last page", {"p": str(last_page)}),
        ("facets", {"_facets": "1"}),
        ("facets + department filter", {"_facets": "1", "department__id__exact": department.pk}),
        ("search 许可 + department filter", {"q": "许可", "department__id__exact": department.pk}),
    ]


def _shown(html: str) -> str:
    """Rows on the page and the paginator's count, read from the page."""
    rows = len(re.findall(r'<input type="checkbox" name="_selected_action"', html))
    paginator = re.search(r'<p class="paginator">(.*?)</p>', html, re.S)
    text = re.sub(r"<[^>]+>", " ", paginator.group(1)) if paginator else ""
    capped = re.search(r"超过 (\d+)", text)
    if capped:
        return f"{rows} of more than {capped[1]}"
    counts = re.findall(r"\d[\d,]*(?= *实施清单事项)", text)
    return f"{rows} of {counts[-1] if counts else '?'}"


class Command(BaseCommand):
    help = "Benchmark the admin's item changelist on a province-sized catalogue (kept database)."

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=1_000_000)
        parser.add_argument("--repeat", type=int, default=5, help="timed runs (median shown)")
        parser.add_argument(
            "--database", help="PostgreSQL database name (default bench_changelist_<items>)"
        )
        parser.add_argument(
            "--template", help="PostgreSQL: create --database as a copy of this one"
        )
        parser.add_argument("--only", help="only the views whose label contains this text")
        parser.add_argument("--build-only", action="store_true")
        parser.add_argument(
            "--statement-timeout", type=int, default=60, help="PostgreSQL: cancel a query after s"
        )

    def handle(self, *args, items, repeat, database, template, only, build_only, **options):
        if connection.vendor == "postgresql":
            name = database or f"bench_changelist_{items}"
            created = catalogue.postgres_database_ensure(name, template=template)
            catalogue.database_switch(name)
            timeout = options["statement_timeout"] * 1000
            connection.settings_dict.setdefault("OPTIONS", {})["options"] = (
                f"-c statement_timeout={timeout}"
            )
        else:
            path = Path(settings.BASE_DIR) / "var" / "benchmark" / f"changelist-{items}.sqlite3"
            path.parent.mkdir(parents=True, exist_ok=True)
            created = not path.exists()
            catalogue.database_switch(str(path))
        call_command("migrate", verbosity=0)
        if not ServiceItem.objects.exists():
            catalogue.catalogue_build(items=items, log=self.stdout.write)
        elif created:
            catalogue.analyze()
        if build_only:
            return
        self._run(repeat, only)

    def _run(self, repeat, only):
        import os

        user, _created = get_user_model().objects.get_or_create(
            username="benchmark_superuser", defaults={"is_staff": True, "is_superuser": True}
        )
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        url = reverse("admin:catalogue_serviceitem_changelist")
        total = ServiceItem.objects.count()
        department = Department.objects.order_by("pk").first()
        self.stdout.write(
            f"database: {connection.vendor} {connection.settings_dict['NAME']}; {total:,} items; "
            f"median of {repeat} runs; load {os.getloadavg()}"
        )
        self.stdout.write(
            "| view | median (ms) | runs (ms) | SQL of the median (ms) | queries | shown of |"
        )
        self.stdout.write("|---|---:|---|---:|---:|---:|")
        for label, params in changelist_views(department, -(-total // 50)):
            if only and only not in label:
                continue
            try:
                response = client.get(url, params)  # warm-up
            except OperationalError as error:
                self._line(f"| {label} | cancelled: {str(error).strip()[:60]} | | | | |")
                continue
            if response.status_code != 200:
                raise RuntimeError(f"{label}: {url} {params} answered {response.status_code}")
            timings, sql = [], {}
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url, params)
                    timings.append((time.perf_counter() - started) * 1000)
                sql[timings[-1]] = sum(float(q["time"]) for q in queries.captured_queries) * 1000
            median = statistics.median_low(timings)
            self._line(
                f"| {label} | {median:.0f} | "
                f"{', '.join(f'{t:.0f}' for t in sorted(timings))} | {sql[median]:.0f} | "
                f"{len(queries)} | "
                f"{_shown(response.content.decode())} |"
            )
        self._line(f"load {os.getloadavg()}")

    def _line(self, text):
        self.stdout.write(text)
        self.stdout.flush()
