"""The demo catalogue of 深圳市光明区: quotas and a pure, deterministic builder.

`build_demo_catalogue()` turns the names of `demo.names` (read from demo/data/) into plain rows
(dicts, no database). Every figure of the 光明区 report is an exact quota below, dealt out over
the items: items are ranked by how well they suit a value (an 即办件 is more likely a 公共服务
than a 行政许可) plus a seeded jitter, and the ranked items take the values in quota order.
The totals are therefore exact whatever the jitter, the consistency rules hold by
construction, and the same seed always gives the same catalogue.
"""

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from catalogue.choices import (
    ITEM_TYPE_NATIONAL_CODES,
    DepartmentNature,
    HandlingType,
    ItemStatus,
    ItemType,
    MobileService,
    OnlineDepth,
    PowerSource,
    Tier,
    TimeUnit,
)
from catalogue.validators import credit_code_check_character

from .names import COMPLAINT_PHONE, SECTORS, TYPE_MARKS, DemoDepartment, all_departments

SEED = 681
TOTAL_ITEMS = 681

# 办件类型: 承诺件 59 %, 即办件 41 %.
HANDLING_QUOTAS = ((HandlingType.IMMEDIATE, 279), (HandlingType.PROMISED, 402))

# 权力来源: 法定本级行使 63 %; the rest over 上级委托, 上级下放, 上级授权 and 其他.
LOCAL_STATUTORY_ITEMS = 429
OTHER_POWER_SOURCE_QUOTAS = (
    (PowerSource.ENTRUSTED_BY_SUPERIOR, 60),
    (PowerSource.DELEGATED_BY_SUPERIOR, 100),
    (PowerSource.AUTHORIZED_BY_SUPERIOR, 55),
    (PowerSource.OTHER, 37),
)

PROVINCE, CITY, DISTRICT, STREET, VILLAGE = (
    Tier.PROVINCE,
    Tier.CITY,
    Tier.COUNTY,
    Tier.TOWNSHIP,
    Tier.VILLAGE,
)
# 层级组合 of the items also handled by street offices, most local first.
STREET_TIER_QUOTAS = (
    (DISTRICT | STREET, 24),  # 区街两级
    (DISTRICT | STREET | VILLAGE, 10),  # 区街村三级
    (CITY | DISTRICT | STREET, 12),  # 市区街三级
    (CITY | DISTRICT | STREET | VILLAGE, 8),  # 市区街村四级
    (PROVINCE | CITY | DISTRICT | STREET, 9),  # 省市区街四级
    (PROVINCE | CITY | DISTRICT | STREET | VILLAGE, 5),  # 省市区街村五级
)
# 层级组合 of the other items, widest first: 省市区三级 26.9 %, 市区两级 34 %, 区本级 29 %.
DISTRICT_TIER_QUOTAS = (
    (PROVINCE | CITY | DISTRICT, 183),
    (CITY | DISTRICT, 232),
    (DISTRICT, 198),
)

# 到办事现场次数: 0 次 78 %, 1 次 ~22 %, 2 次 very few.
VISIT_QUOTAS = ((2, 3), (1, 147), (0, 531))
OFFLINE_ITEMS = 40  # 可网办 641 = 681 - 40; only items that need a visit are offline
ONLINE_VISIT_DEPTH_QUOTAS = (
    (OnlineDepth.LEVEL_3, 78),
    (OnlineDepth.LEVEL_2, 27),
    (OnlineDepth.LEVEL_1, 5),
)
INSTANT_APPROVAL_ITEMS = 20
MOBILE_ITEMS = 31
IN_HALL_ITEMS = 511  # 75 %
COMPREHENSIVE_WINDOW_ITEMS = 531  # 78 %
ONE_WINDOW_ITEMS = 50  # 7 %

# 法定办结时限 in 工作日, by value: 1 天 7 %, 2–10 天 13 %, 11–30 天 66 %, the rest above 30.
# The values sum to 17 570 days (25.8 on average over 681 items).
ONE_DAY_LEGAL_ITEMS = 48
LEGAL_LIMIT_QUOTAS = (
    (2, 2),
    (3, 8),
    (5, 37),
    (7, 12),
    (10, 30),
    (12, 10),
    (15, 60),
    (20, 220),
    (25, 20),
    (30, 139),
    (40, 10),
    (45, 11),
    (60, 41),
    (90, 24),
    (120, 5),
    (180, 4),
)
# 承诺办结时限 in total: 6.9 days on average, 26.7 % of the legal total.
PROMISED_LIMIT_TOTAL = 4699
PROMISED_SHARES = (0.25, 0.3, 0.4, 0.5, 0.5, 0.6)

