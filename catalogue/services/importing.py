"""Import items from Excel: check a file into a plan, then write the plan and record the batch."""

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import BinaryIO

from django.contrib.auth.models import User

from ..importing import (
    FileProblem,
    ImportPlan,
    ImportProblem,
    ImportResult,
    PlanWithErrors,
    StalePlan,
    apply_plan,
    build_plan,
    read_sheet,
)
from ..importing import messages as import_messages
from ..importing.plan import plan_from_file_problem, sheet_from_rows
from ..importing.store import plan_claim, plan_discard, plan_fetch
from ..importing.uploads import import_file_keep
from ..maintenance import catalogue_tables_analyze_after_import
from ..models import ImportFile
from ..roles import department_scope, may_import_items
from .import_batches import import_batch_record
from .import_column_choices import import_column_choices_record

# What `file` may be: the bytes, a path, or an open binary file (an upload).
FileInput = bytes | str | os.PathLike | BinaryIO
# Rows pulled from the sheet between two calls of a plan's `progress` callback.
PROGRESS_EVERY_ROWS = 1000


def _file_bytes(file: FileInput) -> bytes:
    if isinstance(file, bytes):
        return file
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as stream:
            return stream.read()
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read()


def _import_allowed_departments(user: User | None) -> frozenset[int] | None:
    """Departments whose items `user` may import (catalogue.roles decides); None for all.

    No user means an import from the command line, run by whoever administers the server.
    """
    if user is None:
        return None
    scope = department_scope(user)
    return None if scope.all_departments else scope.department_ids


def items_import_plan(
    *,
    file: FileInput | None = None,
    rows: Iterable[Mapping[str, object]] | None = None,
    user: User | None = None,
    sheet: str | None = None,
    mapping: Mapping[str, str | None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportPlan:
    """Read and check an Excel file (or `rows`: mappings of header -> value); write nothing.

    `file` is bytes, a path or a file object. Rows of departments outside the user's scope, and
    codes already held by such a department, are row errors. The plan says, per row, new /
    update / unchanged / error, with every error found; file-level problems are in
    `plan.file_problem`. `sheet`: the sheet to read (by default the only visible one holding
    items); `mapping`: a person's placing of the file's columns ({header: field, or None to
    set the column aside}). `progress(rows)`: called with the number of rows read so far, every
    PROGRESS_EVERY_ROWS rows while they are checked (a background import shows it).
    """
    if rows is not None:
        sheet = sheet_from_rows(rows)
    else:
        try:
            sheet = read_sheet(_file_bytes(file), sheet=sheet)
        except FileProblem as problem:
            return plan_from_file_problem(problem)
    if progress is not None:
        sheet = replace(sheet, rows=_counted(sheet.rows, progress))
    return build_plan(sheet, allowed_departments=_import_allowed_departments(user), mapping=mapping)


def _counted(rows: Iterable, progress: Callable[[int], None]) -> Iterator:
    for count, row in enumerate(rows, start=1):
        if count % PROGRESS_EVERY_ROWS == 0:
            progress(count)
        yield row


def items_import_apply(
    *,
    plan: ImportPlan,
    user: User | None = None,
    file_name: str = "",
    upload: ImportFile | int | None = None,
    file_to_keep: bytes | None = None,
    content_type: str = "",
    before_write: Callable[[], None] | None = None,
    on_written: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Write a plan that has no errors, in one transaction that first locks and re-checks what
    the plan read (see importing.writing.apply_plan), and record it as an import batch with
    one historical record per item it wrote. The user's department scope is checked again,
    as it is now. `upload`: the file read, already kept, recorded with the batch; or
    `file_to_keep`: its bytes (and `content_type`), kept as an ImportFile in the write's own
    transaction, so that the file is kept exactly when the import is written. Raises StalePlan
    (with the reason) and then writes nothing, the file included."""
    kept = upload

    def prepare() -> None:
        nonlocal kept
        if before_write is not None:
            before_write()
        if file_to_keep is not None:
            kept = import_file_keep(
                data=file_to_keep, file_name=file_name, content_type=content_type, user=user
            )

    def record_batch(result: ImportResult) -> None:
        import_batch_record(
            file_name=file_name,
            user=user,
            created_ids=result.created_ids,
            updated_ids=result.updated_ids,
            unchanged_count=len(result.unchanged_ids),
            upload=kept,
        )
        if plan.mapping:
            import_column_choices_record(department_ids=plan.department_ids, mapping=plan.mapping)
        catalogue_tables_analyze_after_import(result=result)
        if on_written is not None:
            on_written(result)

    return apply_plan(
        plan,
        user=user,
        file_name=file_name,
        allowed_departments=_import_allowed_departments(user),
        before_write=prepare,
        on_written=record_batch,
    )


def items_import_confirm(
    *,
    token: str,
    file_hash: str,
    user: User,
    on_written: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Write the plan kept at the preview (catalogue.importing.store), at most once; the batch
    records the file the plan was checked from. `on_written(result)` runs in the transaction.

    The plan is claimed in the write's own transaction: a second confirm of it, whichever
    request comes first, raises PlanAlreadyConfirmed. Raises PlanExpired, PlanWithErrors,
    StalePlan (the plan is then discarded) or ImportProblem when the user may no longer
    import; each carries a message for the user.
    """
    if not may_import_items(user):
        raise ImportProblem(import_messages.NO_IMPORT_PERMISSION)
    plan, record = plan_fetch(token=token, user=user, file_hash=file_hash)
    if plan.has_errors:
        raise PlanWithErrors(import_messages.NOTHING_WRITTEN)
    try:
        return items_import_apply(
            plan=plan,
            user=user,
            file_name=record["file_name"],
            upload=record["upload"],
            before_write=lambda: plan_claim(token=token),
            on_written=on_written,
        )
    except StalePlan:
        plan_discard(token=token)
        raise


def items_import(
    *,
    file: FileInput | None = None,
    rows: Iterable[Mapping[str, object]] | None = None,
    user: User | None = None,
    file_name: str = "",
    upload: ImportFile | None = None,
    keep_file: bool = False,
    content_type: str = "",
    dry_run: bool = False,
    on_written: Callable[[ImportResult], None] | None = None,
    sheet: str | None = None,
    mapping: Mapping[str, str | None] | None = None,
) -> ImportResult:
    """Import items from an Excel file: all rows or, on any error, nothing.

    Upserts by 实施编码. Returns an ImportResult with the plan (per-row outcome and errors) and
    the ids created, updated and left unchanged. `on_written(result)` runs in the transaction.
    `upload`: the file, already kept (catalogue.importing.uploads.import_file_keep), that the
    batch records; or `keep_file`: keep `file` (with `content_type`) with the batch, in the
    write's transaction: an import that writes nothing (errors, a dry run, a refusal at the
    write) keeps no file.
    """
    if not file_name and isinstance(file, str | os.PathLike):
        file_name = os.path.basename(file)
    if keep_file and file is None:
        raise ValueError("keep_file needs a file")
    data = _file_bytes(file) if file is not None else None
    plan = items_import_plan(file=data, rows=rows, user=user, sheet=sheet, mapping=mapping)
    if plan.has_errors or dry_run:
        return ImportResult(plan=plan, dry_run=dry_run, user=user)
    return items_import_apply(
        plan=plan,
        user=user,
        file_name=file_name,
        upload=upload,
        file_to_keep=data if keep_file else None,
        content_type=content_type,
        on_written=on_written,
    )
