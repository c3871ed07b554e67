"""The report's charts: Chart.js data, a table and one sentence each, and their registry.

Pure functions over what `reports.selectors` returns; no database access here. Sentences follow
the style of the centre's own report ("网上可办的事项达到641项，占比94%。"). Bucket keys and
labels come from `reports.buckets`; numbers are written by `reports.formatting`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from catalogue.choices import ItemType, PowerSource, tier_span_display
from catalogue.text import end_sentence, join_list

from . import buckets
from .buckets import Bucket
from .formatting import average, format_days, format_percent, join_names, percent, percent_text

NO_ITEMS = gettext_lazy("当前筛选条件下没有事项。")
CLAUSE_SEPARATOR = pgettext_lazy("clause separator", "，")
NO_DATA = gettext_lazy("暂无数据")
ITEMS_UNIT = gettext_lazy("项")
# Below this share a channel is described as "still few", as the report does for 一窗办理.
FEW_PERCENT = 50
# Sentences name at most this many departments, sectors or spans, then say 等.
NAMED_AT_MOST = 4


@dataclass(frozen=True)
class Dataset:
    label: str
    data: list
    # What the percentages of the table are of: one figure, one per value, or None (no column).
    base: float | list | None = None

    def percents(self) -> list[float | None]:
        if self.base is None:
            return [None for _value in self.data]
        bases = self.base if isinstance(self.base, list) else [self.base] * len(self.data)
        return [percent(value, base) for value, base in zip(self.data, bases, strict=True)]


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    kind: str  # how static/js/reports/charts.js draws it: bar, hbar, doughnut, yes-no, dual-axis
    category: str  # heading of the label column of the table
    labels: list[str]
    datasets: list[Dataset]
    sentence: str
    unit: str = ITEMS_UNIT
    # How the figures are counted, where the reader needs telling (shown under the chart).
    note: str = ""

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
            headers.append(self.value_header(ds))
            if ds.base is not None:
                headers.append(_("占比"))
        # Each dataset's percentages once: a table has a row per label (1,240 departments in a
        # province's catalogue), and a column of them per row would cost n² percentages.
        columns = [
            (ds.data, ds.percents() if ds.base is not None else None) for ds in self.datasets
        ]
        rows = []
        for index, label in enumerate(self.labels):
            row = [label]
            for data, percents in columns:
                row.append(data[index])
                if percents is not None:
                    row.append(percents[index])
            rows.append(row)
        return {"headers": headers, "rows": rows}

    def value_header(self, dataset: Dataset) -> str:
        """A value column's heading: the dataset, and its unit where it is not 项 (天)."""
        if str(self.unit) == str(ITEMS_UNIT):
            return dataset.label
        return _("%(label)s（%(unit)s）") % {"label": dataset.label, "unit": self.unit}

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


# Kind, title and heading of the label column of each chart but the yes/no ones (YES_NO_CHARTS).
CHART_HEADS = {
    "department": ("hbar", gettext_lazy("实施主体事项分布"), gettext_lazy("实施主体")),
    "sector": ("hbar", gettext_lazy("所属行业事项分布"), gettext_lazy("所属行业")),
    "handling-type": ("doughnut", gettext_lazy("办件类型"), gettext_lazy("办件类型")),
    "power-source": ("doughnut", gettext_lazy("权力来源"), gettext_lazy("权力来源")),
    "tier-span": ("bar", gettext_lazy("跨层级情况"), gettext_lazy("层级组合")),
    "mobile-service": ("bar", gettext_lazy("指尖办服务"), gettext_lazy("服务类型")),
    "mobile-channel": ("bar", gettext_lazy("指尖办渠道"), gettext_lazy("渠道")),
    "onsite-visits": ("doughnut", gettext_lazy("到办事现场次数"), gettext_lazy("到现场次数")),
    "legal-time": ("bar", gettext_lazy("法定办结时限"), gettext_lazy("法定办结时限")),
    "item-type": ("bar", gettext_lazy("事项类型"), gettext_lazy("事项类型")),
    "time-compression": ("dual-axis", gettext_lazy("法定时间与承诺时间"), gettext_lazy("时限")),
}


