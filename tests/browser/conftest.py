"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

The browser tests skip, saying why, where Chromium is missing, unless REQUIRE_BROWSER=1 (CI),
where they fail instead. `playwright install` cannot download browsers here.
"""

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from tests.deploy.instances import production_environment

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# What a test's pages may have stored, cleared after it ("all" would clear the HTTP cache too).
SITE_DATA = "cookies,local_storage,indexeddb,websql,service_workers,cache_storage,file_systems"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """In the browser step (`make test-browser`: `-m browser`, `--dist loadgroup`) the tests
    of a browser module run on one worker, which starts one Chromium and
    one page for them (the `chromium` and `module_page` fixtures' scope).

    A run that mixes them with the other tests (`make test`) leaves them ungrouped: grouped, a
    browser module runs between the worker's other tests instead of after them, where
    pytest-django puts transactional tests. (One such run on PostgreSQL hung in a background
    import's history INSERT: statistics that took the emptied item tables for empty, since
    fixed in the import, catalogue.maintenance.catalogue_tables_analyze_if_stale.)"""
    if config.getoption("markexpr") != "browser":
        return
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group(f"browser:{item.module.__name__}"))


def pytest_collection_finish(session):
    """pytest-xdist groups by a suffix it writes into each test's id; pytest 9.2 ignores that
    write (pytest-xdist#1386) and the groups are silently split: every module's Chromium is
    then started on both workers, and again whenever the worker's tests change module."""
    if not getattr(session.config.option, "loadgroup", False):
        return
    ungrouped = [
        item.nodeid
        for item in session.items
        if item.get_closest_marker("xdist_group") and "@browser:" not in item.nodeid
    ]
    if ungrouped:
        raise pytest.UsageError(
            f"--dist loadgroup does not group the browser tests ({ungrouped[0]}): "
            "pytest-xdist cannot name the groups on this pytest (pytest-xdist#1386)"
        )


@pytest.fixture(scope="module", autouse=True)
def migration_data_given_back(django_db_blocker):
    """After a browser module, the database holds again what the migrations put in it.

    Each of its (transactional) tests ends by emptying every table, and the next
    serialized_rollback test reloads the rows the migrations made (permissions, roles, the
    mobile channels). `make test` also runs other tests on this worker after the module, which
    expect those rows: give them back once the module is done.
    """
    yield
    with django_db_blocker.unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)


@dataclass
class BrowserPage:
    page: object  # playwright.sync_api.Page
    # Console errors and uncaught exceptions, collected as they happen.
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for the tests of a module (pages: `browser_context`, `open_page`).

    Starting Playwright and Chromium costs more than most browser tests take; once a module is
    enough. Not once a session: while Playwright runs, its event loop runs in this thread, and
    Django would refuse the ORM calls of every later test that is not a browser test ("from an
    async context"). Within a module, DJANGO_ALLOW_ASYNC_UNSAFE lets the tests and their
    fixtures set up data synchronously; the live server thread is unaffected.
    """
    if not os.path.exists(CHROMIUM):
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    own = {alias: connections[alias] for alias in connections}
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        driver = sync_playwright().start()
        # With an event loop running, Django's `connections` are local to the loop's context:
        # hand it the thread's own, or the tests would get connections that know nothing of the
        # test database's serialized contents (serialized_rollback) and outlive the module.
        for alias, connection in own.items():
            setattr(connections._connections, alias, connection)
        try:
            yield driver.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
        finally:
            driver.stop()


@pytest.fixture(scope="module")
def browser_context(chromium):
    """The module's browser profile: pages of its tests share its HTTP cache, as a clerk's
    browser keeps the admin's scripts and style sheets from page to page, and nothing else
    (`open_page` clears the cookies and the site's stored data after each test).

    A fresh context per test cost about a second of Chromium's CPU per test (a new profile and
    renderer, every static file fetched and compiled again through the live server).
    """
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context
    context.close()


class ModulePage:
    """The page the module's tests open first, kept from test to test.

    A new page costs a new renderer process, which compiles every script of the admin or the
    report again: about 0.4 s of Chromium's CPU a test. Between tests the page rests on a small
    file of the site (the same origin keeps its renderer) and forgets the test's listeners and
    media emulation; `open_page` clears cookies and stored data as before.
    """

    def __init__(self, context, resting_url):
        self.context = context
        self.resting_url = resting_url
        self.page = None

    def take(self):
        if self.page is None or self.page.is_closed():
            self.page = self.context.new_page()
        return self.page

    def rest(self, listeners):
        from playwright.sync_api import Error as PlaywrightError

        page = self.page
        for event, listener in listeners:
            page.remove_listener(event, listener)
        try:
            page.emulate_media(media="null")
            page.goto(self.resting_url)
        except PlaywrightError:
            # A test that broke its page (a crash, a dialog left open) leaves it to be replaced.
            page.close()

    def close(self):
        if self.page is not None and not self.page.is_closed():
            self.page.close()


@pytest.fixture(scope="module")
def module_page(browser_context, live_server):
    resting_page = ModulePage(
        browser_context, f"{live_server.url}{settings.STATIC_URL}img/favicon.svg"
    )
    yield resting_page
    resting_page.close()


@pytest.fixture
def open_page(chromium, browser_context, module_page, live_server):
    """`open_page(user=None, width=1280, language=None)` → a BrowserPage, a new page of the
    module's browser profile without cookies or site data, logged in as `user`, `width` px
    wide, in the `language` the switch would have chosen. A second page in the same test gets
    a new context of its own, so that the two sessions cannot share cookies.
    """
    pages = []
    contexts = []
    listeners = []

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
        viewport = {"width": width, "height": 900}
        if pages:
            context = chromium.new_context(viewport=viewport, locale="zh-CN")
            contexts.append(context)
        else:
            context = browser_context
            context.clear_cookies()
        context.add_cookies(cookies)
        first = not pages
        page = module_page.take() if first else context.new_page()
        page.set_viewport_size(viewport)
        pages.append(page)
        browser_page = BrowserPage(page=page)

        def on_console(message):
            # The admin has no favicon; the browser asks for one anyway.
            if message.type == "error" and not message.location.get("url", "").endswith(
                "/favicon.ico"
            ):
                browser_page.errors.append(f"{message.text} ({message.location.get('url')})")

        def on_page_error(error):
            browser_page.errors.append(str(error))

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        if first:
            listeners.extend([("console", on_console), ("pageerror", on_page_error)])
        return browser_page

    yield open_page_as
    if pages:
        module_page.rest(listeners)
        # What the site stored (cookies, local storage, ...), not the HTTP cache.
        session = browser_context.new_cdp_session(module_page.take())
        session.send(
            "Storage.clearDataForOrigin", {"origin": live_server.url, "storageTypes": SITE_DATA}
        )
        session.detach()
    for page in pages[1:]:
        page.close()
    for context in contexts:
        context.close()
    browser_context.clear_cookies()


@pytest.fixture
def artifacts() -> Path:
    """Where browser tests save screenshots (git-ignored test-artifacts/)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


WORKER_COMMAND = ["db_worker", "--queue-name", "default", "--interval", "0.2"]


@pytest.fixture
def start_worker(tmp_path):
    """`start_worker()` starts a real `manage.py db_worker` (a test may first show a job
    waiting for it); it is stopped after the test."""
    log = tmp_path / "worker.log"
    processes = []

    def start():
        with log.open("wb") as output:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", *WORKER_COMMAND],
                    cwd=settings.BASE_DIR,
                    env=production_environment(tmp_path),
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            )

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=30)
