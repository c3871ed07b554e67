import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.migrations.writer import MigrationWriter

from catalogue.choices import MobileService, Tier
from catalogue.fields import FlagSetField, FlagSetFormField
from catalogue.models import ServiceItem
from tests.factories import ServiceItemFactory


class FlagsForm(forms.Form):
    """The form fields the model fields make, without the model's rules."""

    tiers = ServiceItem._meta.get_field("tiers").formfield()
    mobile_services = ServiceItem._meta.get_field("mobile_services").formfield()


def _checked_values(bound_field):
    return [widget.data["value"] for widget in bound_field.subwidgets if widget.data["selected"]]


def test_model_field_makes_a_checkbox_form_field_required_unless_blank():
    assert isinstance(FlagsForm.base_fields["tiers"], FlagSetFormField)
    assert isinstance(FlagsForm.base_fields["tiers"].widget, forms.CheckboxSelectMultiple)
    assert FlagsForm.base_fields["tiers"].required
    assert not FlagsForm.base_fields["mobile_services"].required


def test_form_field_renders_the_mask_as_checked_boxes():
    form = FlagsForm(initial={"tiers": Tier.CITY | Tier.COUNTY})

    assert _checked_values(form["tiers"]) == [Tier.CITY, Tier.COUNTY]
    assert 'type="checkbox" name="tiers" value="4"' in str(form["tiers"])
    assert [value for value, _label in form.fields["tiers"].choices] == Tier.values


def test_form_field_turns_checked_boxes_into_the_mask():
    form = FlagsForm(data={"tiers": ["8", "4"], "mobile_services": ["1", "16"]})

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "tiers": Tier.CITY | Tier.COUNTY,
        "mobile_services": MobileService.LOOKUP | MobileService.COMPLAINT,
    }


def test_form_field_round_trip_keeps_the_mask():
    initial = {"tiers": Tier.PROVINCE | Tier.CITY | Tier.COUNTY, "mobile_services": 0}
    rendered = _checked_values(FlagsForm(initial=initial)["tiers"])

    form = FlagsForm(data={"tiers": [str(value) for value in rendered]}, initial=initial)

    assert form.is_valid(), form.errors
    assert form.cleaned_data == initial
    assert not form.has_changed()


def test_blank_flag_set_cleans_to_zero_and_required_one_refuses_nothing_checked():
    form = FlagsForm(data={})

    assert not form.is_valid()
    assert form.errors == {"tiers": ["这个字段是必填项。"]}
    assert form.cleaned_data["mobile_services"] == 0


def test_form_field_refuses_a_value_that_is_not_a_flag():
    field = FlagSetFormField(flags=Tier)

    with pytest.raises(ValidationError) as error:
        field.clean(["64"])

    assert error.value.code == "invalid_choice"


@pytest.mark.parametrize(
    ("initial", "data", "changed"),
    [
        (Tier.CITY | Tier.COUNTY, ["8", "4"], False),
        (Tier.CITY | Tier.COUNTY, ["4"], True),
        (Tier.CITY, ["4", "8"], True),
        (0, [], False),
        (None, [], False),
        (0, ["4"], True),
        (Tier.CITY, [], True),
    ],
)
def test_has_changed_compares_the_mask_with_the_checked_boxes(initial, data, changed):
    assert FlagSetFormField(flags=Tier).has_changed(initial, data) is changed


def test_model_field_accepts_a_collection_of_flags():
    field = ServiceItem._meta.get_field("tiers")

    assert field.to_python([Tier.CITY, Tier.COUNTY, Tier.CITY]) == 12
    assert field.to_python("12") == 12
    assert field.get_prep_value({Tier.CITY, Tier.COUNTY}) == 12
    assert field.get_prep_value(12) == 12


def test_deconstruct_keeps_the_flags_and_drops_the_implicit_default():
    name, path, args, kwargs = ServiceItem._meta.get_field("tiers").deconstruct()

    assert (name, path, args) == ("tiers", "catalogue.fields.FlagSetField", [])
    assert kwargs["flags"] is Tier
    assert "default" not in kwargs
    rebuilt = FlagSetField(*args, **kwargs)
    assert (rebuilt.flags, rebuilt.default) == (Tier, 0)


def test_deconstruct_keeps_an_explicit_default():
    _name, _path, _args, kwargs = FlagSetField(flags=Tier, default=Tier.COUNTY).deconstruct()

    assert kwargs["default"] == Tier.COUNTY


def test_migration_writer_serialises_the_flags_as_an_import():
    code, imports = MigrationWriter.serialize(ServiceItem._meta.get_field("mobile_services"))

    assert code == (
        "catalogue.fields.FlagSetField(blank=True, flags=catalogue.choices.MobileService, "
        "verbose_name='指尖办服务')"
    )
    assert imports == {"import catalogue.choices", "import catalogue.fields"}


@pytest.mark.django_db
def test_migrations_are_complete():
    # Exits with status 1 when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_has_lookup_finds_items_with_the_tier_bit():
    county = ServiceItemFactory(tiers=Tier.COUNTY)
    city_county = ServiceItemFactory(tiers=Tier.CITY | Tier.COUNTY)
    province_city = ServiceItemFactory(tiers=Tier.PROVINCE | Tier.CITY)

    def codes(queryset):
        return set(queryset.values_list("code", flat=True))

    assert codes(ServiceItem.objects.filter(tiers__has=Tier.CITY)) == {
        city_county.code,
        province_city.code,
    }
    assert codes(ServiceItem.objects.filter(tiers__has=Tier.COUNTY)) == {
        county.code,
        city_county.code,
    }
    assert codes(ServiceItem.objects.exclude(tiers__has=Tier.COUNTY)) == {province_city.code}
    assert not ServiceItem.objects.filter(tiers__has=Tier.VILLAGE).exists()
    assert codes(ServiceItem.objects.with_tier(Tier.PROVINCE)) == {province_city.code}


@pytest.mark.django_db
def test_has_lookup_works_on_the_mobile_services_too():
    item = ServiceItemFactory(
        is_mobile=True, mobile_services=MobileService.LOOKUP | MobileService.APPLICATION
    )
    ServiceItemFactory(is_mobile=True, mobile_services=MobileService.LOOKUP)

    assert list(ServiceItem.objects.filter(mobile_services__has=MobileService.APPLICATION)) == [
        item
    ]
