from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalogue.models import ImportBatch, ServiceItem
from tests.factories import ServiceItemFactory

pytestmark = pytest.mark.django_db


def test_benchmark_demo_load_reports_timings_and_leaves_the_database_as_it_was():
    out = StringIO()

    call_command("benchmark_demo_load", "--repeat", "1", stdout=out)

    assert "load into an empty catalogue: median" in out.getvalue()
    assert "rerun (nothing to write): median" in out.getvalue()
    assert not ServiceItem.objects.exists()


def test_benchmark_demo_load_refuses_a_catalogue_with_items():
    ServiceItemFactory()

    with pytest.raises(CommandError, match="The catalogue must be empty"):
        call_command("benchmark_demo_load", "--repeat", "1", stdout=StringIO())


def test_benchmark_history_measures_each_write_and_leaves_the_database_as_it_was():
    out = StringIO()

    call_command("benchmark_history", "--items", "5", stdout=out)

    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert "import_batch_record (new items)" in lines[0] and "queries" in lines[0]
    assert "service_items_set_status (action)" in lines[2]
    assert not ServiceItem.objects.exists()
    assert not ImportBatch.objects.exists()
