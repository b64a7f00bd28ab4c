"""A home visit recorded without a connection (decision 89): the page already open keeps working
offline, what is typed is held in the browser only encrypted, and when the connection returns it is
kept as the worker's private draft, with what others recorded meanwhile shown to her, not merged."""

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
from agencies.offline import forget_key
from agencies.security import LAST_SEEN
from cases import services
from cases.models import Case, Contact
from tests.browser.conftest import sign_in
from tests.cases.test_entries import visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOTE = "Ardit showed us the boxing club's timetable; his mother asked for help with the school."
HELD = "No connection: what you typed is held on this tablet"

# Everything the browser keeps for the site, as text: IndexedDB's records (their bytes spelled out
# as characters, so a plaintext note would show), localStorage and sessionStorage.
STORED = """async () => {
  const bytes = (value) => value instanceof ArrayBuffer || ArrayBuffer.isView(value)
    ? String.fromCharCode(...new Uint8Array(value.buffer || value)) : value;
  const dump = { local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage), idb: [] };
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok) => { const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); });
    for (const name of db.objectStoreNames) {
      const rows = await new Promise((ok) => {
        const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => ok(r.result);
      });
      for (const row of rows) dump.idb.push(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, bytes(v)])));
    }
    db.close();
  }
  return dump;
}"""


@pytest.fixture
def krasniqi(demo: dict[str, User]) -> Case:
    return Case.objects.get(family__name="Krasniqi")


def kept_sent(page: Any) -> list[Any]:
    """The forms this page sends from now on to be kept on the server, as they are sent."""
    sent: list[Any] = []

    def seen(request: Any) -> None:
        if request.method == "POST" and request.url.endswith("/accounts/kept/"):
            sent.append(request)

    page.on("request", seen)
    return sent


def open_visit_form(page: Any, live_server: Any, case: Case) -> str:
    sign_in(page, live_server, "sw.blerina")
    path = reverse("cases:entry_create", args=[case.pk, "contact"])
    page.goto(live_server.url + path)
    held = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Date and time").fill(held)
    expect(page.get_by_text("Kept as your private draft at")).to_be_visible()
    assert holds_its_key(page)
    return path


def holds_its_key(page: Any) -> bool:
    """Whether the page has its key to hold what is typed offline (asked for when the page opened;
    awaited here, so that going offline does not cut its request short on a loaded machine)."""
    return bool(page.evaluate("async () => Boolean(await window.uraOffline.loadKey())"))


def test_a_visit_typed_offline_is_kept_when_the_connection_returns(
    page: Any, live_server: Any, krasniqi: Case, demo: dict[str, User]
) -> None:
    # given a social worker with the visit form open in the family's home
    path = open_visit_form(page, live_server, krasniqi)
    # when the connection drops in the middle of the visit, and she types her note and taps Record
    page.context.set_offline(True)
    page.get_by_label("What was discussed").fill(NOTE)
    expect(page.get_by_text(HELD)).to_be_visible()
    page.get_by_role("button", name="Record", exact=True).click()
    # then the page stays, with her note, and nothing has reached the server
    expect(page.get_by_text("No connection: nothing was sent.")).to_be_visible()
    expect(page.get_by_label("What was discussed")).to_have_value(NOTE)
    assert [kept.fields.get("discussed") for kept in KeptForm.objects.all()] == [[""]]
    # and meanwhile the police officer records a visit of his own on the case
    services.record_contact(visit(krasniqi, discussed="Saw the father at the station."), actor=demo["police.fatos"])
    # when the connection returns
    page.context.set_offline(False)
    # then her note is sent as her private draft (a kept form), not recorded over anything
    expect(page.get_by_text("The connection is back: what you typed offline is kept")).to_be_visible()
    kept = KeptForm.objects.get(user__username="sw.blerina", path=path)
    assert kept.fields["discussed"] == [NOTE]
    assert not Contact.objects.filter(discussed=NOTE).exists()
    # and she is shown what the officer recorded while she was offline
    changes = page.get_by_role("alert").filter(has_text="While you were offline, others recorded on this case")
    expect(changes).to_be_visible()
    expect(changes.get_by_text("Fatos Dushku")).to_be_visible()
    # and the note is hers to check and record; opened again, the form gives it back
    page.reload()
    expect(page.get_by_label("What was discussed")).to_have_value(NOTE)
    assert page.evaluate(STORED)["idb"] == []  # nothing left in the browser once it was sent
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.get_by_text("Recorded.", exact=True)).to_be_visible()
    assert Contact.objects.filter(discussed=NOTE, is_draft=False).count() == 1
    assert not KeptForm.objects.filter(user__username="sw.blerina", path=path).exists()


