"""Shaping of selector results, without the database."""

import pytest

from catalogue.choices import ItemType, MobileService, PowerSource, Tier
from reports import buckets, charts


def mobile_service_key(service: MobileService) -> str:
    return next(b.key for b in buckets.MOBILE_SERVICES if b.label == service.label)


def figures(**overrides) -> dict:
    """An `item_figures` result: the centre's report (681 items) where it gives a figure."""
    values = {
        "total": 681,
        "data_updated_at": None,
        "immediate": 279,
        "promised": 402,
        "instant_approval": 20,
        "in_hall": 511,
        "one_window": 50,
        "comprehensive_window": 531,
        "online": 641,
        "mobile": 31,
        **{mobile_service_key(service): 0 for service in MobileService},
        "visits_0": 531,
        "visits_1": 148,
        "visits_2": 2,
        "visits_3_plus": 0,
        "legal_upto_1": 48,
        "legal_2_10": 89,
        "legal_11_30": 449,
        "legal_over_30": 95,
        "timed": 681,
        "timed_working_day": 681,
        "legal_days_working_day": 17596,
        "promised_days_working_day": 4719,
        "timed_natural_day": 0,
        "legal_days_natural_day": None,
        "promised_days_natural_day": None,
    }
    values.update(overrides)
    return values


@pytest.mark.parametrize(
    ("slug", "sentence"),
    [
        ("online", "网上可办的事项达到641项，占比94.1%。"),
        ("one-window", "纳入一窗办理的目前还较少，仅有50个事项，占比7.3%。"),
        ("comprehensive-window", "纳入综合窗口受理的较多，达到531项，占比78.0%。"),
        ("mobile", "目前支持指尖办理的还相对较少，只有31项，占比4.6%。"),
        ("in-hall", "目前已有75.0%的事项进驻大厅，共511项，方便公众一站式办理。"),
        ("instant-approval", "已有20个事项实现了“秒批”，占比2.9%。"),
    ],
)
def test_yes_no_sentences_read_like_the_report(slug, sentence):
    chart = yes_no(slug, figures())

    assert chart.sentence == sentence


def yes_no(slug: str, values: dict) -> charts.Chart:
    return charts.build_chart(slug, {"figures": values})


def test_yes_no_charts_are_titled_by_their_bucket_and_count_it():
    for definition in charts.YES_NO_CHARTS:
        chart = yes_no(definition.slug, figures(**{definition.bucket.key: 7}))
        assert chart.title == definition.bucket.label
        assert chart.datasets[0].data == [7, 674], definition.slug


def test_yes_no_chart_counts_yes_and_the_rest():
    chart = yes_no("online", figures())

    assert chart.as_chartjs() == {
        "labels": ["是", "否"],
        "datasets": [{"label": "事项数", "data": [641, 40]}],
    }
    assert chart.table()["rows"] == [["是", 641, 94.1], ["否", 40, 5.9]]


def test_few_and_many_switch_at_half():
    assert yes_no("one-window", figures(one_window=400)).sentence == (
        "纳入一窗办理的较多，达到400项，占比58.7%。"
    )


def test_no_instant_approval_says_so():
    chart = yes_no("instant-approval", figures(instant_approval=0))

    assert chart.sentence == "目前还没有事项实现“秒批”。"


def test_every_chart_says_there_are_no_items_when_none_match():
    empty = {key: 0 for key in figures()} | {
        key: None for key in figures() if key.startswith(("legal_days", "promised_days"))
    }
    sources = {
        "figures": empty,
        "departments": [],
        "sectors": [],
        "item_types": [],
        "power_sources": [],
        "tier_spans": [],
        "mobile_channels": [],
    }

    for slug in charts.CHART_SPECS:
        chart = charts.build_chart(slug, sources)
        assert chart.sentence == "当前筛选条件下没有事项。", slug
        assert all(p in (None, 0.0) for ds in chart.datasets for p in ds.percents()), slug


def test_handling_type_names_the_larger_kind_first():
    chart = charts.handling_type_chart(figures=figures())

    assert chart.sentence == "从办件类型来看，承诺件较多，占比59.0%，即办件占比41.0%。"
    assert chart.labels == ["即办件", "承诺件"]


