"""Writes to the catalogue. Every change to an item goes through these functions."""

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connections, models, router, transaction
from django.db.models import Q, QuerySet
from django.db.models.deletion import Collector
from django.utils import timezone

from .choices import ChangeSource, ItemStatus
from .demo import build_demo_catalogue
from .history import (
    CHANGED,
    CREATED,
    history_context,
    history_records_insert_select,
    mobile_channel_ids_by_item,
)
from .importing import FileProblem, ImportPlan, ImportResult, apply_plan, build_plan, read_sheet
from .importing.plan import plan_from_file_problem, sheet_from_rows
from .models import (
    Department,
    ImportBatch,
    ImportBatchItem,
    MainItem,
    MobileChannel,
    Sector,
    ServiceItem,
)
from .roles import ROLE_PERMISSIONS, department_scope
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
def service_item_create(
    *,
    mobile_channels: Iterable[MobileChannel] = (),
    user=None,
    source: ChangeSource = ChangeSource.OTHER,
    **fields,
) -> ServiceItem:
    """Create an item after checking every field and consistency rule.

    Raises ValidationError with Chinese messages keyed by field.
    """
    mobile_channels = list(mobile_channels)
    item = ServiceItem(**fields)
    _full_clean(item, mobile_channels=mobile_channels)
    return service_item_save(item=item, mobile_channels=mobile_channels, user=user, source=source)


@transaction.atomic
def service_item_update(
    *,
    item: ServiceItem,
    mobile_channels: Iterable[MobileChannel] | None = None,
    user=None,
    source: ChangeSource = ChangeSource.OTHER,
    **fields,
) -> ServiceItem:
    """Change the given fields of an item; `mobile_channels=None` leaves its channels alone."""
    for name, value in fields.items():
        setattr(item, name, value)
    if mobile_channels is None:
        channels = list(item.mobile_channels.all())
    else:
        channels = list(mobile_channels)
    _full_clean(item, mobile_channels=channels)
    return service_item_save(
        item=item,
        mobile_channels=channels,
        user=user,
        source=source,
        set_channels=mobile_channels is not None,
    )


@transaction.atomic
def service_item_save(
    *,
    item: ServiceItem,
    mobile_channels: Iterable[MobileChannel],
    user,
    source: ChangeSource,
    set_channels: bool = True,
) -> ServiceItem:
    """Save an item that is already validated (by the two services above, or by the admin's
    ModelForm, which runs the same rules) and record who changed it and how."""
    channels = list(mobile_channels)
    history_context(
        item, user=user, source=source, mobile_channel_ids=[channel.pk for channel in channels]
    )
    item.save()
    if set_channels:
        item.mobile_channels.set(channels)
    return item


@transaction.atomic
def service_items_set_status(
    *, items: QuerySet[ServiceItem], status: ItemStatus, user, source=ChangeSource.ACTION
) -> int:
    """Set the status of the given items (e.g. 暂停, 恢复在用) in bulk, with one historical
    record per changed item. Returns how many items changed."""
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
    *, items: Iterable[ServiceItem], user, source: ChangeSource = ChangeSource.OTHER
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


def service_item_delete(*, item: ServiceItem, user, source=ChangeSource.FORM) -> None:
    service_items_delete(items=[item], user=user, source=source)


@transaction.atomic
def import_batch_record(
    *,
    file_name: str,
    user,
    created_ids: Sequence[int],
    updated_ids: Sequence[int],
    unchanged_count: int,
    batch_size: int = 1000,
) -> ImportBatch:
    """Record a confirmed import after its bulk writes: the batch with its counts and links,
    and one historical record per created or updated item, all written in bulk.
    `user` is None for an import from the command line.

    Call it in the import's transaction, after the items (with pks) and their mobile channels
    are written with bulk_create/bulk_update, which record no history themselves. The records
    hold the items' rows as they are in the database at this call.
    """
    batch = ImportBatch.objects.create(
        file_name=file_name[:255],
        user=user,
        created_count=len(created_ids),
        updated_count=len(updated_ids),
        unchanged_count=unchanged_count,
    )
    _import_batch_links_insert(
        batch, created_ids=created_ids, updated_ids=updated_ids, batch_size=batch_size
    )
    for ids, is_new in ((created_ids, True), (updated_ids, False)):
        if ids:
            history_records_insert_select(
                ServiceItem.objects.filter(
                    import_batch_links__batch=batch, import_batch_links__created=is_new
                ),
                history_type=CREATED if is_new else CHANGED,
                user=user,
                source=ChangeSource.IMPORT,
                import_batch=batch,
            )
    return batch


