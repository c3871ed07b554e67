import pytest
from django.core.exceptions import ValidationError

from catalogue.choices import HandlingType, PowerSource, Tier, TimeUnit, tier_span_label
from catalogue.models import ServiceItem
from catalogue.rules import ITEM_RULES
from catalogue.services.items import (
    CheckedItem,
    ItemFields,
    service_item_check,
    service_item_create,
    service_item_update,
    service_items_delete,
)
from tests.catalogue.rule_cases import RULE_CASES, resolve, rule_case_params, valid_item_values
from tests.factories import ServiceItemFactory

pytestmark = pytest.mark.django_db


def test_item_fields_name_exactly_the_model_s_editable_fields():
    editable = {
        field.name
        for field in ServiceItem._meta.get_fields()
        if field.concrete and field.editable and not field.primary_key and not field.many_to_many
    }

    assert set(ItemFields.__annotations__) == editable


def test_check_returns_the_item_and_its_channels_and_writes_nothing(refs):
    values = valid_item_values(refs, is_mobile=True)
    channels = values.pop("mobile_channels", [refs.channel])

    checked = service_item_check(item=ServiceItem(**values), mobile_channels=channels)

    assert checked == CheckedItem(item=checked.item, mobile_channels=tuple(channels))
    assert checked.item.pk is None
    assert not ServiceItem.objects.exists()


def test_every_rule_has_a_case():
    assert {case.rule for case in RULE_CASES} == {rule.name for rule in ITEM_RULES}


def test_every_case_asserts_the_rule_message_and_field():
    rules = {rule.name: rule for rule in ITEM_RULES}
    for case in RULE_CASES:
        assert (str(rules[case.rule].message), rules[case.rule].field) == (case.message, case.field)


@pytest.mark.parametrize("case", rule_case_params())
def test_create_accepts_item_keeping_the_rule(case, refs):
    item = service_item_create(**valid_item_values(refs, **resolve(case.accepted, refs)))

    assert ServiceItem.objects.filter(pk=item.pk).exists()


@pytest.mark.parametrize("case", rule_case_params())
def test_create_rejects_item_breaking_the_rule_with_its_message(case, refs):
    with pytest.raises(ValidationError) as error:
        service_item_create(**valid_item_values(refs, **resolve(case.rejected, refs)))

    assert error.value.message_dict == {case.field: [case.message]}
    assert not ServiceItem.objects.exists()


@pytest.mark.parametrize("case", rule_case_params())
def test_update_accepts_change_keeping_the_rule(case, refs):
    item = service_item_create(**valid_item_values(refs))

    service_item_update(item=item, **resolve(case.accepted, refs))

    item.refresh_from_db()
    for name, value in resolve(case.accepted, refs).items():
        if name == "mobile_channels":
            assert list(item.mobile_channels.all()) == value
        else:
            assert getattr(item, name) == value


@pytest.mark.parametrize("case", rule_case_params())
def test_update_rejects_change_breaking_the_rule_and_keeps_the_row(case, refs):
    item = service_item_create(**valid_item_values(refs))
    before = ServiceItem.objects.values().get(pk=item.pk)

    with pytest.raises(ValidationError) as error:
        service_item_update(item=item, **resolve(case.rejected, refs))

    assert error.value.message_dict == {case.field: [case.message]}
    assert ServiceItem.objects.values().get(pk=item.pk) == before
    assert not item.mobile_channels.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        pytest.param(
            {"tiers": 64}, "tiers", "行使层级：请至少选择一个层级。", id="tier-bit-out-of-range"
        ),
        pytest.param(
            {"power_source": PowerSource.ENTRUSTED_BY_PEER, "entrusting_body": "  "},
            "entrusting_body",
            "委托部门：权力来源为上级委托或同级委托时，必须填写委托部门。",
            id="entrusted-by-peer-with-blank-body",
        ),
        pytest.param(
            {"online_depth": 3, "onsite_visits": 2, "onsite_reason": "   "},
            "onsite_reason",
            "必须现场办理原因：到办事现场次数大于 0 时，必须说明原因。",
            id="reason-of-spaces-only",
        ),
        pytest.param(
            {"handling_type": HandlingType.IMMEDIATE, "promised_limit": 2, "legal_limit": 1},
            "promised_limit",
            "承诺办结时限：即办件的承诺办结时限不能超过 1 天（当场办结的填 0）。",
            id="immediate-over-one-day-names-both-rules",
        ),
    ],
)
def test_create_rejects_further_bad_values(refs, overrides, field, message):
    with pytest.raises(ValidationError) as error:
        service_item_create(**valid_item_values(refs, **overrides))

    assert message in error.value.message_dict[field]


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param(
            {"handling_type": HandlingType.IMMEDIATE, "promised_limit": 1}, id="immediate-one-day"
        ),
        pytest.param(
            {"promised_limit": 25, "promised_limit_unit": TimeUnit.NATURAL_DAY},
            id="promised-over-legal-in-another-unit",
        ),
        pytest.param({"legal_limit": None, "promised_limit": 60}, id="no-legal-limit"),
        pytest.param({"tiers": sum(Tier.values)}, id="all-tiers"),
        pytest.param(
            {"power_source": PowerSource.AUTHORIZED_BY_SUPERIOR}, id="authorized-needs-no-body"
        ),
    ],
)
def test_create_accepts_further_good_values(refs, overrides):
    item = service_item_create(**valid_item_values(refs, **overrides))

    assert ServiceItem.objects.filter(pk=item.pk).exists()


