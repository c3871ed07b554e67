"""Time the bulk audit-trail writes an Excel import and a bulk action add.

    python manage.py benchmark_history --items 1000 10000

Runs in a transaction that is rolled back: the database is left as it was.
"""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalogue.choices import ItemStatus
from catalogue.models import Department, Sector, ServiceItem
from catalogue.services.import_batches import import_batch_record
from catalogue.services.items import service_items_set_status
from demo.synthetic import valid_item_fields


def _items(count, department, sector):
    return [
        ServiceItem(
            code=f"BENCH{n:08d}",
            name=f"基准事项{n}",
            department=department,
            sector=sector,
            **valid_item_fields(),
        )
        for n in range(count)
    ]


class Command(BaseCommand):
    help = "Measure import_batch_record and a bulk status action (time and queries)."

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, nargs="+", default=[1000, 10000])

    def _measure(self, label, count, work):
        # No tracemalloc: it would slow the Python side several times over. The writes build
        # nothing per row in Python except the batch links.
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            work()
            elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{connection.vendor:10} {count:>7} items  {label:36} "
            f"{elapsed:7.3f} s  {len(queries):4} queries"
        )

    def handle(self, *args, items, **options):
        for count in items:
            with transaction.atomic():
                user = get_user_model().objects.create(username="benchmark-user")
                department = Department.objects.create(name="基准部门")
                sector = Sector.objects.create(name="基准行业")
                created = ServiceItem.objects.bulk_create(
                    _items(count, department, sector), batch_size=1000
                )
                ids = [item.pk for item in created]
                for what, created_ids, updated_ids in (("new", ids, []), ("updated", [], ids)):
                    self._measure(
                        f"import_batch_record ({what} items)",
                        count,
                        lambda c=created_ids, up=updated_ids, u=user: import_batch_record(
                            file_name="bench.xlsx",
                            user=u,
                            created_ids=c,
                            updated_ids=up,
                            unchanged_count=0,
                        ),
                    )
                self._measure(
                    "service_items_set_status (action)",
                    count,
                    lambda u=user: service_items_set_status(
                        items=ServiceItem.objects.all(), status=ItemStatus.SUSPENDED, user=u
                    ),
                )
                transaction.set_rollback(True)
