"""Roles and the one rule deciding which departments' items a user may see and change.

Groups hold the model permissions (synchronised by `manage.py setup_roles`); the department
scope adds the row level: who sees every department, who only the departments they are
linked to (DepartmentMembership), and who nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

CENTRE_ADMIN = "中心管理员"
DEPARTMENT_STAFF = "部门填报员"
SUPERVISOR = "督查人员"
ROLES = (CENTRE_ADMIN, DEPARTMENT_STAFF, SUPERVISOR)
# The group names are stored as they are; lists of users show the role in the active language.
ROLE_LABELS = {
    CENTRE_ADMIN: _("中心管理员"),
    DEPARTMENT_STAFF: _("部门填报员"),
    SUPERVISOR: _("督查人员"),
}

ALL_DEPARTMENTS_PERMISSION = "catalogue.access_all_departments"
# Importing items from Excel (the admin's 导入 and `manage.py import_items --user`).
IMPORT_PERMISSION = "catalogue.import_serviceitem"

_CRUD = ("add", "change", "delete", "view")

# Permissions of each group, as "app_label.codename". setup_roles makes each group hold exactly
# these, so removing a line here removes the permission on the next run.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    CENTRE_ADMIN: (
        *(
            f"catalogue.{action}_{model}"
            for model in ("department", "sector", "mobilechannel", "mainitem", "serviceitem")
            for action in _CRUD
        ),
        *(f"catalogue.{action}_departmentmembership" for action in _CRUD),
        "catalogue.import_serviceitem",
        "catalogue.export_serviceitem",
        "catalogue.view_reports",
        # Reports as issued (frozen): the whole centre's, so not for department staff.
        "reports.add_issuedreport",
        "reports.view_issuedreport",
        ALL_DEPARTMENTS_PERMISSION,
        "catalogue.view_historicalserviceitem",
        "catalogue.change_historicalserviceitem",
        "catalogue.view_importbatch",
        *(f"auth.{action}_{model}" for model in ("user", "group") for action in _CRUD),
        "auth.view_permission",
        # Unlocking a locked-out account is deleting its django-axes access attempts.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
    ),
    DEPARTMENT_STAFF: (
        "catalogue.view_department",
        "catalogue.view_sector",
        "catalogue.view_mobilechannel",
        # Main items belong to a department: staff add them for their own departments' items.
        "catalogue.add_mainitem",
        "catalogue.change_mainitem",
        "catalogue.view_mainitem",
        "catalogue.add_serviceitem",
        "catalogue.change_serviceitem",
        "catalogue.view_serviceitem",
        "catalogue.import_serviceitem",
        "catalogue.export_serviceitem",
        "catalogue.view_reports",
        "catalogue.view_historicalserviceitem",
        "catalogue.view_importbatch",
    ),
    SUPERVISOR: (
        *(
            f"catalogue.view_{model}"
            for model in ("department", "sector", "mobilechannel", "mainitem", "serviceitem")
        ),
        "catalogue.export_serviceitem",
        "catalogue.view_reports",
        "reports.add_issuedreport",
        "reports.view_issuedreport",
        ALL_DEPARTMENTS_PERMISSION,
        "catalogue.view_historicalserviceitem",
        "catalogue.view_importbatch",
    ),
}


@dataclass(frozen=True)
class DepartmentScope:
    """The departments whose items a user may see: all of them, or the listed ids."""

    all_departments: bool
    department_ids: frozenset[int] = frozenset()

    def allows(self, department_id: int | None) -> bool:
        return self.all_departments or department_id in self.department_ids

    @property
    def is_empty(self) -> bool:
        return not self.all_departments and not self.department_ids

    def filter_items(self, items: QuerySet) -> QuerySet:
        return self.filter_by_department(items, "department_id")

    def filter_by_department(self, queryset: QuerySet, lookup: str) -> QuerySet:
        if self.all_departments:
            return queryset
        if not self.department_ids:
            return queryset.none()
        return queryset.filter(**{f"{lookup}__in": sorted(self.department_ids)})


NO_DEPARTMENTS = DepartmentScope(all_departments=False)
ALL_DEPARTMENTS = DepartmentScope(all_departments=True)


def department_scope(user) -> DepartmentScope:
    """Which departments' items `user` may see; cached on the user object for its request.

    Superusers and holders of catalogue.access_all_departments (centre administrators and
    supervisors) see every department; anyone else sees the departments they are linked to;
    anonymous and inactive users see nothing.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_DEPARTMENTS
    cached = getattr(user, "_department_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser or user.has_perm(ALL_DEPARTMENTS_PERMISSION):
        scope = ALL_DEPARTMENTS
    else:
        scope = DepartmentScope(
            all_departments=False,
            department_ids=frozenset(
                user.department_memberships.values_list("department_id", flat=True)
            ),
        )
    user._department_scope = scope
    return scope


def may_import_items(user) -> bool:
    """Whether `user` may import items (within their department scope)."""
    return user.is_active and user.has_perm(IMPORT_PERMISSION)
