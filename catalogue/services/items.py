"""Writes of single items and of items in bulk (status, delete), each recording who and how.

An item is written in two steps: `service_item_check` runs every field check and consistency
rule (catalogue.rules), its many-to-many included, and returns a `CheckedItem`;
`service_item_save` writes only a `CheckedItem`. The admin's form runs the check while it
validates, so that every message lands under its field, and the admin then saves what the form
checked: the rules run once per save. `service_item_create` and `service_item_update` are the
two steps in one call, for code that holds values rather than a form.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TypedDict, Unpack

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models import QuerySet
from django.db.models.deletion import Collector
from django.utils import timezone

from ..choices import ChangeSource, ItemStatus
from ..history import (
    CHANGED,
    history_context,
    history_records_insert_select,
    mobile_channel_ids_by_item,
)
from ..models import Department, MainItem, MobileChannel, Sector, ServiceItem
from ..rules import item_rule_errors


class ItemFields(TypedDict, total=False):
    """The editable fields of a ServiceItem, as `service_item_create`/`_update` take them.

    A TypedDict rather than the model's constructor keywords so that a type checker sees the
    contract at every call; tests/catalogue/services/test_items.py checks that it lists
    exactly the model's editable fields.
    """

    code: str
    basic_code: str
    name: str
    main_item: MainItem | None
    department: Department
    sector: Sector
    item_type: str
    status: str
    power_source: str
    entrusting_body: str
    handling_type: str
    tiers: int
    legal_basis: str
    instant_approval: bool
    in_hall: bool
    one_window: bool
    comprehensive_window: bool
    is_online: bool
    online_depth: int | None
    is_mobile: bool
    mobile_services: int
    onsite_visits: int
    onsite_reason: str
    legal_limit: int | None
    legal_limit_unit: str
    legal_limit_note: str
    promised_limit: int
    promised_limit_unit: str
    promised_limit_note: str
    location: str
    consult_phone: str
    complaint_phone: str
    charges_fee: bool
    fee_basis: str


@dataclass(frozen=True)
class CheckedItem:
    """An item with the mobile channels it is to have, which passed `service_item_check`.

    Change neither before saving it: the check holds for the values it saw.
    """

    item: ServiceItem
    mobile_channels: tuple[MobileChannel, ...]


def service_item_check(
    *,
    item: ServiceItem,
    mobile_channels: Iterable[MobileChannel],
    exclude: Collection[str] = (),
) -> CheckedItem:
    """Check the item's fields, uniqueness, constraints and every rule, its many-to-many too,
    and report all at once: ValidationError with Chinese messages keyed by field.

    `exclude` names fields whose value the caller has already refused (a form's invalid
    fields), so that they are not reported twice; the caller then saves nothing.
    """
    channels = tuple(mobile_channels)
    errors: dict[str, list] = {}
    try:
        item.full_clean(exclude=exclude or None)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for field, messages in item_rule_errors(
        {"is_mobile": item.is_mobile, "mobile_channels": channels}
    ).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return CheckedItem(item=item, mobile_channels=channels)


@transaction.atomic
def service_item_save(
    *,
    checked: CheckedItem,
    user: User | None,
    source: ChangeSource,
    set_channels: bool = True,
) -> ServiceItem:
    """Create or update a checked item and its channels, recording who changed it and how.

    `set_channels=False` leaves the stored channels as they are (they were checked as given).
    """
    item = checked.item
    history_context(
        item,
        user=user,
        source=source,
        mobile_channel_ids=[channel.pk for channel in checked.mobile_channels],
    )
    item.save()
    if set_channels:
        item.mobile_channels.set(checked.mobile_channels)
    return item


@transaction.atomic
def service_item_create(
    *,
    mobile_channels: Iterable[MobileChannel] = (),
    user: User | None = None,
    source: ChangeSource = ChangeSource.OTHER,
    **fields: Unpack[ItemFields],
) -> ServiceItem:
    """Create an item after checking every field and consistency rule.

    Raises ValidationError with Chinese messages keyed by field; writes nothing then.
    """
    checked = service_item_check(item=ServiceItem(**fields), mobile_channels=mobile_channels)
    return service_item_save(checked=checked, user=user, source=source)


@transaction.atomic
def service_item_update(
    *,
    item: ServiceItem,
    mobile_channels: Iterable[MobileChannel] | None = None,
    user: User | None = None,
    source: ChangeSource = ChangeSource.OTHER,
    **fields: Unpack[ItemFields],
) -> ServiceItem:
    """Change the given fields of an item; `mobile_channels=None` leaves its channels alone
    (and checks the rules against them)."""
    for name, value in fields.items():
        setattr(item, name, value)
    channels = item.mobile_channels.all() if mobile_channels is None else mobile_channels
    checked = service_item_check(item=item, mobile_channels=channels)
    return service_item_save(
        checked=checked, user=user, source=source, set_channels=mobile_channels is not None
    )


@transaction.atomic
def service_items_set_status(
    *,
    items: QuerySet[ServiceItem],
    status: ItemStatus,
    user: User | None,
    source: ChangeSource = ChangeSource.ACTION,
) -> int:
    """Set the status of the given items (e.g. 暂停, 恢复在用) in bulk, with one historical
    record per changed item. Returns how many items changed.

    No rule involves the status (catalogue.rules), so a valid item stays valid whatever its
    status: nothing is checked item by item.
    """
    changed = ServiceItem.objects.filter(pk__in=items.exclude(status=status).values("pk"))
    now = timezone.now()
    # The records first, while the rows to change can still be told apart by their status.
    history_records_insert_select(
        changed,
        history_type=CHANGED,
        user=user,
        source=source,
        overrides={"status": status, "updated_at": now},
    )
    return changed.update(status=status, updated_at=now)


@transaction.atomic
def service_items_delete(
    *,
    items: Iterable[ServiceItem],
    user: User | None,
    source: ChangeSource = ChangeSource.OTHER,
) -> int:
    """Delete items; each keeps a last historical record saying who deleted it and how."""
    items = list(items)
    if not items:
        return 0
    channel_ids = mobile_channel_ids_by_item([item.pk for item in items])
    for item in items:
        history_context(item, user=user, source=source, mobile_channel_ids=channel_ids[item.pk])
    # The collector sends post_delete with these very instances, so simple-history's deletion
    # record carries the audit facts set above (QuerySet.delete() would fetch new instances).
    collector = Collector(using=router.db_for_write(ServiceItem))
    collector.collect(items)
    collector.delete()
    return len(items)


def service_item_delete(
    *, item: ServiceItem, user: User | None, source: ChangeSource = ChangeSource.FORM
) -> None:
    service_items_delete(items=[item], user=user, source=source)