def headed_chart(slug: str, labels: list, datasets: list, *, head=None, **fields) -> Chart:
    """A chart with its kind, title and category from `head` or CHART_HEADS."""
    kind, title, category = head or CHART_HEADS[slug]
    return Chart(
        slug=slug,
        title=str(title),
        kind=kind,
        category=str(category),
        labels=labels,
        datasets=datasets,
        **fields,
    )


def item_count_chart(slug: str, labels: list, counts: list, *, base, sentence: str, head=None):
    """The report's usual chart: one series, the number of items of each label."""
    datasets = [Dataset(label=_("事项数"), data=counts, base=base)]
    return headed_chart(slug, labels, datasets, head=head, sentence=sentence)


@dataclass(frozen=True)
class YesNoChart:
    """A chart of the items in one bucket and the others; its title is the bucket's label."""

    bucket: Bucket
    slug: str
    category: Promise
    sentence_many: Promise  # share at or above FEW_PERCENT
    sentence_few: Promise
    sentence_none: Promise  # no item in the bucket: "only 0 items, 0%" reads wrong


YES_NO_CHARTS = (
    YesNoChart(
        buckets.IN_HALL,
        "in-hall",
        gettext_lazy("是否进驻大厅"),
        gettext_lazy("目前已有%(percent)s的事项进驻大厅，共%(count)s项，方便公众一站式办理。"),
        gettext_lazy("目前进驻大厅的事项还较少，仅有%(count)s项，占比%(percent)s。"),
        gettext_lazy("目前还没有事项进驻大厅。"),
    ),
    YesNoChart(
        buckets.ONE_WINDOW,
        "one-window",
        gettext_lazy("是否一窗办理"),
        gettext_lazy("纳入一窗办理的较多，达到%(count)s项，占比%(percent)s。"),
        gettext_lazy("纳入一窗办理的目前还较少，仅有%(count)s个事项，占比%(percent)s。"),
        gettext_lazy("目前还没有事项纳入一窗办理。"),
    ),
    YesNoChart(
        buckets.COMPREHENSIVE_WINDOW,
        "comprehensive-window",
        gettext_lazy("是否综合窗口受理"),
        gettext_lazy("纳入综合窗口受理的较多，达到%(count)s项，占比%(percent)s。"),
        gettext_lazy("纳入综合窗口受理的目前还较少，仅有%(count)s项，占比%(percent)s。"),
        gettext_lazy("目前还没有事项纳入综合窗口受理。"),
    ),
    YesNoChart(
        buckets.ONLINE,
        "online",
        gettext_lazy("是否网办"),
        gettext_lazy("网上可办的事项达到%(count)s项，占比%(percent)s。"),
        gettext_lazy("网上可办的事项目前还较少，只有%(count)s项，占比%(percent)s。"),
        gettext_lazy("目前还没有网上可办的事项。"),
    ),
    YesNoChart(
        buckets.MOBILE,
        "mobile",
        gettext_lazy("是否指尖办"),
        gettext_lazy("支持指尖办理的事项达到%(count)s项，占比%(percent)s。"),
        gettext_lazy("目前支持指尖办理的还相对较少，只有%(count)s项，占比%(percent)s。"),
        gettext_lazy("目前还没有支持指尖办理的事项。"),
    ),
    YesNoChart(
        buckets.INSTANT_APPROVAL,
        "instant-approval",
        gettext_lazy("是否秒批"),
        gettext_lazy("已有%(count)s个事项实现了“秒批”，占比%(percent)s。"),
        gettext_lazy("已有%(count)s个事项实现了“秒批”，占比%(percent)s。"),
        sentence_none=gettext_lazy("目前还没有事项实现“秒批”。"),
    ),
)


