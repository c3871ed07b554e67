import random

import pytest

from catalogue.choices import ItemStatus
from catalogue.models import ServiceItem
from catalogue.rules import item_rule_errors
from reports import benchmark

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference():
    return benchmark.reference_data_create()


def test_synthetic_items_are_inserted_in_bulk_with_the_given_keys(
    reference, django_assert_max_num_queries
):
    count = benchmark.BATCH + 10
    # Multi-row inserts: on PostgreSQL one per batch, on SQLite one per ~27 rows (999 parameters).
    with django_assert_max_num_queries(count // 20):
        benchmark.synthetic_items_create(start=1, count=count, reference=reference)

    assert ServiceItem.objects.count() == count
    assert ServiceItem.objects.order_by("pk").values_list("pk", flat=True)[0] == 1


def test_synthetic_items_break_no_consistency_rule(reference):
    rng = random.Random(1)
    for pk in range(1, 300):
        item, channels = benchmark._item(rng, pk, reference)
        values = {**item.rule_values(), "mobile_channels": channels}
        assert item_rule_errors(values) == {}, pk


def test_only_mobile_synthetic_items_get_channels(reference):
    benchmark.synthetic_items_create(start=1, count=2_000, reference=reference)

    with_channels = ServiceItem.objects.filter(mobile_channels__isnull=False).distinct()
    assert with_channels.exists()
    assert not with_channels.filter(is_mobile=False).exists()


def test_summary_build_reports_the_items_in_use(reference, admin_user):
    benchmark.synthetic_items_create(start=1, count=500, reference=reference)

    summary = benchmark.summary_build(admin_user)

    assert summary["total"] == ServiceItem.objects.filter(status=ItemStatus.ACTIVE).count()


def test_median_seconds_warms_up_once_then_times_each_run():
    calls = []

    seconds = benchmark.median_seconds(lambda: calls.append(1), repeat=3)

    assert len(calls) == 4
    assert seconds >= 0


def test_get_ok_fails_loudly_on_an_error_status(admin_user):
    run = benchmark.get_ok(benchmark.logged_in_client(admin_user), "/reports/?tier=bad")

    with pytest.raises(RuntimeError, match="answered 400"):
        run()
