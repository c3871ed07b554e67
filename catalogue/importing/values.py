"""Turning cell values as people type them into field values.

Pure functions: no database, no Django models. Each parser takes the raw cell (str, int, float,
bool, date or None, as python-calamine gives it) and returns the field value or raises CellProblem.
"""

import datetime
import re
import unicodedata
from functools import lru_cache

import opencc
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from catalogue.choices import (
    ALL_TIERS_MASK,
    ITEM_TYPE_GUANGDONG_CODES,
    ITEM_TYPE_NATIONAL_CODES,
    HandlingType,
    ItemStatus,
    ItemType,
    MobileService,
    OnlineDepth,
    PowerSource,
    Tier,
    TimeUnit,
    tier_span_label,
)
from catalogue.spreadsheet_text import FORMULA_TRIGGERS, NEUTRALISING_PREFIX

from . import messages
from .problems import CellProblem

# OpenCC rather than a table of the fixed labels: the names of departments, sectors and channels
# (粵省事, 衛生健康局) are open-ended reference data that also arrive in traditional characters.
_to_simplified = opencc.OpenCC("t2s").convert


@lru_cache(maxsize=8192)
def simplified(text: str) -> str:
    return _to_simplified(text)


def cell_text(raw) -> str:
    """The cell as trimmed text: numbers without a spurious `.0`, odd spaces removed."""
    if raw.__class__ is str:
        text = raw.strip()
        if not text:
            return text
        if "\u3000" in text or "\xa0" in text or "\ufeff" in text:
            text = text.replace("\u3000", " ").replace("\xa0", " ").replace("\ufeff", "").strip()
        if text[0] == NEUTRALISING_PREFIX and text[1:].startswith(FORMULA_TRIGGERS):
            text = text[1:].strip()
        return text
    if raw is None:
        return ""
    if isinstance(raw, str):
        text = raw
    elif isinstance(raw, bool):
        text = "是" if raw else "否"
    elif isinstance(raw, float):
        text = str(int(raw)) if raw.is_integer() else repr(raw)
    elif isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, datetime.datetime | datetime.date | datetime.time):
        text = raw.isoformat()
    else:
        text = str(raw)
    text = text.replace("\u3000", " ").replace("\xa0", " ").replace("\ufeff", "").strip()
    if text[:1] == NEUTRALISING_PREFIX and text[1:2] and text[1:].startswith(FORMULA_TRIGGERS):
        text = text[1:].strip()
    return text


def code_text(raw) -> str:
    """An identifier: full-width letters and digits made half-width, no spaces at all."""
    return "".join(unicodedata.normalize("NFKC", cell_text(raw)).split())


def label_key(text: str) -> str:
    """The form in which labels are compared: half-width, simplified, no spaces, lower case."""
    return "".join(simplified(unicodedata.normalize("NFKC", text)).split()).casefold()


_SEPARATORS = frozenset("、,;/|\n\r\t")


def split_values(text: str, *, on_spaces: bool = False) -> list[str]:
    """Split a multi-value cell on 、，,；;/ or line breaks, but not inside brackets.

    The label 镇（乡、街道）级 contains 、 itself. Works on NFKC text, where ，；／（） are ,;/().
    """
    text = unicodedata.normalize("NFKC", text)
    parts, current, depth = [], [], 0
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(depth - 1, 0)
        if depth == 0 and (char in _SEPARATORS or (on_spaces and char.isspace())):
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def contract_text(label) -> str:
    """A fixed label as files hold it: its Chinese text (the gettext msgid), whatever the language
    of the request. Labels are translated on screen, never in the file format."""
    with translation.override(None):
        return str(label)


def _joined(labels) -> str:
    return "、".join(contract_text(label) for label in labels)


# ---------------------------------------------------------------------------------------------
# Yes / no

_TRUE = {"是", "y", "yes", "1", "√", "✓", "✔", "true", "t", "对", "有"}
_FALSE = {"否", "n", "no", "0", "×", "✗", "✘", "x", "false", "f", "无", "不是"}


