"""The import services (catalogue.services.importing): the file as given, and the kept plans a
confirmation may write. The import's checks are in tests/catalogue/test_importing*.py."""

import io

import pytest
from django.contrib.auth.models import User

from catalogue.importing import PlanWithErrors, StalePlan, messages
from catalogue.importing.store import plan_keep
from catalogue.models import DepartmentMembership, ImportBatch, ServiceItem
from catalogue.services.importing import items_import, items_import_confirm, items_import_plan
from tests.catalogue.importing_support import valid_row, xlsx_bytes
from tests.factories import ServiceItemFactory

pytestmark = pytest.mark.usefixtures("department", "other_department", "sector")


def test_an_open_file_is_read_from_its_start_whatever_was_read_of_it():
    stream = io.BytesIO(xlsx_bytes([valid_row(实施编码="F-1")]))
    stream.read(100)

    result = items_import(file=stream, file_name="部门事项.xlsx")

    assert len(result.created_ids) == 1
    assert ServiceItem.objects.get().code == "F-1"


def test_keeping_the_file_of_rows_given_without_one_is_a_programming_error():
    with pytest.raises(ValueError, match="keep_file needs a file"):
        items_import(rows=[valid_row()], keep_file=True)
    assert not ServiceItem.objects.exists()


def test_a_kept_plan_with_errors_is_never_written(centre_admin):
    plan = items_import_plan(rows=[valid_row(实施编码="E-1"), valid_row(办件类型="马上办")])
    token = plan_keep(plan=plan, user=centre_admin, file_hash="0" * 64, file_name="错.xlsx")

    with pytest.raises(PlanWithErrors) as refused:
        items_import_confirm(token=token, file_hash="0" * 64, user=centre_admin)

    assert refused.value.message == messages.NOTHING_WRITTEN
    assert not ServiceItem.objects.exists() and not ImportBatch.objects.exists()


def test_a_confirm_after_the_user_lost_the_department_an_item_is_moved_from_is_refused(
    dept_staff, department, other_department
):
    DepartmentMembership.objects.create(user=dept_staff, department=other_department)
    ServiceItemFactory(code="MV-1", department=department, name="迁移的事项")
    plan = items_import_plan(
        rows=[valid_row(实施编码="MV-1", 实施主体=other_department.name)], user=dept_staff
    )
    assert plan.counts["update"] == 1
    token = plan_keep(plan=plan, user=dept_staff, file_hash="0" * 64, file_name="迁移.xlsx")
    DepartmentMembership.objects.filter(user=dept_staff, department=department).delete()
    confirming = User.objects.get(pk=dept_staff.pk)  # the confirm's request, a later one

    with pytest.raises(StalePlan) as refused:
        items_import_confirm(token=token, file_hash="0" * 64, user=confirming)

    assert refused.value.message == messages.SCOPE_CHANGED.format(departments=department.name)
    assert ServiceItem.objects.get(code="MV-1").department == department
