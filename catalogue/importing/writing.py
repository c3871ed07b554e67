"""Writing a checked import plan: bulk inserts and updates in batches, in one transaction."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalogue.models import MainItem, ServiceItem

from . import messages, references
from .columns import COLUMNS, FIELD_NAMES
from .plan import NEW, UNCHANGED, UPDATE, ImportPlan
from .values import label_key

BATCH_SIZE = 1000
UPDATE_BATCH_SIZE = 500  # bulk_update builds one CASE per field; smaller batches stay fast


class StalePlan(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


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


def _fk_kwargs(values):
    kwargs = {
        name: values[name]
        for name in FIELD_NAMES
        if name not in ("department", "sector", "main_item")
    }
    kwargs["department_id"] = values["department"]
    kwargs["sector_id"] = values["sector"]
    kwargs["main_item_id"] = values["main_item"]
    return kwargs


def _check_fresh(plan: ImportPlan):
    """The items the plan read have not changed since, and its new codes are still free."""
    expected = {
        row.code: row.updated_at for row in plan.rows if row.action in (NEW, UPDATE, UNCHANGED)
    }
    stale = []
    for chunk in references.chunks(list(expected)):
        for code, updated_at in ServiceItem.objects.filter(code__in=chunk).values_list(
            "code", "updated_at"
        ):
            planned = expected[code]
            if planned is None or parse_datetime(planned) != updated_at:
                stale.append(code)
    if stale:
        raise StalePlan(messages.STALE_PLAN.format(codes="、".join(stale[:5])))


def _create_main_items(rows):
    wanted = {}
    for row in rows:
        if row.new_main_item:
            wanted.setdefault(
                (row.values["department"], label_key(row.new_main_item)), row.new_main_item
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
            row.values["main_item"] = ids[(row.values["department"], label_key(row.new_main_item))]


def apply_plan(plan: ImportPlan, *, user=None, verify_fresh=False, on_written=None) -> ImportResult:
    """Write a plan without errors, all in one transaction.

    `verify_fresh` re-checks that the items read when planning have not changed since (for a
    plan kept between preview and confirm). `on_written(result)` runs inside the transaction
    after the writes, for callers that record history or an import batch in bulk.
    """
    assert not plan.has_errors, "a plan with errors must never be written"
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
    return result


def _insert(rows):
    through = ServiceItem.mobile_channels.through
    created_ids = []
    for batch in references.chunks(rows, BATCH_SIZE):
        items = ServiceItem.objects.bulk_create(
            [ServiceItem(**_fk_kwargs(row.values)) for row in batch]
        )
        links = []
        for item, row in zip(items, batch, strict=True):
            created_ids.append(item.pk)
            row.item_id = item.pk
            links.extend(
                through(serviceitem_id=item.pk, mobilechannel_id=channel_id)
                for channel_id in row.values["mobile_channels"]
            )
        if links:
            through.objects.bulk_create(links, batch_size=BATCH_SIZE)
    return created_ids


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
        item = ServiceItem(id=row.item_id, **_fk_kwargs(row.values))
        item.updated_at = now
        items.append(item)
    ServiceItem.objects.bulk_update(items, fields, batch_size=UPDATE_BATCH_SIZE)
    channel_rows = [row for row in rows if "指尖办渠道" in row.changed]
    for batch in references.chunks(channel_rows):
        through.objects.filter(serviceitem_id__in=[row.item_id for row in batch]).delete()
        through.objects.bulk_create(
            [
                through(serviceitem_id=row.item_id, mobilechannel_id=channel_id)
                for row in batch
                for channel_id in row.values["mobile_channels"]
            ],
            batch_size=BATCH_SIZE,
        )
    return [row.item_id for row in rows]
