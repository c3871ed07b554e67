"""Fixed lists of the national 实施清单 element set (see docs and shared/domain.md §2).

Values store the meaning in English; labels are the Chinese names staff use.
"""

from functools import reduce

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy


class DepartmentNature(models.TextChoices):
    LEGAL_AUTHORITY = "legal_authority", _("法定机关")
    AUTHORIZED_ORGANIZATION = "authorized_organization", _("授权组织")
    ENTRUSTED_ORGANIZATION = "entrusted_organization", _("受委托组织")


class ItemType(models.TextChoices):
    LICENSING = "licensing", _("行政许可")
    PENALTY = "penalty", _("行政处罚")
    COERCION = "coercion", _("行政强制")
    LEVY = "levy", _("行政征收")
    PAYMENT = "payment", _("行政给付")
    INSPECTION = "inspection", _("行政检查")
    CONFIRMATION = "confirmation", _("行政确认")
    REWARD = "reward", _("行政奖励")
    ADJUDICATION = "adjudication", _("行政裁决")
    OTHER_POWER = "other_power", _("其他行政权力")
    PUBLIC_SERVICE = "public_service", _("公共服务")
    FILING = "filing", _("行政备案")


# National codes of the item types; 行政备案 (added in 2022) has no code in the older lists.
ITEM_TYPE_NATIONAL_CODES = {
    "01": ItemType.LICENSING,
    "02": ItemType.PENALTY,
    "03": ItemType.COERCION,
    "04": ItemType.LEVY,
    "05": ItemType.PAYMENT,
    "06": ItemType.INSPECTION,
    "07": ItemType.CONFIRMATION,
    "08": ItemType.REWARD,
    "09": ItemType.ADJUDICATION,
    "10": ItemType.OTHER_POWER,
    "20": ItemType.PUBLIC_SERVICE,
}
# Guangdong's older system: 20 is 其他行政权力 there and 21 is 公共服务.
ITEM_TYPE_GUANGDONG_CODES = {
    **{code: value for code, value in ITEM_TYPE_NATIONAL_CODES.items() if code <= "09"},
    "20": ItemType.OTHER_POWER,
    "21": ItemType.PUBLIC_SERVICE,
}


class PowerSource(models.TextChoices):
    LOCAL_STATUTORY = "local_statutory", _("法定本级行使")
    DELEGATED_BY_SUPERIOR = "delegated_by_superior", _("上级下放")
    AUTHORIZED_BY_SUPERIOR = "authorized_by_superior", _("上级授权")
    AUTHORIZED_BY_PEER = "authorized_by_peer", _("同级授权")
    ENTRUSTED_BY_SUPERIOR = "entrusted_by_superior", _("上级委托")
    ENTRUSTED_BY_PEER = "entrusted_by_peer", _("同级委托")
    OTHER = "other", _("其他")


ENTRUSTED_POWER_SOURCES = (PowerSource.ENTRUSTED_BY_SUPERIOR, PowerSource.ENTRUSTED_BY_PEER)


class HandlingType(models.TextChoices):
    IMMEDIATE = "immediate", _("即办件")
    PROMISED = "promised", _("承诺件")


class Tier(models.IntegerChoices):
    """Administrative tiers, as bits of a set, from the highest to the lowest."""

    NATIONAL = 1, _("国家级")
    PROVINCE = 2, _("省级")
    CITY = 4, _("市级")
    COUNTY = 8, _("县级（区）")
    TOWNSHIP = 16, _("镇（乡、街道）级")
    VILLAGE = 32, _("村（社区）级")


# The report's short names; a district deployment calls the county tier 区.
TIER_SHORT_NAMES = {
    Tier.NATIONAL: "国",
    Tier.PROVINCE: "省",
    Tier.CITY: "市",
    Tier.COUNTY: "区",
    Tier.TOWNSHIP: "街",
    Tier.VILLAGE: "村",
}
ALL_TIERS_MASK = sum(Tier.values)


