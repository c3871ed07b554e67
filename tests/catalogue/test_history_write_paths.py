"""Every door that writes an item leaves a historical record holding what it wrote.

One walk through all of them, in the order a catalogue lives: the demo load, a form add, a
form change, the restore of the state before that change, a bulk status action, an import
confirmed in the admin, an import from the command line, a delete and a bulk delete. After
each step every item touched has a latest record with its values, its mobile channels, the
kind of write, who and how; and no item exists without a record.
"""

from io import StringIO
from types import SimpleNamespace
from unittest.mock import ANY

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from catalogue.choices import ChangeSource, ItemStatus
from catalogue.history import HistoricalServiceItem, mobile_channel_ids_by_item, record_changes
from catalogue.models import MobileChannel, ServiceItem
from catalogue.roles import CENTRE_ADMIN
from tests.admin_forms import admin_form_data
from tests.catalogue.importing_support import valid_row, xlsx_bytes
from tests.catalogue.rule_cases import valid_item_values
from tests.catalogue.test_admin import item_post_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TRACKED = [field.attname for field in HistoricalServiceItem.tracked_fields]


def url(name, *args):
    return reverse(f"admin:{name}", args=args)


def _latest_records(ids):
    latest = {}
    for record in HistoricalServiceItem.objects.filter(id__in=ids).order_by("history_id"):
        latest[record.id] = record
    return latest


def assert_no_item_without_history():
    assert not ServiceItem.objects.exclude(pk__in=HistoricalServiceItem.objects.values("id"))


def assert_recorded(ids, *, history_type, source, user, import_batch=False):
    """The latest record of each item holds its stored values and channels, and how it came."""
    ids = list(ids)
    assert ids
    stored = {row["id"]: row for row in ServiceItem.objects.filter(pk__in=ids).values(*TRACKED)}
    channels = mobile_channel_ids_by_item(ids)
    records = _latest_records(ids)
    assert set(records) == set(ids)
    for pk in ids:
        record = records[pk]
        assert (record.history_type, record.change_source, record.history_user) == (
            history_type,
            source,
            user,
        ), pk
        assert (record.import_batch_id is not None) == import_batch, pk
        assert {name: getattr(record, name) for name in TRACKED} == stored[pk], pk
        assert record.mobile_channel_ids == channels[pk], pk
    assert_no_item_without_history()


def assert_deleted(snapshots, *, source, user):
    """Each deleted item's last record is a deletion holding the values it had."""
    records = _latest_records(list(snapshots))
    for pk, (values, channel_ids) in snapshots.items():
        record = records[pk]
        assert (record.history_type, record.change_source, record.history_user) == (
            "-",
            source,
            user,
        )
        assert {name: getattr(record, name) for name in TRACKED} == values
        assert record.mobile_channel_ids == channel_ids
    assert not ServiceItem.objects.filter(pk__in=list(snapshots)).exists()
    assert_no_item_without_history()


def snapshot(items):
    ids = [item.pk for item in items]
    values = {row["id"]: row for row in ServiceItem.objects.filter(pk__in=ids).values(*TRACKED)}
    channels = mobile_channel_ids_by_item(ids)
    return {pk: (values[pk], channels[pk]) for pk in ids}


def _confirm_import(client, rows):
    upload = SimpleUploadedFile("部门事项.xlsx", xlsx_bytes(rows))
    preview = client.post(url("catalogue_serviceitem_import"), {"import_file": upload})
    assert not preview.context["plan"].has_errors
    confirm = preview.context["confirm_form"]
    response = client.post(url("catalogue_serviceitem_process_import"), dict(confirm.initial))
    assert response.status_code == 302


