"""Names of the demo catalogue of 深圳市光明区, read from the files in demo/data/.

- `catalogue.json`: the default 行政区划码, the district hall, the complaint phone and the
  所属行业/领域 in the order the report ranks them;
- `departments.json`: the departments, each with its item lines by sector; fields left out take
  the defaults of `DemoDepartment`;
- `street_offices.json`: one template for the six street offices, which share their items.

Names follow the Guangdong catalogue's style; addresses, codes and phone numbers are made up.
Each item line reads

    <type> <主项名称>[：<子项>、<子项>…][ @<设定依据>][ $<收费依据>]

where <type> is one of TYPE_MARKS. A line with 子项 is a main item (主项) whose sub-items are
named "<主项名称>（<子项>）"; a line without is an item that is its own 大项.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from catalogue.choices import DepartmentNature, ItemType

DATA_DIR = Path(__file__).resolve().parent / "data"

TYPE_MARKS = {
    "许": ItemType.LICENSING,
    "罚": ItemType.PENALTY,
    "强": ItemType.COERCION,
    "征": ItemType.LEVY,
    "给": ItemType.PAYMENT,
    "检": ItemType.INSPECTION,
    "确": ItemType.CONFIRMATION,
    "奖": ItemType.REWARD,
    "裁": ItemType.ADJUDICATION,
    "他": ItemType.OTHER_POWER,
    "服": ItemType.PUBLIC_SERVICE,
    "备": ItemType.FILING,
}


def _read(name: str):
    with open(DATA_DIR / name, encoding="utf-8") as stream:
        return json.load(stream)


_CATALOGUE = _read("catalogue.json")
SECTORS: tuple[str, ...] = tuple(_CATALOGUE["sectors"])
COMPLAINT_PHONE: str = _CATALOGUE["complaint_phone"]
DISTRICT_HALL: str = _CATALOGUE["district_hall"]
GUANGMING: str = _CATALOGUE["region"]


@dataclass(frozen=True)
class DemoDepartment:
    name: str
    short_name: str
    superior: str  # the body that entrusts its items (委托部门)
    address: str
    phone: str
    items: dict[str, tuple[str, ...]]  # sector -> item lines
    nature: str = DepartmentNature.LEGAL_AUTHORITY
    region: str = GUANGMING  # 行政区划码 inside the 统一社会信用代码
    category: str = "11"  # 登记管理部门 + 机构类别: 11 机关, 12 事业单位, 13 群团
    hall: str = DISTRICT_HALL
    # 0 = its items span the most tiers (省市区), 1 = mostly handled by the district alone.
    tier_lean: float = 0.5
    # How likely its items are also handled by the street offices (街) and communities (村).
    street_lean: float = 0.0
    is_street_office: bool = False


def _item_lines(items: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    return {sector: tuple(lines) for sector, lines in items.items()}


def _department(row: dict) -> DemoDepartment:
    fields = {**row, "items": _item_lines(row["items"])}
    if "nature" in fields:
        fields["nature"] = DepartmentNature(fields["nature"])
    return DemoDepartment(**fields)


def _street_offices(template: dict) -> tuple[DemoDepartment, ...]:
    items = _item_lines(template["items"])
    return tuple(
        DemoDepartment(
            name=template["name"].format(**street),
            short_name=template["short_name"].format(**street),
            superior=template["superior"],
            address=street["address"],
            phone=street["phone"],
            items=items,
            hall=template["hall"].format(**street),
            tier_lean=template["tier_lean"],
            street_lean=template["street_lean"],
            is_street_office=True,
        )
        for street in template["streets"]
    )


@cache
def all_departments() -> tuple[DemoDepartment, ...]:
    """The district's departments, then its six street offices."""
    return tuple(_department(row) for row in _read("departments.json")) + _street_offices(
        _read("street_offices.json")
    )
