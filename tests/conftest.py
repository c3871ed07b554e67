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


@pytest.fixture
def department(db):
    return DepartmentFactory(name="住房和建设局")


@pytest.fixture
def sector(db):
    return SectorFactory(name="住房和城乡建设")


@pytest.fixture
def refs(db):
    """Rows an item points to: two departments with a main item each, sectors, a channel."""
    department = DepartmentFactory(name="深圳市光明区住房和建设局", short_name="住房和建设局")
    other_department = DepartmentFactory(name="深圳市光明区民政局", short_name="民政局")
    return SimpleNamespace(
        department=department,
        other_department=other_department,
        sector=SectorFactory(name="住房和城乡建设"),
        other_sector=SectorFactory(name="民政"),
        main_item=MainItemFactory(department=department, name="建设工程施工许可"),
        other_main_item=MainItemFactory(department=other_department, name="社会团体登记"),
        # Seeded by migration 0002, gone after a transactional test's flush: get or create.
        channel=MobileChannelFactory(name="粤省事"),
    )


# --- roles: two departments, one user per role, an item in each department ---


@pytest.fixture
def roles(db):
    roles_setup()
    return {group.name: group for group in Group.objects.all()}


@pytest.fixture
def own_department(db):
    return DepartmentFactory(name="住房和建设局")


@pytest.fixture
def other_department(db):
    return DepartmentFactory(name="民政局")


@pytest.fixture
def centre_admin(roles):
    return UserFactory(username="centre_admin", groups=[roles[CENTRE_ADMIN]])


@pytest.fixture
def dept_staff(roles, own_department):
    user = UserFactory(username="dept_staff", groups=[roles[DEPARTMENT_STAFF]])
    DepartmentMembership.objects.create(user=user, department=own_department)
    return user


@pytest.fixture
def supervisor(roles):
    return UserFactory(username="supervisor", groups=[roles[SUPERVISOR]])


@pytest.fixture
def own_item(own_department, sector):
    return ServiceItemFactory(department=own_department, sector=sector, name="本部门事项")


@pytest.fixture
def other_item(other_department, sector):
    return ServiceItemFactory(department=other_department, sector=sector, name="他部门事项")


@pytest.fixture
def import_references(db):
    """The department and sector of `valid_row`, another department, and the seeded channels."""
    return {
        "department": DepartmentFactory(name=DEPARTMENT, short_name="住房和建设局"),
        "other_department": DepartmentFactory(name=OTHER_DEPARTMENT, short_name="民政局"),
        "sector": SectorFactory(name=SECTOR),
    }
