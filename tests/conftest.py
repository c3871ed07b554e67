from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group

from catalogue.models import DepartmentMembership
from catalogue.roles import CENTRE_ADMIN, DEPARTMENT_STAFF, SUPERVISOR
from catalogue.services.roles import roles_setup
from tests.catalogue.importing_support import DEPARTMENT, OTHER_DEPARTMENT, SECTOR
from tests.factories import (
    DepartmentFactory,
    MainItemFactory,
    MobileChannelFactory,
    SectorFactory,
    ServiceItemFactory,
    UserFactory,
)

# --- the reference rows: two departments with a main item each, two sectors, a channel ---
# One world: every test that needs a department, a sector ... asks for these fixtures (or for
# `refs`, the same rows in one namespace). The names are those of `valid_row` (importing_support).


@pytest.fixture
def department(db):
    return DepartmentFactory(name=DEPARTMENT, short_name="住房和建设局")


@pytest.fixture
def other_department(db):
    return DepartmentFactory(name=OTHER_DEPARTMENT, short_name="民政局")


@pytest.fixture
def sector(db):
    return SectorFactory(name=SECTOR)


@pytest.fixture
def other_sector(db):
    return SectorFactory(name="民政")


@pytest.fixture
def main_item(department):
    return MainItemFactory(department=department, name="建设工程施工许可")


@pytest.fixture
def other_main_item(other_department):
    return MainItemFactory(department=other_department, name="社会团体登记")


@pytest.fixture
def channel(db):
    # Seeded by migration 0002, gone after a transactional test's flush: get or create.
    return MobileChannelFactory(name="粤省事")


@pytest.fixture
def refs(department, other_department, sector, other_sector, main_item, other_main_item, channel):
    """The reference rows above in one namespace (for tests and rule cases that take them all)."""
    return SimpleNamespace(
        department=department,
        other_department=other_department,
        sector=sector,
        other_sector=other_sector,
        main_item=main_item,
        other_main_item=other_main_item,
        channel=channel,
    )


# --- roles: one user per role, an item in each department ---


@pytest.fixture
def roles(db):
    roles_setup()
    return {group.name: group for group in Group.objects.all()}


@pytest.fixture
def centre_admin(roles):
    return UserFactory(username="centre_admin", groups=[roles[CENTRE_ADMIN]])


@pytest.fixture
def dept_staff(roles, department):
    user = UserFactory(username="dept_staff", groups=[roles[DEPARTMENT_STAFF]])
    DepartmentMembership.objects.create(user=user, department=department)
    return user


@pytest.fixture
def supervisor(roles):
    return UserFactory(username="supervisor", groups=[roles[SUPERVISOR]])


@pytest.fixture
def own_item(department, sector):
    return ServiceItemFactory(department=department, sector=sector, name="本部门事项")


@pytest.fixture
def other_item(other_department, sector):
    return ServiceItemFactory(department=other_department, sector=sector, name="他部门事项")
