"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

The browser tests skip, saying why, where Chromium is missing, unless REQUIRE_BROWSER=1 (CI),
where they fail instead. `playwright install` cannot download browsers here.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass
class BrowserPage:
    page: object  # playwright.sync_api.Page
    # Console errors and uncaught exceptions, collected as they happen.
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def open_page(live_server, monkeypatch):
    """`open_page(user=None, width=1280, language=None)` → a BrowserPage on a fresh Chromium,
    logged in as `user`, `width` px wide, in the `language` the switch would have chosen.

    Set up the data first: while Playwright runs, its event loop makes Django refuse ORM calls
    from the test (they would be "from an async context"); the live server thread is unaffected.
    """
    if not os.path.exists(CHROMIUM):
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls stay
    # synchronous, so Django's async-safety check would refuse them for no reason.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    started = []

    def open_page_as(user=None, *, width=1280, language=None) -> BrowserPage:
        cookies = []
        if language is not None:
            cookies.append(
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}
            )
        if user is not None:
            client = Client()
            client.force_login(user)
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            cookies.append(
                {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}
            )
        playwright = sync_playwright().start()
        started.append(playwright)
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        context = chromium.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        context.add_cookies(cookies)
        browser_page = BrowserPage(page=context.new_page())

        def on_console(message):
            # The admin has no favicon; the browser asks for one anyway.
            if message.type == "error" and not message.location.get("url", "").endswith(
                "/favicon.ico"
            ):
                browser_page.errors.append(f"{message.text} ({message.location.get('url')})")

        browser_page.page.on("console", on_console)
        browser_page.page.on("pageerror", lambda error: browser_page.errors.append(str(error)))
        return browser_page

    yield open_page_as
    # ORM calls made while Playwright ran opened connections of their own, in the context of
    # its event loop: close them there, before it stops, or PostgreSQL cannot drop the test
    # database.
    connections.close_all()
    for playwright in started:
        playwright.stop()


@pytest.fixture
def artifacts() -> Path:
    """Where browser tests save screenshots (git-ignored test-artifacts/)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
