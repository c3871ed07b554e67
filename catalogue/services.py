"""Writes to the catalogue. Every change to an item goes through these functions."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Department, MainItem, MobileChannel, ServiceItem
from .rules import item_rule_errors


def _full_clean(item: ServiceItem, *, mobile_channels: list[MobileChannel]) -> None:
    """Check the item's fields and every rule, its many-to-many too, and report all at once."""
    errors = {}
    try:
        item.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for field, messages in item_rule_errors(
        {"is_mobile": item.is_mobile, "mobile_channels": mobile_channels}
    ).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def service_item_create(*, mobile_channels: Iterable[MobileChannel] = (), **fields) -> ServiceItem:
    """Create an item after checking every field and consistency rule.

    Raises ValidationError with Chinese messages keyed by field.
    """
    mobile_channels = list(mobile_channels)
    item = ServiceItem(**fields)
    _full_clean(item, mobile_channels=mobile_channels)
    item.save()
    item.mobile_channels.set(mobile_channels)
    return item


@transaction.atomic
def service_item_update(
    *, item: ServiceItem, mobile_channels: Iterable[MobileChannel] | None = None, **fields
) -> ServiceItem:
    """Change the given fields of an item; `mobile_channels=None` leaves its channels alone."""
    for name, value in fields.items():
        setattr(item, name, value)
    if mobile_channels is None:
        channels = list(item.mobile_channels.all())
    else:
        channels = list(mobile_channels)
    _full_clean(item, mobile_channels=channels)
    item.save()
    if mobile_channels is not None:
        item.mobile_channels.set(channels)
    return item


def main_item_get_or_create(*, department: Department, name: str) -> MainItem:
    main_item, _created = MainItem.objects.get_or_create(department=department, name=name.strip())
    return main_item
