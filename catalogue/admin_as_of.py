"""The item list and its export as the catalogue stood at the end of a day (issue 14).

`?as_of=2025-12-31` on the item changelist swaps today's items for their records valid at the
end of that day (catalogue.selectors.service_items_as_of, the user's department scope
included); the other filters and the search then narrow those records, and the export writes
them. That list is read-only: no links to the change form (a record is not the item), no
actions.
"""

import datetime

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .selectors import service_items_as_of

PARAMETER = "as_of"
RECENT_MONTH_ENDS = 12
RECENT_YEARS = 5
# Filters of today's items only: a record has the batch that wrote it, not the item's batches.
UNSUPPORTED_PARAMETERS = {"import_batch"}


def as_of_day(value: str | None) -> datetime.date | None:
    """The day of the query parameter: 2025-12-31, up to today (Asia/Shanghai)."""
    if not value:
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise IncorrectLookupParameters(value) from None
    if len(value) != 10 or day > timezone.localdate():
        raise IncorrectLookupParameters(value)
    return day


def _offered_days(today: datetime.date) -> list[datetime.date]:
    """The last twelve month ends and the ends of the five years before, latest first."""
    days, end = set(), today.replace(day=1) - datetime.timedelta(days=1)
    for _month in range(RECENT_MONTH_ENDS):
        days.add(end)
        end = end.replace(day=1) - datetime.timedelta(days=1)
    days.update(datetime.date(today.year - back, 12, 31) for back in range(1, RECENT_YEARS + 1))
    return sorted(days, reverse=True)


class AsOfListFilter(admin.SimpleListFilter):
    """统计日期: the items as they stood at the end of a day (any day by its URL). The days
    offered need no query (the list's query count stays as it is); before the history began
    a day lists nothing."""

    title = _("统计日期")
    parameter_name = PARAMETER

    def lookups(self, request, model_admin):
        offered = _offered_days(timezone.localdate())
        chosen = as_of_day(self.value())
        if chosen is not None and chosen not in offered:
            offered = sorted({*offered, chosen}, reverse=True)
        return [(day.isoformat(), gettext("%(day)s 结束时") % {"day": day}) for day in offered]

    def get_facet_counts(self, pk_attname, filtered_qs):
        # A day's count would be a read of the history for each day offered: none are counted.
        return {}

    def choices(self, changelist):
        # Django's choices, without its facet marks (the days are not counted).
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": gettext("当前"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        day = as_of_day(self.value())
        if day is None:
            return queryset
        if UNSUPPORTED_PARAMETERS & request.GET.keys():
            raise IncorrectLookupParameters(self.value())
        return service_items_as_of(request.user, day=day)


class AsOfChangelistMixin:
    """For the item admin: the as-of filter first (the others narrow what it chose), and a
    read-only list while it is in force."""

    def as_of_in_force(self, request) -> bool:
        return bool(request.GET.get(PARAMETER))

    def get_list_filter(self, request):
        return [AsOfListFilter, *super().get_list_filter(request)]

    def get_list_display_links(self, request, list_display):
        if self.as_of_in_force(request):
            return None
        return super().get_list_display_links(request, list_display)

    def get_actions(self, request):
        if self.as_of_in_force(request):
            return {}
        return super().get_actions(request)
