"""Valid synthetic items and import rows: one builder for the tests, the benchmarks and the demo.

- `valid_item_fields()`: the field values of one valid item (a 承诺件 handled fully online), for
  factories, services and bulk_create; code, name, department and sector are the caller's.
- `synthetic_item_fields(rng, reference, mix)`: varied valid items, drawn from a `Mix` of weights
  (`REPORT_MIX` follows the shares of the centre's report, `VARIED_MIX` reaches every edge a test
  of the report needs).
- `valid_import_row()` and `synthetic_import_rows()`: rows of the Excel template as
  {header: cell}, built from `catalogue.importing.columns.COLUMNS` (header and field only).
"""

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from catalogue.choices import (
    ENTRUSTED_POWER_SOURCES,
    HandlingType,
    ItemStatus,
    ItemType,
    MobileService,
    OnlineDepth,
    PowerSource,
    Tier,
    TimeUnit,
)
from catalogue.importing.columns import COLUMNS

_VALID_ITEM = {
    "item_type": ItemType.LICENSING,
    "status": ItemStatus.ACTIVE,
    "power_source": PowerSource.LOCAL_STATUTORY,
    "handling_type": HandlingType.PROMISED,
    "tiers": Tier.CITY | Tier.COUNTY,
    "in_hall": True,
    "comprehensive_window": True,
    "is_online": True,
    "online_depth": OnlineDepth.LEVEL_4,
    "onsite_visits": 0,
    "legal_limit": 20,
    "legal_limit_unit": TimeUnit.WORKING_DAY,
    "promised_limit": 5,
    "promised_limit_unit": TimeUnit.WORKING_DAY,
}


def valid_item_fields(**overrides) -> dict[str, Any]:
    """Field values of a valid 承诺件 handled fully online; every consistency rule holds."""
    return {**_VALID_ITEM, **overrides}


# --- varied items -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyntheticReference:
    """What synthetic items point to: model instances or primary keys, as the caller needs."""

    departments: Sequence[Any]
    sectors: Sequence[Any]
    main_items: Mapping[Any, Sequence[Any]]  # department -> its main items
    channels: Sequence[Any]


@dataclass(frozen=True)
class Mix:
    """Weights of the values of a synthetic catalogue, and the odds of each yes/no field."""

    tiers: Mapping[int, float]
    item_types: Mapping[str, float]
    power_sources: Mapping[str, float]
    legal_limits: Mapping[int | None, float]
    statuses: Mapping[str, float]
    visits: Mapping[int, float]  # 到办事现场次数 of an item not handled fully online
    promised: float  # share of 承诺件
    promised_share: tuple[float, float]  # promised limit / legal limit, low and high
    main_item: float
    online: float
    mobile: float
    in_hall: float
    one_window: float
    comprehensive_window: float
    instant_approval: float
    max_channels: int = 3


_ALL_TIERS = Tier.PROVINCE | Tier.CITY | Tier.COUNTY | Tier.TOWNSHIP | Tier.VILLAGE

# Roughly the shares of the centre's report, so that every bucket and filter has work to do.
REPORT_MIX = Mix(
    tiers={
        Tier.CITY | Tier.COUNTY: 34,
        Tier.COUNTY: 29,
        Tier.PROVINCE | Tier.CITY | Tier.COUNTY: 27,
        Tier.COUNTY | Tier.TOWNSHIP: 4,
        Tier.CITY | Tier.COUNTY | Tier.TOWNSHIP: 3,
        Tier.COUNTY | Tier.TOWNSHIP | Tier.VILLAGE: 2,
        _ALL_TIERS: 1,
    },
    item_types={ItemType.LICENSING: 40, ItemType.PUBLIC_SERVICE: 26, **dict.fromkeys(ItemType, 3)},
    power_sources={
        PowerSource.LOCAL_STATUTORY: 63,
        PowerSource.AUTHORIZED_BY_SUPERIOR: 12,
        PowerSource.ENTRUSTED_BY_SUPERIOR: 10,
        PowerSource.DELEGATED_BY_SUPERIOR: 10,
        PowerSource.OTHER: 5,
    },
    legal_limits={None: 3, 1: 7, 5: 7, 10: 6, 15: 20, 20: 26, 30: 20, 60: 11},
    statuses={ItemStatus.ACTIVE: 95, ItemStatus.SUSPENDED: 5},
    visits={0: 70, 1: 29.4, 2: 0.6},
    promised=0.59,
    promised_share=(0.1, 0.5),
    main_item=0.6,
    online=0.94,
    mobile=0.05,
    in_hall=0.75,
    one_window=0.07,
    comprehensive_window=0.78,
    instant_approval=0.03,
)

