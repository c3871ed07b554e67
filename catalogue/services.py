"""Writes to the catalogue. Every change to an item goes through these functions."""

import os
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from .importing import FileProblem, ImportPlan, ImportResult, apply_plan, build_plan, read_sheet
from .importing.plan import plan_from_file_problem, sheet_from_rows
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


def _file_bytes(file) -> bytes:
    if isinstance(file, bytes):
        return file
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as stream:
            return stream.read()
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read()


def items_import_plan(*, file=None, rows=None, user=None, allowed_departments=None) -> ImportPlan:
    """Read and check an Excel file (or `rows`: mappings of header -> value); write nothing.

    `file` is bytes, a path or a file object. `allowed_departments` (ids) restricts which
    departments' items may be imported; None allows all. The plan says, per row, new / update /
    unchanged / error, with every error found; file-level problems are in `plan.file_problem`.
    """
    if rows is not None:
        sheet = sheet_from_rows(rows)
    else:
        try:
            sheet = read_sheet(_file_bytes(file))
        except FileProblem as problem:
            return plan_from_file_problem(problem)
    return build_plan(sheet, allowed_departments=allowed_departments)


def items_import_apply(
    *, plan: ImportPlan, user=None, verify_fresh: bool = False, on_written=None
) -> ImportResult:
    """Write a plan that has no errors, in one transaction (see importing.writing.apply_plan)."""
    return apply_plan(plan, user=user, verify_fresh=verify_fresh, on_written=on_written)


def items_import(
    *,
    file=None,
    rows=None,
    user=None,
    allowed_departments=None,
    dry_run: bool = False,
    on_written=None,
) -> ImportResult:
    """Import items from an Excel file: all rows or, on any error, nothing.

    Upserts by 实施编码. Returns an ImportResult with the plan (per-row outcome and errors) and
    the ids created, updated and left unchanged. `on_written(result)` runs in the transaction.
    """
    plan = items_import_plan(
        file=file, rows=rows, user=user, allowed_departments=allowed_departments
    )
    if plan.has_errors or dry_run:
        return ImportResult(plan=plan, dry_run=dry_run, user=user)
    return items_import_apply(plan=plan, user=user, on_written=on_written)