def parse_bool(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    key = label_key(cell_text(raw))
    if key == "":
        return False
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellProblem(messages.NOT_A_BOOLEAN)


# ---------------------------------------------------------------------------------------------
# Whole numbers: 20, "20", "２０", "20.0", " 20 天"


_NUMBER = re.compile(r"^(\d+)(?:\.0*)?(?:天|日|个?工作日|自然日|次)?$")


def whole_number_parser(*, minimum: int, maximum: int, default: int | None):
    problem = format_lazy(messages.NOT_A_WHOLE_NUMBER, minimum=minimum, maximum=maximum)

    def parse(raw):
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, int) and not isinstance(raw, bool):
            number = raw
        else:
            text = "".join(unicodedata.normalize("NFKC", cell_text(raw)).split())
            if text == "":
                return default
            match = _NUMBER.match(text)
            if not match:
                raise CellProblem(problem)
            number = int(match.group(1))
        if not minimum <= number <= maximum:
            raise CellProblem(problem)
        return number

    return parse


# ---------------------------------------------------------------------------------------------
# Single choices


class ChoiceParser:
    """Accepts the label (simplified or traditional) or one of the aliases; blank gives default."""

    def __init__(self, choices, *, aliases=None, default=None, allowed=None):
        self.lookup = {label_key(contract_text(label)): value for value, label in choices.choices}
        for alias, value in (aliases or {}).items():
            self.lookup[label_key(alias)] = value
        self.default = default
        # Lazy: parsers are built once, at import time; the message is read in the user's language.
        self.problem = format_lazy(
            messages.NOT_A_CHOICE,
            allowed=allowed or _joined(label for _value, label in choices.choices),
        )

    def __call__(self, raw):
        key = label_key(cell_text(raw))
        if key == "":
            if self.default is None:
                raise CellProblem(messages.REQUIRED)
            return self.default
        try:
            return self.lookup[key]
        except KeyError:
            raise CellProblem(self.problem) from None


parse_power_source = ChoiceParser(PowerSource, default=PowerSource.LOCAL_STATUTORY)
parse_handling_type = ChoiceParser(
    HandlingType, aliases={"即办": HandlingType.IMMEDIATE, "承诺": HandlingType.PROMISED}
)
parse_status = ChoiceParser(ItemStatus, default=ItemStatus.ACTIVE)
parse_promised_unit = ChoiceParser(
    TimeUnit, aliases={"个工作日": TimeUnit.WORKING_DAY}, default=TimeUnit.WORKING_DAY
)
parse_legal_unit = ChoiceParser(TimeUnit, aliases={"个工作日": TimeUnit.WORKING_DAY}, default="")


# ---------------------------------------------------------------------------------------------
# 事项类型: label, national code, Guangdong code with its label

_ITEM_TYPE_LABELS = {label_key(contract_text(label)): value for value, label in ItemType.choices}
_ITEM_TYPE_CODE_TEXT = _(
    "01–10、20（公共服务）；广东旧编码 20（其他行政权力）、21（公共服务）须带名称"
)
_CODE_AND_LABEL = re.compile(r"^(\d{1,2})?[\s\-_.:、]*(\D*?)[\s\-_.:、]*(\d{1,2})?$")