# Every edge a test of the report needs: the bucket limits of the time limits (0, 1, 2, 10, 11,
# 30, 31), no legal limit, every status, up to four visits, many mobile items.
VARIED_MIX = Mix(
    tiers=dict.fromkeys(REPORT_MIX.tiers, 1),
    item_types=dict.fromkeys(
        (ItemType.LICENSING, ItemType.PUBLIC_SERVICE, ItemType.CONFIRMATION, ItemType.PENALTY), 1
    ),
    power_sources=dict.fromkeys(PowerSource, 1),
    legal_limits=dict.fromkeys((None, 0, 1, 2, 10, 11, 20, 30, 31, 60), 1),
    statuses={ItemStatus.ACTIVE: 4, ItemStatus.SUSPENDED: 1, ItemStatus.CANCELLED: 1},
    visits={0: 2, 1: 2, 2: 1, 3: 1, 4: 1},
    promised=0.5,
    promised_share=(0.05, 1.0),
    main_item=0.67,
    online=0.8,
    mobile=0.4,
    in_hall=0.75,
    one_window=0.2,
    comprehensive_window=0.7,
    instant_approval=0.2,
)


def _weighted(rng: random.Random, weights: Mapping):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def synthetic_item_fields(
    rng: random.Random, reference: SyntheticReference, mix: Mix = REPORT_MIX
) -> tuple[dict[str, Any], list]:
    """The fields of one valid item drawn from `mix` (department, sector and main_item taken
    from `reference`; no code or name) and its mobile channels."""
    department = rng.choice(reference.departments)
    handling_type = HandlingType.PROMISED if rng.random() < mix.promised else HandlingType.IMMEDIATE
    legal_limit = _weighted(rng, mix.legal_limits)
    if handling_type == HandlingType.IMMEDIATE:
        promised_limit = 0
    else:
        promised_limit = max(1, round((legal_limit or 20) * rng.uniform(*mix.promised_share)))
        if legal_limit is not None and legal_limit < promised_limit:
            legal_limit = promised_limit
    is_online = rng.random() < mix.online
    online_depth = rng.choice(OnlineDepth.values) if is_online else None
    visits = 0 if online_depth == OnlineDepth.LEVEL_4 else _weighted(rng, mix.visits)
    is_mobile = rng.random() < mix.mobile
    power_source = _weighted(rng, mix.power_sources)
    main_items = reference.main_items.get(department, ())
    fields = {
        "department": department,
        "sector": rng.choice(reference.sectors),
        "main_item": rng.choice(main_items)
        if main_items and rng.random() < mix.main_item
        else None,
        "item_type": _weighted(rng, mix.item_types),
        "status": _weighted(rng, mix.statuses),
        "power_source": power_source,
        "entrusting_body": "深圳市某局" if power_source in ENTRUSTED_POWER_SOURCES else "",
        "handling_type": handling_type,
        "tiers": _weighted(rng, mix.tiers),
        "in_hall": rng.random() < mix.in_hall,
        "one_window": rng.random() < mix.one_window,
        "comprehensive_window": rng.random() < mix.comprehensive_window,
        "is_online": is_online,
        "online_depth": online_depth,
        "instant_approval": is_online and rng.random() < mix.instant_approval,
        "is_mobile": is_mobile,
        "mobile_services": rng.randint(1, sum(MobileService.values)) if is_mobile else 0,
        "onsite_visits": visits,
        "onsite_reason": "需现场核验原件" if visits else "",
        "legal_limit": legal_limit,
        "legal_limit_unit": TimeUnit.WORKING_DAY if legal_limit is not None else "",
        "promised_limit": promised_limit,
        "promised_limit_unit": TimeUnit.WORKING_DAY,
    }
    channels = []
    if is_mobile:
        most = min(mix.max_channels, len(reference.channels))
        channels = rng.sample(list(reference.channels), rng.randint(1, most))
    return fields, channels


# --- import rows ---------------------------------------------------------------------------------

