"""Writes to the catalogue. Every change to an item goes through these functions."""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction

from .demo import build_demo_catalogue
from .models import Department, MainItem, MobileChannel, Sector, ServiceItem
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


@dataclass(frozen=True)
class DemoLoadResult:
    skipped: bool  # `if_empty` was given and the catalogue already held items
    created: dict[str, int]  # rows created, by model name


def _create_missing(model: type[models.Model], rows, *, batch_size: int) -> tuple[dict, int]:
    """Create the rows whose name is not there yet; return {name: pk} for all rows and the count."""
    names = [row["name"] for row in rows]
    pks = dict(model.objects.filter(name__in=names).values_list("name", "pk"))
    missing = [model(**row) for row in rows if row["name"] not in pks]
    for obj in missing:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    if missing:
        model.objects.bulk_create(missing, batch_size=batch_size)
        pks = dict(model.objects.filter(name__in=names).values_list("name", "pk"))
    return pks, len(missing)


def _main_items_by_key(department_ids) -> dict[tuple[int, str], MainItem]:
    return {
        (main_item.department_id, main_item.name): main_item
        for main_item in MainItem.objects.filter(department_id__in=department_ids)
    }


@transaction.atomic
def demo_catalogue_load(*, if_empty: bool = False, batch_size: int = 500) -> DemoLoadResult:
    """Load the demo catalogue of 光明区 (catalogue/demo.py), creating only the rows it lacks.

    Rows are matched by natural key (sector, department and channel name; main item name within
    its department; item code). Existing rows are never changed, so loading twice writes nothing
    the second time, and edits made to demo rows survive a reload. With `if_empty`, nothing is
    loaded when the catalogue already holds an item. Every new item is checked against the
    consistency rules first; ValidationError (with the item code) rolls the whole load back.
    """
    if if_empty and ServiceItem.objects.exists():
        return DemoLoadResult(skipped=True, created={})
    demo = build_demo_catalogue()
    sector_pks, sectors_created = _create_missing(Sector, demo.sectors, batch_size=batch_size)
    department_pks, departments_created = _create_missing(
        Department, demo.departments, batch_size=batch_size
    )
    channel_names = sorted({name for item in demo.items for name in item["mobile_channels"]})
    channel_pks, channels_created = _create_missing(
        MobileChannel, [{"name": name} for name in channel_names], batch_size=batch_size
    )

    department_ids = list(department_pks.values())
    main_items = _main_items_by_key(department_ids)
    new_main_items = [
        MainItem(department_id=department_pks[row["department"]], name=row["name"])
        for row in demo.main_items
        if (department_pks[row["department"]], row["name"]) not in main_items
    ]
    if new_main_items:
        MainItem.objects.bulk_create(new_main_items, batch_size=batch_size)
        main_items = _main_items_by_key(department_ids)

    codes = [item["code"] for item in demo.items]
    existing_codes = set(ServiceItem.objects.filter(code__in=codes).values_list("code", flat=True))
    new_items, channels_by_code = [], {}
    for row in demo.items:
        if row["code"] in existing_codes:
            continue
        fields = {
            name: value
            for name, value in row.items()
            if name not in ("department", "sector", "main_item", "mobile_channels")
        }
        department_id = department_pks[row["department"]]
        item = ServiceItem(
            **fields,
            department_id=department_id,
            sector_id=sector_pks[row["sector"]],
            main_item=main_items[department_id, row["main_item"]] if row["main_item"] else None,
        )
        item.clean_fields(exclude={"department", "sector", "main_item"})
        channels = [channel_pks[name] for name in row["mobile_channels"]]
        errors = item_rule_errors({**item.rule_values(), "mobile_channels": channels})
        if errors:
            messages = [message for field_messages in errors.values() for message in field_messages]
            raise ValidationError({row["code"]: messages})
        new_items.append(item)
        channels_by_code[row["code"]] = channels
    ServiceItem.objects.bulk_create(new_items, batch_size=batch_size)

    codes_with_channels = [code for code, channels in channels_by_code.items() if channels]
    if codes_with_channels:
        item_pks = dict(
            ServiceItem.objects.filter(code__in=codes_with_channels).values_list("code", "pk")
        )
        Through = ServiceItem.mobile_channels.through
        Through.objects.bulk_create(
            [
                Through(serviceitem_id=item_pks[code], mobilechannel_id=channel_pk)
                for code in codes_with_channels
                for channel_pk in channels_by_code[code]
            ],
            batch_size=batch_size,
        )
    return DemoLoadResult(
        skipped=False,
        created={
            "sectors": sectors_created,
            "departments": departments_created,
            "mobile_channels": channels_created,
            "main_items": len(new_main_items),
            "items": len(new_items),
        },
    )


DEMO_USERNAME = "admin"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str


def demo_users_ensure(*, password: str | None = None) -> list[DemoLogin]:
    """Make sure the demo superuser exists and signs in with the password returned.

    The password is `password`, else settings.DEMO_PASSWORD, else a new random one set on every
    call (only its hash is stored, so the one printed must be the one set).
    """
    password = password if password is not None else settings.DEMO_PASSWORD
    user, created = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
    changed = created or not (user.is_staff and user.is_superuser and user.is_active)
    user.is_staff = user.is_superuser = user.is_active = True
    if not password or not user.check_password(password):
        password = password or secrets.token_urlsafe(12)
        user.set_password(password)
        changed = True
    if changed:
        user.save()
    return [DemoLogin(username=DEMO_USERNAME, password=password)]