def _import_batch_links_insert(batch, *, created_ids, updated_ids, batch_size):
    # executemany with plain tuples: building 100,000 model instances for bulk_create would
    # take longer than the import's own writes.
    link = ImportBatchItem._meta
    connection = connections[router.db_for_write(ImportBatchItem)]
    qn = connection.ops.quote_name
    columns = [link.get_field(name).column for name in ("batch", "item", "created")]
    sql = (
        f"INSERT INTO {qn(link.db_table)} ({', '.join(qn(c) for c in columns)}) VALUES (%s, %s, %s)"
    )
    rows = [(batch.pk, pk, True) for pk in created_ids]
    rows += [(batch.pk, pk, False) for pk in updated_ids]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[start : start + batch_size])


@transaction.atomic
def roles_setup() -> dict[str, int]:
    """Create the role groups and give each exactly the permissions of ROLE_PERMISSIONS.

    Idempotent; returns the number of permissions of each group. Raises ImproperlyConfigured
    when a listed permission does not exist (migrations not applied).
    """
    result = {}
    for name, codes in ROLE_PERMISSIONS.items():
        pairs = {tuple(code.split(".", 1)) for code in codes}
        match = Q()
        for app_label, codename in pairs:
            match |= Q(content_type__app_label=app_label, codename=codename)
        permissions = list(Permission.objects.filter(match).select_related("content_type"))
        missing = pairs - {(p.content_type.app_label, p.codename) for p in permissions}
        if missing:
            raise ImproperlyConfigured(
                f"Permissions missing for group {name}: "
                + ", ".join(sorted(".".join(pair) for pair in missing))
                + ". Run `manage.py migrate` first."
            )
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)
        result[name] = len(permissions)
    return result


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


def _file_bytes(file) -> bytes:
    if isinstance(file, bytes):
        return file
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as stream:
            return stream.read()
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read()


def _import_allowed_departments(user) -> frozenset[int] | None:
    """Departments whose items `user` may import (catalogue.roles decides); None for all.

    No user means an import from the command line, run by whoever administers the server.
    """
    if user is None:
        return None
    scope = department_scope(user)
    return None if scope.all_departments else scope.department_ids


def items_import_plan(*, file=None, rows=None, user=None) -> ImportPlan:
    """Read and check an Excel file (or `rows`: mappings of header -> value); write nothing.

    `file` is bytes, a path or a file object. Rows of departments outside the user's scope, and
    codes already held by such a department, are row errors. The plan says, per row, new /
    update / unchanged / error, with every error found; file-level problems are in
    `plan.file_problem`.
    """
    if rows is not None:
        sheet = sheet_from_rows(rows)
    else:
        try:
            sheet = read_sheet(_file_bytes(file))
        except FileProblem as problem:
            return plan_from_file_problem(problem)
    return build_plan(sheet, allowed_departments=_import_allowed_departments(user))


def items_import_apply(
    *,
    plan: ImportPlan,
    user=None,
    file_name: str = "",
    verify_fresh: bool = False,
    on_written=None,
) -> ImportResult:
    """Write a plan that has no errors, in one transaction (see importing.writing.apply_plan),
    and record it as an import batch with one historical record per item it wrote."""

    def record_batch(result):
        import_batch_record(
            file_name=file_name,
            user=user,
            created_ids=result.created_ids,
            updated_ids=result.updated_ids,
            unchanged_count=len(result.unchanged_ids),
        )
        if on_written is not None:
            on_written(result)

    return apply_plan(
        plan, user=user, file_name=file_name, verify_fresh=verify_fresh, on_written=record_batch
    )


def items_import(
    *,
    file=None,
    rows=None,
    user=None,
    file_name: str = "",
    dry_run: bool = False,
    on_written=None,
) -> ImportResult:
    """Import items from an Excel file: all rows or, on any error, nothing.

    Upserts by 实施编码. Returns an ImportResult with the plan (per-row outcome and errors) and
    the ids created, updated and left unchanged. `on_written(result)` runs in the transaction.
    """
    if not file_name and isinstance(file, str | os.PathLike):
        file_name = os.path.basename(file)
    plan = items_import_plan(file=file, rows=rows, user=user)
    if plan.has_errors or dry_run:
        return ImportResult(plan=plan, dry_run=dry_run, user=user)
    return items_import_apply(plan=plan, user=user, file_name=file_name, on_written=on_written)