def test_what_is_held_offline_is_not_plaintext_and_sign_out_wipes_it(
    page: Any, live_server: Any, krasniqi: Case
) -> None:
    # given a worker who typed a note offline
    open_visit_form(page, live_server, krasniqi)
    page.context.set_offline(True)
    page.get_by_label("What was discussed").fill(NOTE)
    expect(page.get_by_text(HELD)).to_be_visible()
    # then the browser holds it, but not in a form anyone can read
    stored = page.evaluate(STORED)
    assert len(stored["idb"]) == 1
    assert set(stored["idb"][0]) == {"id", "began", "at", "iv", "data"}
    for word in ("boxing", "Ardit", "timetable", "discussed"):
        assert word not in str(stored)
    assert "/cases/" not in str(stored["idb"])  # not even which case (htmx keeps the page's path)
    # when the connection returns but the server cannot take the note yet, and she signs out
    page.route("**/accounts/kept/", lambda route: route.abort())
    page.context.set_offline(False)
    expect(page.get_by_text("Not kept just now")).to_be_visible()
    assert len(page.evaluate(STORED)["idb"]) == 1
    page.get_by_role("button", name="Blerina Kola").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    # then nothing of it is left in the browser
    stored = page.evaluate(STORED)
    assert stored["idb"] == [] and stored["local"] == "{}" and "boxing" not in stored["session"]


def test_what_is_held_is_wiped_after_the_configured_hours(
    page: Any, live_server: Any, krasniqi: Case, settings: Any
) -> None:
    # given a limit of two hours, and a note typed offline
    settings.URA_OFFLINE_HOURS = 2
    page.clock.install()
    open_visit_form(page, live_server, krasniqi)
    page.context.set_offline(True)
    page.get_by_label("What was discussed").fill(NOTE)
    expect(page.get_by_text(HELD)).to_be_visible()
    assert len(page.evaluate(STORED)["idb"]) == 1
    # when the tablet stays offline for almost that long, the note is held, off the screen (the idle
    # time-out)
    page.clock.fast_forward("01:50:00")
    page.clock.run_for(61_000)
    expect(page.get_by_text("Signed out after a period of inactivity. What you typed is held")).to_be_visible()
    expect(page.get_by_label("What was discussed")).to_have_value("")
    expect(page.get_by_label("What was discussed")).to_be_disabled()  # typing now would be kept nowhere
    assert len(page.evaluate(STORED)["idb"]) == 1
    # and when it stays offline for longer, what was held is deleted
    page.clock.fast_forward("00:10:00")
    page.clock.run_for(61_000)
    assert page.evaluate(STORED)["idb"] == []


def test_a_visit_typed_offline_in_a_tab_since_closed_survives_the_idle_time_out(
    page: Any, live_server: Any, krasniqi: Case
) -> None:
    # given a worker who typed her note offline, then closed the tab
    path = open_visit_form(page, live_server, krasniqi)
    context = page.context
    context.set_offline(True)
    page.get_by_label("What was discussed").fill(NOTE)
    expect(page.get_by_text(HELD)).to_be_visible()
    page.close()
    # when she comes back after the idle time-out, with the connection, and opens Ura again
    key = next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "sessionid")
    session = SessionStore(session_key=key)
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()
    context.set_offline(False)
    again = context.new_page()
    again.goto(live_server.url + path)
    again.wait_for_url(re.compile(r"/accounts/login/"))
    # and signs in again
    keeps = kept_sent(again)
    again.get_by_label("Username").fill("sw.blerina")
    again.get_by_label("Password").fill("ura-demo-2026")
    again.get_by_role("button", name="Sign in").click()
    # then what she typed offline is read with the same key and kept as her private draft
    expect(again.get_by_text("The connection is back: what you typed offline is kept")).to_be_visible()
    assert KeptForm.objects.get(user__username="sw.blerina", path=path).fields["discussed"] == [NOTE]
    # and it is in the form, where the message saying so stays: what was only given back is not sent
    # back once more (the form's keeping waits 1.5 s after a change)
    expect(again.get_by_label("What was discussed")).to_have_value(NOTE)
    again.wait_for_timeout(2_500)
    expect(again.get_by_text("The connection is back: what you typed offline is kept")).to_be_visible()
    assert len(keeps) == 1
    again.reload()
    expect(again.get_by_label("What was discussed")).to_have_value(NOTE)
    assert again.evaluate(STORED)["idb"] == []


def test_everything_held_is_kept_when_the_connection_returns_after_the_idle_time_out(
    page: Any, live_server: Any, krasniqi: Case
) -> None:
    # given a worker with the visit form open in two tabs, who typed in both offline
    path = open_visit_form(page, live_server, krasniqi)
    context = page.context
    other = context.new_page()
    other.goto(live_server.url + path)
    other.get_by_label("Date and time").fill(page.get_by_label("Date and time").input_value())
    expect(other.get_by_text("Kept as your private draft at")).to_be_visible()
    assert holds_its_key(other)
    context.set_offline(True)
    other.get_by_label("What was discussed").fill("Typed in the other tab.")
    expect(other.get_by_text(HELD)).to_be_visible()
    other.close()
    page.get_by_label("What was discussed").fill(NOTE)
    expect(page.get_by_text(HELD)).to_be_visible()
    # when the connection returns after the server's idle time-out: the first record sent signs her out
    key = next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "sessionid")
    session = SessionStore(session_key=key)
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()
    context.set_offline(False)
    expect(page.get_by_text("Not kept just now")).to_be_visible()
    # then nothing held was dropped: signed in again, the rest is sent, the latest (this tab's) last
    assert len(page.evaluate(STORED)["idb"]) >= 1
    page.reload()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill("sw.blerina")
    page.get_by_label("Password").fill("ura-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The connection is back: what you typed offline is kept")).to_be_visible()
    assert KeptForm.objects.get(user__username="sw.blerina", path=path).fields["discussed"] == [NOTE]
    assert page.evaluate(STORED)["idb"] == []
    # and the form holds this tab's note, under the message that says it was kept
    expect(page.get_by_label("What was discussed")).to_have_value(NOTE)
    expect(page.get_by_text("The connection is back: what you typed offline is kept")).to_be_visible()