def parse_item_type(raw):
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = unicodedata.normalize("NFKC", cell_text(raw))
    if text == "":
        raise CellProblem(messages.REQUIRED)
    match = _CODE_AND_LABEL.match(text)
    if match and match.group(1) and match.group(3):
        match = None  # two codes (01 20), or one number of 3–4 digits: 100 is not 10
    code = match and (match.group(1) or match.group(3))
    label = match and match.group(2)
    problem = messages.NOT_A_CHOICE.format(
        allowed=format_lazy(_("{}，或代码 {}"), _joined(ItemType.labels), _ITEM_TYPE_CODE_TEXT)
    )
    if not match:
        raise CellProblem(problem)
    code = code.zfill(2) if code else None
    if label:
        value = _ITEM_TYPE_LABELS.get(label_key(label))
        if value is None:
            raise CellProblem(problem)
        if code and value not in {
            ITEM_TYPE_NATIONAL_CODES.get(code),
            ITEM_TYPE_GUANGDONG_CODES.get(code),
        }:
            raise CellProblem(messages.ITEM_TYPE_CODE_MISMATCH.format(allowed=_ITEM_TYPE_CODE_TEXT))
        return value
    # A bare code: the national list, except 21, which only Guangdong's list has.
    value = ITEM_TYPE_NATIONAL_CODES.get(code) or ITEM_TYPE_GUANGDONG_CODES.get(code)
    if value is None:
        raise CellProblem(problem)
    return value


# ---------------------------------------------------------------------------------------------
# 网上办理深度: Ⅰ–Ⅳ, I–IV, 1–4, 一级–四级, 全程网办

_DEPTHS = {
    **{key: depth for depth, keys in enumerate(
        (("i", "1", "一", "壹"), ("ii", "2", "二", "贰"), ("iii", "3", "三", "叁"),
         ("iv", "4", "四", "肆", "全程网办")),
        start=1,
    ) for key in keys},
}  # fmt: skip
_DEPTH_DECORATION = re.compile(r"^第|级$|\(.*\)$")


def parse_online_depth(raw):
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    key = label_key(cell_text(raw))
    if key == "":
        return None
    key = _DEPTH_DECORATION.sub("", _DEPTH_DECORATION.sub("", key))
    try:
        return OnlineDepth(_DEPTHS[key])
    except KeyError:
        raise CellProblem(
            messages.NOT_A_CHOICE.format(allowed=_("Ⅰ、Ⅱ、Ⅲ、Ⅳ（也可填 I–IV、1–4、一级–四级）"))
        ) from None


# ---------------------------------------------------------------------------------------------
# Sets of flags: 行使层级 and 指尖办服务

_TIER_ALIASES = {
    Tier.NATIONAL: ("国家级", "国家", "国", "国级", "中央"),
    Tier.PROVINCE: ("省级", "省"),
    Tier.CITY: ("市级", "市"),
    Tier.COUNTY: ("县级", "区级", "县", "区", "县区级", "区县级", "县(区)级", "县级(区)"),
    Tier.TOWNSHIP: (
        "镇级", "乡级", "街道级", "镇", "乡", "街道", "街", "街级", "乡镇级", "镇街级",
        "镇(乡、街道)级", "乡镇(街道)级",
    ),
    Tier.VILLAGE: ("村级", "社区级", "社区", "村", "村(社区)级", "村居"),
}  # fmt: skip
_TIER_LOOKUP = {
    **{label_key(alias): int(tier) for tier, aliases in _TIER_ALIASES.items() for alias in aliases},
    **{label_key(contract_text(tier.label)): int(tier) for tier in Tier},
    # The report's names of combinations: 区本级, 市区两级, 省市区三级, …
    **{label_key(tier_span_label(mask)): mask for mask in range(1, ALL_TIERS_MASK + 1)},
}
TIER_ALLOWED = _(
    "省级、市级、区级（县级）、街道级（镇级）、村级（社区）、国家级，可多选，用“、”分隔"
)


# One character per tier, run together as the report writes them: 省市区, 区街村.
_TIER_BY_CHARACTER = {
    "国": Tier.NATIONAL, "省": Tier.PROVINCE, "市": Tier.CITY, "区": Tier.COUNTY,
    "县": Tier.COUNTY, "街": Tier.TOWNSHIP, "镇": Tier.TOWNSHIP, "乡": Tier.TOWNSHIP,
    "村": Tier.VILLAGE,
}  # fmt: skip


