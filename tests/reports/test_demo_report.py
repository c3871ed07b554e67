"""The report regenerated from the demo catalogue shows every figure of the 光明区 report.

The expected values are the report's own (docs/domain.md §1), not the demo's quotas.
"""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalogue.choices import ItemType, Tier, TimeUnit

pytestmark = pytest.mark.django_db

SUMMARY = "/reports/summary.json"
PAGE = "/reports/"


@pytest.fixture
def supervisor_client(client):
    call_command("load_demo", stdout=StringIO())
    client.force_login(get_user_model().objects.get(username="supervisor"))
    return client


def _chart(summary, slug):
    chart = summary["charts"][slug]
    return dict(zip(chart["labels"], chart["datasets"][0]["data"], strict=True))


def test_summary_reproduces_every_figure_of_the_report(supervisor_client):
    summary = supervisor_client.get(SUMMARY).json()
    figures = summary["figures"]
    total = summary["total"]

    def percent(count):
        return 100 * count / total

    assert total == 681
    assert next(iter(_chart(summary, "sector").items())) == ("住房和城乡建设", 106)
    assert figures["promised_percent"] == pytest.approx(59, abs=1)
    assert figures["immediate_percent"] == pytest.approx(41, abs=1)
    assert figures["item_types"][ItemType.LICENSING]["main_items"] == 277
    assert figures["item_types"][ItemType.PUBLIC_SERVICE]["sub_items"] == 180
    assert max(figures["item_types"], key=lambda t: figures["item_types"][t]["main_items"]) == (
        ItemType.LICENSING
    )
    assert percent(_chart(summary, "power-source")["法定本级行使"]) == pytest.approx(63, abs=1)
    tier_span_percent = figures["tier_span_percent"]
    assert tier_span_percent[str(Tier.CITY | Tier.COUNTY)] == pytest.approx(34, abs=1)
    assert tier_span_percent[str(Tier.COUNTY)] == pytest.approx(29, abs=1)
    assert tier_span_percent[str(Tier.PROVINCE | Tier.CITY | Tier.COUNTY)] == pytest.approx(
        26.9, abs=1
    )
    assert figures["cross_tier_percent"] == pytest.approx(71, abs=1)
    assert figures["in_hall_percent"] == pytest.approx(75, abs=1)
    assert (figures["one_window_count"], round(figures["one_window_percent"])) == (50, 7)
    assert (
        figures["comprehensive_window_count"],
        round(figures["comprehensive_window_percent"]),
    ) == (
        531,
        78,
    )
    assert (figures["online_count"], round(figures["online_percent"])) == (641, 94)
    assert (figures["mobile_count"], round(figures["mobile_percent"])) == (31, 5)
    assert set(_chart(summary, "mobile-service")) == {"查阅", "预约", "申办", "咨询", "投诉"}
    assert {"广东政务服务网APP", "粤省事", "微信公众号"} <= set(_chart(summary, "mobile-channel"))
    assert figures["visits_0_percent"] == pytest.approx(78, abs=1)
    assert figures["visits_1_percent"] == pytest.approx(22, abs=1)
    assert 0 < figures["visits_2_count"] <= 10
    assert figures["instant_approval_count"] == 20
    assert figures["legal_upto_1_percent"] == pytest.approx(7, abs=1)
    assert figures["legal_2_10_percent"] == pytest.approx(13, abs=1)
    assert figures["legal_11_30_percent"] == pytest.approx(66, abs=1)
    # The report's time figures are in 工作日, as are both limits of every demo item.
    working_days = figures["time_limits"][TimeUnit.WORKING_DAY]
    assert working_days["items"] == figures["items_with_time_limits"]
    assert figures["time_limits"][TimeUnit.NATURAL_DAY]["items"] == 0
    assert figures["items_with_differing_units"] == 0
    assert working_days["promised_to_legal_percent"] == pytest.approx(26.8, abs=1)
    assert working_days["avg_legal_days"] == pytest.approx(25.8, abs=0.05)
    assert working_days["avg_promised_days"] == pytest.approx(6.9, abs=0.05)
    assert working_days["avg_promised_to_legal_percent"] == pytest.approx(26.7, abs=1)


def test_page_states_the_reports_figures_in_its_sentences(supervisor_client):
    page = supervisor_client.get(PAGE).content.decode()

    for sentence in [
        "目前共提供各类政务服务事项681项，分布在住房和建设局、民政局、卫生健康局、城市更新和土地整备局等",
        "最多的是住房和城乡建设，达到106项",
        "承诺件较多，占比59.0%，即办件占比41.0%",
        "行政许可事项最多，大项277项",
        "法定本级行使的最多，达到63.0%",
        "市区两级的最多，达到34.1%，其次是区本级，为29.1%",
        "其他70.9%都是跨层级的",
        "目前已有75.0%的事项进驻大厅",
        "仅有50个事项，占比7.3%",
        "达到531项，占比78.0%",
        "网上可办的事项达到641项，占比94.1%",
        "只有31项，占比4.6%",
        "目前有78.0%的事项到现场0次即可",
        "21.6%的事项跑1次即可",
        "已有20个事项实现了“秒批”",
        "1天以内的占7.0%，2-10天的占13.1%，11-30天的占65.9%",
        "按工作日计的",
        "平均法定时间为25.8天，而承诺时间已压缩至6.9天",
    ]:
        assert sentence in page, sentence
