"""Year over year: the headline figures of two reports side by side, the change, and sentences
in the report's style ("网上可办的事项达到641项，占比94%，比2025年底提高3.2个百分点。").

Pure functions over two `Report`s (or their summary figures); no database access here.
"""

import datetime
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.choices import TimeUnit

from . import buckets
from .formatting import format_percent, percent_text


@dataclass(frozen=True)
class KeyRate:
    """A rate the comparison and the trend follow: its summary figure and how to say it."""

    key: str  # `<key>_percent` / `<key>_count` in summary figures
    label: Promise
    sentence: Promise  # %(count)s, %(percent)s, %(when)s, %(change)s


KEY_RATES = (
    KeyRate(
        buckets.IN_HALL.key,
        buckets.IN_HALL.label,
        gettext_lazy("进驻大厅的事项达到%(count)s项，占比%(percent)s，%(change)s。"),
    ),
    KeyRate(
        buckets.ONLINE.key,
        buckets.ONLINE.label,
        gettext_lazy("网上可办的事项达到%(count)s项，占比%(percent)s，%(change)s。"),
    ),
    KeyRate(
        buckets.MOBILE.key,
        buckets.MOBILE.label,
        gettext_lazy("支持指尖办理的事项达到%(count)s项，占比%(percent)s，%(change)s。"),
    ),
    KeyRate(
        "visits_0",
        gettext_lazy("0次跑动"),
        gettext_lazy("0次跑动的事项达到%(count)s项，占比%(percent)s，%(change)s。"),
    ),
    KeyRate(
        buckets.INSTANT_APPROVAL.key,
        buckets.INSTANT_APPROVAL.label,
        gettext_lazy("实现“秒批”的事项有%(count)s项，占比%(percent)s，%(change)s。"),
    ),
)
TIME_RATIO_LABEL = gettext_lazy("承诺时限占法定时限（%(unit)s）")
TIME_RATIO_SENTENCE = gettext_lazy(
    "以%(unit)s计的事项，承诺时限合计为法定时限的%(percent)s，%(change)s。"
)


def day_words(day: datetime.date) -> str:
    """How the report names a day: 2025年底 for a year's end, else 2025年6月30日."""
    if (day.month, day.day) == (12, 31):
        return _("%(year)s年底") % {"year": day.year}
    return _("%(year)s年%(month)s月%(day)s日") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def change_words(points: float, *, when: str) -> str:
    """比2025年底提高3.2个百分点 / 降低… / 与2025年底持平."""
    if points > 0:
        return _("比%(when)s提高%(points)s个百分点") % {"when": when, "points": f"{points:g}"}
    if points < 0:
        return _("比%(when)s降低%(points)s个百分点") % {"when": when, "points": f"{-points:g}"}
    return _("与%(when)s持平") % {"when": when}


def points(current: float, previous: float) -> float:
    return round(current - previous, 1)


def figures_change(current: dict, previous: dict) -> dict:
    """The change of every flat number of summary `figures` (counts, percent points)."""
    return {
        key: round(value - previous[key], 1) if isinstance(value, float) else value - previous[key]
        for key, value in current.items()
        if isinstance(value, int | float) and isinstance(previous.get(key), int | float)
    }


def key_rates(figures: dict) -> dict[str, float]:
    """The rates followed year over year and in the trend, by key (percent)."""
    rates = {rate.key: figures[f"{rate.key}_percent"] for rate in KEY_RATES}
    for unit in TimeUnit:
        rates[f"promised_to_legal_{unit.value}"] = figures["time_limits"][unit.value][
            "promised_to_legal_percent"
        ]
    return rates


def key_rate_labels() -> dict[str, str]:
    labels = {rate.key: str(rate.label) for rate in KEY_RATES}
    for unit in TimeUnit:
        labels[f"promised_to_legal_{unit.value}"] = str(TIME_RATIO_LABEL) % {"unit": unit.label}
    return labels


def comparison_rows(current: dict, previous: dict) -> list[dict]:
    """One row per key rate: label, the two percentages and the change in points."""
    now, then = key_rates(current), key_rates(previous)
    labels = key_rate_labels()
    return [
        {
            "key": key,
            "label": labels[key],
            "previous": then[key],
            "current": now[key],
            "change": points(now[key], then[key]),
        }
        for key in now
    ]


def comparison_sentences(current: dict, previous: dict, *, compare_to: datetime.date) -> dict:
    """A sentence per key rate saying its figure now and its change since `compare_to`."""
    when = day_words(compare_to)
    sentences = {}
    for rate in KEY_RATES:
        count = current[f"{rate.key}_count"]
        change = points(current[f"{rate.key}_percent"], previous[f"{rate.key}_percent"])
        sentences[rate.key] = str(rate.sentence) % {
            "count": count,
            "percent": percent_text(count, current["total"]),
            "change": change_words(change, when=when),
        }
    for unit in TimeUnit:
        now = current["time_limits"][unit.value]
        then = previous["time_limits"][unit.value]
        if not now["items"] or not then["items"]:
            continue
        sentences[f"promised_to_legal_{unit.value}"] = str(TIME_RATIO_SENTENCE) % {
            "unit": unit.label,
            "percent": format_percent(now["promised_to_legal_percent"]),
            "change": change_words(
                points(now["promised_to_legal_percent"], then["promised_to_legal_percent"]),
                when=when,
            ),
        }
    return sentences


def comparison_document(current: dict, previous: dict, *, compare_to: datetime.date) -> dict:
    """summary.json's `comparison`: the earlier figures, the change and the sentences."""
    return {
        "compare_to": compare_to.isoformat(),
        "figures": previous,
        "change": figures_change(current, previous),
        "rates": comparison_rows(current, previous),
        "sentences": comparison_sentences(current, previous, compare_to=compare_to),
    }
