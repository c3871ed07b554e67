from axes.apps import AppConfig as BaseAxesConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(BaseAxesConfig):
    """django-axes with a name the admin index shows in Chinese."""

    verbose_name = _("登录安全")


class TasksDbConfig(TasksAppConfig):
    """django-tasks' database backend under a name the admin index shows in Chinese."""

    verbose_name = _("后台任务")
