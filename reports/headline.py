"""The report's heading and its band of key figures, from the figures alone.

Pure functions over `Report.figures` (summary.json `figures`), so that a report computed now, as
of a date or frozen earlier is headed the same way.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import buckets
from .formatting import format_percent

REPORT_NAME = gettext_lazy("政务服务事项统计报告")


@dataclass(frozen=True)
class KeyFigure:
    key: str  # stable, as in summary.json
    label: str
    value: str  # the large number
    unit: str = ""
    detail: str = ""  # what the number is of, in small print


def report_title() -> str:
    """ "深圳市光明区政务服务事项统计报告"; without REPORT_REGION only the report's name."""
    region = settings.REPORT_REGION
    if not region:
        return str(REPORT_NAME)
    return _("%(region)s%(name)s") % {"region": region, "name": REPORT_NAME}


def report_issuer() -> str:
    return settings.REPORT_ISSUER


def _share(figures: dict, bucket: buckets.Bucket, label) -> KeyFigure:
    return KeyFigure(
        key=bucket.key,
        label=str(label),
        value=format_percent(figures[f"{bucket.key}_percent"]),
        detail=_("%(count)s项") % {"count": figures[f"{bucket.key}_count"]},
    )


def _time_figure(figures: dict) -> KeyFigure:
    # The unit most items are counted in; 工作日 and 自然日 are never added together.
    units = [unit for unit in buckets.TIME_UNITS if figures["time_limits"][unit.key]["items"]]
    if not units:
        return KeyFigure(key="promised_to_legal", label=_("承诺/法定时限"), value="—")
    unit = max(units, key=lambda unit: figures["time_limits"][unit.key]["items"])
    times = figures["time_limits"][unit.key]
    return KeyFigure(
        key="promised_to_legal",
        label=_("承诺/法定时限"),
        value=format_percent(times["promised_to_legal_percent"]),
        detail=_("按%(unit)s计的%(count)s项") % {"unit": unit.label, "count": times["items"]},
    )


def key_figures(figures: dict) -> list[KeyFigure]:
    """事项总数, 进驻大厅, 网办, 指尖办, 0 次跑动, 秒批 and 承诺/法定时限, in that order."""
    return [
        KeyFigure(key="total", label=_("事项总数"), value=str(figures["total"]), unit=_("项")),
        _share(figures, buckets.IN_HALL, _("进驻大厅")),
        _share(figures, buckets.ONLINE, _("网办")),
        _share(figures, buckets.MOBILE, _("指尖办")),
        _share(figures, buckets.ONSITE_VISITS[0], _("0次跑动")),
        _share(figures, buckets.INSTANT_APPROVAL, _("秒批")),
        _time_figure(figures),
    ]
