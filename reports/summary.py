"""The summary.json contract: the report's headline figures under stable names.

Every key is a stable value, never a translated label: bucket keys of `reports.buckets`, the
`ItemType` value, the tier set as a number (`catalogue.choices.Tier` bits). docs/reports.md
documents each field; change it there too.
"""

from typing import TYPE_CHECKING

from . import buckets
from .charts import single_tier_count, time_figures
from .formatting import percent

if TYPE_CHECKING:
    from .report import Report


def summary_figures(*, figures: dict, tier_spans: list[dict], item_types: list[dict]) -> dict:
    """The headline figures of the report, by name (summary.json `figures`)."""
    total = figures["total"]
    result = {"total": total}
    for bucket in (*buckets.HANDLING_TYPES, *buckets.YES_NO, *buckets.ONSITE_VISITS):
        result[f"{bucket.key}_count"] = figures[bucket.key]
        result[f"{bucket.key}_percent"] = percent(figures[bucket.key], total)
    for bucket in buckets.LEGAL_LIMITS:
        result[f"{bucket.key}_count"] = figures[bucket.key]
        result[f"{bucket.key}_percent"] = percent(figures[bucket.key], figures["timed"])
    single_tier = single_tier_count(tier_spans)
    result["single_tier_percent"] = percent(single_tier, total)
    result["cross_tier_percent"] = percent(total - single_tier, total)
    result["tier_span_percent"] = {
        str(row["tiers"]): percent(row["count"], total) for row in tier_spans
    }
    result["item_types"] = {
        row["item_type"]: {"sub_items": row["sub_items"], "main_items": row["main_items"]}
        for row in item_types
    }
    result.update(time_figures(figures))
    return result


def summary_document(report: "Report") -> dict:
    """The whole of summary.json."""
    return {
        "total": report.total,
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "generated_at": report.generated_at.isoformat(),
        "data_updated_at": report.data_updated_at.isoformat() if report.data_updated_at else None,
        "charts": {slug: chart.as_chartjs() for slug, chart in report.charts.items()},
        "sentences": {slug: chart.sentence for slug, chart in report.charts.items()},
        "figures": report.figures,
        # None, or the report compared with an earlier day (reports.comparison)
        "comparison": report.comparison,
    }
