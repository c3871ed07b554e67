"""Shaping of the report's statistics: Chart.js data, tables and one sentence per chart.

Pure functions over what `reports.selectors` returns; no database access here. Sentences follow
the style of the centre's own report ("网上可办的事项达到641项，占比94%。").
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from catalogue.choices import HandlingType, ItemType, MobileService, PowerSource, tier_span_display
from catalogue.text import end_sentence, join_list

from .selectors import LEGAL_LIMIT_BUCKETS, ONSITE_VISIT_BUCKETS, mobile_service_key

NO_ITEMS = gettext_lazy("当前筛选条件下没有事项。")
NO_DATA = gettext_lazy("暂无数据")
# Below this share a channel is described as "still few", as the report does for 一窗办理.
FEW_PERCENT = 50


def percent(part, whole, digits: int = 1) -> float:
    """`part` as a percentage of `whole`, rounded half up; 0 when `whole` is 0."""
    if not whole:
        return 0.0
    value = Decimal(str(part)) * 100 / Decimal(str(whole))
    return float(value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def format_percent(value: float) -> str:
    """94.0 → "94%", 26.9 → "26.9%"."""
    return f"{value:g}%"


def percent_text(part, whole, digits: int = 0) -> str:
    return format_percent(percent(part, whole, digits))


def average(total, count, digits: int = 1) -> float:
    if not count:
        return 0.0
    value = Decimal(str(total)) / Decimal(count)
    return float(value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def join_names(names: Sequence[str], *, more: bool = False) -> str:
    """["A", "B", "C"] → "A、B和C"; with `more` → "A、B、C等" (for names that may hold 和)."""
    names = [str(name) for name in names]
    if more:
        return _("%(names)s等") % {"names": join_list(names)}
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s和%(last)s") % {"first": join_list(names[:-1]), "last": names[-1]}


@dataclass(frozen=True)
class Dataset:
    label: str
    data: list
    # What the percentages of the table are of; None: the table shows none.
    base: float | None = None

    def percents(self) -> list[float | None]:
        if self.base is None:
            return [None for _value in self.data]
        return [percent(value, self.base) for value in self.data]


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    kind: str  # how static/js/reports/charts.js draws it: bar, hbar, doughnut, yes-no, dual-axis
    category: str  # heading of the label column of the table
    labels: list[str]
    datasets: list[Dataset]
    sentence: str
    unit: str = gettext_lazy("项")

    def as_chartjs(self) -> dict:
        return {
            "labels": self.labels,
            "datasets": [{"label": ds.label, "data": ds.data} for ds in self.datasets],
        }

    def as_page_data(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "unit": str(self.unit),
            "empty_text": str(NO_DATA),
            # Filled in by static/js/reports/charts.js; the punctuation differs by language.
            "tooltip_format": _("{label}：{value}{unit}（{share}%）"),
            "axis_title_format": _("{label}（{unit}）"),
            **self.as_chartjs(),
        }

    def table(self) -> dict:
        """Headers and rows `[label, value, percent, value, percent, …]` (percent may be None)."""
        headers = [self.category]
        for ds in self.datasets:
            headers.append(ds.label)
            if ds.base is not None:
                headers.append(_("占比"))
        rows = []
        for index, label in enumerate(self.labels):
            row = [label]
            for ds in self.datasets:
                row.append(ds.data[index])
                if ds.base is not None:
                    row.append(ds.percents()[index])
            rows.append(row)
        return {"headers": headers, "rows": rows}

    def column_kinds(self) -> list[str]:
        """What each column of `table()` holds: label, value or percent."""
        kinds = ["label"]
        for ds in self.datasets:
            kinds.append("value")
            if ds.base is not None:
                kinds.append("percent")
        return kinds

    def table_cells(self) -> dict:
        """The table with percentages as text, for templates."""
        table = self.table()
        kinds = self.column_kinds()
        rows = [
            [
                format_percent(cell) if kind == "percent" else cell
                for kind, cell in zip(kinds, row, strict=True)
            ]
            for row in table["rows"]
        ]
        return {"headers": table["headers"], "rows": rows}


def _yes_no(figures: dict, key: str, *, slug, title, category, sentence_many, sentence_few):
    total, yes = figures["total"], figures[key]
    if not total:
        sentence = str(NO_ITEMS)
    else:
        template = sentence_few if percent(yes, total) < FEW_PERCENT else sentence_many
        sentence = template % {"count": yes, "percent": percent_text(yes, total)}
    return Chart(
        slug=slug,
        title=title,
        kind="yes-no",
        category=category,
        labels=[_("是"), _("否")],
        datasets=[Dataset(label=_("事项数"), data=[yes, total - yes], base=total)],
        sentence=sentence,
    )


def department_chart(*, departments: list[dict]) -> Chart:
    labels = [row["department__short_name"] or row["department__name"] for row in departments]
    counts = [row["count"] for row in departments]
    total = sum(counts)
    if not total:
        sentence = str(NO_ITEMS)
    else:
        number = len(labels)
        sentence = ngettext(
            "目前共提供各类政务服务事项%(total)s项，",
            "目前共提供各类政务服务事项%(total)s项，",
            total,
        ) % {"total": total} + ngettext(
            "分布在%(names)s%(number)s个实施主体。", "分布在%(names)s%(number)s个实施主体。", number
        ) % {
            "names": join_names(labels[:4], more=True) if number > 1 else labels[0],
            "number": number,
        }
    return Chart(
        slug="department",
        title=_("实施主体事项分布"),
        kind="hbar",
        category=_("实施主体"),
        labels=labels,
        datasets=[Dataset(label=_("事项数"), data=counts, base=total)],
        sentence=sentence,
    )


def sector_chart(*, sectors: list[dict]) -> Chart:
    labels = [row["sector__name"] for row in sectors]
    counts = [row["count"] for row in sectors]
    total = sum(counts)
    if not total:
        sentence = str(NO_ITEMS)
    else:
        sentence = _("从事项所属行业来看，最多的是%(first)s，达到%(count)s项") % {
            "first": labels[0],
            "count": counts[0],
        }
        if len(labels) > 1:
            others = join_list(labels[1:4])
            if len(labels) > 4:
                others = _("%(names)s等") % {"names": others}
            sentence += _("，然后是%(names)s") % {"names": others}
        sentence += end_sentence()
    return Chart(
        slug="sector",
        title=_("所属行业事项分布"),
        kind="hbar",
        category=_("所属行业"),
        labels=labels,
        datasets=[Dataset(label=_("事项数"), data=counts, base=total)],
        sentence=sentence,
    )


def handling_type_chart(*, figures: dict) -> Chart:
    total = figures["total"]
    counts = {
        HandlingType.IMMEDIATE: figures["immediate"],
        HandlingType.PROMISED: figures["promised"],
    }
    if not total:
        sentence = str(NO_ITEMS)
    elif counts[HandlingType.IMMEDIATE] == counts[HandlingType.PROMISED]:
        sentence = _("从办件类型来看，即办件和承诺件各占50%。")
    else:
        more, fewer = sorted(counts, key=lambda kind: -counts[kind])
        sentence = _(
            "从办件类型来看，%(more)s较多，占比%(more_percent)s，%(fewer)s占比%(fewer_percent)s。"
        ) % {
            "more": more.label,
            "more_percent": percent_text(counts[more], total),
            "fewer": fewer.label,
            "fewer_percent": percent_text(counts[fewer], total),
        }
    return Chart(
        slug="handling-type",
        title=_("办件类型"),
        kind="doughnut",
        category=_("办件类型"),
        labels=[str(kind.label) for kind in counts],
        datasets=[Dataset(label=_("事项数"), data=list(counts.values()), base=total)],
        sentence=sentence,
    )


def item_type_chart(*, item_types: list[dict]) -> Chart:
    labels = [str(ItemType(row["item_type"]).label) for row in item_types]
    sub_items = [row["sub_items"] for row in item_types]
    main_items = [row["main_items"] for row in item_types]
    if not item_types:
        sentence = str(NO_ITEMS)
    else:
        sentence = _("从事项类型来看，目前%(type)s事项最多，大项%(main)s项（子项%(sub)s项）") % {
            "type": labels[0],
            "main": main_items[0],
            "sub": sub_items[0],
        }
        if len(labels) > 1:
            sentence += _("，然后是%(type)s，大项%(main)s项（子项%(sub)s项）") % {
                "type": labels[1],
                "main": main_items[1],
                "sub": sub_items[1],
            }
        sentence += end_sentence()
    return Chart(
        slug="item-type",
        title=_("事项类型"),
        kind="bar",
        category=_("事项类型"),
        labels=labels,
        datasets=[
            Dataset(label=_("子项"), data=sub_items, base=sum(sub_items)),
            Dataset(label=_("大项"), data=main_items, base=sum(main_items)),
        ],
        sentence=sentence,
    )


def power_source_chart(*, power_sources: list[dict]) -> Chart:
    labels = [str(PowerSource(row["power_source"]).label) for row in power_sources]
    counts = [row["count"] for row in power_sources]
    total = sum(counts)
    if not total:
        sentence = str(NO_ITEMS)
    else:
        sentence = _(
            "从权力来源来看，可分为%(names)s。其中，%(first)s的最多，达到%(percent)s。"
        ) % {
            "names": join_names(labels),
            "first": labels[0],
            "percent": percent_text(counts[0], total),
        }
    return Chart(
        slug="power-source",
        title=_("权力来源"),
        kind="doughnut",
        category=_("权力来源"),
        labels=labels,
        datasets=[Dataset(label=_("事项数"), data=counts, base=total)],
        sentence=sentence,
    )


def single_tier_count(tier_spans: list[dict]) -> int:
    return sum(row["count"] for row in tier_spans if row["mask"].bit_count() == 1)


def tier_span_chart(*, tier_spans: list[dict]) -> Chart:
    labels = [tier_span_display(row["mask"]) for row in tier_spans]
    counts = [row["count"] for row in tier_spans]
    total = sum(counts)
    single_tier = single_tier_count(tier_spans)
    if not total:
        sentence = str(NO_ITEMS)
    else:
        shares = [
            {"span": label, "percent": percent_text(count, total)}
            for label, count in zip(labels[:3], counts, strict=False)
        ]
        sentence = _("从行使层级来看，%(span)s的最多，达到%(percent)s") % shares[0]
        if len(shares) > 1:
            sentence += _("，其次是%(span)s，为%(percent)s") % shares[1]
        if len(shares) > 2:
            sentence += _("，%(span)s的为%(percent)s") % shares[2]
        sentence += _("。总体来看，仅在一个层级行使的占%(single)s，其他%(cross)s都是跨层级的。") % {
            "single": percent_text(single_tier, total),
            "cross": percent_text(total - single_tier, total),
        }
    return Chart(
        slug="tier-span",
        title=_("跨层级情况"),
        kind="bar",
        category=_("层级组合"),
        labels=labels,
        datasets=[Dataset(label=_("事项数"), data=counts, base=total)],
        sentence=sentence,
    )


def in_hall_chart(*, figures: dict) -> Chart:
    return _yes_no(
        figures,
        "in_hall",
        slug="in-hall",
        title=_("进驻大厅"),
        category=_("是否进驻大厅"),
        sentence_many=_("目前已有%(percent)s的事项进驻大厅，共%(count)s项，方便公众一站式办理。"),
        sentence_few=_("目前进驻大厅的事项还较少，仅有%(count)s项，占比%(percent)s。"),
    )


def one_window_chart(*, figures: dict) -> Chart:
    return _yes_no(
        figures,
        "one_window",
        slug="one-window",
        title=_("一窗办理"),
        category=_("是否一窗办理"),
        sentence_many=_("纳入一窗办理的较多，达到%(count)s项，占比%(percent)s。"),
        sentence_few=_("纳入一窗办理的目前还较少，仅有%(count)s个事项，占比%(percent)s。"),
    )


def comprehensive_window_chart(*, figures: dict) -> Chart:
    return _yes_no(
        figures,
        "comprehensive_window",
        slug="comprehensive-window",
        title=_("综合窗口受理"),
        category=_("是否综合窗口受理"),
        sentence_many=_("纳入综合窗口受理的较多，达到%(count)s项，占比%(percent)s。"),
        sentence_few=_("纳入综合窗口受理的目前还较少，仅有%(count)s项，占比%(percent)s。"),
    )


def online_chart(*, figures: dict) -> Chart:
    return _yes_no(
        figures,
        "is_online",
        slug="online",
        title=_("网上可办"),
        category=_("是否网办"),
        sentence_many=_("网上可办的事项达到%(count)s项，占比%(percent)s。"),
        sentence_few=_("网上可办的事项目前还较少，只有%(count)s项，占比%(percent)s。"),
    )


def mobile_chart(*, figures: dict) -> Chart:
    return _yes_no(
        figures,
        "is_mobile",
        slug="mobile",
        title=_("指尖可办"),
        category=_("是否指尖办"),
        sentence_many=_("支持指尖办理的事项达到%(count)s项，占比%(percent)s。"),
        sentence_few=_("目前支持指尖办理的还相对较少，只有%(count)s项，占比%(percent)s。"),
    )


def instant_approval_chart(*, figures: dict) -> Chart:
    chart = _yes_no(
        figures,
        "instant_approval",
        slug="instant-approval",
        title=_("秒批"),
        category=_("是否秒批"),
        sentence_many=_("已有%(count)s个事项实现了“秒批”，占比%(percent)s。"),
        sentence_few=_("已有%(count)s个事项实现了“秒批”，占比%(percent)s。"),
    )
    if figures["total"] and not figures["instant_approval"]:
        return replace(chart, sentence=_("目前还没有事项实现“秒批”。"))
    return chart


def mobile_service_chart(*, figures: dict) -> Chart:
    labels = [str(service.label) for service in MobileService]
    counts = [figures[mobile_service_key(service)] for service in MobileService]
    offered = [label for label, count in zip(labels, counts, strict=True) if count]
    if not figures["total"]:
        sentence = str(NO_ITEMS)
    elif not offered:
        sentence = _("目前没有事项提供指尖办服务。")
    else:
        sentence = _("可以通过指尖办理的事项中，主要提供%(names)s等服务。") % {
            "names": join_names(offered)
        }
    return Chart(
        slug="mobile-service",
        title=_("指尖办服务"),
        kind="bar",
        category=_("服务类型"),
        labels=labels,
        datasets=[Dataset(label=_("事项数"), data=counts, base=figures["is_mobile"])],
        sentence=sentence,
    )


def mobile_channel_chart(*, mobile_channels: list[dict], figures: dict) -> Chart:
    labels = [row["mobile_channels__name"] for row in mobile_channels]
    counts = [row["count"] for row in mobile_channels]
    used = [label for label, count in zip(labels, counts, strict=True) if count]
    if not figures["total"]:
        sentence = str(NO_ITEMS)
    elif not used:
        sentence = _("目前没有事项通过指尖办渠道提供服务。")
    else:
        sentence = _("指尖办渠道主要有%(names)s。") % {"names": join_names(used, more=True)}
    return Chart(
        slug="mobile-channel",
        title=_("指尖办渠道"),
        kind="bar",
        category=_("渠道"),
        labels=labels,
        datasets=[Dataset(label=_("事项数"), data=counts, base=figures["is_mobile"])],
        sentence=sentence,
    )


ONSITE_VISIT_LABELS = {
    "visits_0": gettext_lazy("0次"),
    "visits_1": gettext_lazy("1次"),
    "visits_2": gettext_lazy("2次"),
    "visits_3_plus": gettext_lazy("3次及以上"),
}


def onsite_visits_chart(*, figures: dict) -> Chart:
    total = figures["total"]
    counts = [figures[key] for key in ONSITE_VISIT_LABELS]
    if not total:
        sentence = str(NO_ITEMS)
    else:
        zero, one, two, more = (percent_text(count, total) for count in counts)
        sentence = _(
            "到现场次数方面，目前有%(zero)s的事项到现场0次即可，即不需要到现场，"
            "%(one)s的事项跑1次即可"
        ) % {"zero": zero, "one": one}
        if counts[2]:
            sentence += ngettext(
                "，需要到现场2次的有%(count)s项，占比%(percent)s",
                "，需要到现场2次的有%(count)s项，占比%(percent)s",
                counts[2],
            ) % {"count": counts[2], "percent": two}
        if counts[3]:
            sentence += ngettext(
                "，3次及以上的有%(count)s项，占比%(percent)s",
                "，3次及以上的有%(count)s项，占比%(percent)s",
                counts[3],
            ) % {"count": counts[3], "percent": more}
        sentence += end_sentence()
    return Chart(
        slug="onsite-visits",
        title=_("到办事现场次数"),
        kind="doughnut",
        category=_("到现场次数"),
        labels=[str(label) for label in ONSITE_VISIT_LABELS.values()],
        datasets=[Dataset(label=_("事项数"), data=counts, base=total)],
        sentence=sentence,
    )


LEGAL_LIMIT_LABELS = {
    "legal_upto_1": gettext_lazy("1天以内"),
    "legal_2_10": gettext_lazy("2-10天"),
    "legal_11_30": gettext_lazy("11-30天"),
    "legal_over_30": gettext_lazy("30天以上"),
}


def _left_out_sentence(figures: dict) -> str:
    left_out = figures["total"] - figures["timed"]
    if not left_out:
        return ""
    return _("另有%(count)s项没有法定办结时限，未计入。") % {"count": left_out}


def legal_time_chart(*, figures: dict) -> Chart:
    timed = figures["timed"]
    counts = [figures[key] for key in LEGAL_LIMIT_LABELS]
    if not figures["total"]:
        sentence = str(NO_ITEMS)
    elif not timed:
        sentence = _("当前没有设定法定办结时限的事项。")
    else:
        upto_1, upto_10, upto_30, over_30 = (percent_text(count, timed) for count in counts)
        sentence = _(
            "办理时间方面，从法定办结时限来看，1天以内办结的达到%(upto_1)s，2至10天的达到%(upto_10)s，"
            "11至30天的达到%(upto_30)s，30天以上的占%(over_30)s。"
        ) % {"upto_1": upto_1, "upto_10": upto_10, "upto_30": upto_30, "over_30": over_30}
        sentence += _left_out_sentence(figures)
    return Chart(
        slug="legal-time",
        title=_("法定办结时限"),
        kind="bar",
        category=_("法定办结时限"),
        labels=[str(label) for label in LEGAL_LIMIT_LABELS.values()],
        datasets=[Dataset(label=_("事项数"), data=counts, base=timed)],
        sentence=sentence,
    )


def time_figures(figures: dict) -> dict:
    """Totals, averages and ratios of the time limits, over the items that have both limits.

    The average ratio is that of the averages as shown (one decimal), as the report states it.
    """
    timed = figures["timed"]
    legal_days = figures["legal_days"] or 0
    promised_days = figures["promised_days"] or 0
    avg_legal = average(legal_days, timed)
    avg_promised = average(promised_days, timed)
    return {
        "items_with_time_limits": timed,
        "items_without_legal_limit": figures["total"] - timed,
        "legal_days_total": legal_days,
        "promised_days_total": promised_days,
        "promised_to_legal_ratio": round(promised_days / legal_days, 4) if legal_days else 0.0,
        "promised_to_legal_percent": percent(promised_days, legal_days),
        "avg_legal_days": avg_legal,
        "avg_promised_days": avg_promised,
        "avg_promised_to_legal_percent": percent(avg_promised, avg_legal),
    }


def time_compression_chart(*, figures: dict) -> Chart:
    times = time_figures(figures)
    if not figures["total"]:
        sentence = str(NO_ITEMS)
    elif not times["legal_days_total"]:
        sentence = _("当前没有可比较的法定办结时限。")
    else:
        sentence = _(
            "时间压缩方面，总体来看，承诺时间只有法定时间的%(ratio)s。平均法定时间为%(avg_legal)s天，"
            "而承诺时间已压缩至%(avg_promised)s天，仅占法定时间的%(avg_ratio)s。"
        ) % {
            "ratio": format_percent(times["promised_to_legal_percent"]),
            "avg_legal": f"{times['avg_legal_days']:g}",
            "avg_promised": f"{times['avg_promised_days']:g}",
            "avg_ratio": format_percent(times["avg_promised_to_legal_percent"]),
        }
        sentence += _left_out_sentence(figures)
    return Chart(
        slug="time-compression",
        title=_("法定时间与承诺时间"),
        kind="dual-axis",
        category=_("时限"),
        labels=[_("法定办结时限"), _("承诺办结时限")],
        datasets=[
            Dataset(
                label=_("合计"),
                data=[times["legal_days_total"], times["promised_days_total"]],
                base=times["legal_days_total"],
            ),
            Dataset(
                label=_("平均"),
                data=[times["avg_legal_days"], times["avg_promised_days"]],
                base=times["avg_legal_days"],
            ),
        ],
        sentence=sentence,
        unit=gettext_lazy("天"),
    )


@dataclass(frozen=True)
class ChartSpec:
    slug: str
    sources: tuple[str, ...]  # names of the selector results `build` takes
    build: Callable[..., Chart]


CHART_SPECS = {
    spec.slug: spec
    for spec in (
        ChartSpec("department", ("departments",), department_chart),
        ChartSpec("sector", ("sectors",), sector_chart),
        ChartSpec("handling-type", ("figures",), handling_type_chart),
        ChartSpec("item-type", ("item_types",), item_type_chart),
        ChartSpec("power-source", ("power_sources",), power_source_chart),
        ChartSpec("tier-span", ("tier_spans",), tier_span_chart),
        ChartSpec("in-hall", ("figures",), in_hall_chart),
        ChartSpec("one-window", ("figures",), one_window_chart),
        ChartSpec("comprehensive-window", ("figures",), comprehensive_window_chart),
        ChartSpec("online", ("figures",), online_chart),
        ChartSpec("mobile", ("figures",), mobile_chart),
        ChartSpec("mobile-channel", ("mobile_channels", "figures"), mobile_channel_chart),
        ChartSpec("mobile-service", ("figures",), mobile_service_chart),
        ChartSpec("onsite-visits", ("figures",), onsite_visits_chart),
        ChartSpec("instant-approval", ("figures",), instant_approval_chart),
        ChartSpec("legal-time", ("figures",), legal_time_chart),
        ChartSpec("time-compression", ("figures",), time_compression_chart),
    )
}

# The sections of the centre's report and the charts of each, in reading order.
SECTIONS = (
    ("overview", gettext_lazy("总体情况"), ("department", "sector")),
    ("categories", gettext_lazy("类别与来源"), ("handling-type", "item-type", "power-source")),
    ("tiers", gettext_lazy("跨层级情况"), ("tier-span",)),
    ("hall", gettext_lazy("大厅办与窗口办"), ("in-hall", "one-window", "comprehensive-window")),
    (
        "channels",
        gettext_lazy("网办、指尖办和现场办"),
        ("online", "mobile", "mobile-service", "mobile-channel", "onsite-visits"),
    ),
    ("instant", gettext_lazy("秒批"), ("instant-approval",)),
    ("time", gettext_lazy("法定时间和承诺时间"), ("legal-time", "time-compression")),
)


def build_chart(slug: str, sources: dict) -> Chart:
    spec = CHART_SPECS[slug]
    return spec.build(**{name: sources[name] for name in spec.sources})


def summary_figures(*, figures: dict, tier_spans: list[dict], item_types: list[dict]) -> dict:
    """The headline figures of the report, by name (summary.json `figures`)."""
    total = figures["total"]
    result = {"total": total}
    named = {
        "immediate": "immediate",
        "promised": "promised",
        "in_hall": "in_hall",
        "one_window": "one_window",
        "comprehensive_window": "comprehensive_window",
        "is_online": "online",
        "is_mobile": "mobile",
        "instant_approval": "instant_approval",
        **{key: key for key in ONSITE_VISIT_BUCKETS},
    }
    for key, name in named.items():
        result[f"{name}_count"] = figures[key]
        result[f"{name}_percent"] = percent(figures[key], total)
    for key in LEGAL_LIMIT_BUCKETS:
        result[f"{key}_count"] = figures[key]
        result[f"{key}_percent"] = percent(figures[key], figures["timed"])
    single_tier = single_tier_count(tier_spans)
    result["single_tier_percent"] = percent(single_tier, total)
    result["cross_tier_percent"] = percent(total - single_tier, total)
    result["tier_span_percent"] = {
        row["tier_span"]: percent(row["count"], total) for row in tier_spans
    }
    result["item_types"] = {
        str(ItemType(row["item_type"]).label): {
            "sub_items": row["sub_items"],
            "main_items": row["main_items"],
        }
        for row in item_types
    }
    result.update(time_figures(figures))
    return result
