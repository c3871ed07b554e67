from django import forms
from django.db import models
from django.db.models import Lookup


class FlagSetFormField(forms.TypedMultipleChoiceField):
    """Checkboxes in the form, one integer bit mask in the model."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, flags, **kwargs):
        super().__init__(choices=flags.choices, coerce=int, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return [flag for flag, _label in self.choices if value & flag]
        return value

    def clean(self, value):
        return sum(set(super().clean(value)))

    def has_changed(self, initial, data):
        return super().has_changed(self.prepare_value(initial or 0), data)


class FlagSetField(models.PositiveSmallIntegerField):
    """A set of IntegerChoices bits stored as one integer, queryable with `__has`."""

    def __init__(self, *args, flags=None, **kwargs):
        self.flags = flags
        kwargs.setdefault("default", 0)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["flags"] = self.flags
        if kwargs.get("default") == 0:
            del kwargs["default"]
        return name, path, args, kwargs

    def to_python(self, value):
        if isinstance(value, list | tuple | set | frozenset):
            return sum({int(v) for v in value})
        return super().to_python(value)

    def get_prep_value(self, value):
        if isinstance(value, list | tuple | set | frozenset):
            value = sum({int(v) for v in value})
        return super().get_prep_value(value)

    def formfield(self, **kwargs):
        defaults = {
            "form_class": FlagSetFormField,
            "flags": self.flags,
            "required": not self.blank,
        }
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)


@FlagSetField.register_lookup
class HasFlag(Lookup):
    """`tiers__has=Tier.CITY`: the set contains that bit."""

    lookup_name = "has"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"({lhs} & {rhs}) <> 0", (*lhs_params, *rhs_params)
