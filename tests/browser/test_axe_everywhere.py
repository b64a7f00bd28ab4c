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
from panels.models import PanelMeeting
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.probe, pytest.mark.django_db(transaction=True)]
WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],  # only the violations' details: the rest is not read, and slow
}
PAGES_PER_PERSON = 60  # a bound, well above the routes anyone reaches (about 30)
NOT_PAGES = ("/admin/", "/api/", "/static/", "/media/", "/accounts/logout/")
LINKS = "() => [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href'))"
# The main forms, posted empty once each (by the first person who reaches them), so that their error
# state (the error summary, the invalid fields) is checked too, not only the blank form.
FORMS_POSTED_EMPTY = {
    "cases:entry_create:kind=contact",
    "referrals:referral_create",
    "panels:meeting_register",
}
# Empties what a person types (not hidden fields, the token or what the page set) and posts the
# page's main form as its own submit button would, past any script that would keep it.
POST_EMPTY = """() => {
  const form = [...document.querySelectorAll('main form')].filter((f) => (f.method || '').toLowerCase() === 'post')
    .sort((a, b) => b.elements.length - a.elements.length)[0];
  if (!form) return false;
  for (const field of form.elements) {
    const typed = ['text', 'date', 'number', 'email', 'tel'].includes(field.type);
    if (field.tagName === 'TEXTAREA' || (field.tagName === 'INPUT' && typed)) field.value = '';
    if (field.type === 'radio' || field.type === 'checkbox') field.checked = false;
  }
  HTMLFormElement.prototype.submit.call(form);
  return true;
}"""


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


def post_empty(page: Any, axe: Axe, path: str) -> list[str]:
    """Post the page's main form empty and check the page that answers (its errors shown)."""
    with page.expect_navigation():
        if not page.evaluate(POST_EMPTY):
            return [f"{path}: no form to post"]
    faults = check(page, axe, f"{path} (posted empty)", "en")
    if "data-error-summary" not in page.content():
        faults.append(f"{path} (posted empty): no error summary")
    return faults


def crawl(page: Any, base: str, checked_in_albanian: set[str], posted: set[str]) -> tuple[int, list[str]]:
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
        if response is not None and response.status >= 500:  # a server error fails the crawl
            faults.append(f"{path}: answered {response.status}")
            continue
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        links = page.evaluate(LINKS)
        checked += 1
        faults += check(page, axe, path, "en")
        if (form := str(route(urlsplit(path).path))) in FORMS_POSTED_EMPTY and form not in posted:
            posted.add(form)
            faults += post_empty(page, axe, path)
            page.goto(base + path)
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
    faults, checked, checked_in_albanian, posted = [], 0, set[str](), set[str]()
    for username in USERS:
        context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, locale="en-GB")
        context.set_default_timeout(15_000)
        page = context.new_page()
        sign_in(page, live_server, username)
        pages, found = crawl(page, live_server.url, checked_in_albanian, posted)
        checked += pages
        faults += [f"{username} {fault}" for fault in found]
        context.close()
    # The crawl opens one meeting per person (one page per route): if it was a meeting already held,
    # the register was not offered. It is reached directly then, as the coordinator of one to come.
    if "panels:meeting_register" not in posted:
        meeting = PanelMeeting.objects.filter(status=PanelMeeting.Status.SCHEDULED).select_related("panel").first()
        assert meeting is not None, "the demo holds a meeting to come"
        context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, locale="en-GB")
        page = context.new_page()
        coordinator = meeting.panel.coordinator
        sign_in(page, live_server, coordinator.username)
        path = f"/panels/meetings/{meeting.pk}/register/"
        assert route(path) == "panels:meeting_register"
        page.goto(live_server.url + path)
        faults += [f"{coordinator.username} {fault}" for fault in check(page, Axe(), path, "en")]
        faults += [f"{coordinator.username} {fault}" for fault in post_empty(page, Axe(), path)]
        posted.add("panels:meeting_register")
        context.close()
    assert checked > 10 * len(USERS) and len(checked_in_albanian) > 30  # it reached the pages, not just home
    assert posted == FORMS_POSTED_EMPTY, f"forms never reached: {FORMS_POSTED_EMPTY - posted}"
    assert not faults, f"{len(faults)} violations in {checked} pages:\n" + "\n".join(faults)