MOBILE_CHANNEL_PATTERNS = (
    ("粤省事",),
    ("广东政务服务网APP", "粤省事"),
    ("微信公众号",),
    ("广东政务服务网APP", "粤省事", "微信公众号"),
    ("广东政务服务网APP",),
    ("粤省事", "微信公众号"),
)
MOBILE_SERVICE_PATTERNS = (
    MobileService.APPLICATION | MobileService.LOOKUP,
    MobileService.APPOINTMENT | MobileService.CONSULTATION,
    MobileService.APPLICATION,
    MobileService.LOOKUP | MobileService.CONSULTATION | MobileService.COMPLAINT,
    MobileService.APPLICATION | MobileService.APPOINTMENT | MobileService.LOOKUP,
    MobileService.COMPLAINT | MobileService.CONSULTATION,
)
MOBILE_CHANNEL_NAMES = ("广东政务服务网APP", "粤省事", "微信公众号")

ONSITE_REASONS = (
    "需现场核验申请人身份及申请材料原件",
    "需现场勘查核实",
    "需现场签署承诺书并领取证照",
    "需现场采集照片和指纹等生物特征信息",
    "需现场提交纸质材料原件存档",
)
TWO_VISIT_REASON = "需现场核验材料原件，并在现场勘查后领取结果"

# 基本编码 type part; 行政备案 has no code in the older national lists, the demo uses 11.
BASIC_TYPE_CODES = {value: code for code, value in ITEM_TYPE_NATIONAL_CODES.items()} | {
    ItemType.FILING: "11"
}
DISTRICT_LEVEL, STREET_LEVEL = "4", "5"  # the level digit of the 实施编码

JITTER = 0.6

# How likely an item of each type is each of these; rankings add a jitter, so they only lean.
_QUICK = {  # handled on the spot (即办件)
    ItemType.PUBLIC_SERVICE: 0.0,
    ItemType.FILING: 0.1,
    ItemType.CONFIRMATION: 0.3,
    ItemType.PAYMENT: 0.45,
    ItemType.REWARD: 0.5,
    ItemType.OTHER_POWER: 0.5,
    ItemType.LICENSING: 0.75,
    ItemType.LEVY: 0.8,
    ItemType.INSPECTION: 0.9,
    ItemType.PENALTY: 1.0,
    ItemType.COERCION: 1.0,
    ItemType.ADJUDICATION: 1.0,
}
_LONG = {  # a long 法定办结时限
    ItemType.PUBLIC_SERVICE: 0.1,
    ItemType.FILING: 0.1,
    ItemType.CONFIRMATION: 0.3,
    ItemType.PAYMENT: 0.35,
    ItemType.REWARD: 0.5,
    ItemType.OTHER_POWER: 0.5,
    ItemType.INSPECTION: 0.5,
    ItemType.LICENSING: 0.6,
    ItemType.PENALTY: 0.8,
    ItemType.COERCION: 0.8,
    ItemType.LEVY: 0.9,
    ItemType.ADJUDICATION: 0.9,
}
_VISIT = {  # needs a visit to the counter
    ItemType.PUBLIC_SERVICE: 0.1,
    ItemType.FILING: 0.2,
    ItemType.REWARD: 0.3,
    ItemType.PAYMENT: 0.35,
    ItemType.CONFIRMATION: 0.45,
    ItemType.OTHER_POWER: 0.5,
    ItemType.LICENSING: 0.7,
    ItemType.LEVY: 0.8,
    ItemType.ADJUDICATION: 0.9,
    ItemType.INSPECTION: 1.0,
    ItemType.PENALTY: 1.0,
    ItemType.COERCION: 1.0,
}
_INSTANT = {  # approved by the system: applications rather than enquiries
    ItemType.CONFIRMATION: 0.0,
    ItemType.PAYMENT: 0.0,
    ItemType.LICENSING: 0.0,
    ItemType.FILING: 0.1,
    ItemType.PUBLIC_SERVICE: 0.8,
}
_QUICK_SUB_ITEMS = ("注销", "变更", "补领", "换领", "换发", "补发")
_FIRST_SUB_ITEMS = ("新办", "首次", "设立", "成立")
_LONG_SECTORS = ("自然资源", "生态环境", "住房和城乡建设")


