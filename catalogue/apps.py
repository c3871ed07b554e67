from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("政务服务事项目录")

    def ready(self):
        from . import history  # noqa: F401 - connects the audit-field receiver
