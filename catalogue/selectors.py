"""Reads of the catalogue used by more than one door (admin, import, export, reports)."""

import datetime

from django.db.models import Count, DateTimeField, F, Min, QuerySet, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from .history import DELETED, HistoricalServiceItem
from .models import (
    Department,
    ExportJob,
    ImportBatch,
    ImportColumnChoice,
    ImportFile,
    ImportJob,
    MainItem,
    ServiceItem,
)
from .roles import department_scope


def service_item_list(*, with_related: bool = True) -> QuerySet[ServiceItem]:
    items = ServiceItem.objects.all()
    return items.with_related() if with_related else items


def service_items_for_user(user, *, with_related: bool = False) -> QuerySet[ServiceItem]:
    """The items `user` may see: every door (admin, export, reports) starts from here."""
    items = ServiceItem.objects.for_user(user)
    return items.with_related() if with_related else items


def day_end(day: datetime.date) -> datetime.datetime:
    """The end of `day` in the site's time zone (Asia/Shanghai): the next midnight there."""
    return datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time.min, tzinfo=timezone.get_default_timezone()
    )


# An open record (valid_until empty) is valid for ever. The reads below compare
# COALESCE(valid_until, OPEN_END), the leading key of the covering index history_report_idx
# (migration 0016), so PostgreSQL reads the records valid at a moment from that index alone.
OPEN_END = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)


def valid_until_or_open_gte(moment: datetime.datetime) -> GreaterThanOrEqual:
    """Records valid at `moment` or later: open, or closed at or after it."""
    return GreaterThanOrEqual(
        Coalesce(F("valid_until"), Value(OPEN_END, output_field=DateTimeField())), moment
    )


def service_item_records_valid_at(moment: datetime.datetime) -> QuerySet[HistoricalServiceItem]:
    """The catalogue as it stood just before `moment`: one historical record per item that
    existed then, the one valid at that instant. The records have the item's fields under the
    item's names, so the queries of the live catalogue run on them unchanged."""
    return HistoricalServiceItem.objects.filter(
        valid_until_or_open_gte(moment), history_date__lt=moment
    ).exclude(history_type=DELETED)


def service_item_history_start() -> datetime.datetime | None:
    """When the first historical record of any item was written (None: no history)."""
    return HistoricalServiceItem.objects.aggregate(start=Min("history_date"))["start"]


def service_item_records(user) -> QuerySet[HistoricalServiceItem]:
    """Every record (but deletions) of the items `user` may see, whatever its validity."""
    return department_scope(user).filter_items(
        HistoricalServiceItem.objects.exclude(history_type=DELETED)
    )


def service_items_as_of(user, *, day: datetime.date) -> QuerySet[HistoricalServiceItem]:
    """The items `user` may see, as they stood at the end of `day` (the same department
    scope as today's items: catalogue.roles.department_scope)."""
    return department_scope(user).filter_items(service_item_records_valid_at(day_end(day)))


def items_using_mobile_channels(channels) -> QuerySet[ServiceItem]:
    """The items that offer any of `channels` (instances, ids or a queryset) on 指尖办."""
    return ServiceItem.objects.filter(
        pk__in=ServiceItem.mobile_channels.through.objects.filter(
            mobilechannel_id__in=channels
        ).values("serviceitem_id")
    )


def departments_for_user(user) -> QuerySet[Department]:
    """The departments whose items `user` may see, and so add, change or import (given the
    model permission)."""
    return department_scope(user).filter_by_department(Department.objects.all(), "pk")


def main_items_for_user(user) -> QuerySet[MainItem]:
    return department_scope(user).filter_by_department(MainItem.objects.all(), "department_id")


def import_column_choices_for_user(user) -> dict[str, str | None]:
    """Header (in header_key form) -> the element a person last placed it at (None: set
    aside), among the departments `user` may import for: offered again for their next file."""
    choices = department_scope(user).filter_by_department(
        ImportColumnChoice.objects.all(), "department_id"
    )
    offered = {}
    for header, field in choices.order_by("chosen_at", "pk").values_list("header", "field"):
        offered[header] = field or None
    return offered


def import_batches_for_user(user) -> QuerySet[ImportBatch]:
    """Every batch for those who see every department; otherwise the user's own imports."""
    batches = ImportBatch.objects.all()
    if department_scope(user).all_departments:
        return batches
    if not user.is_authenticated:
        return batches.none()
    return batches.filter(user=user)


def import_file_get(*, upload_id: int) -> ImportFile:
    """A kept upload with its bytes; the caller has checked that the user may see it."""
    return ImportFile.objects.get(pk=upload_id)


def department_with_most_items() -> Department | None:
    return (
        Department.objects.annotate(item_count=Count("items"))
        .order_by("-item_count", "name")
        .first()
    )


def export_job_for_user(user, job_id: int) -> ExportJob | None:
    """A background export, to the user who started it only."""
    return ExportJob.objects.filter(pk=job_id, user=user).first()


def import_job_for_user(user, *, job_id: int | None = None, token: str | None = None):
    """A background import (by its id or its kept plan's token), to the user who started it
    only."""
    jobs = ImportJob.objects.filter(user=user).select_related("upload").defer("upload__data")
    if job_id is not None:
        jobs = jobs.filter(pk=job_id)
    if token is not None:
        jobs = jobs.filter(plan_token=token) if token else jobs.none()
    return jobs.first()


def background_jobs_recent_for_user(user, *, limit: int = 10) -> dict[str, list]:
    """The user's latest background imports and exports (the import batch list shows them)."""
    return {
        "imports": list(
            ImportJob.objects.filter(user=user)
            .select_related("upload")
            .defer("upload__data")[:limit]
        ),
        "exports": list(ExportJob.objects.filter(user=user).defer("content", "selection")[:limit]),
    }
