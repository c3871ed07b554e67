from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("统计报表")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
