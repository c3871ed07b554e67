"""The item counts PostgreSQL keeps for the item list's facets (catalogue.models.ItemFacetCount,
its triggers in migration 0018, catalogue.services.facet_counts): exact after every kind of
write, folded by the compaction, and never a lock a writer waits for."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count, Sum
from django.urls import reverse

from catalogue.choices import ItemStatus, Tier
from catalogue.models import ItemFacetCount, ServiceItem
from catalogue.services import facet_counts
from catalogue.services.facet_counts import item_facet_counts_compact, item_facet_counts_kept
from catalogue.services.items import (
    service_item_update,
    service_items_delete,
    service_items_set_status,
)
from demo.services import demo_catalogue_load
from tests.factories import ServiceItemFactory

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the counts are kept on PostgreSQL only"
)
CHANGELIST = reverse("admin:catalogue_serviceitem_changelist")
WAIT_SECONDS = 30


def kept_counts() -> Counter:
    rows = ItemFacetCount.objects.values_list(*ItemFacetCount.COLUMNS).annotate(n=Sum("items"))
    return Counter({tuple(key): n for *key, n in rows.order_by() if n})


def item_counts() -> Counter:
    rows = ServiceItem.objects.values_list(*ItemFacetCount.COLUMNS).annotate(n=Count("*"))
    return Counter({tuple(key): n for *key, n in rows.order_by()})


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite has no table of counts")
@pytest.mark.django_db
def test_sqlite_keeps_no_counts_and_compacts_nothing():
    assert item_facet_counts_kept() is False
    assert item_facet_counts_compact() is False


@on_postgresql
@pytest.mark.django_db
def test_the_counts_follow_every_kind_of_write(refs):
    demo_catalogue_load()  # bulk_create
    assert kept_counts() == item_counts()
    assert sum(item_counts().values()) > 600

    item = ServiceItemFactory(department=refs.department, sector=refs.sector, tiers=Tier.CITY)
    service_item_update(item=item, sector=refs.other_sector, tiers=Tier.CITY | Tier.COUNTY)
    service_items_set_status(
        items=ServiceItem.objects.filter(item_type="licensing"),
        status=ItemStatus.SUSPENDED,
        user=None,
    )
    service_items_delete(items=ServiceItem.objects.order_by("pk")[:40], user=None)
    ServiceItem.objects.filter(is_online=False).update(in_hall=True)
    ServiceItem.objects.filter(pk=item.pk).delete()

    assert kept_counts() == item_counts()


@on_postgresql
@pytest.mark.django_db
def test_the_compaction_leaves_one_row_per_combination_and_the_same_counts(refs):
    items = ServiceItemFactory.create_batch(6, department=refs.department, sector=refs.sector)
    for item in items[:3]:
        service_item_update(item=item, status=ItemStatus.SUSPENDED)
    ServiceItem.objects.filter(pk=items[5].pk).delete()
    before = kept_counts()
    assert ItemFacetCount.objects.count() > len(before)

    assert item_facet_counts_compact() is True

    assert kept_counts() == before == item_counts()
    assert ItemFacetCount.objects.count() == len(before) == 2  # 3 suspended, 2 active
    assert not ItemFacetCount.objects.filter(folded=False).exists()


@on_postgresql
@pytest.mark.django_db
def test_a_facet_read_compacts_the_counts_once_many_rows_were_appended(
    admin_client, refs, monkeypatch
):
    for number in range(4):
        ServiceItemFactory(department=refs.department, sector=refs.sector, code=f"C{number}")
    monkeypatch.setattr(facet_counts, "COMPACT_AFTER_ROWS", 3)
    monkeypatch.setattr("catalogue.admin_changelist.COMPACT_AFTER_ROWS", 3)
    assert ItemFacetCount.objects.filter(folded=False).count() == 4

    response = admin_client.get(CHANGELIST, {"_facets": "1"})

    assert "在用 (4)" in response.content.decode()
    assert ItemFacetCount.objects.filter(folded=False).count() == 0
    assert kept_counts() == item_counts()


def _in_thread(function):
    """Run `function` in a thread with its own connection; returns (thread, outcome)."""
    outcome = {}

    def run():
        try:
            outcome["result"] = function()
        except Exception as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@on_postgresql
# serialized_rollback: later tests restore the serialized database (test_import_concurrency.py).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_writers_and_the_compaction_never_wait_for_an_open_write(refs):
    written, release = threading.Event(), threading.Event()

    def open_write():
        with transaction.atomic():
            ServiceItemFactory(department=refs.department, sector=refs.sector, code="OPEN1")
            written.set()
            release.wait(WAIT_SECONDS)

    def other_write_then_compaction():
        with connection.cursor() as cursor:
            # Waiting for a lock at all fails the test instead of passing late.
            cursor.execute("SET lock_timeout = '5s'")
        # The same combination of columns as the open write's item.
        ServiceItemFactory(department=refs.department, sector=refs.sector, code="OTHER1")
        return item_facet_counts_compact()

    holder, held = _in_thread(open_write)
    try:
        assert written.wait(WAIT_SECONDS)
        other, outcome = _in_thread(other_write_then_compaction)
        other.join(WAIT_SECONDS)
        assert not other.is_alive()
        assert outcome == {"result": True}
    finally:
        release.set()
        holder.join(WAIT_SECONDS)
    assert held == {"result": None}
    assert kept_counts() == item_counts()
    assert sum(kept_counts().values()) == 2


@on_postgresql
@pytest.mark.django_db
def test_a_truncate_of_the_items_empties_the_counts(refs):
    ServiceItemFactory(department=refs.department, sector=refs.sector)
    assert ItemFacetCount.objects.exists()

    with connection.cursor() as cursor:
        # As the tests' flush does: the counts are an unmanaged table, which it leaves alone.
        # (The deferred foreign-key checks of the rows above first: PostgreSQL truncates no table
        # with trigger events pending.)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE catalogue_serviceitem CASCADE")

    assert not ItemFacetCount.objects.exists()
