from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from catalogue.models import DepartmentMembership, ServiceItem
from catalogue.roles import (
    DEPARTMENT_STAFF,
    ROLE_PERMISSIONS,
    ROLES,
    DepartmentScope,
    department_scope,
)
from catalogue.selectors import (
    departments_for_user,
    main_items_for_user,
    service_items_for_user,
)
from catalogue.services.roles import roles_setup
from tests.factories import MainItemFactory, UserFactory


def _codes(group):
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


@pytest.mark.django_db
def test_setup_roles_creates_each_group_with_exactly_its_permissions():
    call_command("setup_roles", stdout=StringIO())

    groups = {group.name: group for group in Group.objects.filter(name__in=ROLES)}
    assert set(groups) == set(ROLES)
    for name, codes in ROLE_PERMISSIONS.items():
        assert _codes(groups[name]) == set(codes)


@pytest.mark.django_db
def test_setup_roles_is_idempotent_and_removes_stray_permissions():
    roles_setup()
    staff = Group.objects.get(name=DEPARTMENT_STAFF)
    staff.permissions.add(Permission.objects.get(codename="delete_department"))

    roles_setup()
    roles_setup()

    assert Group.objects.filter(name__in=ROLES).count() == 3
    assert _codes(Group.objects.get(name=DEPARTMENT_STAFF)) == set(
        ROLE_PERMISSIONS[DEPARTMENT_STAFF]
    )


@pytest.mark.django_db
def test_setup_roles_refuses_a_permission_that_does_not_exist(monkeypatch):
    monkeypatch.setitem(ROLE_PERMISSIONS, DEPARTMENT_STAFF, ("catalogue.fly_serviceitem",))

    with pytest.raises(ImproperlyConfigured, match=r"catalogue\.fly_serviceitem"):
        roles_setup()


def test_department_staff_may_not_delete_items_nor_change_reference_data():
    staff = set(ROLE_PERMISSIONS[DEPARTMENT_STAFF])

    assert "catalogue.delete_serviceitem" not in staff
    for model in ("department", "sector", "mobilechannel"):
        assert f"catalogue.view_{model}" in staff
        assert not {f"catalogue.{a}_{model}" for a in ("add", "change", "delete")} & staff


def test_supervisor_only_views():
    from catalogue.roles import SUPERVISOR

    codenames = {code.split(".")[1] for code in ROLE_PERMISSIONS[SUPERVISOR]}
    writes = {c for c in codenames if c.split("_")[0] in {"add", "change", "delete", "import"}}
    # Their one write: freezing a report as issued (issue 14), which changes no catalogue data.
    assert writes == {"add_issuedreport"}


@pytest.mark.django_db
def test_scope_of_each_role(centre_admin, dept_staff, supervisor, department):
    assert department_scope(centre_admin).all_departments
    assert department_scope(supervisor).all_departments
    assert department_scope(dept_staff) == DepartmentScope(
        all_departments=False, department_ids=frozenset({department.pk})
    )


@pytest.mark.django_db
def test_anonymous_inactive_and_unlinked_users_see_nothing(roles, own_item):
    inactive = UserFactory(username="gone", is_active=False, groups=[roles["中心管理员"]])
    unlinked = UserFactory(username="new_staff", groups=[roles[DEPARTMENT_STAFF]])

    for user in (AnonymousUser(), inactive, unlinked, None):
        assert department_scope(user).is_empty
        assert not ServiceItem.objects.for_user(user).exists()


@pytest.mark.django_db
def test_superuser_sees_every_department(own_item, other_item):
    root = UserFactory(username="root", is_superuser=True)

    assert set(ServiceItem.objects.for_user(root)) == {own_item, other_item}


@pytest.mark.django_db
def test_for_user_gives_staff_only_their_departments_items(
    dept_staff, supervisor, own_item, other_item
):
    assert list(ServiceItem.objects.for_user(dept_staff)) == [own_item]
    assert list(service_items_for_user(dept_staff, with_related=True)) == [own_item]
    assert set(ServiceItem.objects.for_user(supervisor)) == {own_item, other_item}


@pytest.mark.django_db
def test_staff_of_several_departments_sees_all_of_them(dept_staff, own_item, other_item):
    DepartmentMembership.objects.create(user=dept_staff, department=other_item.department)
    dept_staff = type(dept_staff).objects.get(pk=dept_staff.pk)  # a new request's user

    assert set(ServiceItem.objects.for_user(dept_staff)) == {own_item, other_item}


@pytest.mark.django_db
def test_departments_and_main_items_for_staff_are_their_own(
    dept_staff, department, other_department
):
    own_main = MainItemFactory(department=department)
    MainItemFactory(department=other_department)

    assert list(departments_for_user(dept_staff)) == [department]
    assert list(main_items_for_user(dept_staff)) == [own_main]


@pytest.mark.django_db
def test_scope_is_computed_once_per_user_object(dept_staff, django_assert_num_queries):
    # 1: user permissions, 2: group permissions, 3: department memberships
    with django_assert_num_queries(3):
        department_scope(dept_staff)
        department_scope(dept_staff)
