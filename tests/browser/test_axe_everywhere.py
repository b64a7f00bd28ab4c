"""axe-core's WCAG 2.1 AA rules on every page each demo person can reach, in English and in Albanian.

The crawl starts at each person's home page and follows every link of ours, checking each route once
per person (the first address seen for it: `cases:entry` of a contact and of a plan are two routes,
two contacts are one) in English, and each route once in Albanian, for the first person who reaches
it. A page that answers something other than a web page (a download, an export) is not checked.
Marked `probe`: about ten minutes here, so `make probe` runs it (CI does, after `make test`), not
`make test`.
"""

from collections import deque
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import Resolver404, resolve

from agencies.models import User
from demo.organisations import USERS
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.probe, pytest.mark.django_db(transaction=True)]
WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],  # only the violations' details: the rest is not read, and slow
}
PAGES_PER_PERSON = 60  # a bound, well above the routes anyone reaches (about 30)
NOT_PAGES = ("/admin/", "/api/", "/static/", "/media/", "/accounts/logout/")
LINKS = "() => [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href'))"


def route(path: str) -> str | None:
    """What makes two addresses the same page: the URL pattern and its words, not its ids."""
    if path.startswith(NOT_PAGES):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    words = sorted(f"{key}={value}" for key, value in match.kwargs.items() if not str(value).isdigit())
    return ":".join([match.view_name, *words])


def check(page: Any, axe: Axe, path: str, language: str) -> list[str]:
    return [
        f"{path} [{language}]: {violation['id']} ({violation['impact']}): "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in axe.run(page, options=WCAG).response["violations"]
    ]


def crawl(page: Any, base: str, checked_in_albanian: set[str]) -> tuple[int, list[str]]:
    """Visit every route reachable from home and check it in English; check it in Albanian too
    unless it already was, for someone else (what the language changes, the words and their length,
    is the same for everyone). Return how many pages were checked and the faults."""
    axe, seen, faults, checked = Axe(), {route("/")}, [], 0
    queue: deque[str] = deque(["/"])
    while queue and checked < PAGES_PER_PERSON:
        path = queue.popleft()
        try:
            response = page.goto(base + path)
        except Exception:  # noqa: S112 - a download starts instead of a page: nothing to check
            continue
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        links = page.evaluate(LINKS)
        checked += 1
        faults += check(page, axe, path, "en")
        if (here := str(route(path))) not in checked_in_albanian:
            checked_in_albanian.add(here)
            page.context.add_cookies([{"name": "django_language", "value": "sq", "url": base}])
            page.reload()
            faults += check(page, axe, path, "sq")
            page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
        for href in links:
            address = urlsplit(urljoin(base + path, href))
            if f"{address.scheme}://{address.netloc}" != base:
                continue
            key = route(address.path)
            if key and key not in seen:
                seen.add(key)
                queue.append(address.path + (f"?{address.query}" if address.query else ""))
    return checked, faults


def test_every_page_every_demo_person_reaches_passes_axe_wcag_aa(
    browser: Any, live_server: Any, demo: dict[str, User]
) -> None:
    faults, checked, checked_in_albanian = [], 0, set[str]()
    for username in USERS:
        context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, locale="en-GB")
        context.set_default_timeout(15_000)
        page = context.new_page()
        sign_in(page, live_server, username)
        pages, found = crawl(page, live_server.url, checked_in_albanian)
        checked += pages
        faults += [f"{username} {fault}" for fault in found]
        context.close()
    assert checked > 10 * len(USERS) and len(checked_in_albanian) > 30  # it reached the pages, not just home
    assert not faults, f"{len(faults)} violations in {checked} pages:\n" + "\n".join(faults)
