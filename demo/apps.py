from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo catalogue of 光明区 and its logins; installed by the development settings only."""

    name = "demo"
    verbose_name = "演示目录"
