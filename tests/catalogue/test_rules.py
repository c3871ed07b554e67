import pytest
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import BooleanField, CheckConstraint, ExpressionWrapper
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.choices import HandlingType, OnlineDepth, PowerSource, TimeUnit
from catalogue.models import ServiceItem
from catalogue.rules import CONSTRAINED_RULES, item_rule_errors

rule_values = st.fixed_dictionaries(
    {
        "tiers": st.integers(min_value=0, max_value=70),
        "online_depth": st.one_of(st.none(), st.sampled_from(OnlineDepth.values)),
        "onsite_visits": st.integers(min_value=0, max_value=3),
        "onsite_reason": st.sampled_from(["", "需核验原件"]),
        "handling_type": st.sampled_from(HandlingType.values),
        "promised_limit": st.integers(min_value=0, max_value=40),
        "promised_limit_unit": st.sampled_from(TimeUnit.values),
        "legal_limit": st.one_of(st.none(), st.integers(min_value=0, max_value=40)),
        "legal_limit_unit": st.sampled_from(["", *TimeUnit.values]),
        "instant_approval": st.booleans(),
        "is_online": st.booleans(),
        "is_mobile": st.booleans(),
        "mobile_services": st.integers(min_value=0, max_value=31),
        "power_source": st.sampled_from(PowerSource.values),
        "entrusting_body": st.sampled_from(["", "深圳市规划和自然资源局"]),
        "charges_fee": st.booleans(),
        "fee_basis": st.sampled_from(["", "《行政事业性收费标准》"]),
    }
)


CHECKS = [c for c in ServiceItem._meta.constraints if isinstance(c, CheckConstraint)]


def _rules_broken_in_database(item):
    """The check constraints `item` breaks, all evaluated in one query.

    The same test as `CheckConstraint.validate` (a condition that is not false holds, as in the
    database), which runs a query per constraint, inside a savepoint: 15 times slower here.
    """
    query = Query(None)
    for name, value in item._get_field_expression_map(meta=ServiceItem._meta).items():
        query.add_annotation(value, name, select=False)
    for constraint in CHECKS:
        holds = ExpressionWrapper(constraint.condition, output_field=BooleanField())
        query.add_annotation(Coalesce(holds, True, output_field=BooleanField()), constraint.name)
    row = query.get_compiler(using=DEFAULT_DB_ALIAS).execute_sql(SINGLE)
    return {constraint.name for constraint, holds in zip(CHECKS, row, strict=True) if not holds}


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=rule_values)
def test_python_rules_agree_with_database_constraints(values):
    item = ServiceItem(**values)
    python_messages = {
        str(message) for messages in item_rule_errors(values).values() for message in messages
    }
    expected = {rule.name for rule in CONSTRAINED_RULES if str(rule.message) in python_messages}

    with CaptureQueriesContext(connection) as queries:
        broken = _rules_broken_in_database(item)

    assert broken == expected
    assert len(queries) == 1
