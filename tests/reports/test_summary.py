"""The summary.json contract: headline figures under stable names."""

from django.utils import translation

from catalogue.choices import ItemType, Tier
from reports import summary
from tests.reports.test_charts import figures


def test_summary_figures_hold_the_report_headline_figures():
    tier_spans = [
        {"tiers": Tier.CITY | Tier.COUNTY, "count": 481},
        {"tiers": Tier.COUNTY, "count": 200},
    ]

    item_types = [{"item_type": ItemType.LICENSING, "sub_items": 300, "main_items": 277}]

    result = summary.summary_figures(
        figures=figures(), tier_spans=tier_spans, item_types=item_types
    )

    assert result["total"] == 681
    assert (result["online_count"], result["online_percent"]) == (641, 94.1)
    working_days = result["time_limits"]["working_day"]
    assert working_days["promised_to_legal_ratio"] == 0.2682
    assert (working_days["avg_legal_days"], working_days["avg_promised_days"]) == (25.8, 6.9)
    assert result["items_without_legal_limit"] == 0
    assert (result["single_tier_percent"], result["cross_tier_percent"]) == (29.4, 70.6)
    assert result["item_types"] == {"licensing": {"sub_items": 300, "main_items": 277}}
    assert result["tier_span_percent"] == {"12": 70.6, "8": 29.4}


def test_summary_keys_do_not_change_with_the_language():
    def keys(document):
        return {
            key: sorted(value) if isinstance(value, dict) else None
            for key, value in document.items()
        }

    args = {
        "figures": figures(),
        "tier_spans": [{"tiers": Tier.COUNTY, "count": 681}],
        "item_types": [{"item_type": ItemType.LICENSING, "sub_items": 681, "main_items": 600}],
    }
    with translation.override("zh-hans"):
        chinese = summary.summary_figures(**args)
    with translation.override("en"):
        english = summary.summary_figures(**args)

    assert keys(chinese) == keys(english)
    assert chinese == english
