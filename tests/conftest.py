import pytest
from django.contrib.auth.models import Group

from catalogue.models import DepartmentMembership
from catalogue.roles import CENTRE_ADMIN, DEPARTMENT_STAFF, SUPERVISOR
from catalogue.services import roles_setup
from tests.factories import DepartmentFactory, SectorFactory, ServiceItemFactory, UserFactory


@pytest.fixture
def department(db):
    return DepartmentFactory(name="住房和建设局")


@pytest.fixture
def sector(db):
    return SectorFactory(name="住房和城乡建设")


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