class OnlineDepth(models.IntegerChoices):
    LEVEL_1 = 1, _("Ⅰ级")
    LEVEL_2 = 2, _("Ⅱ级")
    LEVEL_3 = 3, _("Ⅲ级")
    LEVEL_4 = 4, _("Ⅳ级（全程网办）")


class MobileService(models.IntegerChoices):
    """Kinds of service offered on mobile channels (指尖办), as bits of a set."""

    LOOKUP = 1, _("查阅")
    APPOINTMENT = 2, _("预约")
    APPLICATION = 4, _("申办")
    CONSULTATION = 8, _("咨询")
    COMPLAINT = 16, _("投诉")


ALL_MOBILE_SERVICES_MASK = sum(MobileService.values)


class TimeUnit(models.TextChoices):
    WORKING_DAY = "working_day", _("工作日")
    NATURAL_DAY = "natural_day", _("自然日")


class ItemStatus(models.TextChoices):
    ACTIVE = "active", _("在用")
    SUSPENDED = "suspended", _("暂停")
    CANCELLED = "cancelled", _("取消")


_CHINESE_COUNTS = {2: "两", 3: "三", 4: "四", 5: "五", 6: "六"}


def tier_span_label(mask: int) -> str:
    """The report's name of a tier combination: 区本级, 市区两级, 省市区三级, …"""
    short_names = [TIER_SHORT_NAMES[tier] for tier in Tier if mask & tier]
    if not short_names:
        return ""
    if len(short_names) == 1:
        return f"{short_names[0]}本级"
    return f"{''.join(short_names)}{_CHINESE_COUNTS[len(short_names)]}级"


# The tier combination of an item is its tier set (`tiers`); nothing stores its name. These
# give tier_span_label()'s names in the active language: 市区两级 in Chinese, City–District
# in English.
TIER_SPAN_NAME = _("层级组合")
_TIER_SHORT_LABELS = {
    Tier.NATIONAL: pgettext_lazy("short tier name", "国"),
    Tier.PROVINCE: pgettext_lazy("short tier name", "省"),
    Tier.CITY: pgettext_lazy("short tier name", "市"),
    Tier.COUNTY: pgettext_lazy("short tier name", "区"),
    Tier.TOWNSHIP: pgettext_lazy("short tier name", "街"),
    Tier.VILLAGE: pgettext_lazy("short tier name", "村"),
}
_TIER_SPAN_FORMATS = {
    1: _("%(tiers)s本级"),
    2: _("%(tiers)s两级"),
    3: _("%(tiers)s三级"),
    4: _("%(tiers)s四级"),
    5: _("%(tiers)s五级"),
    6: _("%(tiers)s六级"),
}


def tier_span_display(mask: int) -> str:
    """The name of a tier combination in the active language (tier_span_label in Chinese)."""
    names = [str(_TIER_SHORT_LABELS[tier]) for tier in Tier if mask & tier]
    if not names:
        return ""
    tiers = reduce(
        lambda higher, lower: (
            pgettext("tier combination", "%(higher)s%(lower)s") % {"higher": higher, "lower": lower}
        ),
        names,
    )
    return str(_TIER_SPAN_FORMATS[len(names)]) % {"tiers": tiers}


def flags_of(mask: int, flags: type[models.IntegerChoices]) -> list:
    return [flag for flag in flags if mask & flag]


class ChangeSource(models.TextChoices):
    """How a recorded change to an item was made (shown on its history page)."""

    FORM = "form", _("表单编辑")
    IMPORT = "import", _("Excel 导入")
    ACTION = "action", _("批量操作")
    RESTORE = "restore", _("恢复历史版本")
    DEMO = "demo", _("载入演示目录")
    # The initial record migration 0009 wrote for an item created before bulk writes kept one.
    BACKFILL = "backfill", _("补录的初始记录")
    OTHER = "other", _("其他")
