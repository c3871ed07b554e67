"""Writes to the catalogue. Every change to an item goes through these functions."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Department, MainItem, MobileChannel, ServiceItem
from .rules import item_rule_errors


def _validate_mobile_channels(*, is_mobile: bool, mobile_channels: Iterable[MobileChannel]):
    errors = item_rule_errors({"is_mobile": is_mobile, "mobile_channels": list(mobile_channels)})
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def service_item_create(*, mobile_channels: Iterable[MobileChannel] = (), **fields) -> ServiceItem:
    """Create an item after checking every field and consistency rule.

    Raises ValidationError with Chinese messages keyed by field.
    """
    mobile_channels = list(mobile_channels)
    item = ServiceItem(**fields)
    item.full_clean()
    _validate_mobile_channels(is_mobile=item.is_mobile, mobile_channels=mobile_channels)
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
    item.full_clean()
    if mobile_channels is None:
        channels = list(item.mobile_channels.all())
    else:
        channels = list(mobile_channels)
    _validate_mobile_channels(is_mobile=item.is_mobile, mobile_channels=channels)
    item.save()
    if mobile_channels is not None:
        item.mobile_channels.set(channels)
    return item


def main_item_get_or_create(*, department: Department, name: str) -> MainItem:
    main_item, _created = MainItem.objects.get_or_create(department=department, name=name.strip())
    return main_item
