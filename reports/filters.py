import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField

from catalogue.choices import HandlingType, ItemStatus, ItemType, Tier
from catalogue.selectors import day_end

from .selectors import (
    items_in_status,
    report_departments,
    report_history_start,
    report_items_as_of,
    report_sectors,
)

INVALID_DEPARTMENT = _("实施主体：没有编号为“%(value)s”的实施主体。")
INVALID_SECTOR = _("所属行业：没有编号为“%(value)s”的行业。")
INVALID_ITEM_TYPE = _("事项类型：“%(value)s”不是有效的事项类型。")
INVALID_HANDLING_TYPE = _("办件类型：“%(value)s”不是有效的办件类型。")
INVALID_TIER = _("行使层级：“%(value)s”不是有效的层级。")
INVALID_STATUS = _("事项状态：“%(value)s”不是有效的事项状态。")
INVALID_AS_OF = _("统计日期：“%(value)s”不是有效的日期，请按“2025-12-31”的格式填写。")
FUTURE_AS_OF = _("统计日期：不能晚于今天（%(today)s），请选择今天或以前的日期。")


def _messages(message) -> dict:
    # A NUL character is refused before the choices are checked; say the same.
    return {"invalid_choice": message, "null_characters_not_allowed": message}


class _IdChoiceField(ModelChoiceField):
    def validate_no_null_characters(self, value):
        # Django checks this before the lookup, with a message of its own; give ours.
        if "\x00" in str(value):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )


def year_before(day: datetime.date) -> datetime.date:
    """The same day a year earlier (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


class _PastDateField(forms.DateField):
    """A day up to today (Asia/Shanghai), written 2025-12-31."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, *args, **kwargs):
        kwargs["input_formats"] = ["%Y-%m-%d"]
        kwargs["error_messages"] = {"invalid": INVALID_AS_OF}
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            # Django's own message does not repeat the value; ours does.
            raise ValidationError(INVALID_AS_OF, code="invalid", params={"value": value}) from error

    def validate(self, value):
        super().validate(value)
        today = timezone.localdate()
        if value is not None and value > today:
            raise ValidationError(FUTURE_AS_OF, code="future", params={"today": today.isoformat()})


class AsOfFilter(django_filters.DateFilter):
    """统计日期: the report of the catalogue as it stood at the end of that day (default: now)."""

    field_class = _PastDateField


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    """An object chosen by its id in the query string."""

    field_class = _IdChoiceField


def _departments(request):
    return report_departments(user=getattr(request, "user", None))


def _sectors(request):
    return report_sectors(user=getattr(request, "user", None))


class ReportFilter(django_filters.FilterSet):
    """The report's filters, as query parameters shared by the page, charts, summary and export.

    `status` defaults to 在用 when the parameter is absent; an empty `status` means every status.
    """

    # First: it chooses the rows (today's items, or their records at the end of the day) that
    # the filters below then narrow.
    as_of = AsOfFilter(label=_("统计日期"), method="filter_as_of")
    # Chooses the report to compare with (`compared`), filters nothing here.
    compare_to = AsOfFilter(label=_("对比日期"), method="filter_nothing")
    department = IdChoiceFilter(
        label=_("实施主体"),
        queryset=_departments,
        empty_label=_("全部实施主体"),
        error_messages=_messages(INVALID_DEPARTMENT),
    )
    sector = IdChoiceFilter(
        label=_("所属行业"),
        queryset=_sectors,
        empty_label=_("全部行业"),
        error_messages=_messages(INVALID_SECTOR),
    )
    item_type = django_filters.ChoiceFilter(
        label=_("事项类型"),
        choices=ItemType.choices,
        empty_label=_("全部类型"),
        error_messages=_messages(INVALID_ITEM_TYPE),
    )
    handling_type = django_filters.ChoiceFilter(
        label=_("办件类型"),
        choices=HandlingType.choices,
        empty_label=_("全部办件类型"),
        error_messages=_messages(INVALID_HANDLING_TYPE),
    )
    tier = django_filters.ChoiceFilter(
        label=_("行使层级"),
        choices=Tier.choices,
        empty_label=_("全部层级"),
        method="filter_tier",
        error_messages=_messages(INVALID_TIER),
    )
    status = django_filters.ChoiceFilter(
        label=_("事项状态"),
        choices=ItemStatus.choices,
        empty_label=_("全部状态"),
        method="filter_status",
        error_messages=_messages(INVALID_STATUS),
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "status" not in data:
            data = data.copy()
            data["status"] = ItemStatus.ACTIVE
        super().__init__(data, *args, **kwargs)

    def filter_as_of(self, queryset, name, value):
        return report_items_as_of(user=getattr(self.request, "user", None), day=value)

    def filter_nothing(self, queryset, name, value):
        return queryset

    def compare_day(self) -> datetime.date | None:
        """The day to compare with: as given; when the parameter is absent, a year before the
        report's day if the history reaches back to then; empty `compare_to`: none."""
        if "compare_to" in self.data:
            return self.form.cleaned_data["compare_to"]
        day = year_before(self.form.cleaned_data["as_of"] or timezone.localdate())
        start = self.history_start
        return day if start is not None and start < day_end(day) else None

    @cached_property
    def history_start(self) -> datetime.datetime | None:
        """When the item history begins: read once for the filter set (one request), which
        needs it for the comparison's default day and for the trend's month ends."""
        return report_history_start()

    def compared(self, day: datetime.date) -> "ReportFilter":
        """The same filters over the catalogue as it stood at the end of `day`."""
        data = self.data.copy()
        data["as_of"], data["compare_to"] = day.isoformat(), ""
        return ReportFilter(data, queryset=self.queryset, request=self.request)

    def filter_status(self, queryset, name, value):
        return items_in_status(queryset, value)

    def filter_tier(self, queryset, name, value):
        return queryset.filter(tiers__has=int(value))

    def applied(self) -> list[tuple[str, str]]:
        """(label, shown value) of each filter in force, for headings and the export."""
        applied = []
        for name, value in self.form.cleaned_data.items():
            field = self.form.fields[name]
            if value in (None, ""):
                if name == "status":
                    applied.append((str(field.label), str(_("全部"))))
                continue
            if name in {"as_of", "compare_to"}:
                shown = value.isoformat()
            elif hasattr(field, "queryset"):
                shown = str(value)
            else:
                shown = str({str(key): label for key, label in field.choices}.get(value, value))
            applied.append((str(field.label), shown))
        return applied

    def error_messages(self) -> dict[str, list[str]]:
        return {field: [str(m) for m in messages] for field, messages in self.errors.items()}