def yes_no_chart(definition: YesNoChart, *, figures: dict) -> Chart:
    total, yes = figures["total"], figures[definition.bucket.key]
    if not total:
        sentence = str(NO_ITEMS)
    elif not yes:
        sentence = str(definition.sentence_none)
    else:
        few = percent(yes, total) < FEW_PERCENT
        template = definition.sentence_few if few else definition.sentence_many
        sentence = str(template) % {"count": yes, "percent": percent_text(yes, total)}
    head = ("yes-no", definition.bucket.label, definition.category)
    labels = [_("是"), _("否")]
    return item_count_chart(
        definition.slug, labels, [yes, total - yes], base=total, sentence=sentence, head=head
    )


def channel_comparison_chart(*, figures: dict) -> Chart:
    """The six yes/no statistics side by side: one bar each, 是 and 否 of all items."""
    total = figures["total"]
    counts = [figures[bucket.key] for bucket in buckets.YES_NO]
    labels = [str(bucket.label) for bucket in buckets.YES_NO]
    if not total:
        sentence = str(NO_ITEMS)
    elif len(set(counts)) == 1:
        sentence = _("%(total)s项事项中，各渠道的占比均为%(percent)s。") % {
            "total": total,
            "percent": percent_text(counts[0], total),
        }
    else:
        most = max(range(len(counts)), key=lambda index: counts[index])
        least = min(range(len(counts)), key=lambda index: counts[index])
        sentence = _(
            "%(total)s项事项中，%(most)s的占比最高，为%(most_percent)s；"
            "%(least)s的最低，为%(least_percent)s。"
        ) % {
            "total": total,
            "most": labels[most],
            "most_percent": percent_text(counts[most], total),
            "least": labels[least],
            "least_percent": percent_text(counts[least], total),
        }
    return Chart(
        slug="channels",
        title=_("办理渠道对比"),
        kind="stacked-hbar",
        category=_("渠道"),
        labels=labels,
        datasets=[
            Dataset(label=_("是"), data=counts, base=total),
            Dataset(label=_("否"), data=[total - count for count in counts], base=total),
        ],
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
        ) % {"total": total}
        if number == 1:
            sentence += _("全部由%(name)s实施。") % {"name": labels[0]}
        elif number <= NAMED_AT_MOST:
            sentence += _("分布在%(names)s共%(number)s个实施主体。") % {
                "names": join_names(labels),
                "number": number,
            }
        else:
            sentence += _("分布在%(names)s%(number)s个实施主体。") % {
                "names": join_names(labels[:NAMED_AT_MOST], more=True),
                "number": number,
            }
    return item_count_chart("department", labels, counts, base=total, sentence=sentence)


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
    return item_count_chart("sector", labels, counts, base=total, sentence=sentence)