def test_every_write_path_records_what_it_wrote(client, roles, import_references, tmp_path):
    admin = UserFactory(username="walker", groups=[roles[CENTRE_ADMIN]])
    client.force_login(admin)
    department, sector = import_references["department"], import_references["sector"]

    # Demo load: every new item gets its initial record.
    call_command("load_demo", stdout=StringIO())
    demo_ids = list(ServiceItem.objects.values_list("pk", flat=True))
    assert len(demo_ids) == 681
    assert_recorded(demo_ids, history_type="+", source=ChangeSource.DEMO, user=None)

    # Form add.
    channel = MobileChannel.objects.get(name="粤省事")
    values = valid_item_values(
        SimpleNamespace(department=department, sector=sector),
        code="WALK-FORM-ADD",
        is_mobile=True,
        mobile_services=1,
        mobile_channels=[channel],
    )
    assert client.post(url("catalogue_serviceitem_add"), item_post_data(values)).status_code == 302
    added = ServiceItem.objects.get(code="WALK-FORM-ADD")
    assert_recorded([added.pk], history_type="+", source=ChangeSource.FORM, user=admin)

    # Form change of a demo item: its first change has a diff against its initial record.
    demo_item = ServiceItem.objects.filter(department=department).order_by("pk").first()
    initial = demo_item.history.get()
    change_url = url("catalogue_serviceitem_change", demo_item.pk)
    data = admin_form_data(client.get(change_url), name="表单改过的名称")
    assert client.post(change_url, data).status_code == 302
    assert_recorded([demo_item.pk], history_type="~", source=ChangeSource.FORM, user=admin)
    changed = demo_item.history.order_by("-history_id").first()
    assert record_changes(changed, initial, channel_names={}) == [
        {"field": "事项名称", "old": initial.name, "new": "表单改过的名称"}
    ]

    # Restore of the state before that first change.
    version_url = url("catalogue_serviceitem_simple_history", demo_item.pk, initial.pk)
    assert client.post(version_url, admin_form_data(client.get(version_url))).status_code == 302
    assert_recorded([demo_item.pk], history_type="~", source=ChangeSource.RESTORE, user=admin)
    restored = ServiceItem.objects.values(*TRACKED).get(pk=demo_item.pk)
    assert restored == {**{name: getattr(initial, name) for name in TRACKED}, "updated_at": ANY}

    # Bulk status action.
    selected = demo_ids[10:13]
    response = client.post(
        url("catalogue_serviceitem_changelist"),
        {"action": "suspend_items", "_selected_action": selected},
    )
    assert response.status_code == 302
    assert set(ServiceItem.objects.filter(pk__in=selected).values_list("status", flat=True)) == {
        ItemStatus.SUSPENDED
    }
    assert_recorded(selected, history_type="~", source=ChangeSource.ACTION, user=admin)

    # Import confirmed in the admin: one new item, one demo item updated.
    updated = ServiceItem.objects.filter(department=department).order_by("pk")[1]
    _confirm_import(
        client,
        [
            valid_row(
                实施编码="WALK-ADMIN-IMPORT",
                指尖办渠道="粤省事",
                是否指尖办="是",
                指尖办服务="查阅",
            ),
            valid_row(实施编码=updated.code, 事项名称="导入改过的名称"),
        ],
    )
    created = ServiceItem.objects.get(code="WALK-ADMIN-IMPORT")
    assert created.mobile_channels.get() == channel
    assert_recorded(
        [created.pk], history_type="+", source=ChangeSource.IMPORT, user=admin, import_batch=True
    )
    assert ServiceItem.objects.get(pk=updated.pk).name == "导入改过的名称"
    assert_recorded(
        [updated.pk], history_type="~", source=ChangeSource.IMPORT, user=admin, import_batch=True
    )

    # Import from the command line: no user.
    path = tmp_path / "命令行.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [
                valid_row(实施编码="WALK-COMMAND-IMPORT"),
                valid_row(实施编码=added.code, 事项名称="命令行改过的名称"),
            ]
        )
    )
    call_command("import_items", str(path), stdout=StringIO())
    by_command = ServiceItem.objects.get(code="WALK-COMMAND-IMPORT")
    assert_recorded(
        [by_command.pk], history_type="+", source=ChangeSource.IMPORT, user=None, import_batch=True
    )
    assert_recorded(
        [added.pk], history_type="~", source=ChangeSource.IMPORT, user=None, import_batch=True
    )

    # Delete from the item's page, then a bulk delete.
    kept = snapshot([created])
    response = client.post(url("catalogue_serviceitem_delete", created.pk), {"post": "yes"})
    assert response.status_code == 302
    assert_deleted(kept, source=ChangeSource.FORM, user=admin)
    doomed = list(ServiceItem.objects.filter(pk__in=demo_ids[20:23]))
    kept = snapshot(doomed)
    response = client.post(
        url("catalogue_serviceitem_changelist"),
        {"action": "delete_selected", "_selected_action": [i.pk for i in doomed], "post": "yes"},
    )
    assert response.status_code == 302
    assert_deleted(kept, source=ChangeSource.ACTION, user=admin)