def test_create_reports_every_broken_rule_at_once_channels_included(refs):
    values = valid_item_values(
        refs, tiers=0, is_mobile=False, mobile_channels=[refs.channel], charges_fee=True
    )

    with pytest.raises(ValidationError) as error:
        service_item_create(**values)

    assert error.value.message_dict == {
        "tiers": ["行使层级：请至少选择一个层级。"],
        "mobile_channels": ["指尖办渠道：只有可指尖办的事项才能选择指尖办渠道。"],
        "fee_basis": ["收费依据：收费事项必须填写收费依据。"],
    }


def test_create_rejects_a_code_already_used(refs):
    service_item_create(**valid_item_values(refs))

    with pytest.raises(ValidationError) as error:
        service_item_create(**valid_item_values(refs, name="另一个事项"))

    assert error.value.message_dict == {"code": ["实施编码：该编码已被其他事项使用。"]}


def test_create_rejects_a_malformed_basic_code(refs):
    with pytest.raises(ValidationError) as error:
        service_item_create(**valid_item_values(refs, basic_code="44030-000100"))

    assert error.value.message_dict == {"basic_code": ["基本编码：应为 12 位数字或字母。"]}


def test_create_stores_the_channels(refs):
    item = service_item_create(
        **valid_item_values(refs, is_mobile=True, mobile_channels=[refs.channel])
    )

    assert list(ServiceItem.objects.get(pk=item.pk).mobile_channels.all()) == [refs.channel]


def test_update_without_channels_keeps_them_and_checks_them(refs):
    item = ServiceItemFactory(is_mobile=True, mobile_channels=[refs.channel])

    with pytest.raises(ValidationError) as error:
        service_item_update(item=item, is_mobile=False)

    assert error.value.message_dict == {
        "mobile_channels": ["指尖办渠道：只有可指尖办的事项才能选择指尖办渠道。"]
    }
    assert ServiceItem.objects.get(pk=item.pk).is_mobile


def test_update_with_no_channels_clears_them(refs):
    item = ServiceItemFactory(is_mobile=True, mobile_channels=[refs.channel])

    service_item_update(item=item, is_mobile=False, mobile_channels=[])

    assert not ServiceItem.objects.get(pk=item.pk).mobile_channels.exists()


def test_update_stores_the_tiers_of_the_new_combination(refs):
    item = service_item_create(**valid_item_values(refs))

    service_item_update(item=item, tiers=Tier.PROVINCE | Tier.CITY | Tier.COUNTY)

    assert tier_span_label(ServiceItem.objects.get(pk=item.pk).tiers) == "省市区三级"


def test_deleting_no_items_deletes_and_records_nothing():
    item = ServiceItemFactory()
    records = item.history.count()

    assert service_items_delete(items=ServiceItem.objects.none(), user=None) == 0
    assert ServiceItem.objects.get() == item
    assert item.history.count() == records
