"""The report as a whole: runs the selectors the wanted charts need, once each, and shapes them."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from catalogue.history import HistoricalServiceItem
from catalogue.models import ServiceItem

from . import selectors
from .charts import CHART_SPECS, SECTIONS, Chart, build_chart
from .comparison import comparison_document
from .headline import KeyFigure, key_figures
from .summary import summary_document, summary_figures

# One query each on today's items; on the records of a past day, all of them in one.
SOURCES = selectors.SOURCE_FUNCTIONS


def _run_sources(items: QuerySet[ServiceItem], names: Iterable[str]) -> dict:
    if items.model is HistoricalServiceItem:
        return selectors.records_sources(items, names)
    return {name: SOURCES[name](items) for name in dict.fromkeys(names)}


def chart_build(*, items: QuerySet[ServiceItem], slug: str) -> Chart:
    """One chart, running only the queries it needs (one, or two for mobile-channel; one as
    of a date)."""
    return build_chart(slug, _run_sources(items, CHART_SPECS[slug].sources))


@dataclass(frozen=True)
class Report:
    generated_at: datetime
    data_updated_at: datetime | None
    total: int
    charts: dict[str, Chart]
    figures: dict
    # The day whose end the report describes; None: the live catalogue.
    as_of: date | None = None
    # summary.json's `comparison` (reports.comparison) when compared with an earlier day.
    comparison: dict | None = None

    def sections(self) -> list[dict]:
        return [
            {"key": key, "title": title, "charts": [self.charts[slug] for slug in slugs]}
            for key, title, slugs in SECTIONS
        ]

    def key_figures(self) -> list[KeyFigure]:
        return key_figures(self.figures)

    def as_summary(self) -> dict:
        return summary_document(self)


# What the headline figures of a report need (the comparison's earlier report).
FIGURE_SOURCES = ("figures", "tier_spans", "item_types")


def _figures(sources: dict) -> dict:
    return summary_figures(
        figures=sources["figures"],
        tier_spans=sources["tier_spans"],
        item_types=sources["item_types"],
    )


def report_build(
    *,
    items: QuerySet[ServiceItem],
    as_of: date | None = None,
    compare_items: QuerySet | None = None,
    compare_to: date | None = None,
) -> Report:
    """Every chart and figure of the report in len(SOURCES) queries, whatever the item count.

    `items` are today's items, or their records at the end of `as_of`
    (`selectors.report_items_as_of`): the same queries run on either, on the records all in
    one statement (`selectors.records_sources`). With `compare_items` (the records at the end
    of `compare_to`), one more statement gives the comparison's figures."""
    sources = _run_sources(items, SOURCES)
    figures = sources["figures"]
    headline = _figures(sources)
    comparison = None
    if compare_items is not None:
        previous = _figures(_run_sources(compare_items, FIGURE_SOURCES))
        comparison = comparison_document(headline, previous, compare_to=compare_to)
    return Report(
        generated_at=timezone.now(),
        data_updated_at=figures["data_updated_at"],
        total=figures["total"],
        as_of=as_of,
        charts={slug: build_chart(slug, sources) for slug in CHART_SPECS},
        figures=headline,
        comparison=comparison,
    )
