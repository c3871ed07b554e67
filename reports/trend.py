"""The trend of the key rates at month ends over the range of the history (one query)."""

import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from catalogue.selectors import day_end

from . import buckets
from .comparison import key_rate_labels
from .formatting import percent
from .selectors import records_trend

MAX_MONTHS = 120  # ten years of month ends at most


def month_ends(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The last day of each month from `first`'s month to the last month ending by `last`."""
    ends = []
    year, month = first.year, first.month
    while True:
        next_first = datetime.date(year + month // 12, month % 12 + 1, 1)
        end = next_first - datetime.timedelta(days=1)
        if end > last:
            break
        ends.append(end)
        year, month = next_first.year, next_first.month
    return ends[-MAX_MONTHS:]


def trend_document(*, records: QuerySet, days: list[datetime.date]) -> dict:
    """`days`, and per key rate (reports.comparison.KEY_RATES and the time ratios) the
    percentage at the end of each day, with the item totals."""
    rows = records_trend(records, [day_end(day) for day in days])
    rates = {
        bucket.key: [percent(row[bucket.key], row["total"]) for row in rows]
        for bucket in buckets.TREND_BUCKETS
    }
    for unit in buckets.TIME_UNITS:
        keys = buckets.time_unit_keys(unit)
        rates[f"promised_to_legal_{unit.key}"] = [
            percent(row[keys["promised_days"]] or 0, row[keys["legal_days"]] or 0) for row in rows
        ]
    labels = key_rate_labels()
    return {
        "days": [day.isoformat() for day in days],
        "totals": [row["total"] for row in rows],
        "labels": {key: labels[key] for key in rates},
        "rates": rates,
    }


def trend_table(document: dict) -> dict:
    """The trend as the table beside its chart: a row per month end, a column per rate (the
    time ratios of a unit only where some month has items timed in it)."""
    rates = {
        key: values
        for key, values in document["rates"].items()
        if not key.startswith("promised_to_legal_") or any(values)
    }
    headers = [_("月末"), _("事项总数"), *(f"{document['labels'][key]}（%）" for key in rates)]
    rows = [
        [day, document["totals"][index], *(values[index] for values in rates.values())]
        for index, day in enumerate(document["days"])
    ]
    return {"headers": headers, "rows": rows}
