"""Development settings: production's (base.py) plus the demo catalogue and the benchmarks.

`make run`, `make install` and the tests use this module; manage.py's default stays base.py,
so a production deployment installs neither app.
"""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS

# --- demo branch: development-only apps ---
INSTALLED_APPS = [*INSTALLED_APPS, "demo", "benchmarks"]