@dataclass(frozen=True)
class DemoCatalogue:
    sectors: tuple[dict, ...]
    departments: tuple[dict, ...]
    main_items: tuple[dict, ...]  # {"department": name, "name": name}
    items: tuple[dict, ...]  # ServiceItem fields; department, sector, main_item by name


@dataclass
class _Line:
    department: DemoDepartment
    department_number: int
    sector: str
    item_type: str
    main_name: str
    main_number: int
    sub_name: str  # "" for an item that is its own 大项
    sub_number: int
    legal_basis: str
    fee_basis: str

    @property
    def name(self):
        return f"{self.main_name}（{self.sub_name}）" if self.sub_name else self.main_name


def organization_code(body: str) -> str:
    """The 9-character 组织机构代码 (GB 11714): 8 characters and their check character."""
    values = [int(char) if char.isdigit() else ord(char) - ord("A") + 10 for char in body]
    check = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def department_credit_code(department: DemoDepartment, number: int) -> str:
    first_17 = (
        department.category
        + department.region
        + organization_code(f"MB2C{(number * 7919 + 1031) % 10000:04d}")
    )
    return first_17 + credit_code_check_character(first_17)


def _parse_line(text: str) -> tuple[str, str, tuple[str, ...], str, str]:
    mark, rest = text.split(" ", 1)
    rest, _, fee_basis = rest.partition(" $")
    body, _, legal_basis = rest.partition(" @")
    main_name, _, subs = body.partition("：")
    return mark, main_name, tuple(subs.split("、")) if subs else (), legal_basis, fee_basis


def _lines() -> list[_Line]:
    lines = []
    for department_number, department in enumerate(all_departments(), start=1):
        main_number = 0
        for sector, item_lines in department.items.items():
            for raw in item_lines:
                mark, main_name, subs, legal_basis, fee_basis = _parse_line(raw)
                main_number += 1
                for sub_number, sub_name in enumerate(subs or ("",), start=1 if subs else 0):
                    lines.append(
                        _Line(
                            department=department,
                            department_number=department_number,
                            sector=sector,
                            item_type=TYPE_MARKS[mark],
                            main_name=main_name,
                            main_number=main_number,
                            sub_name=sub_name,
                            sub_number=sub_number,
                            legal_basis=legal_basis,
                            fee_basis=fee_basis,
                        )
                    )
    return lines


def _ranked(
    indices: Sequence[int],
    weight: Callable[[int], float],
    rng: random.Random,
    *,
    spread: float = JITTER,
    group: Callable[[int], object] = lambda index: index,
) -> list[int]:
    """`indices` from the best suited (lowest weight) to the least, blended by a seeded jitter.

    Items of one `group` share their jitter, so equal weights keep them side by side.
    """
    jitter = {}
    for index in indices:
        key = group(index)
        if key not in jitter:
            jitter[key] = rng.random()
    return sorted(indices, key=lambda index: (weight(index) + spread * jitter[group(index)], index))


def _deal(order: Sequence[int], quotas: Sequence[tuple]) -> dict[int, object]:
    """Give the quota values, in quota order, to the items in `order`; the counts must match."""
    values = [value for value, count in quotas for _ in range(count)]
    if len(values) != len(order):
        raise ValueError(f"quotas for {len(values)} items dealt over {len(order)} items")
    return dict(zip(order, values, strict=True))


def _fit_total(values: dict[int, int], *, target: int, low, high, order: Sequence[int]):
    """Move values by one day at a time, in `order`, within [low, high] until they sum to target."""
    difference = target - sum(values.values())
    step = 1 if difference > 0 else -1
    while difference:
        moved = False
        for index in order:
            if difference and low(index) <= values[index] + step <= high(index):
                values[index] += step
                difference -= step
                moved = True
        if not moved:
            raise ValueError("promised limits cannot reach their total")


