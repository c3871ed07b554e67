"""Consistency rules of a service item (docs/domain.md §3).

Each rule has a database form (a CheckConstraint condition, where the rule fits one) and a Python
form evaluated on a mapping of field values, so that the admin form, the Excel import and the
services all apply the same rules without a query per row. Tests check that both forms agree.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import ALL_TIERS_MASK, ENTRUSTED_POWER_SOURCES, HandlingType, OnlineDepth


@dataclass(frozen=True)
class ItemRule:
    name: str
    field: str
    message: Promise
    needs: tuple[str, ...]
    holds: Callable[[Mapping], bool]
    condition: Q | None = None


def _pk(value):
    return getattr(value, "pk", value)


ITEM_RULES = (
    ItemRule(
        name="item_tiers_not_empty",
        field="tiers",
        message=_("行使层级：请至少选择一个层级。"),
        needs=("tiers",),
        holds=lambda v: 0 < (v["tiers"] or 0) <= ALL_TIERS_MASK,
        condition=Q(tiers__gte=1, tiers__lte=ALL_TIERS_MASK),
    ),
    ItemRule(
        name="item_full_online_means_no_visit",
        field="onsite_visits",
        message=_("到办事现场次数：网上办理深度为Ⅳ级（全程网办）的事项，到现场次数必须为 0。"),
        needs=("online_depth", "onsite_visits"),
        holds=lambda v: v["online_depth"] != OnlineDepth.LEVEL_4 or v["onsite_visits"] == 0,
        condition=~Q(online_depth=OnlineDepth.LEVEL_4) | Q(onsite_visits=0),
    ),
    ItemRule(
        name="item_immediate_done_on_the_spot",
        field="promised_limit",
        message=_("承诺办结时限：即办件的承诺办结时限不能超过 1 天（当场办结的填 0）。"),
        needs=("handling_type", "promised_limit"),
        holds=lambda v: v["handling_type"] != HandlingType.IMMEDIATE or v["promised_limit"] <= 1,
        condition=~Q(handling_type=HandlingType.IMMEDIATE) | Q(promised_limit__lte=1),
    ),
    ItemRule(
        name="item_promised_has_limit",
        field="promised_limit",
        message=_("承诺办结时限：承诺件的承诺办结时限至少为 1 天。"),
        needs=("handling_type", "promised_limit"),
        holds=lambda v: v["handling_type"] != HandlingType.PROMISED or v["promised_limit"] >= 1,
        condition=~Q(handling_type=HandlingType.PROMISED) | Q(promised_limit__gte=1),
    ),
    ItemRule(
        name="item_promised_within_legal",
        field="promised_limit",
        message=_("承诺办结时限：不能超过法定办结时限（同一时限单位）。"),
        needs=("legal_limit", "legal_limit_unit", "promised_limit", "promised_limit_unit"),
        holds=lambda v: (
            v["legal_limit"] is None
            or v["legal_limit_unit"] != v["promised_limit_unit"]
            or v["promised_limit"] <= v["legal_limit"]
        ),
        condition=(
            Q(legal_limit__isnull=True)
            | ~Q(legal_limit_unit=F("promised_limit_unit"))
            | Q(promised_limit__lte=F("legal_limit"))
        ),
    ),
    ItemRule(
        name="item_legal_limit_has_unit",
        field="legal_limit_unit",
        message=_("法定时限单位：填写了法定办结时限时，必须选择时限单位。"),
        needs=("legal_limit", "legal_limit_unit"),
        holds=lambda v: v["legal_limit"] is None or bool(v["legal_limit_unit"]),
        condition=Q(legal_limit__isnull=True) | ~Q(legal_limit_unit=""),
    ),
    ItemRule(
        name="item_instant_approval_online",
        field="instant_approval",
        message=_("是否秒批：秒批事项必须可网办。"),
        needs=("instant_approval", "is_online"),
        holds=lambda v: not v["instant_approval"] or v["is_online"],
        condition=Q(instant_approval=False) | Q(is_online=True),
    ),
    ItemRule(
        name="item_online_depth_needs_online",
        field="online_depth",
        message=_("网上办理深度：只有可网办的事项才能填写网上办理深度。"),
        needs=("online_depth", "is_online"),
        holds=lambda v: v["is_online"] or v["online_depth"] is None,
        condition=Q(is_online=True) | Q(online_depth__isnull=True),
    ),
    ItemRule(
        name="item_mobile_services_need_mobile",
        field="mobile_services",
        message=_("指尖办服务：只有可指尖办的事项才能选择指尖办服务。"),
        needs=("mobile_services", "is_mobile"),
        holds=lambda v: v["is_mobile"] or not v["mobile_services"],
        condition=Q(is_mobile=True) | Q(mobile_services=0),
    ),
    ItemRule(
        name="item_mobile_channels_need_mobile",
        field="mobile_channels",
        message=_("指尖办渠道：只有可指尖办的事项才能选择指尖办渠道。"),
        needs=("mobile_channels", "is_mobile"),
        holds=lambda v: v["is_mobile"] or not v["mobile_channels"],
    ),
    ItemRule(
        name="item_visits_need_reason",
        field="onsite_reason",
        message=_("必须现场办理原因：到办事现场次数大于 0 时，必须说明原因。"),
        needs=("onsite_visits", "onsite_reason"),
        holds=lambda v: v["onsite_visits"] == 0 or bool(v["onsite_reason"].strip()),
        condition=Q(onsite_visits=0) | ~Q(onsite_reason=""),
    ),
    ItemRule(
        name="item_entrusted_needs_body",
        field="entrusting_body",
        message=_("委托部门：权力来源为上级委托或同级委托时，必须填写委托部门。"),
        needs=("power_source", "entrusting_body"),
        holds=lambda v: (
            v["power_source"] not in ENTRUSTED_POWER_SOURCES or bool(v["entrusting_body"].strip())
        ),
        condition=~Q(power_source__in=ENTRUSTED_POWER_SOURCES) | ~Q(entrusting_body=""),
    ),
    ItemRule(
        name="item_fee_needs_basis",
        field="fee_basis",
        message=_("收费依据：收费事项必须填写收费依据。"),
        needs=("charges_fee", "fee_basis"),
        holds=lambda v: not v["charges_fee"] or bool(v["fee_basis"].strip()),
        condition=Q(charges_fee=False) | ~Q(fee_basis=""),
    ),
    ItemRule(
        name="item_main_item_same_department",
        field="main_item",
        message=_("主项名称：主项必须属于同一实施主体。"),
        needs=("main_item", "department"),
        holds=lambda v: (
            v["main_item"] is None or v["main_item"].department_id == _pk(v["department"])
        ),
    ),
)

CONSTRAINED_RULES = tuple(rule for rule in ITEM_RULES if rule.condition is not None)


def item_rule_errors(values: Mapping) -> dict[str, list[Promise]]:
    """Messages of the rules broken by `values`, by field.

    A rule is checked only when every field it needs is present, so a caller may pass the
    fields it has (the model without its many-to-many, a form, an Excel row).
    """
    errors = {}
    present = values.keys()
    for rule, needs in _RULES_AND_NEEDS:
        if present >= needs and not rule.holds(values):
            errors.setdefault(rule.field, []).append(rule.message)
    return errors


# The fields each rule needs as a set: one subset test per rule (the import checks every rule
# on every row).
_RULES_AND_NEEDS = tuple((rule, frozenset(rule.needs)) for rule in ITEM_RULES)


# When an element applies, given the item's other values: outside these, the rules above require
# it empty. The import clears a blank cell of an element that no longer applies (issue 10).
ELEMENT_APPLIES: dict[str, Callable[[Mapping], bool]] = {
    "online_depth": lambda v: bool(v["is_online"]),
    "onsite_reason": lambda v: v["onsite_visits"] != 0,
    "entrusting_body": lambda v: v["power_source"] in ENTRUSTED_POWER_SOURCES,
    "mobile_channels": lambda v: bool(v["is_mobile"]),
    "mobile_services": lambda v: bool(v["is_mobile"]),
    "fee_basis": lambda v: bool(v["charges_fee"]),
}
_ELEMENT_NEEDS = {
    "online_depth": ("is_online",),
    "onsite_reason": ("onsite_visits",),
    "entrusting_body": ("power_source",),
    "mobile_channels": ("is_mobile",),
    "mobile_services": ("is_mobile",),
    "fee_basis": ("charges_fee",),
}


def item_fields_not_applying(values: Mapping) -> set[str]:
    """The elements that do not apply to `values` (checked where the fields they depend on are
    present)."""
    return {
        name
        for name, applies in ELEMENT_APPLIES.items()
        if all(need in values for need in _ELEMENT_NEEDS[name]) and not applies(values)
    }
