"""Writing a checked import plan: locked and re-checked, then bulk inserts and updates in
batches, all in one transaction."""

import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalogue.bulk_rows import rows_insert
from catalogue.models import Department, MainItem, MobileChannel, Sector, ServiceItem
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


def _lock_and_check(plan: ImportPlan, *, allowed_departments=None):
    """Lock the items the plan read and check that nothing it relied on changed since.

    The rows are locked in id order (`SELECT … FOR UPDATE`, chunk after chunk of ascending
    ids), so two imports touching the same items wait for each other instead of deadlocking,
    and the second one sees what the first committed. On SQLite the transaction already holds
    the write lock. Raises StalePlan with the reason; writes nothing.
    """
    read = {row.item_id: row for row in plan.rows if row.action in (UPDATE, UNCHANGED)}
    written = [row for row in plan.rows if row.action in (NEW, UPDATE)]
    stale, foreign, found = [], set(), set()
    stored_datetime = _converter("updated_at")
    # Each distinct timestamp is converted once, stored and planned: the items an import wrote
    # share one (10,000 conversions of each kind took 0.06 s of a 10,000-row re-import).
    stored, planned = {}, {}
    for pk, updated_at, department_id in _locked_items(sorted(read)):
        found.add(pk)
        row = read[pk]
        if row.updated_at is None:
            stale.append(row.code)
            continue
        if (stored_at := stored.get(updated_at)) is None:
            stored_at = stored[updated_at] = stored_datetime(updated_at)
        if (planned_at := planned.get(row.updated_at)) is None:
            planned_at = planned[row.updated_at] = parse_datetime(row.updated_at)
        if planned_at != stored_at:
            stale.append(row.code)
        elif allowed_departments is not None and department_id not in allowed_departments:
            foreign.add(department_id)
    stale.extend(row.code for pk, row in read.items() if pk not in found)
    if stale:
        raise StalePlan(messages.STALE_PLAN.format(codes=join_list(sorted(stale)[:5])))
    # New codes taken since planning are not looked up here: the unique constraint refuses
    # them in the insert, and apply_plan turns that IntegrityError into NEW_CODES_TAKEN
    # (_conflict_after_rollback), with nothing written.
    if allowed_departments is not None:
        foreign.update(
            row.values[_DEPARTMENT]
            for row in written
            if row.values[_DEPARTMENT] not in allowed_departments
        )
        if foreign:
            names = Department.objects.filter(id__in=foreign).order_by("name")
            raise StalePlan(
                messages.SCOPE_CHANGED.format(
                    departments=join_list(names.values_list("name", flat=True))
                )
            )
    gone = _references_gone(written, lock=True)
    if gone:
        raise StalePlan(messages.REFERENCES_GONE.format(kinds=join_list(gone)))


