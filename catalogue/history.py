"""The audit trail of items, kept by django-simple-history.

Every record says who (history_user), when (history_date), how (change_source: form, import,
bulk action, restore) and, through its own copy of the fields, the old and new value of each
field. Writers put the audit facts on the item before saving (`history_context`); bulk writers
create the records with one statement (`history_records_insert_select`). Each record is valid
from its history_date until the next record of the same item (`valid_until`, closed by
`history_validity_close` whenever a record is written), so the catalogue as of any moment is
the records valid then (docs/report-as-of.md).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from django.db import connections, models, router
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import DeletedObject
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from .choices import TIER_SPAN_NAME, ChangeSource, tier_span_display
from .fields import FlagSetField
from .models import ServiceItem
from .text import join_list

HistoricalServiceItem = ServiceItem.history.model

CREATED, CHANGED, DELETED = "+", "~", "-"


def history_context(
    item: ServiceItem,
    *,
    user,
    source: ChangeSource,
    mobile_channel_ids: Iterable[int] | None = None,
    import_batch=None,
    reason: str = "",
) -> ServiceItem:
    """Attach the audit facts the next historical record of `item` will carry.

    Without a user, simple-history falls back to the request's user (HistoryRequestMiddleware).
    """
    if user is not None:
        item._history_user = user if user.is_authenticated else None
    item._change_source = source
    item._change_reason = reason or None
    item._history_mobile_channel_ids = (
        None if mobile_channel_ids is None else sorted(set(mobile_channel_ids))
    )
    item._history_import_batch = import_batch
    return item


@receiver(pre_create_historical_record, sender=HistoricalServiceItem)
def _copy_audit_fields(sender, instance, history_instance, **kwargs):
    # simple-history's documented hook for extra history fields: records made by a save()
    # outside the services keep the defaults (source 其他, channels unknown).
    history_instance.change_source = getattr(instance, "_change_source", ChangeSource.OTHER)
    history_instance.mobile_channel_ids = getattr(instance, "_history_mobile_channel_ids", None)
    history_instance.import_batch = getattr(instance, "_history_import_batch", None)


@receiver(post_create_historical_record, sender=HistoricalServiceItem)
def _close_previous_record(sender, instance, history_instance, **kwargs):
    # The one hook simple-history gives after a record of a save() or delete() is written.
    history_validity_close([history_instance.id])


def _later_records() -> QuerySet:
    """The records of the same item after the outer one, by (history_date, history_id)."""
    return HistoricalServiceItem.objects.filter(id=OuterRef("id")).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
    )


def history_validity_close(item_ids: Iterable[int] | QuerySet) -> int:
    """Close each still-open record of these items that a later record supersedes: its
    valid_until becomes the next record's history_date. One statement per 900 ids (or one for
    a queryset of ids); returns the number of records closed.

    Every writer of records calls this after writing them, so at most one record per item is
    open: the current one (or the 删除 record of a deleted item).
    """
    later = _later_records()
    records = HistoricalServiceItem.objects.filter(valid_until__isnull=True).filter(Exists(later))
    next_date = Subquery(later.order_by("history_date", "history_id").values("history_date")[:1])
    if isinstance(item_ids, QuerySet):
        return records.filter(id__in=item_ids).update(valid_until=next_date)
    item_ids = sorted(set(item_ids))
    closed = 0
    for start in range(0, len(item_ids), 900):
        chunk = item_ids[start : start + 900]
        closed += records.filter(id__in=chunk).update(valid_until=next_date)
    return closed


def mobile_channel_ids_by_item(item_ids: Sequence[int]) -> dict[int, list[int]]:
    """The mobile channel ids of each item, one query per 900 items."""
    through = ServiceItem.mobile_channels.through
    found = defaultdict(list)
    for start in range(0, len(item_ids), 900):
        rows = through.objects.filter(serviceitem_id__in=item_ids[start : start + 900])
        for item_id, channel_id in rows.values_list("serviceitem_id", "mobilechannel_id"):
            found[item_id].append(channel_id)
    return {item_id: sorted(found.get(item_id, ())) for item_id in item_ids}


def _channel_ids_sql(connection, item_column: str) -> str:
    through = ServiceItem.mobile_channels.through._meta.db_table
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        return (
            f"COALESCE((SELECT jsonb_agg(c.mobilechannel_id ORDER BY c.mobilechannel_id) "
            f"FROM {qn(through)} c WHERE c.serviceitem_id = {item_column}), '[]'::jsonb)"
        )
    return (
        f"(SELECT json_group_array(c.mobilechannel_id) FROM (SELECT mobilechannel_id "
        f"FROM {qn(through)} WHERE serviceitem_id = {item_column} "
        f"ORDER BY mobilechannel_id) c)"
    )


def history_records_insert_select(
    items: QuerySet,
    *,
    history_type: str,
    user,
    source: ChangeSource,
    import_batch=None,
    overrides: Mapping[str, object] | None = None,
) -> int:
    """One historical record per item of `items`, in one INSERT ... SELECT statement: the values
    are read from the item rows inside the database (`overrides` replaces some, e.g. a status
    about to be set), so nothing is built row by row in Python. Returns the number of records.

    The ORM alternative (history_records_bulk_create) prepares every value of every record in
    Python; for 10,000 items that costs as much as the items' own bulk insert. The channels'
    SQL is PostgreSQL's or SQLite's, the two databases the project runs on.
    """
    connection = connections[router.db_for_write(HistoricalServiceItem)]
    qn = connection.ops.quote_name
    overrides = overrides or {}
    if user is not None and not user.is_authenticated:
        user = None
    columns, selected, params = [], [], []
    for field in HistoricalServiceItem.tracked_fields:
        columns.append(qn(field.column))
        if field.name in overrides:
            selected.append("%s")
            params.append(field.get_db_prep_save(overrides[field.name], connection))
        else:
            selected.append(f"item.{qn(field.column)}")
    history = HistoricalServiceItem._meta
    constants = {
        "history_date": timezone.now(),
        "history_type": history_type,
        "history_user": user.pk if user is not None else None,
        "history_change_reason": None,
        "change_source": str(source),
        "import_batch": import_batch.pk if import_batch is not None else None,
    }
    for name, value in constants.items():
        field = history.get_field(name)
        columns.append(qn(field.column))
        selected.append("%s")
        params.append(field.get_db_prep_save(value, connection))
    columns.append(qn(history.get_field("mobile_channel_ids").column))
    selected.append(_channel_ids_sql(connection, f"item.{qn('id')}"))
    subquery, subquery_params = items.order_by().values("pk").query.sql_with_params()
    sql = (
        f"INSERT INTO {qn(history.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(selected)} FROM {qn(ServiceItem._meta.db_table)} item "
        f"WHERE item.{qn('id')} IN ({subquery})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *subquery_params])
        written = cursor.rowcount
    if history_type != CREATED:
        # A creation record is its item's first (ids are never reused: AUTOINCREMENT on
        # SQLite, a sequence on PostgreSQL), so there is no earlier record to close.
        history_validity_close(items.order_by().values("pk"))
    return written


def history_records_bulk_create(
    items: Sequence[ServiceItem],
    *,
    history_type: str,
    user,
    source: ChangeSource,
    mobile_channel_ids: Mapping[int, Iterable[int]] | None = None,
    import_batch=None,
    reason: str = "",
    batch_size: int = 1000,
) -> list:
    """One historical record per item, written in bulk (simple-history's bulk_history_create
    with per-item channel ids). The items must be saved (have pks); their current attribute
    values are what the records keep. `mobile_channel_ids` maps item pk to channel ids; when
    None they are read in bulk from the database.
    """
    if not items:
        return []
    if mobile_channel_ids is None:
        mobile_channel_ids = mobile_channel_ids_by_item([item.pk for item in items])
    now = timezone.now()
    if user is not None and not user.is_authenticated:
        user = None
    tracked = HistoricalServiceItem.tracked_fields
    rows = [
        HistoricalServiceItem(
            history_date=now,
            history_type=history_type,
            history_user=user,
            history_change_reason=reason or None,
            change_source=source,
            mobile_channel_ids=sorted(set(mobile_channel_ids.get(item.pk, ()))),
            import_batch=import_batch,
            **{field.attname: getattr(item, field.attname) for field in tracked},
        )
        for item in items
    ]
    records = HistoricalServiceItem.objects.bulk_create(rows, batch_size=batch_size)
    history_validity_close([item.pk for item in items])
    return records


EMPTY = _("（空）")
YES, NO = _("是"), _("否")
_FIELD_ORDER = {field.name: index for index, field in enumerate(ServiceItem._meta.fields)}


def display_value(field: models.Field, value) -> str:
    """A recorded value as staff read it: choice labels, 是/否, tier names, 空."""
    # simple-history compares foreign keys as objects and stands in a DeletedObject for an
    # empty one too ("Deleted 主项 (pk=None)").
    if isinstance(value, DeletedObject):
        value = value.pk
        if value is None:
            return str(EMPTY)
        return _("已删除的%(model)s（编号 %(pk)s）") % {
            "model": field.related_model._meta.verbose_name,
            "pk": value,
        }
    if value is None or value == "":
        return str(EMPTY)
    if isinstance(field, FlagSetField):
        return join_list(label for flag, label in field.flags.choices if value & flag) or str(EMPTY)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return str(YES if value else NO)
    return str(value)


def _channel_list(ids, channel_names: Mapping[int, str]) -> str:
    names = [channel_names.get(pk, f"#{pk}") for pk in sorted(ids)]
    return join_list(names) or str(EMPTY)


def record_changes(new, old, *, channel_names: Mapping[int, str]) -> list[dict]:
    """What changed from historical record `old` to `new`: verbose name, old and new value,
    in the order of the form. Foreign keys should be select_related on both records."""
    delta = new.diff_against(old, foreign_keys_are_objs=True)
    rows = []
    for change in delta.changes:
        field = ServiceItem._meta.get_field(change.field)
        rows.append((_FIELD_ORDER[field.name], field.verbose_name, field, change.old, change.new))
    changes = []
    for _order, verbose_name, field, old_value, new_value in sorted(rows, key=lambda r: r[0]):
        changes.append(
            {
                "field": str(verbose_name),
                "old": display_value(field, old_value),
                "new": display_value(field, new_value),
            }
        )
        if field.name == "tiers":
            changes.append(
                {
                    "field": str(TIER_SPAN_NAME),
                    "old": tier_span_display(old_value or 0) or str(EMPTY),
                    "new": tier_span_display(new_value or 0) or str(EMPTY),
                }
            )
    if (
        new.mobile_channel_ids is not None
        and old.mobile_channel_ids is not None
        and sorted(new.mobile_channel_ids) != sorted(old.mobile_channel_ids)
    ):
        changes.append(
            {
                "field": str(ServiceItem._meta.get_field("mobile_channels").verbose_name),
                "old": _channel_list(old.mobile_channel_ids, channel_names),
                "new": _channel_list(new.mobile_channel_ids, channel_names),
            }
        )
    return changes