_VALID_ROW_CELLS = {
    "code": "11440300MB2C0000000000000000001",
    "name": "建筑工程施工许可证核发",
    "basic_code": "440300000001",
    "main_item": "",
    "item_type": "行政许可",
    "power_source": "法定本级行使",
    "entrusting_body": "",
    "handling_type": "承诺件",
    "tiers": "市级、区级",
    "in_hall": "是",
    "one_window": "否",
    "comprehensive_window": "是",
    "is_online": "是",
    "online_depth": "Ⅳ",
    "is_mobile": "否",
    "mobile_channels": "",
    "mobile_services": "",
    "onsite_visits": 0,
    "onsite_reason": "",
    "instant_approval": "否",
    "legal_limit": 20,
    "legal_limit_unit": "工作日",
    "promised_limit": 5,
    "promised_limit_unit": "工作日",
    "legal_basis": "《建筑法》第七条",
    "location": "光明区行政服务大厅",
    "consult_phone": "0755-88211234",
    "complaint_phone": "12345",
    "charges_fee": "否",
    "fee_basis": "",
    "status": "在用",
}


def import_row(cells_by_field: Mapping[str, Any]) -> dict[str, Any]:
    """A template row {header: cell} in the columns' order; a column without a cell is blank."""
    return {column.header: cells_by_field.get(column.field, "") for column in COLUMNS}


def valid_import_row(*, department: str, sector: str, **cells_by_field) -> dict[str, Any]:
    """A complete, valid row as a department would type it (simplified labels)."""
    return import_row(
        {**_VALID_ROW_CELLS, "department": department, "sector": sector, **cells_by_field}
    )


def synthetic_department_name(number: int) -> str:
    return f"深圳市光明区合成局{number:02d}"


def synthetic_sector_name(number: int) -> str:
    return f"合成行业{number:02d}"


def synthetic_main_item_name(department: int, number: int) -> str:
    return f"主项{department:02d}-{number:02d}"


def synthetic_import_rows(
    size: int, *, seed: int = 3, departments: int, sectors: int, main_items_per_department: int
) -> Iterator[dict[str, Any]]:
    """Valid, varied template rows {header: cell}, as departments fill them in, pointing to the
    synthetic department, sector and main item names above."""
    rng = random.Random(seed)
    types = [str(label) for label in ItemType.labels]
    tiers = ["市级、县级（区）", "县级（区）", "省级、市级、县级（区）", "区级、街道级", "市区两级"]
    kinds = ["许可", "备案", "登记", "核发", "审批"]
    for number in range(size):
        department = number % departments
        promised = rng.random() < 0.6
        online = rng.random() < 0.94
        mobile = rng.random() < 0.05
        visits = 0 if rng.random() < 0.78 else 1
        legal = rng.choice([1, 5, 10, 20, 30, 60])
        has_main = rng.random() < 0.3
        main_number = number % main_items_per_department
        yield import_row(
            {
                "code": f"11440300MB2C{number:019d}",
                "name": f"合成事项{number:06d}：{rng.choice(kinds)}",
                "basic_code": f"4403{number % 10**8:08d}",
                "main_item": synthetic_main_item_name(department, main_number) if has_main else "",
                "department": synthetic_department_name(department),
                "sector": synthetic_sector_name(number % sectors),
                "item_type": rng.choice(types),
                "power_source": "法定本级行使",
                "entrusting_body": "",
                "handling_type": "承诺件" if promised else "即办件",
                "tiers": rng.choice(tiers),
                "in_hall": rng.choice(["是", "否"]),
                "one_window": rng.choice(["是", "否"]),
                "comprehensive_window": rng.choice(["是", "否"]),
                "is_online": "是" if online else "否",
                "online_depth": ("Ⅲ级" if visits else "Ⅳ级（全程网办）") if online else "",
                "is_mobile": "是" if mobile else "否",
                "mobile_channels": "粤省事、微信公众号" if mobile else "",
                "mobile_services": "查阅、申办" if mobile else "",
                "onsite_visits": visits,
                "onsite_reason": "需核验原件" if visits else "",
                "instant_approval": "否",
                "legal_limit": legal,
                "legal_limit_unit": "工作日",
                "promised_limit": min(legal, rng.choice([1, 3, 5])) if promised else 0,
                "promised_limit_unit": "工作日",
                "legal_basis": "《合成条例》第十条",
                "location": "光明区行政服务大厅",
                "consult_phone": "0755-88211234",
                "complaint_phone": "12345",
                "charges_fee": "否",
                "fee_basis": "",
                "status": "在用",
            }
        )