def test_handling_type_even_split():
    chart = charts.handling_type_chart(figures=figures(immediate=3, promised=3, total=6))

    assert chart.sentence == "从办件类型来看，即办件和承诺件各占50.0%。"


def test_department_chart_uses_short_names_and_lists_the_first_four():
    rows = [
        {
            "department_id": 1,
            "department__name": "深圳市光明区住房和建设局",
            "department__short_name": "住房和建设局",
            "count": 120,
        },
        {
            "department_id": 2,
            "department__name": "民政局",
            "department__short_name": "",
            "count": 80,
        },
        {
            "department_id": 3,
            "department__name": "卫生健康局",
            "department__short_name": "",
            "count": 60,
        },
        {
            "department_id": 4,
            "department__name": "城市更新和土地整备局",
            "department__short_name": "",
            "count": 50,
        },
        {
            "department_id": 5,
            "department__name": "教育局",
            "department__short_name": "",
            "count": 10,
        },
    ]

    chart = charts.department_chart(departments=rows)

    assert chart.labels[:2] == ["住房和建设局", "民政局"]
    assert chart.sentence == (
        "目前共提供各类政务服务事项320项，分布在住房和建设局、民政局、卫生健康局、"
        "城市更新和土地整备局等5个实施主体。"
    )


def test_sector_sentence_names_the_largest_then_the_next_three():
    rows = [
        {"sector_id": i, "sector__name": name, "count": count}
        for i, (name, count) in enumerate(
            [("住房和城乡建设", 106), ("人社", 90), ("自然资源", 80), ("卫生健康", 70), ("教育", 5)]
        )
    ]

    chart = charts.sector_chart(sectors=rows)

    assert chart.sentence == (
        "从事项所属行业来看，最多的是住房和城乡建设，达到106项，然后是人社、自然资源、卫生健康等。"
    )


def test_item_type_chart_has_sub_and_main_item_datasets():
    rows = [
        {"item_type": ItemType.LICENSING, "sub_items": 300, "main_items": 277},
        {"item_type": ItemType.PUBLIC_SERVICE, "sub_items": 200, "main_items": 180},
    ]

    chart = charts.item_type_chart(item_types=rows)

    assert chart.as_chartjs() == {
        "labels": ["行政许可", "公共服务"],
        "datasets": [
            {"label": "子项", "data": [300, 200]},
            {"label": "大项", "data": [277, 180]},
        ],
    }
    assert chart.sentence == (
        "从事项类型来看，目前行政许可事项最多，大项277项（子项300项），"
        "然后是公共服务，大项180项（子项200项）。"
    )


def test_power_source_sentence_lists_sources_and_the_share_of_the_largest():
    rows = [
        {"power_source": PowerSource.LOCAL_STATUTORY, "count": 429},
        {"power_source": PowerSource.AUTHORIZED_BY_SUPERIOR, "count": 150},
        {"power_source": PowerSource.OTHER, "count": 102},
    ]

    chart = charts.power_source_chart(power_sources=rows)

    assert chart.sentence == (
        "从权力来源来看，可分为法定本级行使、上级授权和其他。其中，法定本级行使的最多，达到63.0%。"
    )


def test_tier_span_sentence_gives_the_top_three_and_the_cross_tier_share():
    rows = [
        {"tiers": Tier.CITY | Tier.COUNTY, "count": 232},
        {"tiers": Tier.COUNTY, "count": 198},
        {"tiers": Tier.PROVINCE | Tier.CITY | Tier.COUNTY, "count": 183},
        {"tiers": Tier.COUNTY | Tier.TOWNSHIP, "count": 68},
    ]

    chart = charts.tier_span_chart(tier_spans=rows)

    assert chart.sentence == (
        "从行使层级来看，市区两级的最多，达到34.1%，其次是区本级，为29.1%，省市区三级的为26.9%。"
        "总体来看，仅在一个层级行使的占29.1%，其他70.9%都是跨层级的。"
    )
    assert chart.table()["rows"][2] == ["省市区三级", 183, 26.9]


