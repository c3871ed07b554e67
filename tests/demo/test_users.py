from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from catalogue.roles import CENTRE_ADMIN, DEPARTMENT_STAFF, SUPERVISOR
from demo.users import demo_users_ensure
from tests.factories import DepartmentFactory, ServiceItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def busiest_department():
    ServiceItemFactory(department=DepartmentFactory(name="民政局"))
    busiest = DepartmentFactory(name="住房和建设局")
    ServiceItemFactory.create_batch(2, department=busiest)
    return busiest


def test_creates_one_staff_user_per_role_with_a_random_password(busiest_department):
    logins = demo_users_ensure()

    assert [(login.username, login.role) for login in logins] == [
        ("centre_admin", CENTRE_ADMIN),
        ("dept_staff", DEPARTMENT_STAFF),
        ("supervisor", SUPERVISOR),
    ]
    for login in logins:
        user = authenticate(username=login.username, password=login.password)
        assert user is not None and user.is_staff and not user.is_superuser
        assert [group.name for group in user.groups.all()] == [login.role]
    assert len({login.password for login in logins}) == 3


def test_a_random_password_too_like_the_user_name_is_drawn_again(busiest_department, monkeypatch):
    drawn = iter(
        ["centre_admin1", "Kq7-vN2pXw9sLm4R", "dept_staff1", "Tz8_bH3jRc6yWe5D", "Mw4-rT9kLp2sQx7V"]
    )
    monkeypatch.setattr("demo.users.secrets.token_urlsafe", lambda _length: next(drawn))

    logins = demo_users_ensure()

    assert [login.password for login in logins] == [
        "Kq7-vN2pXw9sLm4R",
        "Tz8_bH3jRc6yWe5D",
        "Mw4-rT9kLp2sQx7V",
    ]


def test_dept_staff_is_linked_to_the_department_with_the_most_items(busiest_department):
    logins = {login.username: login for login in demo_users_ensure()}

    staff = get_user_model().objects.get(username="dept_staff")
    assert list(staff.department_memberships.values_list("department", flat=True)) == [
        busiest_department.pk
    ]
    assert logins["dept_staff"].departments == ("住房和建设局",)


def test_uses_demo_password_when_set(settings, busiest_department):
    settings.DEMO_PASSWORD = "Guangming-demo-2024"

    logins = demo_users_ensure()

    assert {login.password for login in logins} == {"Guangming-demo-2024"}
    assert authenticate(username="supervisor", password="Guangming-demo-2024")


def test_refuses_a_weak_demo_password(settings):
    settings.DEMO_PASSWORD = "12345678"

    with pytest.raises(ValidationError):
        demo_users_ensure()
    assert not get_user_model().objects.exists()


def test_second_run_keeps_users_memberships_and_passwords(busiest_department):
    first = {login.username: login.password for login in demo_users_ensure()}

    second = demo_users_ensure()

    assert [login.password for login in second] == [None, None, None]
    assert get_user_model().objects.count() == 3
    staff = get_user_model().objects.get(username="dept_staff")
    assert staff.department_memberships.count() == 1
    assert authenticate(username="dept_staff", password=first["dept_staff"])


def test_reset_passwords_gives_new_ones(busiest_department):
    first = {login.username: login.password for login in demo_users_ensure()}

    second = {login.username: login.password for login in demo_users_ensure(reset_passwords=True)}

    assert authenticate(username="centre_admin", password=second["centre_admin"])
    assert second["centre_admin"] != first["centre_admin"]


def test_demo_users_command_prints_the_logins(busiest_department):
    out = StringIO()

    call_command("demo_users", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("中心管理员  centre_admin / ")
    assert lines[1].endswith("[住房和建设局]")
    assert lines[2].startswith("督查人员  supervisor / ")


def test_demo_users_command_explains_a_weak_password(settings):
    settings.DEMO_PASSWORD = "12345678"

    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        call_command("demo_users", stdout=StringIO())
