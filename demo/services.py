"""Loading the demo catalogue of 光明区 into the database."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction

from catalogue.choices import ChangeSource
from catalogue.history import CREATED, history_records_insert_select
from catalogue.models import Department, MainItem, MobileChannel, Sector, ServiceItem
from catalogue.rules import item_rule_errors

from .builder import build_demo_catalogue


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
    """Load the demo catalogue of 光明区 (demo/builder.py), creating only the rows it lacks.

    Rows are matched by natural key (sector, department and channel name; main item name within
    its department; item code). Existing rows are never changed, so loading twice writes nothing
    the second time, and edits made to demo rows survive a reload. With `if_empty`, nothing is
    loaded when the catalogue already holds an item. Every new item is checked against the
    consistency rules first; ValidationError (with the item code) rolls the whole load back.
    Each new item gets its initial historical record (source 载入演示目录, no user).
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
    created = ServiceItem.objects.bulk_create(new_items, batch_size=batch_size)

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
    if created:
        # bulk_create records no history: each new item gets its initial record here, with its
        # channels, so that its first change has something to compare with and to restore.
        history_records_insert_select(
            ServiceItem.objects.filter(pk__in=[item.pk for item in created]),
            history_type=CREATED,
            user=None,
            source=ChangeSource.DEMO,
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