def test_mobile_service_sentence_keeps_the_report_order_of_offered_kinds():
    chart = charts.mobile_service_chart(
        figures=figures(
            **{
                mobile_service_key(MobileService.COMPLAINT): 9,
                mobile_service_key(MobileService.LOOKUP): 3,
                mobile_service_key(MobileService.APPLICATION): 20,
            }
        )
    )

    assert chart.sentence == "可以通过指尖办理的事项中，主要提供查阅、申办和投诉等服务。"
    assert chart.table()["rows"][2] == ["申办", 20, 64.5]  # of the 31 mobile items


def test_mobile_channel_sentence_names_the_used_channels():
    rows = [
        {"mobile_channels__id": 1, "mobile_channels__name": "广东政务服务网APP", "count": 20},
        {"mobile_channels__id": 2, "mobile_channels__name": "粤省事", "count": 15},
    ]

    chart = charts.mobile_channel_chart(mobile_channels=rows, figures=figures())

    assert chart.sentence == "指尖办渠道主要有广东政务服务网APP、粤省事等。"
    assert chart.labels == ["广东政务服务网APP", "粤省事"]
    assert chart.table()["rows"][0] == ["广东政务服务网APP", 20, 64.5]  # of the 31 mobile items


def test_no_channel_in_use_says_so():
    chart = charts.mobile_channel_chart(mobile_channels=[], figures=figures())

    assert chart.sentence == "目前没有事项通过指尖办渠道提供服务。"


def test_onsite_visits_sentence_mentions_two_visits_only_when_some_need_them():
    # The "需要到现场2次的有3项，占比0%" beside a table of 0.4%: one decimal now.
    assert charts.onsite_visits_chart(figures=figures()).sentence == (
        "到现场次数方面，目前有78.0%的事项到现场0次即可，即不需要到现场，21.7%的事项跑1次即可，"
        "需要到现场2次的有2项，占比0.3%。"
    )
    assert (
        charts.onsite_visits_chart(figures=figures(visits_1=150, visits_2=0)).sentence
        == "到现场次数方面，目前有78.0%的事项到现场0次即可，即不需要到现场，22.0%的事项跑1次即可。"
    )


def test_onsite_visits_sentence_leaves_out_visit_counts_no_item_has():
    sentence = charts.onsite_visits_chart(
        figures=figures(total=4, visits_0=0, visits_1=4, visits_2=0)
    ).sentence

    assert sentence == "到现场次数方面，100.0%的事项跑1次即可。"


def test_legal_time_buckets_are_shares_of_items_with_a_legal_limit():
    chart = charts.legal_time_chart(figures=figures(timed=681))

    assert chart.labels == ["1天以内", "2-10天", "11-30天", "30天以上"]
    assert chart.sentence == (
        "办理时间方面，从法定办结时限来看，1天以内的占7.0%，2-10天的占13.1%，"
        "11-30天的占65.9%，30天以上的占14.0%。"
    )


def test_legal_time_names_only_the_limits_some_item_has():
    # The "1天以内办结的达到0%，2至10天的达到0%" under a filter.
    chart = charts.legal_time_chart(
        figures=figures(
            total=5, timed=5, legal_upto_1=0, legal_2_10=0, legal_11_30=3, legal_over_30=2
        )
    )

    assert (
        chart.sentence == "办理时间方面，从法定办结时限来看，11-30天的占60.0%，30天以上的占40.0%。"
    )


def test_legal_time_with_one_limit_range_says_all_are_in_it():
    chart = charts.legal_time_chart(
        figures=figures(
            total=3, timed=3, legal_upto_1=0, legal_2_10=0, legal_11_30=3, legal_over_30=0
        )
    )

    assert chart.sentence == "办理时间方面，设定了法定办结时限的事项，时限都在11-30天。"


def test_legal_time_tells_how_many_items_are_left_out():
    chart = charts.legal_time_chart(figures=figures(total=690))

    assert chart.sentence.endswith("另有9项没有法定办结时限，未计入。")


