"""Nothing typed is lost on a tablet: a visit note survives the idle time-out and comes back after
signing in again; the time-out is announced a minute ahead and the worker may stay."""

import datetime
import re
import time
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import KeptForm, User
from agencies.security import LAST_SEEN
from cases.models import Case, Contact
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOTE = "Ardit spoke about the boxing club; his father is worried about the videos on his phone."


@pytest.fixture
def krasniqi(demo: dict[str, User]) -> Case:
    return Case.objects.get(family__name="Krasniqi")


def leave_idle(page: Any) -> None:
    """The worker puts the tablet down: the server last saw her 31 minutes ago."""
    key = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "sessionid")
    session = SessionStore(session_key=key)
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()


def test_a_visit_note_survives_the_idle_time_out(page: Any, live_server: Any, krasniqi: Case) -> None:
    # given a social worker writing a visit note, kept as she types
    sign_in(page, live_server, "sw.blerina")
    form = live_server.url + reverse("cases:entry_create", args=[krasniqi.pk, "contact"])
    page.goto(form)
    held = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Date and time").fill(held)
    page.get_by_label("What was discussed").fill(NOTE)
    expect(page.get_by_text("Kept as your private draft at")).to_be_visible()
    # when the session times out in the middle, and she sends the form
    leave_idle(page)
    page.get_by_role("button", name="Record", exact=True).click()
    # then nothing is recorded yet; she signs in again and finds the note in the form
    expect(page.get_by_text("What you sent is kept")).to_be_visible()
    assert not Contact.objects.filter(discussed=NOTE).exists()
    page.get_by_label("Username").fill("sw.blerina")
    page.get_by_label("Password").fill("ura-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("What was discussed")).to_have_value(NOTE)
    expect(page.get_by_text("is back in the form")).to_be_visible()
    # and records it; what was kept is then forgotten
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.get_by_text("Recorded.", exact=True)).to_be_visible()
    assert Contact.objects.filter(discussed=NOTE, is_draft=False).count() == 1
    assert not KeptForm.objects.exists()


def test_the_time_out_is_announced_and_the_worker_may_stay(page: Any, live_server: Any, krasniqi: Case) -> None:
    # given a worker on her case page, the page's clock under the test's hand (a 30-minute time-out)
    page.clock.install()
    sign_in(page, live_server, "sw.blerina")
    page.goto(live_server.url + krasniqi.get_absolute_url())
    dialog = page.get_by_role("dialog", name="Are you still working?")
    expect(dialog).to_be_hidden()
    # when 29 minutes pass without a request, she is warned
    page.clock.fast_forward("29:01")
    expect(dialog).to_be_visible()
    stay = dialog.get_by_role("button", name="Stay signed in")
    assert stay.bounding_box()["height"] >= 44
    # and staying asks the server to keep the session, and closes the warning
    with page.expect_response(lambda response: response.url.endswith("/accounts/keep-alive/")) as alive:
        stay.click()
    assert alive.value.status == 204
    expect(dialog).to_be_hidden()


def test_what_she_types_before_the_kept_note_is_back_stays_beside_it(
    page: Any, live_server: Any, krasniqi: Case
) -> None:
    # given a visit note kept on the server as she typed it
    sign_in(page, live_server, "sw.blerina")
    form = live_server.url + reverse("cases:entry_create", args=[krasniqi.pk, "contact"])
    page.goto(form)
    page.get_by_label("What was discussed").fill(NOTE)
    expect(page.get_by_text("Kept as your private draft at")).to_be_visible()
    # when she opens the form again on a slow connection, and types before the kept note is back
    waiting: list[Any] = []
    page.route(re.compile(r"/accounts/kept/\?path="), lambda route: waiting.append(route))
    keeps: list[Any] = []
    page.on(
        "request", lambda request: request.method == "POST" and "/accounts/kept/" in request.url and keeps.append(1)
    )
    page.goto(form)
    while not waiting:
        page.wait_for_timeout(50)
    page.get_by_label("Where").fill("At the school")
    page.get_by_label("What was discussed").fill("Later: he came home early.")
    page.wait_for_timeout(2_000)  # a keep falls due 1.5 s after typing: it waits for the kept note
    assert keeps == []
    waiting[0].continue_()
    # then the kept note comes back before what she typed, and nothing she typed is undone
    expect(page.get_by_label("What was discussed")).to_have_value(f"{NOTE}\n\nLater: he came home early.")
    expect(page.get_by_label("Where")).to_have_value("At the school")
    # and the server keeps both
    expect(page.get_by_text("Kept as your private draft at")).to_be_visible()
    kept = KeptForm.objects.get(
        user__username="sw.blerina", path=reverse("cases:entry_create", args=[krasniqi.pk, "contact"])
    )
    assert kept.fields["discussed"] == [f"{NOTE}\n\nLater: he came home early."]
    assert kept.fields["location"] == ["At the school"]


def test_a_kept_note_that_did_not_come_back_is_asked_for_again_before_her_typing_is_kept(
    page: Any, live_server: Any, krasniqi: Case
) -> None:
    # given a visit note kept on the server
    sign_in(page, live_server, "sw.blerina")
    path = reverse("cases:entry_create", args=[krasniqi.pk, "contact"])
    page.goto(live_server.url + path)
    page.get_by_label("What was discussed").fill(NOTE)
    expect(page.get_by_text("Kept as your private draft at")).to_be_visible()
    # when the form is opened again and the connection drops the kept note's answer once
    asked: list[str] = []

    def answer(route: Any) -> None:
        asked.append(route.request.url)
        route.abort() if len(asked) == 1 else route.continue_()

    page.route(re.compile(r"/accounts/kept/\?path="), answer)
    page.goto(live_server.url + path)
    expect(page.get_by_label("What was discussed")).to_have_value("")
    # and she types
    page.get_by_label("Where").fill("At the school")
    # then before her typing is kept, the kept note is asked for again and given back beside it
    expect(page.get_by_label("What was discussed")).to_have_value(NOTE)
    expect(page.get_by_label("Where")).to_have_value("At the school")
    expect(page.get_by_text("Kept as your private draft at")).to_be_visible()
    assert len(asked) == 2
    kept = KeptForm.objects.get(user__username="sw.blerina", path=path)
    assert (kept.fields["discussed"], kept.fields["location"]) == ([NOTE], ["At the school"])
