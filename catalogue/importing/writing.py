"""Writing a checked import plan: bulk inserts and updates in batches, in one transaction."""

import logging
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalogue.models import MainItem, ServiceItem
from catalogue.text import join_list

from . import messages, references
from .columns import COLUMN_BY_FIELD, COLUMNS, FIELD_NAMES
from .plan import NEW, UNCHANGED, UPDATE, VALUE_INDEX, ImportPlan
from .problems import PlanWithErrors, StalePlan
from .values import label_key

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
UPDATE_BATCH_SIZE = 500  # bulk_update builds one CASE per field; smaller batches stay fast


@dataclass
class ImportResult:
    plan: ImportPlan
    written: bool = False
    dry_run: bool = False
    created_ids: list = field(default_factory=list)
    updated_ids: list = field(default_factory=list)
    unchanged_ids: list = field(default_factory=list)
    user: object = None

    @property
    def has_errors(self):
        return self.plan.has_errors

    def summary(self):
        return self.plan.summary()


_DEPARTMENT, _SECTOR, _MAIN_ITEM, _CHANNELS = (
    VALUE_INDEX[name] for name in ("department", "sector", "main_item", "mobile_channels")
)


def _model_kwargs(values):
    kwargs = {
        name: values[index]
        for index, name in enumerate(FIELD_NAMES)
        if name not in ("department", "sector", "main_item")
    }
    kwargs["department_id"] = values[_DEPARTMENT]
    kwargs["sector_id"] = values[_SECTOR]
    kwargs["main_item_id"] = values[_MAIN_ITEM]
    return kwargs


def _check_fresh(plan: ImportPlan):
    """The items the plan read have not changed since, and its new codes are still free."""
    expected = {
        row.code: row.updated_at for row in plan.rows if row.action in (NEW, UPDATE, UNCHANGED)
    }
    stale = []
    for chunk in references.chunks(list(expected)):
        for code, updated_at in (
            ServiceItem.objects.filter(code__in=chunk).order_by().values_list("code", "updated_at")
        ):
            planned = expected[code]
            if planned is None or parse_datetime(planned) != updated_at:
                stale.append(code)
    if stale:
        raise StalePlan(messages.STALE_PLAN.format(codes=join_list(stale[:5])))


def _create_main_items(rows):
    wanted = {}
    for row in rows:
        if row.new_main_item:
            wanted.setdefault(
                (row.values[_DEPARTMENT], label_key(row.new_main_item)), row.new_main_item
            )
    if not wanted:
        return
    department_ids = {department_id for department_id, _key in wanted}
    existing = references.main_items_of(department_ids)
    MainItem.objects.bulk_create(
        [
            MainItem(department_id=department_id, name=name)
            for (department_id, key), name in wanted.items()
            if (department_id, key) not in existing
        ],
        batch_size=BATCH_SIZE,
    )
    ids = references.main_items_of(department_ids)
    for row in rows:
        if row.new_main_item:
            row.values[_MAIN_ITEM] = ids[(row.values[_DEPARTMENT], label_key(row.new_main_item))]


def apply_plan(
    plan: ImportPlan, *, user=None, file_name: str = "", verify_fresh=False, on_written=None
) -> ImportResult:
    """Write a plan without errors, all in one transaction.

    `verify_fresh` re-checks that the items read when planning have not changed since (for a
    plan kept between preview and confirm). `on_written(result)` runs inside the transaction
    after the writes, for callers that record history or an import batch in bulk.
    """
    if plan.has_errors:
        raise PlanWithErrors(messages.NOTHING_WRITTEN)
    result = ImportResult(plan=plan, user=user)
    with transaction.atomic():
        if verify_fresh:
            _check_fresh(plan)
        new_rows = [row for row in plan.rows if row.action == NEW]
        update_rows = [row for row in plan.rows if row.action == UPDATE]
        result.unchanged_ids = [row.item_id for row in plan.rows if row.action == UNCHANGED]
        _create_main_items(new_rows + update_rows)
        result.created_ids = _insert(new_rows)
        result.updated_ids = _update(update_rows)
        result.written = True
        if on_written is not None:
            on_written(result)
    logger.info(
        "Import of %r by %s: %d new, %d updated, %d unchanged",
        file_name,
        user.get_username() if user is not None else "(command line, no user)",
        len(result.created_ids),
        len(result.updated_ids),
        len(result.unchanged_ids),
    )
    return result


