"""Numbers and lists as the report writes them: rounded half up, 94.1%, A、B和C.

One rounding rule for every percentage of the report (page, sentences, tables, documents):
one decimal, rounded half up, always shown ("7.0%" beside "12.7%"), so a sentence and its
table say the same figure.
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from catalogue.text import join_list

PERCENT_DIGITS = 1


def percent(part, whole) -> float:
    """`part` as a percentage of `whole`, rounded half up to one decimal; 0 when `whole` is 0."""
    if not whole:
        return 0.0
    value = Decimal(str(part)) * 100 / Decimal(str(whole))
    return float(value.quantize(Decimal(1).scaleb(-PERCENT_DIGITS), rounding=ROUND_HALF_UP))


def format_percent(value: float) -> str:
    """94.0 → "94.0%", 26.9 → "26.9%": the decimal is always written."""
    return f"{value:.{PERCENT_DIGITS}f}%"


def percent_text(part, whole) -> str:
    return format_percent(percent(part, whole))


def format_days(value: float) -> str:
    """An average number of days as the report writes it: 25.8, 7.0."""
    return f"{value:.1f}"


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
