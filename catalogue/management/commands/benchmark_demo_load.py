import statistics
import time
import tracemalloc

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from catalogue.demo import build_demo_catalogue
from catalogue.models import ServiceItem
from catalogue.services.demo_load import demo_catalogue_load


class Command(BaseCommand):
    help = (
        "Time the demo catalogue load into an empty catalogue and its no-op rerun. "
        "Each run is rolled back, so the database is left as it was. Developer tool."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args, repeat, **options):
        if ServiceItem.objects.exists():
            raise CommandError("The catalogue must be empty (use a fresh, migrated database).")
        build, first, rerun = [], [], []
        for _ in range(repeat):
            started = time.perf_counter()
            build_demo_catalogue()
            build.append(time.perf_counter() - started)
            with transaction.atomic():
                started = time.perf_counter()
                demo_catalogue_load()
                first.append(time.perf_counter() - started)
                started = time.perf_counter()
                demo_catalogue_load()
                rerun.append(time.perf_counter() - started)
                transaction.set_rollback(True)
        with transaction.atomic():
            tracemalloc.start()
            demo_catalogue_load()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            transaction.set_rollback(True)

        def ms(seconds):
            median, fastest = statistics.median(seconds) * 1000, min(seconds) * 1000
            return f"median {median:.0f} ms, min {fastest:.0f} ms"

        self.stdout.write(f"database: {connection.vendor}, {repeat} runs, rolled back")
        self.stdout.write(f"build (pure, no database): {ms(build)}")
        self.stdout.write(f"load into an empty catalogue: {ms(first)}")
        self.stdout.write(f"rerun (nothing to write): {ms(rerun)}")
        self.stdout.write(f"peak Python memory of one load: {peak / 2**20:.1f} MiB")