def _insert(rows):
    """Insert the new items, then their channels; returns their ids in row order.

    Django's bulk_create spends about three quarters of its time preparing each field of each
    object; the plan's values are already checked plain Python values, so they go to the
    database as they are: PostgreSQL through COPY (with ids drawn from the sequence first),
    other databases through multi-row INSERT … RETURNING. Columns come from the model.
    """
    if not rows:
        return []
    fields = [
        field
        for field in ServiceItem._meta.concrete_fields
        if not field.primary_key and not field.generated
    ]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # Per column: the index of its value in the plan, or a constant (timestamps, and the
    # default of fields the file does not carry, such as 法定时限说明).
    getters = []
    for model_field in fields:
        if model_field.name in ("created_at", "updated_at"):
            getters.append((None, now))
        elif model_field.name in VALUE_INDEX:
            getters.append((VALUE_INDEX[model_field.name], None))
        else:
            default = model_field.get_db_prep_save(model_field.get_default(), connection)
            getters.append((None, default))

    def cells(row):
        values = row.values
        return [constant if index is None else values[index] for index, constant in getters]

    if connection.vendor == "postgresql":
        _copy_postgresql(rows, fields, cells)
    else:
        _insert_returning(rows, fields, cells)
    _channel_links_create(rows)
    return [row.item_id for row in rows]


def _channel_links_create(rows) -> None:
    """The mobile channels of each row's item, as the row gives them."""
    through = ServiceItem.mobile_channels.through
    through.objects.bulk_create(
        [
            through(serviceitem_id=row.item_id, mobilechannel_id=channel_id)
            for row in rows
            for channel_id in row.values[_CHANNELS]
        ],
        batch_size=BATCH_SIZE,
    )


def _copy_postgresql(rows, fields, cells):
    ops = connection.ops
    table = ServiceItem._meta.db_table
    columns = ", ".join([ops.quote_name("id"), *(ops.quote_name(field.column) for field in fields)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {ops.quote_name(table)} ({columns}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                row.item_id = pk
                copy.write_row([pk, *cells(row)])


def _insert_returning(rows, fields, cells):
    ops = connection.ops
    table = ops.quote_name(ServiceItem._meta.db_table)
    columns = ", ".join(ops.quote_name(field.column) for field in fields)
    row_placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returning = f"{ops.quote_name('id')}, {ops.quote_name('code')}"
    batch_size = max(1, min(BATCH_SIZE, _max_query_params() // len(fields)))
    with connection.cursor() as cursor:
        for batch in references.chunks(rows, batch_size):
            params = []
            for row in batch:
                params.extend(cells(row))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES "
                f"{', '.join([row_placeholder] * len(batch))} RETURNING {returning}",
                params,
            )
            ids = dict((code, pk) for pk, code in cursor.fetchall())
            for row in batch:
                row.item_id = ids[row.code]


def _max_query_params():
    if connection.vendor == "sqlite":
        import sqlite3

        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 65535


def _update(rows):
    if not rows:
        return []
    through = ServiceItem.mobile_channels.through
    now = timezone.now()
    changed_headers = {header for row in rows for header in row.changed}
    fields = [
        *(
            column.field
            for column in COLUMNS
            if column.header in changed_headers and column.field in FIELD_NAMES
        ),
        "updated_at",
    ]
    items = []
    for row in rows:
        item = ServiceItem(id=row.item_id, **_model_kwargs(row.values))
        item.updated_at = now
        items.append(item)
    ServiceItem.objects.bulk_update(items, fields, batch_size=UPDATE_BATCH_SIZE)
    channels_header = COLUMN_BY_FIELD["mobile_channels"].header
    channel_rows = [row for row in rows if channels_header in row.changed]
    for batch in references.chunks(channel_rows):
        through.objects.filter(serviceitem_id__in=[row.item_id for row in batch]).delete()
        _channel_links_create(batch)
    return [row.item_id for row in rows]
