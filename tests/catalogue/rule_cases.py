"""One accepted and one rejected item per consistency rule, shared by the tests of each door.

Values are keyword arguments of `service_item_create`; a callable receives the `refs` fixture
(tests/conftest.py) for values that are rows (main items, channels).
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from catalogue.choices import (
    HandlingType,
    MobileService,
    OnlineDepth,
    PowerSource,
    Tier,
)
from demo.synthetic import valid_item_fields

Values = dict | Callable[[SimpleNamespace], dict]


@dataclass(frozen=True)
class RuleCase:
    rule: str
    field: str
    message: str
    rejected: Values
    accepted: Values


def resolve(values: Values, refs: SimpleNamespace) -> dict:
    return values(refs) if callable(values) else dict(values)


def valid_item_values(refs: SimpleNamespace, **overrides) -> dict:
    """A valid 承诺件 handled fully online (demo.synthetic's valid item); every rule holds."""
    return valid_item_fields(
        **{
            "code": "11440311MB2C90542K344030000100001",
            "name": "建设工程施工许可证核发",
            "department": refs.department,
            "sector": refs.sector,
            **overrides,
        }
    )


VISIT_WITH_REASON = {"online_depth": OnlineDepth.LEVEL_3, "onsite_visits": 1}
ONE_VISIT_EXPLAINED = {"onsite_visits": 1, "onsite_reason": "需现场核验身份证原件"}
ENTRUSTED = {"power_source": PowerSource.ENTRUSTED_BY_SUPERIOR}

RULE_CASES = [
    RuleCase(
        rule="item_tiers_not_empty",
        field="tiers",
        message="行使层级：请至少选择一个层级。",
        rejected={"tiers": 0},
        accepted={"tiers": Tier.COUNTY},
    ),
    RuleCase(
        rule="item_full_online_means_no_visit",
        field="onsite_visits",
        message="到办事现场次数：网上办理深度为Ⅳ级（全程网办）的事项，到现场次数必须为 0。",
        rejected={"online_depth": OnlineDepth.LEVEL_4, **ONE_VISIT_EXPLAINED},
        accepted={"online_depth": OnlineDepth.LEVEL_3, **ONE_VISIT_EXPLAINED},
    ),
    RuleCase(
        rule="item_immediate_done_on_the_spot",
        field="promised_limit",
        message="承诺办结时限：即办件的承诺办结时限不能超过 1 天（当场办结的填 0）。",
        rejected={"handling_type": HandlingType.IMMEDIATE, "promised_limit": 2},
        accepted={"handling_type": HandlingType.IMMEDIATE, "promised_limit": 0},
    ),
    RuleCase(
        rule="item_promised_has_limit",
        field="promised_limit",
        message="承诺办结时限：承诺件的承诺办结时限至少为 1 天。",
        rejected={"handling_type": HandlingType.PROMISED, "promised_limit": 0},
        accepted={"handling_type": HandlingType.PROMISED, "promised_limit": 1},
    ),
    RuleCase(
        rule="item_promised_within_legal",
        field="promised_limit",
        message="承诺办结时限：不能超过法定办结时限（同一时限单位）。",
        rejected={"legal_limit": 20, "promised_limit": 21},
        accepted={"legal_limit": 20, "promised_limit": 20},
    ),
    RuleCase(
        rule="item_legal_limit_has_unit",
        field="legal_limit_unit",
        message="法定时限单位：填写了法定办结时限时，必须选择时限单位。",
        rejected={"legal_limit": 20, "legal_limit_unit": ""},
        accepted={"legal_limit": None, "legal_limit_unit": ""},
    ),
    RuleCase(
        rule="item_instant_approval_online",
        field="instant_approval",
        message="是否秒批：秒批事项必须可网办。",
        rejected={"instant_approval": True, "is_online": False, "online_depth": None},
        accepted={"instant_approval": True, "is_online": True},
    ),
    RuleCase(
        rule="item_online_depth_needs_online",
        field="online_depth",
        message="网上办理深度：只有可网办的事项才能填写网上办理深度。",
        rejected={"is_online": False, "online_depth": OnlineDepth.LEVEL_2},
        accepted={"is_online": False, "online_depth": None},
    ),
    RuleCase(
        rule="item_mobile_services_need_mobile",
        field="mobile_services",
        message="指尖办服务：只有可指尖办的事项才能选择指尖办服务。",
        rejected={"is_mobile": False, "mobile_services": MobileService.LOOKUP},
        accepted={"is_mobile": True, "mobile_services": MobileService.LOOKUP},
    ),
    RuleCase(
        rule="item_mobile_channels_need_mobile",
        field="mobile_channels",
        message="指尖办渠道：只有可指尖办的事项才能选择指尖办渠道。",
        rejected=lambda refs: {"is_mobile": False, "mobile_channels": [refs.channel]},
        accepted=lambda refs: {"is_mobile": True, "mobile_channels": [refs.channel]},
    ),
    RuleCase(
        rule="item_visits_need_reason",
        field="onsite_reason",
        message="必须现场办理原因：到办事现场次数大于 0 时，必须说明原因。",
        rejected={**VISIT_WITH_REASON, "onsite_reason": ""},
        accepted={**VISIT_WITH_REASON, "onsite_reason": "需现场核验身份证原件"},
    ),
    RuleCase(
        rule="item_entrusted_needs_body",
        field="entrusting_body",
        message="委托部门：权力来源为上级委托或同级委托时，必须填写委托部门。",
        rejected={**ENTRUSTED, "entrusting_body": ""},
        accepted={**ENTRUSTED, "entrusting_body": "深圳市规划和自然资源局"},
    ),
    RuleCase(
        rule="item_fee_needs_basis",
        field="fee_basis",
        message="收费依据：收费事项必须填写收费依据。",
        rejected={"charges_fee": True, "fee_basis": ""},
        accepted={"charges_fee": True, "fee_basis": "《广东省行政事业性收费目录清单》"},
    ),
    RuleCase(
        rule="item_main_item_same_department",
        field="main_item",
        message="主项名称：主项必须属于同一实施主体。",
        rejected=lambda refs: {"main_item": refs.other_main_item},
        accepted=lambda refs: {"main_item": refs.main_item},
    ),
]


def rule_case_params():
    return [pytest.param(case, id=case.rule) for case in RULE_CASES]
