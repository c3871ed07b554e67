"""Sign-in, sessions, anonymous access and the deployment check."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.factories import ServiceItemFactory, UserFactory

BASE_DIR = Path(__file__).resolve().parents[2]
PASSWORD = "a-Strong-passw0rd-for-tests"


def _route_urls(patterns, prefix="/"):
    """Every URL of the site, with each path parameter set to 1."""
    for pattern in patterns:
        route = str(pattern.pattern)
        if route.startswith("^"):  # a regex route (simple-history's version page): tested below
            continue
        path = prefix + re.sub(r"<[^>]+>", "1", route)
        if isinstance(pattern, URLResolver):
            yield from _route_urls(pattern.url_patterns, path)
        elif isinstance(pattern, URLPattern):
            yield path


# Reached without signing in: the login page, and the health check of the process manager.
LOGIN_FREE_URLS = {"/admin/login/", "/healthz"}
ANONYMOUS_URLS = sorted(
    {
        *(url for url in _route_urls(get_resolver().url_patterns) if url not in LOGIN_FREE_URLS),
        "/admin/catalogue/serviceitem/1/history/1/",
    }
)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ANONYMOUS_URLS)
def test_anonymous_users_are_sent_to_the_login_page(client, url):
    ServiceItemFactory()

    for response in (client.get(url), client.post(url, {"post": "yes"})):
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


@pytest.mark.django_db
def test_anonymous_users_reach_the_login_page(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_every_admin_door_of_items_is_walked():
    for door in ("/change/", "/delete/", "/history/", "/add/", "autocomplete/"):
        assert any(door in url for url in ANONYMOUS_URLS), door


# --- django-axes --------------------------------------------------------------------------


def _sign_in(client, password, username="clerk"):
    return client.post(
        "/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR="10.0.0.7",
    )


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


@pytest.mark.django_db
def test_repeated_failed_sign_ins_lock_the_account_out(client, axes_on):
    UserFactory(username="clerk", password=PASSWORD)

    for _ in range(2):
        assert _sign_in(client, "wrong").status_code == 200  # the form again, with an error
    locked = _sign_in(client, "wrong")
    after = _sign_in(client, PASSWORD)  # the right password no longer helps

    assert locked.status_code == 429
    assert after.status_code == 429
    assert "登录已锁定" in after.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="clerk").failures_since_start >= 3


@pytest.mark.django_db
def test_lock_out_is_per_user_name_and_address(client, axes_on):
    UserFactory(username="clerk", password=PASSWORD)
    UserFactory(username="colleague", password=PASSWORD)
    for _ in range(3):
        _sign_in(client, "wrong")

    response = _sign_in(client, PASSWORD, username="colleague")

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


@pytest.mark.django_db
def test_a_successful_sign_in_resets_the_failures(client, axes_on):
    UserFactory(username="clerk", password=PASSWORD)
    _sign_in(client, "wrong")
    _sign_in(client, "wrong")

    assert _sign_in(client, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="clerk").exists()


@pytest.mark.django_db
def test_tests_can_still_sign_in_with_the_test_client(client):
    UserFactory(username="clerk", password=PASSWORD)

    assert client.login(username="clerk", password=PASSWORD)


# --- sessions and passwords ---------------------------------------------------------------


def test_sessions_expire():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 60 * 60


@pytest.mark.django_db
def test_a_session_ends_at_the_latest_after_session_cookie_age(client):
    UserFactory(username="clerk", password=PASSWORD)
    _sign_in(client, PASSWORD)

    expiry = client.session.get_expiry_date()

    assert abs((expiry - timezone.now()).total_seconds() - settings.SESSION_COOKIE_AGE) < 60


@pytest.mark.django_db
def test_session_cookie_ends_with_the_browser(client):
    UserFactory(username="clerk", password=PASSWORD)

    response = _sign_in(client, PASSWORD)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert cookie["httponly"]


def test_passwords_follow_djangos_validators():
    names = {validator["NAME"].rsplit(".", 1)[1] for validator in settings.AUTH_PASSWORD_VALIDATORS}

    assert names == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }


# --- check --deploy -----------------------------------------------------------------------


def _documented_environment() -> dict[str, str]:
    """The variables of .env.example, with a real secret key and an SQLite database."""
    values = {}
    for line in (BASE_DIR / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    values["SECRET_KEY"] = secrets.token_urlsafe(50)
    values["DATABASE_URL"] = "sqlite:///:memory:"
    return values


def _check_deploy(**overrides) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DEBUG", "SECRET", "SECURE_", "SESSION_"))
    }
    env |= _documented_environment() | overrides
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_environment():
    result = _check_deploy()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_reports_a_missing_hsts_setting():
    result = _check_deploy(SECURE_HSTS_SECONDS="0")

    assert result.returncode == 1
    assert "security.W004" in result.stdout + result.stderr


def test_secure_cookies_and_redirect_are_the_default_outside_debug():
    hidden = {"SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    env |= {k: v for k, v in _documented_environment().items() if k not in hidden}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )

    printed = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )

    assert printed.stdout.split() == ["True", "True", "True"], printed.stderr


def test_login_security_pages_of_django_axes_are_in_chinese(admin_client):
    page = admin_client.get("/admin/").content.decode()

    assert "登录安全" in page
    assert "登录尝试" in page and "登录失败记录" in page and "登录日志" in page