def test_time_compression_gives_totals_averages_and_ratios():
    chart = charts.time_compression_chart(figures=figures())

    assert chart.as_chartjs() == {
        "labels": ["法定办结时限（工作日）", "承诺办结时限（工作日）"],
        "datasets": [
            {"label": "各事项时限相加", "data": [17596, 4719]},
            {"label": "平均每项", "data": [25.8, 6.9]},
        ],
    }
    # One figure for one ratio (the "32.8%……32.9%"), the one its table shows.
    assert chart.sentence == (
        "时间压缩方面，按工作日计的681项事项，平均法定时间为25.8天，"
        "而承诺时间已压缩至6.9天，承诺时间只有法定时间的26.8%。"
    )
    assert chart.table()["headers"] == [
        "时限",
        "各事项时限相加（天）",
        "占比",
        "平均每项（天）",
    ]
    assert chart.table()["rows"][1] == ["承诺办结时限（工作日）", 4719, 26.8, 6.9]
    assert "不相加" in chart.note


def test_time_compression_keeps_each_unit_apart_and_counts_differing_units():
    chart = charts.time_compression_chart(
        figures=figures(
            total=690,
            timed=690,
            timed_natural_day=5,
            legal_days_natural_day=100,
            promised_days_natural_day=40,
        )
    )

    assert chart.labels == [
        "法定办结时限（工作日）",
        "承诺办结时限（工作日）",
        "法定办结时限（自然日）",
        "承诺办结时限（自然日）",
    ]
    assert chart.datasets[1].data == [25.8, 6.9, 20.0, 8.0]
    assert chart.table()["rows"][3] == ["承诺办结时限（自然日）", 40, 40.0, 8.0]
    assert (
        "按自然日计的5项事项，平均法定时间为20.0天，而承诺时间已压缩至8.0天，"
        "承诺时间只有法定时间的40.0%。"
    ) in chart.sentence
    assert chart.sentence.endswith(
        "另有4项事项的法定办结时限与承诺办结时限单位不同，未计入时间压缩。"
    )


def test_time_compression_with_only_differing_units_compares_nothing_and_says_why():
    chart = charts.time_compression_chart(
        figures=figures(timed_working_day=0, legal_days_working_day=None)
    )

    assert chart.labels == []
    assert chart.sentence == (
        "当前没有可比较的法定办结时限。"
        "另有681项事项的法定办结时限与承诺办结时限单位不同，未计入时间压缩。"
    )


def test_time_figures_without_any_legal_limit_are_zero():
    times = charts.time_figures(figures(timed=0, timed_working_day=0, legal_days_working_day=None))

    assert times["time_limits"]["working_day"]["promised_to_legal_ratio"] == 0.0
    assert times["time_limits"]["working_day"]["avg_legal_days"] == 0.0
    assert times["items_without_legal_limit"] == 681


def test_table_cells_show_percentages_as_text():
    table = yes_no("online", figures()).table_cells()

    assert table == {
        "headers": ["是否网办", "事项数", "占比"],
        "rows": [["是", 641, "94.1%"], ["否", 40, "5.9%"]],
    }


def test_sections_follow_the_report_and_hold_every_chart_once():
    slugs = [slug for _key, _title, section in charts.SECTIONS for slug in section]

    assert [str(title) for _key, title, _slugs in charts.SECTIONS] == [
        "总体情况",
        "类别与来源",
        "跨层级情况",
        "办理渠道对比",
        "大厅办与窗口办",
        "网办、指尖办和现场办",
        "秒批",
        "法定时间和承诺时间",
    ]
    assert sorted(slugs) == sorted(charts.CHART_SPECS)


# --- sentences under filters: zero, one and many (issue 13) --------------------------------


@pytest.mark.parametrize(
    ("slug", "sentence"),
    [
        ("in-hall", "目前还没有事项进驻大厅。"),
        ("one-window", "目前还没有事项纳入一窗办理。"),
        ("comprehensive-window", "目前还没有事项纳入综合窗口受理。"),
        ("online", "目前还没有网上可办的事项。"),
        ("mobile", "目前还没有支持指尖办理的事项。"),
        ("instant-approval", "目前还没有事项实现“秒批”。"),
    ],
)
def test_a_yes_no_statistic_with_no_item_says_there_is_none(slug, sentence):
    # The "只有0项，占比0%".
    bucket = next(d.bucket for d in charts.YES_NO_CHARTS if d.slug == slug)

    assert yes_no(slug, figures(**{bucket.key: 0})).sentence == sentence


