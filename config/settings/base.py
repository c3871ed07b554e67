"""Settings for the service catalogue.

This module is the only place that reads the environment; see `.env.example`.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
TESTING = env.bool("DJANGO_TESTING", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
# Serving: or read from a file (`make serve` generates var/secret_key; systemd credentials).
if not SECRET_KEY and env.str("SECRET_KEY_FILE", default=""):
    SECRET_KEY = Path(env.str("SECRET_KEY_FILE")).read_text(encoding="utf-8").strip()
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(it may only be left out when DEBUG=true)."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}

# --- Serving: database connections (issue 11) ---
# PostgreSQL: DATABASE_POOL=true keeps a psycopg pool per process (Django 5.1+, needs
# psycopg[pool]); a pool cannot be combined with persistent connections (CONN_MAX_AGE must be 0).
if env.bool("DATABASE_POOL", default=False):
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_POOL=true needs a PostgreSQL DATABASE_URL.")
    if DATABASES["default"].get("CONN_MAX_AGE"):
        raise ImproperlyConfigured("DATABASE_POOL=true needs CONN_MAX_AGE=0 (conn_max_age).")
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=4),
        # Seconds a request waits for a free connection before failing.
        "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers share the file: write transactions take the write lock when they
    # begin (no "database is locked" on upgrading a read), and wait for it up to 20 s.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )

# Read replica (issue 11.2)
# DATABASE_REPLICA_URL: a read-only copy of the primary (streaming replication). Views that only
# read (the report, summary.json, chart data, exports) send their queries there through
# config.db_routers; writes and every check that guards a write stay on the primary. Pooling
# applies to it as to the primary. Unset: everything on the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    if "pool" in DATABASES["default"].get("OPTIONS", {}):
        DATABASES["replica"].setdefault("OPTIONS", {})["pool"] = dict(
            DATABASES["default"]["OPTIONS"]["pool"]
        )
    # Test runs use the primary's test database for the replica alias.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
READ_REPLICA = "replica" if "replica" in DATABASES else None
DATABASE_ROUTERS = ["config.db_routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Password of the demo login created by `manage.py load_demo`; random on every run when empty.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="")

# Upload limits for Excel imports (bytes); see catalogue/importing.
IMPORT_MAX_FILE_SIZE = env.int("IMPORT_MAX_FILE_SIZE", default=20 * 1024 * 1024)
# Largest unpacked size of an .xlsx (a zip): above it the file is refused as a zip bomb.
IMPORT_MAX_UNPACKED_SIZE = env.int("IMPORT_MAX_UNPACKED_SIZE", default=500 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    # catalogue before import_export, so that catalogue's `import` command (which refuses;
    # items are imported with import_items) replaces the stock one.
    "catalogue",
    "import_export",
    "simple_history",
    "config.apps.AxesConfig",
    "csp",  # hardening: django-csp's system checks
    "reports",
    # Background tasks (Django's tasks API, backport; database backend).
    "django_tasks",
    "config.apps.TasksDbConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serving: static files straight from gunicorn (compressed, hashed, cached for ever).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Chinese first whatever the browser's Accept-Language (config/language.py)
    "config.language.ChosenLanguageMiddleware",
    # hardening: refuse NUL characters before any view or query sees them (config/middleware.py)
    "config.middleware.RefuseNulCharactersMiddleware",
    # hardening: the Content Security Policy header, and private, no-store by default
    "csp.middleware.CSPMiddleware",
    "config.middleware.PrivateCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Logging: puts the request's user and path on every log record (config/log.py).
    "config.log.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Anonymous users reach only the login page: every view needs a login unless it opts out.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "admin:login"

# django-axes checks every login first, then Django's model backend authenticates.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Lock the pair (user name, address): a colleague behind the same office NAT can still sign in.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"

# Sessions end when the browser closes, and at the latest SESSION_COOKIE_AGE seconds after
# signing in (a working day). A sliding idle timeout (SESSION_SAVE_EVERY_REQUEST) would write
# the session on every request.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# HTTPS hardening. Secure by default outside debug and tests; see .env.example and README.
_PRODUCTION = not (DEBUG or TESTING)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_PRODUCTION)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=_PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=_PRODUCTION)
# HSTS is sticky in browsers, so it is opt-in: set it once HTTPS works for good.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (else HTTPS redirects would loop).
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Serving: the process manager and the proxy probe /healthz over plain HTTP on loopback.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# --- Serving: static files (issue 11) ---
# `collectstatic` writes hashed, gzip-compressed copies to STATIC_ROOT (Chart.js included, from
# static/vendor/); whitenoise serves them with a ten-year Cache-Control for the hashed names.
# With DEBUG on, {% static %} gives the plain names and runserver serves static/ directly.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Several instances, one database (issue 11.2)
# Nothing an instance needs may live in another's memory or on its disk. Sessions are rows in
# the database (Django's default, stated here), django-axes counts failed sign-ins and locks out
# in the database, and no per-process cache exists: nothing uses Django's cache today, and the
# default (local memory) would differ between instances the day something did. A feature that
# needs one should use the database cache (`createcachetable`) or a shared server.
# Uploaded import files are kept in the database (catalogue.ImportFile: the import batch gives
# them back, the worker reads them), as are export files written in the background
# (catalogue.ExportJob).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

# Background tasks (issue 11.3)
# Django's tasks API (the django-tasks backport) with its database backend: tasks are rows in
# the database, run by `manage.py db_worker` (started by `make run` and `make serve`; in
# production its own unit, deploy/catalogue-worker.service). An item export of at least
# EXPORT_BACKGROUND_MIN_ROWS items is written by a task; smaller ones in the request as before.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
EXPORT_BACKGROUND_MIN_ROWS = env.int("EXPORT_BACKGROUND_MIN_ROWS", default=20_000)
# An import of a file whose largest sheet has IMPORT_BACKGROUND_ROWS rows or more is checked
# and written by the worker (catalogue.services.import_jobs); smaller ones in the request.
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=20_000)
# A running background job stamps its heartbeat every BACKGROUND_JOB_HEARTBEAT_SECONDS; one
# silent for BACKGROUND_JOB_STALE_SECONDS had its worker stop and ends as failed
# (catalogue.services.background_jobs). `manage.py prune_jobs` deletes finished jobs.
BACKGROUND_JOB_HEARTBEAT_SECONDS = env.int("BACKGROUND_JOB_HEARTBEAT_SECONDS", default=30)
BACKGROUND_JOB_STALE_SECONDS = env.int("BACKGROUND_JOB_STALE_SECONDS", default=600)

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# The admin import and export views need catalogue.import_serviceitem / export_serviceitem.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"

# Viewing an item's history needs view_historicalserviceitem; restoring a version needs
# change_historicalserviceitem (given to the centre administrators only).
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS = True
SIMPLE_HISTORY_REVERT_DISABLED = False

# Demo logins created by load_demo / demo_users: this password, or a random one when empty.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="")

# --- Serving: logging (issue 11) ---
# One line per event on stderr, naming the request's user and path (config/log.py); tracebacks
# stay on that line. django.request logs every unhandled error (500) with its traceback.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "config.log.RequestContextFilter"}},
    "formatters": {
        "line": {
            "()": "config.log.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s user=%(user)s path=%(path)s %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request_context"],
            "formatter": "line",
        },
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own handlers would print a second copy (and mail admins).
        "django": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        # 4xx responses are logged by django.request as warnings; the access log has them.
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
    },
}

# --- Serving: database maintenance (issue 11) ---
# An import that writes at least this many items ANALYZEs the catalogue tables on PostgreSQL
# (catalogue/maintenance.py): the planner otherwise works from the statistics of before.
IMPORT_ANALYZE_MIN_ROWS = env.int("IMPORT_ANALYZE_MIN_ROWS", default=5000)

# --- hardening (issue 12): client address behind proxies, CSP, login redirect ---------------
# django-axes locks (user name, address) pairs; the address is read by config.client_ip: behind
# CLIENT_IP_PROXY_COUNT reverse proxies, each appending to X-Forwarded-For, the client is the
# entry that many places from the right. Empty or 0: REMOTE_ADDR (no proxy).
CLIENT_IP_PROXY_COUNT = int(env.str("AXES_PROXY_COUNT", default="") or 0)
if CLIENT_IP_PROXY_COUNT < 0:
    raise ImproperlyConfigured("AXES_PROXY_COUNT must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip_address"

# Content Security Policy (django-csp 4): everything from this site only, no inline script or
# style, no plug-ins, no framing, forms post only here. The admin, the report and Chart.js
# (static/vendor) need nothing more.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# After signing in without a safe `next`, go to the role's start page (config.views.home):
# supervisors to the report, everyone else to the catalogue (not Django's /accounts/profile/).
LOGIN_REDIRECT_URL = "home"

# --- report document (issue 13): who issues the report, for which region, its chart font -----
# The report's title names the region ("深圳市光明区政务服务事项统计报告") and its heading the
# issuing unit; both empty: the report's name only.
REPORT_REGION = env.str("REPORT_REGION", default="")
REPORT_ISSUER = env.str("REPORT_ISSUER", default="")
# The CJK font the server draws chart images in (Word document): `make install` copies Source
# Han Sans SC here from npm (node-source-han-sans-sc); no system font is assumed.
REPORT_CHART_FONT = env.str("REPORT_CHART_FONT", default="") or str(
    BASE_DIR / "vendor" / "fonts" / "SourceHanSansSC-Regular.otf"
)