def build_demo_catalogue(seed: int = SEED) -> DemoCatalogue:
    lines = _lines()
    if len(lines) != TOTAL_ITEMS:
        raise ValueError(f"the demo data names {len(lines)} items, not {TOTAL_ITEMS}")
    rng = random.Random(seed)
    everyone = range(len(lines))

    def kind(index):
        return lines[index].item_type

    def main_item(index):  # the sub-items of one 主项 mostly share tiers, source and time limit
        return lines[index].department_number, lines[index].main_number

    # 行使层级: street offices and some district items also reach the streets (街) and villages.
    def street_weight(i):
        department = lines[i].department
        return -10 if department.is_street_office else 1 - department.street_lean

    street_order = _ranked(everyone, street_weight, rng, group=main_item)
    street_count = sum(count for _, count in STREET_TIER_QUOTAS)
    with_streets, without_streets = street_order[:street_count], street_order[street_count:]
    tiers = _deal(
        _ranked(
            with_streets,
            lambda i: 0 if lines[i].department.is_street_office else 1,
            rng,
            group=main_item,
        ),
        STREET_TIER_QUOTAS,
    )
    tiers |= _deal(
        _ranked(without_streets, lambda i: lines[i].department.tier_lean, rng, group=main_item),
        DISTRICT_TIER_QUOTAS,
    )

    # 权力来源: items of the district alone are mostly its own statutory powers.
    # A 受委托组织 acts only on entrustment.
    acts_on_entrustment = [
        line.department.nature == DepartmentNature.ENTRUSTED_ORGANIZATION for line in lines
    ]
    source_order = _ranked(
        everyone,
        lambda i: 10 if acts_on_entrustment[i] else (0 if tiers[i] == DISTRICT else 0.5),
        rng,
        group=main_item,
    )
    power_sources = _deal(
        source_order[:LOCAL_STATUTORY_ITEMS],
        ((PowerSource.LOCAL_STATUTORY, LOCAL_STATUTORY_ITEMS),),
    )
    power_sources |= _deal(
        _ranked(
            source_order[LOCAL_STATUTORY_ITEMS:],
            lambda i: -1 if acts_on_entrustment[i] else 0,
            rng,
            group=main_item,
        ),
        OTHER_POWER_SOURCE_QUOTAS,
    )

    # 办件类型 and the time limits.
    def quickness(i):
        quick_sub = any(word in lines[i].sub_name for word in _QUICK_SUB_ITEMS)
        return _QUICK[kind(i)] - (0.25 if quick_sub else 0)

    handling = _deal(_ranked(everyone, quickness, rng, spread=1.0), HANDLING_QUOTAS)
    immediate = [i for i in everyone if handling[i] == HandlingType.IMMEDIATE]
    one_day = _ranked(immediate, quickness, rng)[:ONE_DAY_LEGAL_ITEMS]
    legal = _deal(one_day, ((1, ONE_DAY_LEGAL_ITEMS),))

    def longness(i):
        sector_bonus = 0.3 if lines[i].sector in _LONG_SECTORS else 0
        return _LONG[kind(i)] + sector_bonus

    rest = [i for i in everyone if i not in legal]
    legal |= _deal(_ranked(rest, longness, rng, group=main_item), LEGAL_LIMIT_QUOTAS)

    # A 承诺件 promises a share of its legal limit; the shares are then nudged to the total.
    promised_items = [i for i in everyone if handling[i] == HandlingType.PROMISED]
    promised = {}
    for i in promised_items:
        share = PROMISED_SHARES[int(rng.random() * len(PROMISED_SHARES))]
        promised[i] = min(legal[i], max(1, round(legal[i] * share)))
    _fit_total(
        promised,
        target=PROMISED_LIMIT_TOTAL,
        low=lambda i: 1,
        high=lambda i: legal[i],
        order=_ranked(promised_items, lambda i: 0, rng),
    )
    promised |= dict.fromkeys(immediate, 0)

    # 到办事现场次数, 网办 and its depth: items handled with no visit are 全程网办 (Ⅳ级).
    def needs_visit(i):
        first_sub = any(word in lines[i].sub_name for word in _FIRST_SUB_ITEMS)
        return -_VISIT[kind(i)] - (0.1 if first_sub else 0)

    visits = _deal(_ranked(everyone, needs_visit, rng), VISIT_QUOTAS)
    visited = [i for i in everyone if visits[i] > 0]
    offline_order = _ranked(visited, needs_visit, rng)
    offline = set(offline_order[:OFFLINE_ITEMS])
    depth = _deal(
        _ranked(offline_order[OFFLINE_ITEMS:], lambda i: 0, rng), ONLINE_VISIT_DEPTH_QUOTAS
    )
    depth |= {i: OnlineDepth.LEVEL_4 for i in everyone if visits[i] == 0}

    # 秒批 (approved by the system, on the spot) and 指尖办, among the items handled fully online.
    instant = set(
        _ranked(
            [i for i in immediate if visits[i] == 0],
            lambda i: _INSTANT.get(kind(i), 1.0),
            rng,
        )[:INSTANT_APPROVAL_ITEMS]
    )
    mobile_order = _ranked(
        [i for i in everyone if visits[i] == 0],
        lambda i: _QUICK[kind(i)],
        rng,
    )[:MOBILE_ITEMS]
    mobile = {index: position for position, index in enumerate(mobile_order)}

    # 进驻大厅, 综合窗口受理 and 一窗办理: items that need a visit are served in a hall first.
    hall_order = _ranked(everyone, lambda i: 0 if visits[i] else 0.5, rng)
    in_hall = set(hall_order[:IN_HALL_ITEMS])
    comprehensive = set(hall_order[:COMPREHENSIVE_WINDOW_ITEMS])
    one_window = set(
        _ranked(
            hall_order[:IN_HALL_ITEMS],
            lambda i: 0 if kind(i) == ItemType.LICENSING else 0.6,
            rng,
        )[:ONE_WINDOW_ITEMS]
    )

    items = []
    for i, line in enumerate(lines):
        department = line.department
        credit_code = department_credit_code(department, line.department_number)
        basic_code = (
            f"{SECTORS.index(line.sector) + 1:02d}"
            f"{BASIC_TYPE_CODES[line.item_type]}"
            f"{line.department_number:02d}"
            f"{line.main_number:03d}"
            f"{line.sub_number:03d}"
        )
        level = STREET_LEVEL if department.is_street_office else DISTRICT_LEVEL
        entrusted = power_sources[i] == PowerSource.ENTRUSTED_BY_SUPERIOR
        is_mobile = i in mobile
        if i in one_window:
            location = f"{department.hall}“一窗通办”综合受理窗口"
        elif i in in_hall:
            location = department.hall
        else:
            location = f"{department.name}（{department.address}）"
        if visits[i] == 0:
            onsite_reason = ""
        elif visits[i] == 1:
            onsite_reason = ONSITE_REASONS[i % len(ONSITE_REASONS)]
        else:
            onsite_reason = TWO_VISIT_REASON
        if i in instant:
            promised_note = "系统自动审批，即时办结"
        elif handling[i] == HandlingType.IMMEDIATE:
            promised_note = "即来即办，当场办结"
        else:
            promised_note = ""
        items.append(
            {
                "code": f"{credit_code}{level}{basic_code}",
                "basic_code": basic_code,
                "name": line.name,
                "main_item": line.main_name if line.sub_name else None,
                "department": department.name,
                "sector": line.sector,
                "item_type": line.item_type,
                "status": ItemStatus.ACTIVE,
                "power_source": power_sources[i],
                "entrusting_body": department.superior if entrusted else "",
                "handling_type": handling[i],
                "tiers": int(tiers[i]),
                "legal_basis": line.legal_basis,
                "instant_approval": i in instant,
                "in_hall": i in in_hall,
                "one_window": i in one_window,
                "comprehensive_window": i in comprehensive,
                "is_online": i not in offline,
                "online_depth": int(depth[i]) if i in depth else None,
                "is_mobile": is_mobile,
                "mobile_channels": (
                    MOBILE_CHANNEL_PATTERNS[mobile[i] % len(MOBILE_CHANNEL_PATTERNS)]
                    if is_mobile
                    else ()
                ),
                "mobile_services": (
                    int(MOBILE_SERVICE_PATTERNS[mobile[i] % len(MOBILE_SERVICE_PATTERNS)])
                    if is_mobile
                    else 0
                ),
                "onsite_visits": visits[i],
                "onsite_reason": onsite_reason,
                "legal_limit": legal[i],
                "legal_limit_unit": TimeUnit.WORKING_DAY,
                "legal_limit_note": "不含听证、专家评审和公示时间" if legal[i] > 30 else "",
                "promised_limit": promised[i],
                "promised_limit_unit": TimeUnit.WORKING_DAY,
                "promised_limit_note": promised_note,
                "location": location,
                "consult_phone": department.phone,
                "complaint_phone": COMPLAINT_PHONE,
                "charges_fee": bool(line.fee_basis),
                "fee_basis": line.fee_basis,
            }
        )

    departments = tuple(
        {
            "name": department.name,
            "short_name": department.short_name,
            "credit_code": department_credit_code(department, number),
            "nature": department.nature,
        }
        for number, department in enumerate(all_departments(), start=1)
    )
    main_items = tuple(
        {"department": line.department.name, "name": line.main_name}
        for line in lines
        if line.sub_number == 1
    )
    sectors = tuple(
        {"name": name, "sort_order": number} for number, name in enumerate(SECTORS, start=1)
    )
    return DemoCatalogue(
        sectors=sectors, departments=departments, main_items=main_items, items=tuple(items)
    )
