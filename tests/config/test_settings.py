import os
import subprocess
import sys

import pytest
from django.conf import settings

MISSING_KEY_MESSAGE = (
    "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
    "(it may only be left out when DEBUG=true)."
)


def _manage_check(**env):
    """Run `manage.py check` on the base settings with exactly the given variables set.

    SECRET_KEY is passed even when empty so that a developer's .env cannot fill it in.
    """
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DJANGO_TESTING", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG"}
    }
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings.base", "SECRET_KEY": ""})
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_refuses_to_start_without_secret_key_when_not_in_debug():
    result = _manage_check(DEBUG="false")

    assert result.returncode != 0
    assert f"django.core.exceptions.ImproperlyConfigured: {MISSING_KEY_MESSAGE}" in result.stderr


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({"DEBUG": "true"}, id="debug-without-key"),
        pytest.param({"DEBUG": "false", "SECRET_KEY": "a-long-random-production-key"}, id="key"),
    ],
)
def test_starts_in_debug_or_with_a_secret_key(env):
    result = _manage_check(**env)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_language_is_simplified_chinese_first_then_english():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ


def _manage_shell(code, **env):
    """Run `code` in `manage.py shell` on the production settings with the given variables."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DJANGO_TESTING", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG"}
    }
    environment.update(
        {"DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "false", "SECRET_KEY": ""}
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_secret_key_may_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("a-long-random-production-key-from-a-file\n", encoding="utf-8")

    result = _manage_shell(
        "from django.conf import settings; print(settings.SECRET_KEY)",
        SECRET_KEY_FILE=str(key_file),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "a-long-random-production-key-from-a-file"


def test_connection_pooling_is_refused_on_sqlite():
    result = _manage_shell(
        "from django.conf import settings; settings.DATABASES",
        SECRET_KEY="key",
        DATABASE_URL="sqlite:///db.sqlite3",
        DATABASE_POOL="true",
    )

    assert result.returncode != 0
    assert "DATABASE_POOL=true needs a PostgreSQL DATABASE_URL." in result.stderr


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="DATABASE_URL is not PostgreSQL",
)
def test_connection_pooling_serves_connections_from_a_psycopg_pool():
    result = _manage_shell(
        "from django.db import connection\n"
        "with connection.cursor() as cursor: cursor.execute('SELECT 1')\n"
        "print(type(connection.pool).__name__, connection.pool.min_size, connection.pool.max_size)",
        SECRET_KEY="key",
        DATABASE_POOL="true",
        DATABASE_POOL_MAX_SIZE="3",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ConnectionPool", "1", "3"]


# --- several instances, one database (issue 11.2) ---


def test_sessions_lock_outs_and_caches_live_in_the_database_or_nowhere():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    for cache in settings.CACHES.values():
        assert cache["BACKEND"] in {
            "django.core.cache.backends.dummy.DummyCache",
            "django.core.cache.backends.db.DatabaseCache",
        }


def test_no_model_keeps_a_file_on_an_instances_disk():
    from django.apps import apps
    from django.db.models import FileField

    file_fields = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, FileField)
    ]
    assert file_fields == []


def test_a_read_replica_is_configured_from_database_replica_url():
    result = _manage_shell(
        "from django.conf import settings\n"
        "replica = settings.DATABASES['replica']\n"
        "print(settings.READ_REPLICA, replica['NAME'], replica['HOST'], replica['TEST']['MIRROR'])",
        SECRET_KEY="key",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/catalogue",
        DATABASE_REPLICA_URL="postgres://reader@10.0.0.2:5432/catalogue",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["replica", "catalogue", "10.0.0.2", "default"]
