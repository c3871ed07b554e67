"""System checks of what the report needs from the installation."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Warning, register


@register()
def chart_font_check(app_configs, **kwargs):
    """The Word document's chart images need the CJK font `make install` copies from npm."""
    if Path(settings.REPORT_CHART_FONT).is_file():
        return []
    return [
        Warning(
            f"REPORT_CHART_FONT {settings.REPORT_CHART_FONT} is not a file: the Word report "
            "cannot draw its charts.",
            hint="Run `make install`, which copies Source Han Sans SC from npm into vendor/fonts/.",
            id="reports.W001",
        )
    ]