def test_a_held_record_that_cannot_be_read_is_told_not_deleted(
    page: Any, live_server: Any, krasniqi: Case, demo: dict[str, User]
) -> None:
    # given a note typed offline in a tab since closed, and the key it was encrypted with ended
    path = open_visit_form(page, live_server, krasniqi)
    context = page.context
    context.set_offline(True)
    page.get_by_label("What was discussed").fill(NOTE)
    expect(page.get_by_text(HELD)).to_be_visible()
    page.close()
    forget_key(User.objects.get(username="sw.blerina"))
    context.set_offline(False)
    # when she opens the form again
    again = context.new_page()
    again.goto(live_server.url + path)
    # then she is told it cannot be read, and it is not deleted before the limit
    expect(again.get_by_role("alert").filter(has_text="can no longer be read")).to_be_visible()
    assert len(again.evaluate(STORED)["idb"]) == 1


# Holds the page's encryptions at a gate the test opens, so that two holds can be made to overlap.
GATE = """(() => {
  const encrypt = crypto.subtle.encrypt.bind(crypto.subtle);
  const waiting = [];
  window.uraGate = { shut: false, waiting, open: () => waiting.splice(0).forEach((go) => go()) };
  crypto.subtle.encrypt = async (...args) => {
    if (window.uraGate.shut) await new Promise((go) => waiting.push(go));
    return encrypt(...args);
  };
})()"""


def gated(page: Any, count: int, seconds: float = 10) -> bool:
    """Whether `count` encryptions wait at the gate within `seconds` (polled: the page's policy
    forbids the evaluated strings `wait_for_function` uses)."""
    deadline = time.monotonic() + seconds
    while page.evaluate("window.uraGate.waiting.length") < count:
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(50)
    return True


def time_out_holding(page: Any, live_server: Any, case: Case) -> str:
    """A note typed offline, and the idle time-out holding it (its encryption stopped at the gate,
    a keep asked for by the note's change falling due 2 s later); the form's path."""
    page.add_init_script(GATE)
    page.clock.install()
    path = open_visit_form(page, live_server, case)
    page.context.set_offline(True)
    page.get_by_label("What was discussed").fill(NOTE)
    expect(page.get_by_text(HELD)).to_be_visible()
    page.evaluate("window.uraGate.shut = true")
    page.clock.fast_forward("00:30:00")
    page.clock.run_for(2_000)
    assert gated(page, 1)
    return path


def test_the_idle_time_out_s_message_stays_when_a_keep_falls_due_while_it_holds(
    page: Any, live_server: Any, krasniqi: Case
) -> None:
    # given a note typed offline, still in focus (the time-out's dialog takes the focus: a change)
    # when the idle time-out holds the form while the keep the change asked for falls due
    time_out_holding(page, live_server, krasniqi)
    gated(page, 2, seconds=2)  # the keep's holding, when it does not wait for the time-out's turn
    page.evaluate("window.uraGate.shut = false; window.uraGate.open()")
    # then the page says it signed out and holds the note, off the screen, whichever finished last
    expect(page.get_by_text("Signed out after a period of inactivity. What you typed is held")).to_be_visible()
    expect(page.get_by_label("What was discussed")).to_have_value("")
    page.wait_for_timeout(1_000)
    expect(page.get_by_text("Signed out after a period of inactivity. What you typed is held")).to_be_visible()
    assert len(page.evaluate(STORED)["idb"]) == 1


def test_the_connection_returning_while_the_time_out_holds_keeps_the_note_and_signs_out(
    page: Any, live_server: Any, krasniqi: Case
) -> None:
    # given a note typed offline
    # when the connection returns while the idle time-out is holding the form, before it empties it
    path = time_out_holding(page, live_server, krasniqi)
    page.context.set_offline(False)
    page.wait_for_timeout(1_000)
    page.evaluate("window.uraGate.shut = false; window.uraGate.open()")
    # then she is signed out and sent to sign in, as when it returns after the form was emptied
    page.wait_for_url(re.compile(r"/accounts/login/"))
    # and what was kept for her is the note, not the form the time-out emptied
    assert KeptForm.objects.get(user__username="sw.blerina", path=path).fields["discussed"] == [NOTE]
