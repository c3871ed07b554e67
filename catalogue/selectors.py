"""Reads of the catalogue used by more than one door (admin, import, export, reports)."""

from django.db.models import Count, QuerySet

from .models import Department, ExportJob, ImportBatch, MainItem, ServiceItem
from .roles import department_scope


def service_item_list(*, with_related: bool = True) -> QuerySet[ServiceItem]:
    items = ServiceItem.objects.all()
    return items.with_related() if with_related else items


def service_items_for_user(user, *, with_related: bool = False) -> QuerySet[ServiceItem]:
    """The items `user` may see: every door (admin, export, reports) starts from here."""
    items = ServiceItem.objects.for_user(user)
    return items.with_related() if with_related else items


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


def import_batches_for_user(user) -> QuerySet[ImportBatch]:
    """Every batch for those who see every department; otherwise the user's own imports."""
    batches = ImportBatch.objects.all()
    if department_scope(user).all_departments:
        return batches
    if not user.is_authenticated:
        return batches.none()
    return batches.filter(user=user)


def department_with_most_items() -> Department | None:
    return (
        Department.objects.annotate(item_count=Count("items"))
        .order_by("-item_count", "name")
        .first()
    )


def export_job_for_user(user, job_id: int) -> ExportJob | None:
    """A background export, to the user who started it only."""
    return ExportJob.objects.filter(pk=job_id, user=user).first()
