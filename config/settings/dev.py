"""Development settings: production's (base.py) plus the demo catalogue and the benchmarks.

`make run`, `make install` and the tests use this module; manage.py's default stays base.py,
so a production deployment installs neither app.
"""

import os

from .base import *  # noqa: F403
from .base import INSTALLED_APPS

# Development-only apps
INSTALLED_APPS = [*INSTALLED_APPS, "demo", "benchmarks"]

# --- reportdoc: the demo catalogue is 深圳市光明区's; the environment still decides ---
REPORT_REGION = os.environ.get("REPORT_REGION", "深圳市光明区")
REPORT_ISSUER = os.environ.get("REPORT_ISSUER", "深圳市光明区政务服务数据管理局")
