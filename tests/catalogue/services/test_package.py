import os
import subprocess
import sys

from django.conf import settings

# Loads the URLs (and so every admin module) on the production settings, then lists the
# catalogue's modules that got imported.
PROBE = """
import sys, django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
print(" ".join(sorted(name for name in sys.modules if name.startswith("catalogue"))))
"""


def test_a_web_process_does_not_import_the_demo_catalogue():
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DJANGO_TESTING", "DJANGO_SETTINGS_MODULE", "DEBUG"}
    }
    environment.update(
        {"DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "true", "SECRET_KEY": "x" * 50}
    )

    completed = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    modules = completed.stdout.split()
    assert "catalogue.services.items" in modules
    assert not {"catalogue.demo", "catalogue.demo_data", "catalogue.services.demo_load"} & set(
        modules
    )
