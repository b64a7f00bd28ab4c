"""The idle time-out offline empties the form and disables it; when the connection returns
and the sign-out it then sends gets no answer (the 'online' event comes before the connection works,
on a tablet), the page must not stay disabled, signed in, with nothing to do but reload."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from agencies.models import KeptForm, User
from cases.models import Case
from tests.browser.test_offline_visit import HELD, NOTE, open_visit_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def krasniqi(demo: dict[str, User]) -> Case:
    return Case.objects.get(family__name="Krasniqi")


def test_the_emptied_form_does_not_stay_disabled_when_the_sign_out_gets_no_answer_once(
    page: Any, live_server: Any, krasniqi: Case
) -> None:
    # given a note typed offline, held and taken off the screen by the idle time-out
    page.clock.install()
    path = open_visit_form(page, live_server, krasniqi)
    page.context.set_offline(True)
    page.get_by_label("What was discussed").fill(NOTE)
    expect(page.get_by_text(HELD)).to_be_visible()
    page.clock.fast_forward("00:30:00")
    page.clock.run_for(2_000)
    expect(page.get_by_label("What was discussed")).to_be_disabled()
    # when the connection returns, the note is kept, but the sign-out that follows gets no answer once
    failed: list[str] = []

    def once(route: Any) -> None:
        if failed:
            route.continue_()
        else:
            failed.append(route.request.url)
            route.abort()

    page.route("**/accounts/logout/", once)
    page.context.set_offline(False)
    expect(page.get_by_text("The connection is back: what you typed offline is kept")).to_be_visible()
    assert KeptForm.objects.get(user__username="sw.blerina", path=path).fields["discussed"] == [NOTE]
    for _ in range(100):
        if failed:
            break
        page.wait_for_timeout(50)
    assert failed
    # then within a minute the page signs out (to sign in and get the note back), or gives the form back
    page.clock.run_for(61_000)
    page.wait_for_timeout(2_000)
    at_sign_in = bool(re.search(r"/accounts/login/", page.url))
    assert at_sign_in or page.get_by_label("What was discussed").is_enabled(), (
        "still signed in on an emptied, disabled form",
        page.url,
    )