def _locked_items(ids):
    """(id, updated_at, department_id) of the items with these ids, in id order, locked
    `FOR UPDATE` where the database has row locks (SQLite: the transaction holds the write
    lock already). Plain SQL: the ORM would prepare every id and build a row per item."""
    table = connection.ops.quote_name(ServiceItem._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    columns = ", ".join(
        connection.ops.quote_name(ServiceItem._meta.get_field(name).column)
        for name in ("id", "updated_at", "department")
    )
    with connection.cursor() as cursor:
        for chunk in references.chunks(ids):
            cursor.execute(
                f"SELECT {columns} FROM {table} WHERE id IN ({', '.join(['%s'] * len(chunk))}) "
                f"ORDER BY id{lock}",
                chunk,
            )
            yield from cursor.fetchall()


def _converter(field_name):
    """A raw database value of the field as the ORM would give it (its converters)."""
    expression = ServiceItem._meta.get_field(field_name).get_col(ServiceItem._meta.db_table)
    converters = [
        *connection.ops.get_db_converters(expression),
        *expression.get_db_converters(connection),
    ]

    def convert(value):
        for converter in converters:
            value = converter(value, expression, connection)
        return value

    return convert


def _codes_taken(plan):
    new_codes = [row.code for row in plan.rows if row.action == NEW]
    taken = []
    for chunk in references.chunks(new_codes):
        taken.extend(ServiceItem.objects.filter(code__in=chunk).values_list("code", flat=True))
    return sorted(taken)


def _references_gone(rows, *, lock):
    """The kinds of reference (实施主体, 行业 …) the rows name that no longer exist.

    With `lock` on PostgreSQL the found rows are held `FOR KEY SHARE` (what a foreign key
    check takes), so that they cannot be deleted before the import commits.
    """
    wanted = {Department: set(), Sector: set(), MainItem: set(), MobileChannel: set()}
    for row in rows:
        values = row.values
        wanted[Department].add(values[_DEPARTMENT])
        wanted[Sector].add(values[_SECTOR])
        if values[_MAIN_ITEM] is not None and not row.new_main_item:
            wanted[MainItem].add(values[_MAIN_ITEM])
        wanted[MobileChannel].update(values[_CHANNELS])
    gone = []
    for model, ids in wanted.items():
        if ids and not ids <= _existing_ids(model, sorted(ids), lock=lock):
            gone.append(str(model._meta.verbose_name))
    return gone


def _existing_ids(model, ids, *, lock):
    if not (lock and connection.vendor == "postgresql"):
        return set(model.objects.filter(id__in=ids).values_list("id", flat=True))
    table = connection.ops.quote_name(model._meta.db_table)
    found = set()
    with connection.cursor() as cursor:
        for chunk in references.chunks(ids):
            cursor.execute(
                f"SELECT id FROM {table} WHERE id IN ({', '.join(['%s'] * len(chunk))}) "
                "ORDER BY id FOR KEY SHARE",
                chunk,
            )
            found.update(pk for (pk,) in cursor.fetchall())
    return found


def _conflict_after_rollback(plan: ImportPlan):
    """After an IntegrityError: the StalePlan that explains it (another import or edit took a
    new code or created the same main item first, or a reference was deleted), else None."""
    taken = _codes_taken(plan)
    if taken:
        return StalePlan(messages.NEW_CODES_TAKEN.format(codes=join_list(taken[:5])))
    written = [row for row in plan.rows if row.action in (NEW, UPDATE)]
    gone = _references_gone(written, lock=False)
    if gone:
        return StalePlan(messages.REFERENCES_GONE.format(kinds=join_list(gone)))
    with_new_main_item = [row.code for row in written if row.new_main_item]
    if with_new_main_item:
        return StalePlan(messages.STALE_PLAN.format(codes=join_list(with_new_main_item[:5])))
    return None


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
    plan: ImportPlan,
    *,
    user=None,
    file_name: str = "",
    allowed_departments=None,
    before_write=None,
    on_written=None,
) -> ImportResult:
    """Write a plan without errors, all in one transaction, or raise StalePlan and write nothing.

    In the transaction, first `before_write()` (the admin claims its kept plan there), then the
    items the plan read are locked and checked (unchanged since planning, new codes still free,
    references still there, departments within `allowed_departments` when given: None for
    all), then the writes, then `on_written(result)` (history and the import batch, in bulk).
    """
    if plan.has_errors:
        raise PlanWithErrors(messages.NOTHING_WRITTEN)
    result = ImportResult(plan=plan, user=user)
    try:
        with transaction.atomic():
            if before_write is not None:
                before_write()
            _lock_and_check(plan, allowed_departments=allowed_departments)
            new_rows = [row for row in plan.rows if row.action == NEW]
            update_rows = sorted(
                (row for row in plan.rows if row.action == UPDATE), key=lambda row: row.item_id
            )
            result.unchanged_ids = [row.item_id for row in plan.rows if row.action == UNCHANGED]
            _create_main_items(new_rows + update_rows)
            result.created_ids = _insert(new_rows)
            result.updated_ids = _update(update_rows)
            result.written = True
            if on_written is not None:
                on_written(result)
    except IntegrityError:
        # Only a race can get here: the checks above passed, then another transaction took a
        # new code or a main item name first, or deleted a reference.
        conflict = _conflict_after_rollback(plan)
        if conflict is None:
            raise
        logger.info("Import of %r refused after a conflict: %s", file_name, conflict)
        raise conflict from None
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
    rows_insert(
        model=ServiceItem.mobile_channels.through,
        fields=("serviceitem", "mobilechannel"),
        rows=((row.item_id, channel_id) for row in rows for channel_id in row.values[_CHANNELS]),
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
        # The raw psycopg cursor: wrap its errors as Django's (a taken code is an IntegrityError).
        copy_sql = f"COPY {ops.quote_name(table)} ({columns}) FROM STDIN"
        with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
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
