"""The audit trail: who, when, how and what changed, for each door that writes an item."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.urls import reverse
from simple_history.models import DeletedObject

from catalogue.choices import ChangeSource, HandlingType, ItemStatus, Tier
from catalogue.history import (
    HistoricalServiceItem,
    display_value,
    history_records_bulk_create,
    history_records_insert_select,
    record_changes,
)
from catalogue.models import ImportBatch, MainItem, MobileChannel, ServiceItem
from catalogue.services.import_batches import import_batch_record
from catalogue.services.items import (
    service_item_create,
    service_item_update,
    service_items_set_status,
)
from tests.admin_forms import admin_form_data
from tests.catalogue.importing_support import rows_insert_queries
from tests.factories import MainItemFactory, ServiceItemFactory

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"admin:{name}", args=args)


def latest(item):
    return item.history.order_by("-history_id").first()


def channels(*names):
    return [MobileChannel.objects.get(name=name) for name in names]


def test_history_table_has_no_generated_column():
    names = {field.name for field in HistoricalServiceItem._meta.fields}

    assert "tiers" in names
    assert "tier_span" not in names
    assert {"change_source", "mobile_channel_ids", "import_batch", "history_user"} <= names


def test_service_create_records_who_how_and_channels(department, sector, centre_admin):
    item = service_item_create(
        code="C1",
        name="新事项",
        department=department,
        sector=sector,
        item_type="licensing",
        handling_type=HandlingType.IMMEDIATE,
        tiers=Tier.COUNTY,
        is_mobile=True,
        mobile_channels=channels("粤省事"),
        user=centre_admin,
        source=ChangeSource.FORM,
    )

    record = item.history.get()
    assert (record.history_type, record.history_user, record.change_source) == (
        "+",
        centre_admin,
        "form",
    )
    assert record.mobile_channel_ids == [MobileChannel.objects.get(name="粤省事").pk]


def test_form_edit_records_old_and_new_values_with_verbose_names(client, dept_staff, own_item):
    client.force_login(dept_staff)
    page = client.get(url("catalogue_serviceitem_change", own_item.pk))
    data = admin_form_data(
        page,
        name="改后的名称",
        in_hall=None,
        tiers=[str(Tier.PROVINCE), str(Tier.CITY), str(Tier.COUNTY)],
    )

    assert client.post(url("catalogue_serviceitem_change", own_item.pk), data).status_code == 302

    record = latest(own_item)
    assert (record.history_type, record.history_user, record.change_source) == (
        "~",
        dept_staff,
        ChangeSource.FORM,
    )
    changes = record_changes(record, record.prev_record, channel_names={})
    assert changes == [
        {"field": "事项名称", "old": "本部门事项", "new": "改后的名称"},
        {"field": "行使层级", "old": "市级、县级（区）", "new": "省级、市级、县级（区）"},
        {"field": "层级组合", "old": "市区两级", "new": "省市区三级"},
        {"field": "是否进驻大厅", "old": "是", "new": "否"},
    ]


def test_history_page_shows_the_changes_in_chinese(client, centre_admin, own_item):
    service_item_update(
        item=own_item,
        is_mobile=True,
        mobile_channels=channels("粤省事", "微信公众号"),
        handling_type=HandlingType.IMMEDIATE,
        promised_limit=0,
        user=centre_admin,
        source=ChangeSource.FORM,
    )
    client.force_login(centre_admin)

    response = client.get(url("catalogue_serviceitem_history", own_item.pk))

    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        "修改方式",
        "表单编辑",
        "centre_admin",
        "<strong>办件类型</strong>：承诺件 &rarr; 即办件",
        "<strong>承诺办结时限</strong>：5 &rarr; 0",
        "<strong>是否指尖办</strong>：否 &rarr; 是",
        "查看或恢复此版本",
    ):
        assert text in page
    # The factory saved the item outside the services: its channels were not recorded, so the
    # first change cannot say what they were before.
    assert "<strong>指尖办渠道</strong>" not in page


def test_channel_changes_are_shown_by_name(centre_admin, own_item):
    service_item_update(
        item=own_item, is_mobile=True, mobile_channels=channels("粤省事"), user=centre_admin
    )
    service_item_update(item=own_item, mobile_channels=channels("粤省事", "微信公众号"))

    record = latest(own_item)
    names = dict(MobileChannel.objects.values_list("pk", "name"))
    assert record_changes(record, record.prev_record, channel_names=names) == [
        {"field": "指尖办渠道", "old": "粤省事", "new": "粤省事、微信公众号"}
    ]


def test_bulk_action_records_one_entry_per_changed_item_in_bulk(
    centre_admin, department, django_assert_num_queries
):
    items = ServiceItemFactory.create_batch(30, department=department)
    ServiceItemFactory(department=department, status=ItemStatus.SUSPENDED)
    before = HistoricalServiceItem.objects.count()

    # savepoint, the historical records (INSERT ... SELECT), close the items' earlier records
    # (valid_until), update the items, release
    with django_assert_num_queries(5):
        count = service_items_set_status(
            items=ServiceItem.objects.all(), status=ItemStatus.SUSPENDED, user=centre_admin
        )

    assert count == 30
    assert HistoricalServiceItem.objects.count() == before + 30
    record = latest(items[0])
    assert (record.history_user, record.change_source, record.status) == (
        centre_admin,
        ChangeSource.ACTION,
        ItemStatus.SUSPENDED,
    )
    assert record_changes(record, record.prev_record, channel_names={}) == [
        {"field": "事项状态", "old": "在用", "new": "暂停"}
    ]


def test_admin_bulk_action_is_recorded_as_an_action(client, dept_staff, own_item):
    client.force_login(dept_staff)

    client.post(
        url("catalogue_serviceitem_changelist"),
        {"action": "suspend_items", "_selected_action": [own_item.pk]},
    )

    record = latest(own_item)
    assert (record.history_user, record.change_source, record.status) == (
        dept_staff,
        ChangeSource.ACTION,
        ItemStatus.SUSPENDED,
    )


def test_administrator_restores_an_earlier_version(client, centre_admin, own_item):
    service_item_update(
        item=own_item, is_mobile=True, mobile_channels=channels("粤省事"), user=centre_admin
    )
    version = latest(own_item)
    service_item_update(
        item=own_item,
        name="被改坏的名称",
        is_mobile=False,
        mobile_channels=[],
        user=centre_admin,
    )
    client.force_login(centre_admin)
    version_url = url("catalogue_serviceitem_simple_history", own_item.pk, version.pk)
    page = client.get(version_url)
    data = admin_form_data(page)

    response = client.post(version_url, data)

    assert response.status_code == 302
    own_item.refresh_from_db()
    assert own_item.name == "本部门事项"
    assert own_item.is_mobile is True
    assert list(own_item.mobile_channels.values_list("name", flat=True)) == ["粤省事"]
    record = latest(own_item)
    assert (record.history_user, record.change_source) == (centre_admin, ChangeSource.RESTORE)
    assert page.context["revert_disabled"] is False


def test_restoring_a_version_that_breaks_a_rule_today_shows_the_message_and_writes_nothing(
    client, centre_admin, own_item
):
    version = latest(own_item)
    old_code = own_item.code
    # A letter: the factory's next sequence code could end in any digit.
    service_item_update(item=own_item, code=old_code[:-1] + "X", user=centre_admin)
    ServiceItemFactory(code=old_code, department=own_item.department, sector=own_item.sector)
    records = own_item.history.count()
    client.force_login(centre_admin)
    version_url = url("catalogue_serviceitem_simple_history", own_item.pk, version.pk)
    data = admin_form_data(client.get(version_url))

    response = client.post(version_url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "code": ["实施编码：该编码已被其他事项使用。"]
    }
    own_item.refresh_from_db()
    assert own_item.code == old_code[:-1] + "X"
    assert own_item.history.count() == records


def test_history_of_a_deleted_item_stays_readable_by_administrators(client, centre_admin, own_item):
    client.force_login(centre_admin)
    client.post(url("catalogue_serviceitem_delete", own_item.pk), {"post": "yes"})

    response = client.get(url("catalogue_serviceitem_history", own_item.pk))

    assert response.status_code == 200
    assert "已删除" in response.content.decode()


def test_save_outside_the_services_is_still_recorded(own_item):
    own_item.name = "直接保存"
    own_item.save()

    record = latest(own_item)
    assert (record.change_source, record.mobile_channel_ids) == (ChangeSource.OTHER, None)


def test_display_value_speaks_chinese():
    fields = {field.name: field for field in ServiceItem._meta.fields}

    assert display_value(fields["instant_approval"], True) == "是"
    assert display_value(fields["item_type"], "licensing") == "行政许可"
    assert display_value(fields["mobile_services"], 3) == "查阅、预约"
    assert display_value(fields["legal_limit"], None) == "（空）"


def test_display_value_names_a_deleted_reference_by_its_number():
    field = ServiceItem._meta.get_field("main_item")

    assert display_value(field, DeletedObject(MainItem, 7)) == "已删除的主项（编号 7）"
    assert display_value(field, DeletedObject(MainItem, None)) == "（空）"


@pytest.mark.parametrize("write", ["insert_select", "bulk_create"])
def test_bulk_records_written_for_an_anonymous_user_name_no_user(write, own_item):
    if write == "insert_select":
        history_records_insert_select(
            ServiceItem.objects.filter(pk=own_item.pk),
            history_type="~",
            user=AnonymousUser(),
            source=ChangeSource.ACTION,
        )
    else:
        history_records_bulk_create(
            [own_item], history_type="~", user=AnonymousUser(), source=ChangeSource.ACTION
        )

    record = latest(own_item)
    assert (record.history_type, record.history_user, record.change_source) == (
        "~",
        None,
        ChangeSource.ACTION,
    )


def test_bulk_records_of_no_items_are_none_and_cost_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert (
            history_records_bulk_create([], history_type="+", user=None, source=ChangeSource.IMPORT)
            == []
        )


# --- import batches ------------------------------------------------------------------------


def _imported(department, count, *, start=0):
    """Items as an import would write them: bulk_create, no save() (so no history yet)."""
    items = ServiceItemFactory.build_batch(count, department=department)
    for n, item in enumerate(items):
        item.code = f"IMP{start + n:05d}"
        item.sector.save()
        item.sector_id = item.sector.pk
    return ServiceItem.objects.bulk_create(items)


def test_import_batch_records_counts_links_and_history_in_bulk(
    centre_admin, department, django_assert_num_queries
):
    channel = MobileChannel.objects.get(name="粤省事")
    created = _imported(department, 3)
    updated = _imported(department, 2, start=10)
    ServiceItem.mobile_channels.through.objects.create(
        serviceitem_id=updated[0].pk, mobilechannel_id=channel.pk
    )
    for item in updated:
        item.name = "导入更新"
    ServiceItem.objects.bulk_update(updated, ["name"])

    # savepoint, the batch, its links (rows_insert), records of the created items (an INSERT
    # ... SELECT; a creation record is its item's first, nothing to close), records of the
    # updated items (an INSERT ... SELECT followed by the closing of earlier records), release
    with django_assert_num_queries(6 + rows_insert_queries()):
        batch = import_batch_record(
            file_name="住建局事项.xlsx",
            user=centre_admin,
            created_ids=[item.pk for item in created],
            updated_ids=[item.pk for item in updated],
            unchanged_count=7,
        )

    batch.refresh_from_db()
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (3, 2, 7)
    assert set(batch.items.all()) == set(created) | set(updated)
    records = HistoricalServiceItem.objects.filter(import_batch=batch)
    assert sorted(records.values_list("history_type", flat=True)) == ["+"] * 3 + ["~"] * 2
    assert set(records.values_list("change_source", "history_user")) == {
        (ChangeSource.IMPORT, centre_admin.pk)
    }
    assert records.get(id=updated[0].pk).mobile_channel_ids == [channel.pk]
    assert records.get(id=updated[0].pk).name == "导入更新"


def test_import_batch_query_count_does_not_grow_with_items(
    centre_admin, department, django_assert_num_queries
):
    created = _imported(department, 1200)
    on_postgresql = connection.vendor == "postgresql"
    if on_postgresql:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # As above with no updated items; the links go in one executemany per 1,000 (on
    # PostgreSQL one COPY). PostgreSQL also reads the planner's estimate of the items, current
    # here (catalogue.maintenance.catalogue_tables_analyze_if_stale).
    with django_assert_num_queries(4 + rows_insert_queries(2) + on_postgresql):
        import_batch_record(
            file_name="大文件.xlsx",
            user=centre_admin,
            created_ids=[item.pk for item in created],
            updated_ids=[],
            unchanged_count=0,
        )

    assert HistoricalServiceItem.objects.filter(change_source=ChangeSource.IMPORT).count() == 1200


def test_import_history_shows_on_the_item_page_with_the_file_name(client, centre_admin, department):
    (item,) = _imported(department, 1)
    import_batch_record(
        file_name="住建局事项.xlsx",
        user=centre_admin,
        created_ids=[item.pk],
        updated_ids=[],
        unchanged_count=0,
    )
    client.force_login(centre_admin)

    page = client.get(url("catalogue_serviceitem_history", item.pk)).content.decode()

    assert "Excel 导入" in page
    assert "住建局事项.xlsx" in page


def test_a_main_item_set_or_cleared_shows_as_empty_not_as_a_deleted_object(centre_admin, own_item):
    main_item = MainItemFactory(department=own_item.department, name="建设工程施工许可")
    service_item_update(item=own_item, main_item=main_item, user=centre_admin)
    set_record = latest(own_item)
    service_item_update(item=own_item, main_item=None, user=centre_admin)
    cleared_record = latest(own_item)

    set_changes = record_changes(set_record, set_record.prev_record, channel_names={})
    cleared_changes = record_changes(cleared_record, set_record, channel_names={})

    assert set_changes == [{"field": "主项", "old": "（空）", "new": "建设工程施工许可"}]
    assert cleared_changes == [{"field": "主项", "old": "建设工程施工许可", "new": "（空）"}]


def test_import_batch_page_links_to_its_items(client, centre_admin, department):
    items = _imported(department, 2)
    batch = import_batch_record(
        file_name="a.xlsx",
        user=centre_admin,
        created_ids=[i.pk for i in items],
        updated_ids=[],
        unchanged_count=0,
    )
    client.force_login(centre_admin)

    batch_page = client.get(url("catalogue_importbatch_change", batch.pk)).content.decode()
    listed = client.get(url("catalogue_serviceitem_changelist") + f"?import_batch={batch.pk}")

    assert f"?import_batch={batch.pk}" in batch_page
    assert "查看 2 个事项" in batch_page
    assert set(listed.context["cl"].result_list) == set(items)


def test_staff_see_only_their_own_import_batches(client, dept_staff, centre_admin):
    ImportBatch.objects.create(file_name="mine.xlsx", user=dept_staff)
    theirs = ImportBatch.objects.create(file_name="theirs.xlsx", user=centre_admin)
    client.force_login(dept_staff)

    response = client.get(url("catalogue_importbatch_changelist"))
    filtered = client.get(url("catalogue_serviceitem_changelist") + f"?import_batch={theirs.pk}")

    assert [batch.file_name for batch in response.context["cl"].result_list] == ["mine.xlsx"]
    assert client.get(url("catalogue_importbatch_change", theirs.pk)).status_code == 404
    assert "theirs.xlsx" not in filtered.content.decode()


def _record_values(record):
    fields = [f.attname for f in HistoricalServiceItem.tracked_fields]
    return {name: getattr(record, name) for name in [*fields, "mobile_channel_ids"]}


def test_bulk_records_hold_the_same_values_as_a_single_save(centre_admin, own_item):
    own_item.mobile_services = 5
    service_item_update(
        item=own_item,
        is_mobile=True,
        mobile_channels=channels("微信公众号", "粤省事"),
        legal_limit=None,
        legal_limit_unit="",
        user=centre_admin,
    )
    saved = latest(own_item)
    items = ServiceItem.objects.filter(pk=own_item.pk)

    history_records_insert_select(
        items, history_type="~", user=centre_admin, source=ChangeSource.ACTION
    )
    by_sql = latest(own_item)
    (by_orm,) = history_records_bulk_create(
        list(items), history_type="~", user=centre_admin, source=ChangeSource.ACTION
    )
    by_orm.refresh_from_db()

    assert _record_values(by_sql) == _record_values(saved)
    assert _record_values(by_orm) == _record_values(saved)
    assert sorted(saved.mobile_channel_ids) == sorted(
        MobileChannel.objects.filter(name__in=["粤省事", "微信公众号"]).values_list("pk", flat=True)
    )
    assert (by_sql.history_user, by_sql.change_source, by_sql.history_type) == (
        centre_admin,
        ChangeSource.ACTION,
        "~",
    )


def test_bulk_records_of_items_without_channels_hold_an_empty_list(centre_admin, own_item):
    history_records_insert_select(
        ServiceItem.objects.all(), history_type="~", user=None, source=ChangeSource.OTHER
    )

    record = latest(own_item)
    assert (record.mobile_channel_ids, record.history_user) == ([], None)
