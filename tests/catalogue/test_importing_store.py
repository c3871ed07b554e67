"""A checked import plan kept for its confirmation is confirmed once; a plan unknown, taken or
damaged reads as expired (catalogue.importing.store)."""

import pytest

from catalogue.importing.plan import ImportPlan
from catalogue.importing.store import (
    PlanAlreadyConfirmed,
    PlanExpired,
    plan_claim,
    plan_fetch,
    plan_keep,
)
from catalogue.models import KeptImportPlan

pytestmark = pytest.mark.django_db


def _kept(user) -> str:
    return plan_keep(plan=ImportPlan(), user=user, file_hash="h", file_name="部门事项.xlsx")


def test_a_kept_plan_is_claimed_once(admin_user):
    token = _kept(admin_user)

    plan_claim(token=token)

    with pytest.raises(PlanAlreadyConfirmed):
        plan_claim(token=token)
    with pytest.raises(PlanExpired):
        plan_claim(token="unknown-token")


def test_a_damaged_kept_plan_reads_as_expired(admin_user):
    token = _kept(admin_user)
    assert plan_fetch(token=token, user=admin_user)[0] == ImportPlan()
    KeptImportPlan.objects.filter(token=token).update(plan=b"not gzip")

    with pytest.raises(PlanExpired):
        plan_fetch(token=token, user=admin_user)
