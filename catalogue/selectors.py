"""Reads of the catalogue used by more than one door (admin, import, reports)."""

from django.db.models import QuerySet

from .models import ServiceItem


def service_item_list(*, with_related: bool = True) -> QuerySet[ServiceItem]:
    items = ServiceItem.objects.all()
    return items.with_related() if with_related else items
