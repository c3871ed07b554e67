"""Migration 0009: every item without history gets one initial record, in bulk."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from catalogue.choices import ChangeSource
from catalogue.history import HistoricalServiceItem
from catalogue.models import MobileChannel, ServiceItem
from tests.factories import ServiceItemFactory

BEFORE = [("catalogue", "0008_reword_immediate_limit_message")]
AFTER = [("catalogue", "0009_initial_history_backfill")]
# The current models need the later columns and tables too: back to the latest migration, named
# by the graph (a hard-coded name leaves every later migration unapplied for the tests after).
LATEST = MigrationLoader(None).graph.leaf_nodes("catalogue")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backfill_writes_one_initial_record_per_item_without_history_only():
    with_history = ServiceItemFactory(name="已有历史")
    old_apps = _migrate(BEFORE)
    # Models of the migration state send no simple-history signal: these rows are like the
    # items bulk_create wrote before, without any record.
    OldItem = old_apps.get_model("catalogue", "ServiceItem")
    template = ServiceItem.objects.values().get(pk=with_history.pk)
    bare = []
    for number in range(3):
        row = {**template, "id": None, "code": f"BARE{number}", "name": f"无历史{number}"}
        bare.append(OldItem.objects.create(**row))
    channels = list(MobileChannel.objects.order_by("pk").values_list("pk", flat=True)[:2])
    bare[0].mobile_channels.set(channels[::-1])

    _migrate(AFTER)
    _migrate(LATEST)

    assert HistoricalServiceItem.objects.filter(id=with_history.pk).count() == 1
    for old in bare:
        item = ServiceItem.objects.get(pk=old.pk)
        record = item.history.get()
        assert (record.history_type, record.change_source, record.history_user) == (
            "+",
            ChangeSource.BACKFILL,
            None,
        )
        assert record.history_date == item.created_at
        tracked = [field.attname for field in HistoricalServiceItem.tracked_fields]
        assert {name: getattr(record, name) for name in tracked} == {
            name: getattr(item, name) for name in tracked
        }
    assert ServiceItem.objects.get(pk=bare[0].pk).history.get().mobile_channel_ids == channels
    assert ServiceItem.objects.get(pk=bare[1].pk).history.get().mobile_channel_ids == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backfill_reversed_and_run_again_adds_nothing():
    ServiceItemFactory()
    _migrate(BEFORE)
    _migrate(AFTER)
    _migrate(LATEST)

    assert HistoricalServiceItem.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_validity_migration_closes_every_record_but_each_items_last():
    item = ServiceItemFactory()
    old_apps = _migrate(AFTER)
    OldRecord = old_apps.get_model("catalogue", "HistoricalServiceItem")
    first = OldRecord.objects.get(id=item.pk)
    for minutes in (5, 9):
        first.pk = None
        first.history_type = "~"
        first.history_date = first.history_date + datetime.timedelta(minutes=minutes)
        first.save()

    _migrate(LATEST)

    records = list(HistoricalServiceItem.objects.filter(id=item.pk).order_by("history_date"))
    assert [r.valid_until for r in records] == [
        records[1].history_date,
        records[2].history_date,
        None,
    ]