def parse_tiers(raw) -> int:
    mask = 0
    for part in split_values(cell_text(raw), on_spaces=True):
        key = label_key(part)
        if key in _TIER_LOOKUP:
            mask |= _TIER_LOOKUP[key]
        elif key and all(char in _TIER_BY_CHARACTER for char in key):
            for char in key:
                mask |= _TIER_BY_CHARACTER[char]
        else:
            raise CellProblem(messages.NOT_A_CHOICE.format(allowed=TIER_ALLOWED))
    if mask == 0:
        raise CellProblem(messages.REQUIRED)
    return mask


_SERVICE_LOOKUP = {
    **{label_key(contract_text(service.label)): int(service) for service in MobileService},
    label_key("查询"): MobileService.LOOKUP,
    label_key("办理"): MobileService.APPLICATION,
}
SERVICE_ALLOWED = format_lazy(_("{}，可多选"), _joined(MobileService.labels))


def parse_mobile_services(raw) -> int:
    mask = 0
    for part in split_values(cell_text(raw), on_spaces=True):
        try:
            mask |= _SERVICE_LOOKUP[label_key(part)]
        except KeyError:
            raise CellProblem(messages.NOT_A_CHOICE.format(allowed=SERVICE_ALLOWED)) from None
    return mask


# ---------------------------------------------------------------------------------------------
# Values as clerks type them (issue 10). Each in a function of its own: the time limits with
# their unit in the cell, 即办 and 无, the fee words, national code values, dates in number
# cells, and codes stored as numbers.

# What an explicit "clear the stored value" looks like in a cell (docs/excel-import.md).
CLEAR_MARKER = "清空"
# How the template's example row begins its 实施编码: such a row is skipped on import.
EXAMPLE_MARKER = "示例"

_TIME_LIMIT = re.compile(r"^(\d+)(?:\.0*)?(个?工作日|个?自然日|天|日)?$")
_CELL_UNITS = {"工作日": TimeUnit.WORKING_DAY.value, "自然日": TimeUnit.NATURAL_DAY.value}
# A time limit that needs no number: 即办 is done on the spot (0); 无 has no statutory limit.
_IMMEDIATE_WORDS = frozenset({"即办", "即办件", "当场办结", "立即办结"})
_NO_LIMIT_WORDS = frozenset({"无", "无法定时限", "无时限"})
DAYS = "days"  # the cell said 天 or 日: which kind of day depends on the unit column


def time_limit_parser(*, minimum: int, maximum: int, default: int | None):
    """A time-limit cell as its number (None: no limit), or as (number, unit) when the cell
    has a unit: a TimeUnit value, or DAYS when it says only 天/日 (plan reconciles it with the
    unit column). Plain numbers stay plain: most cells have no unit."""
    problem = format_lazy(messages.NOT_A_WHOLE_NUMBER, minimum=minimum, maximum=maximum)

    def parse(raw):
        refuse_dates(raw)
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, int) and not isinstance(raw, bool):
            number, unit = raw, ""
        else:
            text = "".join(unicodedata.normalize("NFKC", cell_text(raw)).split())
            if text == "" or text in _NO_LIMIT_WORDS:
                return default
            if text in _IMMEDIATE_WORDS:
                return 0
            match = _TIME_LIMIT.match(text)
            if not match:
                raise CellProblem(problem)
            number, word = int(match.group(1)), match.group(2) or ""
            unit = _CELL_UNITS.get(word.lstrip("个"), "")
            if word in ("天", "日"):
                unit = DAYS
        if not minimum <= number <= maximum:
            raise CellProblem(problem)
        return (number, unit) if unit else number

    return parse


def refuse_dates(raw) -> None:
    """A date or time in a number column: say it is one (Excel shows a number as a date when the
    column has a date format, and the clerk sees no number)."""
    if isinstance(raw, datetime.datetime | datetime.date | datetime.time | datetime.timedelta):
        raise CellProblem(messages.DATE_IN_NUMBER_CELL.format(date=date_text(raw)))


def date_text(raw) -> str:
    if isinstance(raw, datetime.datetime) and raw.time() == datetime.time():
        return raw.date().isoformat()
    if isinstance(raw, datetime.timedelta):
        return str(raw)
    return raw.isoformat()


