"""Values arriving from outside (query strings, posted forms), checked before any query.

`str.isdigit` accepts characters `int` refuses (²), a number beyond 64 bits makes SQLite raise
OverflowError, a date such as 0001-01-01 overflows when converted to UTC: such values are
refused here, as a form error or a 400, instead of failing in the database (a 500).
"""

import re

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import BadRequest, ValidationError
from django.utils.translation import gettext as _

ID_MAX = 2**63 - 1  # the largest BigAutoField value on every supported database
_ID = re.compile(r"[0-9]{1,19}")  # ASCII digits only: re's \d would accept other scripts' digits


class RefusedParameter(BadRequest):
    """A 400 whose message (in the user's language, saying what to change) the 400 page shows."""


def parse_id(value) -> int | None:
    """The id `value` spells, or None when it spells none."""
    text = str(value)
    if _ID.fullmatch(text) and int(text) <= ID_MAX:
        return int(text)
    return None


def id_query_param(value: str | None, *, name: str) -> int | None:
    """An optional id given in the query string: None when absent or empty; a 400 when invalid."""
    if value in (None, ""):
        return None
    parsed = parse_id(value)
    if parsed is None:
        raise RefusedParameter(_("参数 %(name)s 应为对象编号（数字）。") % {"name": name})
    return parsed


class IdModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that refuses a value which is not an id before looking it up."""

    def to_python(self, value):
        if value not in self.empty_values and not self.to_field_name and parse_id(value) is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class IdModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses values which are not ids before looking them up."""

    def _check_values(self, value):
        if not self.to_field_name:
            for pk in value:
                if parse_id(pk) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)


def _ids_only(value) -> list:
    return [v for v in value if parse_id(v) is not None]


class IdAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete box, which looks up the posted value to show it again: a form
    re-shown with an error must not run that lookup with a value that is not an id."""

    def optgroups(self, name, value, attrs=None):
        return super().optgroups(name, _ids_only(value), attrs)


class IdAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    def optgroups(self, name, value, attrs=None):
        return super().optgroups(name, _ids_only(value), attrs)


class CraftedValuesAdminMixin:
    """ModelAdmin mixin: list parameters out of the database's range answer 400; foreign keys
    and many-to-many fields of its forms check ids before looking them up."""

    def get_changelist_instance(self, request):
        # Django turns lookups it cannot build into IncorrectLookupParameters, but a value that
        # only overflows when the query runs (a datetime before year 1 in UTC, an integer beyond
        # SQLite's in an `__in` lookup) escapes as OverflowError from the changelist's counts.
        try:
            return super().get_changelist_instance(request)
        except OverflowError:
            raise RefusedParameter(_("筛选条件中的值超出了可用范围。")) from None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", IdModelChoiceField)
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget", IdAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", IdModelMultipleChoiceField)
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                IdAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
