import os

os.environ.setdefault("DJANGO_TESTING", "true")

from .dev import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serving: whitenoise finds static files in the source folders, as in development, so that
# tests need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Tests log in with client.login()/force_login(), which pass no request to the backends;
# tests of the lockout switch django-axes back on.
AXES_ENABLED = False

# PostgreSQL: the same backend, but a transactional test's flush deletes the rows instead of
# truncating the tables, which costs about a second per test (tests/postgresql/base.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "tests.postgresql"  # noqa: F405

# Read replica
# A `replica` alias mirroring the test database, off unless a test sets READ_REPLICA="replica"
# (tests/config/test_db_routers.py): its queries then run on a second connection.
if "replica" not in DATABASES:  # noqa: F405
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
READ_REPLICA = None

# Tasks run at once, in the request (a browser test uses a real worker)
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