_FEE_WORDS = {"收费": True, "不收费": False, "免费": False, "免收": False}


def parse_fee(raw) -> bool:
    """是否收费: yes / no, or the words 收费, 不收费, 免费."""
    key = label_key(cell_text(raw)) if raw.__class__ is str else None
    if key in _FEE_WORDS:
        return _FEE_WORDS[key]
    return parse_bool(raw)


class NationalCodes:
    """A choice parser that also takes the element's national code values (docs/excel-import.md),
    as text or as number cells."""

    def __init__(self, parser, codes):
        self.parser, self.codes = parser, codes
        self.problem = parser.problem

    def __call__(self, raw):
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        key = cell_text(raw)
        if key in self.codes:
            return self.codes[key]
        return self.parser(raw)


# 实施清单 element codes (docs/excel-import-names.md has their sources).
POWER_SOURCE_CODES = {
    "1": PowerSource.LOCAL_STATUTORY, "2": PowerSource.DELEGATED_BY_SUPERIOR,
    "3": PowerSource.AUTHORIZED_BY_SUPERIOR, "4": PowerSource.AUTHORIZED_BY_PEER,
    "5": PowerSource.ENTRUSTED_BY_SUPERIOR, "6": PowerSource.ENTRUSTED_BY_PEER,
}  # fmt: skip
HANDLING_TYPE_CODES = {"1": HandlingType.IMMEDIATE, "2": HandlingType.PROMISED}
STATUS_CODES = {"1": ItemStatus.ACTIVE, "2": ItemStatus.SUSPENDED, "3": ItemStatus.CANCELLED}
# GB/T 39046 annex A.2; 7 分级管理 names no tier and is refused.
TIER_CODES = {
    "1": Tier.NATIONAL, "2": Tier.PROVINCE, "3": Tier.CITY, "4": Tier.COUNTY,
    "5": Tier.TOWNSHIP, "6": Tier.VILLAGE,
}  # fmt: skip


def parse_tiers_or_codes(raw) -> int:
    """行使层级 as labels, or as the national codes joined (3,4) or one number cell (4)."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    parts = split_values(cell_text(raw), on_spaces=True)
    if parts and all(part in TIER_CODES for part in parts):
        mask = 0
        for part in parts:
            mask |= TIER_CODES[part]
        return mask
    return parse_tiers(raw)


# Excel keeps 15 significant digits of a number; a longer code typed into a number cell is
# rounded before it is saved, and the file no longer holds what the clerk typed.
_EXACT_DIGITS = 15
_E_NOTATION = re.compile(r"^\d+(?:\.\d+)?[eE][+-]?\d+$")


def code_cell_text(raw, *, lost_zero_length: int | None = None) -> str:
    """A code cell's exact text; CellProblem when the spreadsheet stored it as a number it has
    rounded, or (lost_zero_length) as a number that lost its leading zero."""
    if raw.__class__ is str and raw.isascii() and raw.isalnum():
        # Letters and digits only, as most codes are: nothing to trim or normalise.
        if ("e" in raw or "E" in raw) and _E_NOTATION.match(raw):
            raise CellProblem(messages.CODE_ROUNDED)
        return raw
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        if isinstance(raw, float) and (not raw.is_integer() or abs(raw) >= 10**_EXACT_DIGITS):
            raise CellProblem(messages.CODE_ROUNDED)
        digits = str(int(raw))
        if lost_zero_length is not None and len(digits) == lost_zero_length - 1:
            raise CellProblem(messages.BASIC_CODE_LOST_ZERO.format(digits=digits))
        return digits
    text = code_text(raw)
    if _E_NOTATION.match(text):
        raise CellProblem(messages.CODE_ROUNDED)
    return text


def rounded_code_text(raw) -> str:
    """How a rounded number cell is shown in an error: as the file stores it (9.14403e+17)."""
    if isinstance(raw, float) and abs(raw) >= 10**_EXACT_DIGITS:
        return repr(raw)
    return cell_text(raw)