def _departments(*names):
    return [
        {"department_id": i, "department__name": name, "department__short_name": "", "count": 3}
        for i, name in enumerate(names)
    ]


def test_one_department_is_not_counted_as_one_of_several():
    # The "分布在住房和建设局1个实施主体".
    chart = charts.department_chart(departments=_departments("住房和建设局"))

    assert chart.sentence == "目前共提供各类政务服务事项3项，全部由住房和建设局实施。"


def test_a_few_departments_are_all_named_without_etc():
    chart = charts.department_chart(departments=_departments("住房和建设局", "民政局"))

    assert (
        chart.sentence == "目前共提供各类政务服务事项6项，分布在住房和建设局和民政局共2个实施主体。"
    )


def test_one_power_source_is_said_to_be_all():
    chart = charts.power_source_chart(
        power_sources=[{"power_source": PowerSource.LOCAL_STATUTORY, "count": 4}]
    )

    assert chart.sentence == "从权力来源来看，全部为法定本级行使。"


def test_one_tier_span_is_said_to_be_all_and_single_or_cross_tier_without_zero_shares():
    single = charts.tier_span_chart(tier_spans=[{"tiers": Tier.COUNTY, "count": 4}])
    cross = charts.tier_span_chart(tier_spans=[{"tiers": Tier.CITY | Tier.COUNTY, "count": 4}])

    assert single.sentence == "从行使层级来看，全部为区本级。总体来看，全部事项仅在一个层级行使。"
    assert cross.sentence == "从行使层级来看，全部为市区两级。总体来看，全部事项都是跨层级的。"


def test_one_handling_type_is_said_to_be_all():
    chart = charts.handling_type_chart(figures=figures(total=3, immediate=0, promised=3))

    assert chart.sentence == "从办件类型来看，全部为承诺件。"


# --- the channel comparison ---------------------------------------------------------------


def test_the_channel_comparison_sets_the_six_yes_no_statistics_side_by_side():
    chart = charts.build_chart("channels", {"figures": figures()})

    assert chart.labels == ["进驻大厅", "一窗办理", "综合窗口受理", "网上可办", "指尖可办", "秒批"]
    assert [ds.label for ds in chart.datasets] == ["是", "否"]
    assert chart.datasets[0].data == [511, 50, 531, 641, 31, 20]
    assert chart.table_cells()["rows"][3] == ["网上可办", 641, "94.1%", 40, "5.9%"]
    assert chart.sentence == "681项事项中，网上可办的占比最高，为94.1%；秒批的最低，为2.9%。"


def test_the_channel_comparison_of_equal_shares_says_so():
    values = figures(total=2) | {bucket.key: 1 for bucket in buckets.YES_NO}

    chart = charts.build_chart("channels", {"figures": values})

    assert chart.sentence == "2项事项中，各渠道的占比均为50.0%。"


def _many_departments(count: int) -> list[dict]:
    return [
        {
            "department_id": n,
            "department__name": f"第{n}局",
            "department__short_name": "",
            "count": count - n,
        }
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [10, 1000])
def test_a_table_works_out_each_percentage_once(monkeypatch, count):
    # The department chart has a row per department (1,240 in a province's catalogue): its
    # table must cost a percentage per cell, not a whole column per cell.
    chart = charts.department_chart(departments=_many_departments(count))
    calls = []
    original = charts.percent
    monkeypatch.setattr(charts, "percent", lambda *args: calls.append(args) or original(*args))

    table = chart.table_cells()

    cells = sum(1 for ds in chart.datasets if ds.base is not None) * len(chart.labels)
    assert len(calls) == cells == count
    assert table["rows"][0] == ["第0局", count, charts.percent_text(count, chart.datasets[0].base)]
