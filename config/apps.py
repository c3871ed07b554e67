from axes.apps import AppConfig as BaseAxesConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(BaseAxesConfig):
    """django-axes with a name the admin index shows in Chinese."""

    verbose_name = _("登录安全")