def handling_type_chart(*, figures: dict) -> Chart:
    total = figures["total"]
    counts = {bucket: figures[bucket.key] for bucket in buckets.HANDLING_TYPES}
    if not total:
        sentence = str(NO_ITEMS)
    elif len(set(counts.values())) == 1:
        sentence = _("从办件类型来看，即办件和承诺件各占%(percent)s。") % {
            "percent": format_percent(50.0)
        }
    elif not all(counts.values()):
        only = next(bucket for bucket, count in counts.items() if count)
        sentence = _("从办件类型来看，全部为%(kind)s。") % {"kind": only.label}
    else:
        more, fewer = sorted(counts, key=lambda bucket: -counts[bucket])
        sentence = _(
            "从办件类型来看，%(more)s较多，占比%(more_percent)s，%(fewer)s占比%(fewer_percent)s。"
        ) % {
            "more": more.label,
            "more_percent": percent_text(counts[more], total),
            "fewer": fewer.label,
            "fewer_percent": percent_text(counts[fewer], total),
        }
    return item_count_chart(
        "handling-type",
        [str(bucket.label) for bucket in counts],
        list(counts.values()),
        base=total,
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
    return headed_chart(
        "item-type",
        labels,
        [
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
    elif len(labels) == 1:
        sentence = _("从权力来源来看，全部为%(name)s。") % {"name": labels[0]}
    else:
        sentence = _(
            "从权力来源来看，可分为%(names)s。其中，%(first)s的最多，达到%(percent)s。"
        ) % {
            "names": join_names(labels),
            "first": labels[0],
            "percent": percent_text(counts[0], total),
        }
    return item_count_chart("power-source", labels, counts, base=total, sentence=sentence)


def single_tier_count(tier_spans: list[dict]) -> int:
    return sum(row["count"] for row in tier_spans if row["tiers"].bit_count() == 1)


def tier_span_chart(*, tier_spans: list[dict]) -> Chart:
    labels = [tier_span_display(row["tiers"]) for row in tier_spans]
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
        if len(shares) == 1:
            sentence = _("从行使层级来看，全部为%(span)s。") % shares[0]
        else:
            sentence = _("从行使层级来看，%(span)s的最多，达到%(percent)s") % shares[0]
            sentence += _("，其次是%(span)s，为%(percent)s") % shares[1]
            if len(shares) > 2:
                sentence += _("，%(span)s的为%(percent)s") % shares[2]
            sentence += end_sentence()
        if not single_tier:
            sentence += _("总体来看，全部事项都是跨层级的。")
        elif single_tier == total:
            sentence += _("总体来看，全部事项仅在一个层级行使。")
        else:
            sentence += _(
                "总体来看，仅在一个层级行使的占%(single)s，其他%(cross)s都是跨层级的。"
            ) % {
                "single": percent_text(single_tier, total),
                "cross": percent_text(total - single_tier, total),
            }
    return item_count_chart("tier-span", labels, counts, base=total, sentence=sentence)


def mobile_service_chart(*, figures: dict) -> Chart:
    labels = [str(bucket.label) for bucket in buckets.MOBILE_SERVICES]
    counts = [figures[bucket.key] for bucket in buckets.MOBILE_SERVICES]
    offered = [label for label, count in zip(labels, counts, strict=True) if count]
    if not figures["total"]:
        sentence = str(NO_ITEMS)
    elif not offered:
        sentence = _("目前没有事项提供指尖办服务。")
    else:
        sentence = _("可以通过指尖办理的事项中，主要提供%(names)s等服务。") % {
            "names": join_names(offered)
        }
    return item_count_chart(
        "mobile-service", labels, counts, base=figures[buckets.MOBILE.key], sentence=sentence
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
    return item_count_chart(
        "mobile-channel", labels, counts, base=figures[buckets.MOBILE.key], sentence=sentence
    )


def onsite_visits_chart(*, figures: dict) -> Chart:
    total = figures["total"]
    counts = [figures[bucket.key] for bucket in buckets.ONSITE_VISITS]
    if not total:
        sentence = str(NO_ITEMS)
    else:
        # Only the visit counts some item has: "0.0% of the items need no visit" says nothing.
        clauses = (
            _("目前有%(percent)s的事项到现场0次即可，即不需要到现场"),
            _("%(percent)s的事项跑1次即可"),
            _("需要到现场2次的有%(count)s项，占比%(percent)s"),
            _("3次及以上的有%(count)s项，占比%(percent)s"),
        )
        parts = [
            clause % {"count": count, "percent": percent_text(count, total)}
            for clause, count in zip(clauses, counts, strict=True)
            if count
        ]
        sentence = _("到现场次数方面，") + str(CLAUSE_SEPARATOR).join(parts) + end_sentence()
    return item_count_chart(
        "onsite-visits",
        [str(bucket.label) for bucket in buckets.ONSITE_VISITS],
        counts,
        base=total,
        sentence=sentence,
    )


def _left_out_sentence(figures: dict) -> str:
    left_out = figures["total"] - figures["timed"]
    if not left_out:
        return ""
    return _("另有%(count)s项没有法定办结时限，未计入。") % {"count": left_out}


def legal_time_chart(*, figures: dict) -> Chart:
    timed = figures["timed"]
    counts = [figures[bucket.key] for bucket in buckets.LEGAL_LIMITS]
    if not figures["total"]:
        sentence = str(NO_ITEMS)
    elif not timed:
        sentence = _("当前没有设定法定办结时限的事项。")
    else:
        pairs = zip(buckets.LEGAL_LIMITS, counts, strict=True)
        used = [(bucket, count) for bucket, count in pairs if count]
        if len(used) == 1:
            sentence = _("办理时间方面，设定了法定办结时限的事项，时限都在%(limit)s。") % {
                "limit": used[0][0].label
            }
        else:
            sentence = (
                _("办理时间方面，从法定办结时限来看，")
                + str(CLAUSE_SEPARATOR).join(
                    _("%(limit)s的占%(percent)s")
                    % {"limit": bucket.label, "percent": percent_text(count, timed)}
                    for bucket, count in used
                )
                + end_sentence()
            )
        sentence += _left_out_sentence(figures)
    return item_count_chart(
        "legal-time",
        [str(bucket.label) for bucket in buckets.LEGAL_LIMITS],
        counts,
        base=timed,
        sentence=sentence,
    )


def unit_time_figures(figures: dict, unit: Bucket) -> dict:
    """Totals, averages and ratios of the items whose two limits are both in `unit`.

    The average ratio is that of the averages as shown (one decimal), as the report states it.
    """
    keys = buckets.time_unit_keys(unit)
    items = figures[keys["items"]]
    legal_days = figures[keys["legal_days"]] or 0
    promised_days = figures[keys["promised_days"]] or 0
    avg_legal = average(legal_days, items)
    avg_promised = average(promised_days, items)
    return {
        "items": items,
        "legal_days_total": legal_days,
        "promised_days_total": promised_days,
        "promised_to_legal_ratio": round(promised_days / legal_days, 4) if legal_days else 0.0,
        "promised_to_legal_percent": percent(promised_days, legal_days),
        "avg_legal_days": avg_legal,
        "avg_promised_days": avg_promised,
        "avg_promised_to_legal_percent": percent(avg_promised, avg_legal),
    }


def time_figures(figures: dict) -> dict:
    """The time limits per unit (工作日, 自然日: never added together) and what is left out."""
    by_unit = {unit.key: unit_time_figures(figures, unit) for unit in buckets.TIME_UNITS}
    compared = sum(unit["items"] for unit in by_unit.values())
    return {
        "items_with_time_limits": figures["timed"],
        "items_without_legal_limit": figures["total"] - figures["timed"],
        "items_with_differing_units": figures["timed"] - compared,
        "time_limits": by_unit,
    }


TIME_UNIT_RULE = gettext_lazy(
    "工作日与自然日分开统计，不相加；法定与承诺时限单位不同的事项不计入时间压缩。"
)


def time_compression_chart(*, figures: dict) -> Chart:
    times = time_figures(figures)
    units = [
        (unit, times["time_limits"][unit.key])
        for unit in buckets.TIME_UNITS
        if times["time_limits"][unit.key]["items"]
    ]
    differing = ""
    if times["items_with_differing_units"]:
        differing = ngettext(
            "另有%(count)s项事项的法定办结时限与承诺办结时限单位不同，未计入时间压缩。",
            "另有%(count)s项事项的法定办结时限与承诺办结时限单位不同，未计入时间压缩。",
            times["items_with_differing_units"],
        ) % {"count": times["items_with_differing_units"]}
    if not figures["total"]:
        sentence = str(NO_ITEMS)
    elif not any(unit_times["legal_days_total"] for _unit, unit_times in units):
        sentence = _("当前没有可比较的法定办结时限。") + differing
    else:
        sentence = _("时间压缩方面，")
        for unit, unit_times in units:
            # One ratio, that of the sums (the table's 占比): the ratio of the rounded
            # averages differs from it in the last decimal and would be a second figure.
            sentence += ngettext(
                "按%(unit)s计的%(count)s项事项，平均法定时间为%(avg_legal)s天，"
                "而承诺时间已压缩至%(avg_promised)s天，承诺时间只有法定时间的%(ratio)s。",
                "按%(unit)s计的%(count)s项事项，平均法定时间为%(avg_legal)s天，"
                "而承诺时间已压缩至%(avg_promised)s天，承诺时间只有法定时间的%(ratio)s。",
                unit_times["items"],
            ) % {
                "unit": unit.label,
                "count": unit_times["items"],
                "ratio": format_percent(unit_times["promised_to_legal_percent"]),
                "avg_legal": format_days(unit_times["avg_legal_days"]),
                "avg_promised": format_days(unit_times["avg_promised_days"]),
            }
        sentence += differing + _left_out_sentence(figures)
    labels, totals, total_bases, averages = [], [], [], []
    for unit, unit_times in units:
        for limit, key in ((_("法定办结时限"), "legal"), (_("承诺办结时限"), "promised")):
            labels.append(_("%(limit)s（%(unit)s）") % {"limit": limit, "unit": unit.label})
            totals.append(unit_times[f"{key}_days_total"])
            averages.append(unit_times[f"avg_{key}_days"])
        total_bases += [unit_times["legal_days_total"]] * 2
    return headed_chart(
        "time-compression",
        labels,
        [
            # "合计 17555（天）" meant nothing: the sum is of every item's limit.
            Dataset(label=_("各事项时限相加"), data=totals, base=total_bases),
            Dataset(label=_("平均每项"), data=averages),
        ],
        sentence=sentence,
        unit=gettext_lazy("天"),
        note=str(TIME_UNIT_RULE),
    )


@dataclass(frozen=True)
class ChartSpec:
    slug: str
    sources: tuple[str, ...]  # names of the selector results `build` takes
    build: Callable[..., Chart]


_YES_NO_SPECS = {
    definition.slug: ChartSpec(definition.slug, ("figures",), partial(yes_no_chart, definition))
    for definition in YES_NO_CHARTS
}
CHART_SPECS = {
    spec.slug: spec
    for spec in (
        ChartSpec("department", ("departments",), department_chart),
        ChartSpec("sector", ("sectors",), sector_chart),
        ChartSpec("handling-type", ("figures",), handling_type_chart),
        ChartSpec("item-type", ("item_types",), item_type_chart),
        ChartSpec("power-source", ("power_sources",), power_source_chart),
        ChartSpec("tier-span", ("tier_spans",), tier_span_chart),
        _YES_NO_SPECS["in-hall"],
        _YES_NO_SPECS["one-window"],
        _YES_NO_SPECS["comprehensive-window"],
        _YES_NO_SPECS["online"],
        _YES_NO_SPECS["mobile"],
        ChartSpec("mobile-channel", ("mobile_channels", "figures"), mobile_channel_chart),
        ChartSpec("mobile-service", ("figures",), mobile_service_chart),
        ChartSpec("onsite-visits", ("figures",), onsite_visits_chart),
        _YES_NO_SPECS["instant-approval"],
        ChartSpec("channels", ("figures",), channel_comparison_chart),
        ChartSpec("legal-time", ("figures",), legal_time_chart),
        ChartSpec("time-compression", ("figures",), time_compression_chart),
    )
}

# The sections of the centre's report and the charts of each, in reading order.
SECTIONS = (
    ("overview", gettext_lazy("总体情况"), ("department", "sector")),
    ("categories", gettext_lazy("类别与来源"), ("handling-type", "item-type", "power-source")),
    ("tiers", gettext_lazy("跨层级情况"), ("tier-span",)),
    ("comparison", gettext_lazy("办理渠道对比"), ("channels",)),
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
