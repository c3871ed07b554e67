"""The Excel columns of the catalogue: header, model field, how a cell is read and written.

This order is the contract departments rely on (template, export and import). Each column's
limits (lengths, ranges, patterns, defaults) come from its model field; the headers are written
only here, and other code refers to a column by its field (`COLUMN_BY_FIELD["department"]`).
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from catalogue.choices import (
    HandlingType,
    ItemStatus,
    ItemType,
    MobileService,
    OnlineDepth,
    PowerSource,
    Tier,
    TimeUnit,
    flags_of,
)
from catalogue.models import ServiceItem

from . import values as v
from .header_names import HEADER_NAMES, UNIT_HEADER_NAMES


class Kind:
    TEXT = "text"
    CODE = "code"
    BOOL = "bool"
    CHOICE = "choice"
    NUMBER = "number"
    FLAGS = "flags"
    DEPARTMENT = "department"
    SECTOR = "sector"
    MAIN_ITEM = "main_item"
    CHANNELS = "channels"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str
    parse: Any = None  # raw cell -> value; reference kinds are parsed with the lookups
    required: bool = False  # the column must be in the file
    max_length: int | None = None
    choices: Any = None  # TextChoices / IntegerChoices whose labels the template offers
    allowed: Any = ""  # what the template's explanation sheet says (a lazy translation)
    aliases: tuple[str, ...] = field(default=())
    minimum: int | None = None  # numbers only
    maximum: int | None = None
    pattern: re.Pattern | None = None  # codes only: what a value must match
    default: Any = None  # what an empty cell of a number column means
    unit_field: str | None = None  # time limits: the field of the unit column beside them


def model_field(name: str) -> models.Field:
    return ServiceItem._meta.get_field(name)


def field_limits(name: str) -> dict[str, Any]:
    """The limits a column takes from its model field, so that they are written only there.

    Text: max_length (a reference's: that of the name it is looked up by). Numbers: the range of
    the column type narrowed by the field's own validators, and the default. Codes: the pattern
    of the field's RegexValidator.
    """
    model = model_field(name)
    if model.is_relation:
        return {"max_length": model.related_model._meta.get_field("name").max_length}
    limits = {"max_length": model.max_length}
    if isinstance(model, models.IntegerField):
        minimum, maximum = BaseDatabaseOperations.integer_field_ranges[model.get_internal_type()]
        for validator in model._validators:  # declared ones, not the backend's range
            if isinstance(validator, MinValueValidator):
                minimum = max(minimum, validator.limit_value)
            elif isinstance(validator, MaxValueValidator):
                maximum = min(maximum, validator.limit_value)
        limits.update(minimum=minimum, maximum=maximum, default=model.get_default())
    patterns = [v.regex for v in model.validators if isinstance(v, RegexValidator)]
    if patterns:
        limits["pattern"] = patterns[0]
    return limits


def _column(header, name, kind, parse=None, *, limits_text=None, **options) -> Column:
    """A column with its field's limits; `limits_text`: an `allowed` text naming them
    ({max_length}, {minimum}, {maximum}, {default})."""
    limits = field_limits(name)
    if kind == Kind.NUMBER:
        parse = v.whole_number_parser(
            minimum=limits["minimum"], maximum=limits["maximum"], default=limits["default"]
        )
    if limits_text is not None:
        options["allowed"] = format_lazy(limits_text, **limits)
    # Other systems' names of the column (header_names.py), the template's header excluded.
    names = {**HEADER_NAMES, **UNIT_HEADER_NAMES}[name]
    options["aliases"] = tuple(alias for alias in names if alias != header)
    return Column(header, name, kind, parse, **limits, **options)


def _text(header, name, **options):
    return _column(header, name, Kind.TEXT, **options)


def _bool(header, name):
    return _column(header, name, Kind.BOOL, v.parse_bool, allowed=_("是、否"))


COLUMNS = (
    _column("实施编码", "code", Kind.CODE, required=True,
            limits_text=_("必填，最多 {max_length} 位，文件内不能重复；已有编码则更新该事项")),
    _text("事项名称", "name", required=True, limits_text=_("必填，最多 {max_length} 字")),
    _column("基本编码", "basic_code", Kind.CODE,
            limits_text=_("{max_length} 位数字或字母，可不填")),
    _column("主项名称", "main_item", Kind.MAIN_ITEM,
            allowed=_("同一实施主体下的主项名称；系统中没有的会自动新建；不填表示本事项自成一个大项")),
    _column("实施主体", "department", Kind.DEPARTMENT, required=True,
            allowed=_("必填，须为系统中已有的实施主体名称")),
    _column("所属行业", "sector", Kind.SECTOR, required=True,
            allowed=_("必填，须为系统中已有的行业/领域名称")),
    _column("事项类型", "item_type", Kind.CHOICE, v.parse_item_type, required=True,
            choices=ItemType, allowed=_("必填；名称或国家代码 01–10、20（公共服务）")),
    _column("权力来源", "power_source", Kind.CHOICE,
            v.NationalCodes(v.parse_power_source, v.POWER_SOURCE_CODES), choices=PowerSource,
            allowed=_("不填为“法定本级行使”")),
    _text("委托部门", "entrusting_body", allowed=_("权力来源为委托时必填")),
    _column("办件类型", "handling_type", Kind.CHOICE,
            v.NationalCodes(v.parse_handling_type, v.HANDLING_TYPE_CODES), required=True,
            choices=HandlingType, allowed=_("必填")),
    _column("行使层级", "tiers", Kind.FLAGS, v.parse_tiers_or_codes, required=True, choices=Tier,
            allowed=format_lazy(_("必填；{}；也可填“市区两级”等层级组合"), v.TIER_ALLOWED)),
    _bool("是否进驻大厅", "in_hall"),
    _bool("是否一窗办理", "one_window"),
    _bool("是否综合窗口受理", "comprehensive_window"),
    _bool("是否网办", "is_online"),
    _column("网上办理深度", "online_depth", Kind.CHOICE, v.parse_online_depth,
            choices=OnlineDepth,
            allowed=_("Ⅰ、Ⅱ、Ⅲ、Ⅳ（也可填 I–IV、1–4、一级–四级）；只有可网办的事项填写")),
    _bool("是否指尖办", "is_mobile"),
    _column("指尖办渠道", "mobile_channels", Kind.CHANNELS,
            allowed=_("系统中已有的渠道名称，可多选，用“、”分隔；只有可指尖办的事项填写")),
    _column("指尖办服务", "mobile_services", Kind.FLAGS, v.parse_mobile_services,
            choices=MobileService,
            allowed=format_lazy(_("{}；只有可指尖办的事项填写"), v.SERVICE_ALLOWED)),
    _column("到办事现场次数", "onsite_visits", Kind.NUMBER,
            limits_text=_("{minimum} 到 {maximum} 的整数，不填为 {default}；"
                          "大于 0 时须填写必须现场办理原因")),
    _text("必须现场办理原因", "onsite_reason"),
    _bool("是否秒批", "instant_approval"),
    _column("法定办结时限", "legal_limit", Kind.NUMBER,
            allowed=_("整数（天），无法定时限的不填"), unit_field="legal_limit_unit"),
    _column("法定时限单位", "legal_limit_unit", Kind.CHOICE, v.parse_legal_unit,
            choices=TimeUnit, allowed=_("填写了法定办结时限时必填")),
    _column("承诺办结时限", "promised_limit", Kind.NUMBER,
            allowed=_("整数（天），即办件填 0，不能超过法定办结时限"),
            unit_field="promised_limit_unit"),
    _column("承诺时限单位", "promised_limit_unit", Kind.CHOICE, v.parse_promised_unit,
            choices=TimeUnit, allowed=_("不填为“工作日”")),
    _text("设定依据", "legal_basis"),
    _text("办理地点", "location"),
    _text("咨询电话", "consult_phone"),
    _text("监督投诉电话", "complaint_phone"),
    _column("是否收费", "charges_fee", Kind.BOOL, v.parse_fee, allowed=_("是、否")),
    _text("收费依据", "fee_basis", allowed=_("收费事项必填")),
    _column("事项状态", "status", Kind.CHOICE,
            v.NationalCodes(v.parse_status, v.STATUS_CODES), choices=ItemStatus,
            allowed=_("不填为“在用”")),
)  # fmt: skip

HEADERS = tuple(column.header for column in COLUMNS)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
REQUIRED_HEADERS = tuple(column.header for column in COLUMNS if column.required)
# The model fields an import writes (all but the many-to-many).
FIELD_NAMES = tuple(column.field for column in COLUMNS if column.kind != Kind.CHANNELS)


def header_lookup() -> dict[str, Column]:
    """Normalised header (simplified, half-width, no spaces or * marks) -> column."""
    lookup = {}
    for column in COLUMNS:
        for name in (column.header, *column.aliases):
            lookup[header_key(name)] = column
    return lookup


def header_key(text) -> str:
    return v.label_key(v.cell_text(text)).lstrip("*")


# ---------------------------------------------------------------------------------------------
# Writing cells (export and template). Values come from `.values()` rows, see exporting.py.


def _label_renderer(choices):
    labels = {value: v.contract_text(label) for value, label in choices.choices}
    return lambda value: labels.get(value, "") if value not in (None, "") else ""


def _flags_renderer(flags):
    cache = {}

    def render(mask):
        if mask not in cache:
            cache[mask] = "、".join(
                v.contract_text(flag.label) for flag in flags_of(mask or 0, flags)
            )
        return cache[mask]

    return render


def _bool_renderer(value):
    return "是" if value else "否"


def _number_renderer(value):
    return value  # stays a number cell; None stays blank


def cell_renderers() -> dict[str, Any]:
    renderers = {}
    for column in COLUMNS:
        if column.kind == Kind.BOOL:
            renderers[column.field] = _bool_renderer
        elif column.kind == Kind.FLAGS:
            renderers[column.field] = _flags_renderer(column.choices)
        elif column.kind == Kind.CHOICE:
            renderers[column.field] = _label_renderer(column.choices)
        elif column.kind == Kind.NUMBER:
            renderers[column.field] = _number_renderer
        else:
            renderers[column.field] = None  # text as it is
    return renderers
