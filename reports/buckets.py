"""The buckets the report counts items in, each defined once: key, condition and label.

`key` is stable: it names the conditional aggregate in `reports.selectors.item_figures` and the
figure in summary.json (`<key>_count`, `<key>_percent`); `condition` is what the aggregate
counts; `label` is what charts and tables show, in the active language.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from catalogue.choices import HandlingType, MobileService, TimeUnit


@dataclass(frozen=True)
class Bucket:
    key: str
    condition: Q
    label: Promise | str


HANDLING_TYPES = tuple(
    Bucket(kind.value, Q(handling_type=kind), kind.label) for kind in HandlingType
)

IN_HALL = Bucket("in_hall", Q(in_hall=True), _("进驻大厅"))
ONE_WINDOW = Bucket("one_window", Q(one_window=True), _("一窗办理"))
COMPREHENSIVE_WINDOW = Bucket(
    "comprehensive_window", Q(comprehensive_window=True), _("综合窗口受理")
)
ONLINE = Bucket("online", Q(is_online=True), _("网上可办"))
MOBILE = Bucket("mobile", Q(is_mobile=True), _("指尖可办"))
INSTANT_APPROVAL = Bucket("instant_approval", Q(instant_approval=True), _("秒批"))
YES_NO = (IN_HALL, ONE_WINDOW, COMPREHENSIVE_WINDOW, ONLINE, MOBILE, INSTANT_APPROVAL)

MOBILE_SERVICES = tuple(
    Bucket(f"mobile_service_{service.value}", Q(mobile_services__has=service), service.label)
    for service in MobileService
)

ONSITE_VISITS = (
    Bucket("visits_0", Q(onsite_visits=0), _("0次")),
    Bucket("visits_1", Q(onsite_visits=1), _("1次")),
    Bucket("visits_2", Q(onsite_visits=2), _("2次")),
    Bucket("visits_3_plus", Q(onsite_visits__gte=3), _("3次及以上")),
)

TIMED = Q(legal_limit__isnull=False)
LEGAL_LIMITS = (
    Bucket("legal_upto_1", Q(legal_limit__lte=1), _("1天以内")),
    Bucket("legal_2_10", Q(legal_limit__gte=2, legal_limit__lte=10), _("2-10天")),
    Bucket("legal_11_30", Q(legal_limit__gte=11, legal_limit__lte=30), _("11-30天")),
    Bucket("legal_over_30", Q(legal_limit__gt=30), _("30天以上")),
)

# Time limits are compared and averaged only within one unit: 工作日 and 自然日 are never added
# together (docs/reports.md). An item counts in a unit when both of its limits use that unit.
# The units are tested first: an item of the other unit fails at the first test (the aggregate
# evaluates each condition on every row; measured on SQLite: 59 to 56 ms at 100,000 items).
TIME_UNITS = tuple(
    Bucket(
        unit.value,
        Q(legal_limit_unit=unit, promised_limit_unit=unit) & TIMED,
        unit.label,
    )
    for unit in TimeUnit
)


def time_unit_keys(bucket: Bucket) -> dict[str, str]:
    """Names of the aggregates of one time unit: items, legal days, promised days."""
    return {
        "items": f"timed_{bucket.key}",
        "legal_days": f"legal_days_{bucket.key}",
        "promised_days": f"promised_days_{bucket.key}",
    }


# The key rates followed year over year and at month ends (reports.comparison, reports.trend).
TREND_BUCKETS = (IN_HALL, ONLINE, MOBILE, ONSITE_VISITS[0], INSTANT_APPROVAL)

# Every bucket counted by the one conditional aggregate.
COUNTED = (*HANDLING_TYPES, *YES_NO, *MOBILE_SERVICES, *ONSITE_VISITS, *LEGAL_LIMITS)
