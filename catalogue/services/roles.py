"""The role groups and their permissions (catalogue.roles lists them)."""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q

from ..roles import ROLE_PERMISSIONS


@transaction.atomic
def roles_setup() -> dict[str, int]:
    """Create the role groups and give each exactly the permissions of ROLE_PERMISSIONS.

    Idempotent; returns the number of permissions of each group. Raises ImproperlyConfigured
    when a listed permission does not exist (migrations not applied).
    """
    result = {}
    for name, codes in ROLE_PERMISSIONS.items():
        pairs = {tuple(code.split(".", 1)) for code in codes}
        match = Q()
        for app_label, codename in pairs:
            match |= Q(content_type__app_label=app_label, codename=codename)
        permissions = list(Permission.objects.filter(match).select_related("content_type"))
        missing = pairs - {(p.content_type.app_label, p.codename) for p in permissions}
        if missing:
            raise ImproperlyConfigured(
                f"Permissions missing for group {name}: "
                + ", ".join(sorted(".".join(pair) for pair in missing))
                + ". Run `manage.py migrate` first."
            )
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)
        result[name] = len(permissions)
    return result
