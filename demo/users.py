"""Demo logins, one per role, for the demo catalogue (load_demo) and `manage.py demo_users`."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from catalogue.models import DepartmentMembership
from catalogue.roles import CENTRE_ADMIN, DEPARTMENT_STAFF, SUPERVISOR
from catalogue.selectors import department_with_most_items
from catalogue.services.roles import roles_setup

DEMO_USERS = (
    ("centre_admin", CENTRE_ADMIN),
    ("dept_staff", DEPARTMENT_STAFF),
    ("supervisor", SUPERVISOR),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    password: str | None  # None: an existing user whose password was left unchanged
    departments: tuple[str, ...] = ()


@transaction.atomic
def demo_users_ensure(*, reset_passwords: bool = False) -> list[DemoLogin]:
    """Create (or bring back in line) one staff user per role and return their logins.

    The role groups are synchronised first. `dept_staff` is linked to the department with the
    most items. A new user gets settings.DEMO_PASSWORD, or a random password when that is
    empty; an existing user keeps theirs unless DEMO_PASSWORD is set or `reset_passwords`.
    DEMO_PASSWORD must pass the password validators.
    """
    roles_setup()
    User = get_user_model()
    roles = [role for _username, role in DEMO_USERS]
    groups = {group.name: group for group in Group.objects.filter(name__in=roles)}
    department = department_with_most_items()
    logins = []
    for username, role in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        user.is_staff, user.is_active, user.is_superuser = True, True, False
        password = None
        if created or reset_passwords or settings.DEMO_PASSWORD:
            if settings.DEMO_PASSWORD:
                password = settings.DEMO_PASSWORD
                validate_password(password, user)
            else:
                password = _random_password(user)
            user.set_password(password)
        user.save()
        user.groups.set([groups[role]])
        departments = ()
        if role == DEPARTMENT_STAFF and department is not None:
            DepartmentMembership.objects.get_or_create(user=user, department=department)
            departments = (department.name,)
        logins.append(DemoLogin(username, role, password, departments))
    return logins


def _random_password(user) -> str:
    """A random password the validators accept (now and then one is too like the user name)."""
    while True:
        password = secrets.token_urlsafe(12)
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password
