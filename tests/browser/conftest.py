"""Browser tests: Debian's Chromium driven by Playwright against the live test server.

Playwright's own browser download does not work here, so the system Chromium is used. Without it
the tests are skipped and say why (.ci/run installs it).
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = Path(os.environ.get("URA_CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Playwright's sync API runs an event loop in this thread; the test server's database calls are
# still synchronous, so Django's guard against ORM calls inside a loop is lifted for these tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class OneRequestAtATime(WSGIServer):
    """The test server, answering one request after the other. An in-memory SQLite database is one
    connection, which the threaded server's threads share: two requests at once (a page's fetches
    in parallel: its key, the kept form, a keep) used it together, now and then, on a loaded
    machine ("cannot start a transaction within a transaction", a session "deleted"). Not threaded,
    the server closes each connection after its answer, so none waits behind a kept-alive one.
    PostgreSQL gives each thread its own connection: the threaded server stays."""

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # the server's own thread took the connections over


if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    LiveServerThread.server_class = OneRequestAtATime


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import expect, sync_playwright

    # An assertion waits as long as an action does: on a 2-core machine running the suite on both
    # cores, a page's answer (a sign-in, a sync) took longer than expect's own 5 s now and then.
    expect.set_options(timeout=10_000)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A tablet-sized page (1024x768, touch), as a social worker on a home visit has."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, locale="en-GB")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("ura-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
