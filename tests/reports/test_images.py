"""The chart images' library is loaded by the first drawing only."""

import os
import subprocess
import sys

from django.conf import settings


def test_resolving_the_sites_urls_does_not_import_matplotlib():
    # A fresh process: this one may have drawn charts already. Importing matplotlib costs
    # about 0.3 s of CPU, which every admin request of a new process paid (the URLconf
    # imports the report's views) although only the Word document draws.
    code = (
        "import sys, django; django.setup(); from django.urls import reverse; "
        "reverse('admin:catalogue_serviceitem_import'); reverse('reports:document'); "
        "print('matplotlib' in sys.modules)"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )

    assert completed.stdout.strip().splitlines()[-1] == "False"
