"""Which import batches a user may see (catalogue.selectors)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from catalogue.models import ImportBatch
from catalogue.selectors import import_batches_for_user

pytestmark = pytest.mark.django_db


def test_import_batches_are_every_batch_for_the_centre_their_own_for_staff_none_anonymously(
    centre_admin, dept_staff
):
    own = ImportBatch.objects.create(file_name="本部门.xlsx", user=dept_staff)
    other = ImportBatch.objects.create(file_name="中心.xlsx", user=centre_admin)

    assert set(import_batches_for_user(centre_admin)) == {own, other}
    assert list(import_batches_for_user(dept_staff)) == [own]
    assert list(import_batches_for_user(AnonymousUser())) == []
