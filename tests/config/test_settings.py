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
