"""The dashboards in the browser: charts drawn under the Content Security Policy, a table beside
each, and axe's WCAG 2.1 AA rules passed, in English and in Albanian."""

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone

from agencies.models import User
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
DRAWN = """() => [...document.querySelectorAll('canvas[data-chart]')].map(
  (canvas) => Boolean(window.Chart && window.Chart.getChart(canvas)) && canvas.width > 0)"""


def _violations(page: Any) -> list[str]:
    found = Axe().run(page, options=WCAG).response["violations"]
    return [f"{page.url}: {v['id']} {[n['target'] for n in v['nodes']]}" for v in found]


@pytest.mark.parametrize("username", ["coord.arta", "sup.elira"])
def test_the_dashboards_draw_their_charts_and_pass_axe(
    page: Any, live_server: Any, demo: dict[str, User], username: str
) -> None:
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
    sign_in(page, live_server, username)
    faults: list[str] = []
    paths = [reverse("stats:dashboard")]
    if username == "coord.arta":
        paths += [reverse("stats:evaluation"), reverse("stats:year_report") + f"?year={timezone.localdate().year}"]
    for language in ("en", "sq"):
        if language == "sq":
            User.objects.filter(username=username).update(language="sq")
        for path in paths:
            page.goto(live_server.url + path)
            if path == reverse("stats:dashboard"):
                drawn = page.evaluate(DRAWN)
                assert drawn and all(drawn), f"{language} {path}: charts not drawn {drawn}"
            faults += _violations(page)
    assert not faults, "\n".join(faults)
    assert not refused, refused
