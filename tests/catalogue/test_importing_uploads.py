"""A file kept between its upload and the choice of sheet or columns is given back only to the
user who uploaded it, under its own token, while it is fresh (catalogue.importing.uploads)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from catalogue.importing.store import PLAN_LIFETIME, PlanExpired
from catalogue.importing.uploads import upload_fetch, upload_keep
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_kept_upload_is_given_back_to_its_user_under_its_token_while_fresh():
    owner, other = UserFactory(), UserFactory()
    token = upload_keep(data=b"PK\x03\x04", user=owner, file_name="部门事项.xlsx")

    assert upload_fetch(token=token, user=owner) == (b"PK\x03\x04", "部门事项.xlsx", XLSX)
    for wrong_token, user in [(token, other), ("../kept", owner), ("", owner), (None, owner)]:
        with pytest.raises(PlanExpired):
            upload_fetch(token=wrong_token, user=user)
    later = timezone.now() + PLAN_LIFETIME + datetime.timedelta(seconds=1)
    with time_machine.travel(later), pytest.raises(PlanExpired):
        upload_fetch(token=token, user=owner)
