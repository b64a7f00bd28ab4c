"""A home visit logged on a tablet: a few taps, a draft reopened and recorded, a refused form that
keeps what was typed; and the entry pages pass axe-core's WCAG 2.1 AA rules."""

import datetime
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import User
from cases import services
from cases.models import Case, Contact
from families.models import Person
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def krasniqi(demo: dict[str, User]) -> Case:
    return Case.objects.get(family__name="Krasniqi")


def when(hours_ago: int) -> str:
    return (timezone.localtime() - datetime.timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def tap(page: Any, choice: str) -> None:
    """Tap one of the big choice buttons (a radio drawn as its label)."""
    page.locator("label.btn", has_text=re.compile(f"^{re.escape(choice)}$")).click()


def assert_accessible(page: Any) -> None:
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()


def test_a_social_worker_logs_a_home_visit_saves_a_draft_and_records_it(
    page: Any, live_server: Any, krasniqi: Case
) -> None:
    held = Contact.objects.final().filter(case=krasniqi, kind="home_visit", outcome="held").count()
    sign_in(page, live_server, "sw.blerina")
    page.goto(live_server.url + krasniqi.get_absolute_url())
    page.get_by_role("button", name="Record").click()
    page.get_by_role("link", name="A contact or home visit").click()
    page.get_by_label("Date and time").fill(when(hours_ago=3))
    tap(page, "Home visit")
    page.get_by_label("Fatos Dushku").check()  # a joint visit with the police
    page.get_by_label("Mimoza Krasniqi").check()
    page.get_by_label("Bujar Krasniqi").check()
    tap(page, "Hesitant")
    page.get_by_label("What was discussed").fill("Ardit's new friends online; his father's worries.")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("Saved as a draft: only you see it until you record it.")).to_be_visible()

    # later, she reopens the draft from the case page and finishes it
    page.goto(live_server.url + krasniqi.get_absolute_url())
    page.get_by_role("link", name=re.compile(r"^Home visit · ")).click()
    expect(page.get_by_label("What was discussed")).to_have_value("Ardit's new friends online; his father's worries.")
    expect(page.get_by_label("Mimoza Krasniqi")).to_be_checked()
    page.get_by_label("Agreed next steps").fill("Visit again with the imam.")
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.get_by_text("Recorded.", exact=True)).to_be_visible()
    page.get_by_role("link", name="Timeline").click()
    expect(page.get_by_text("Home visit: Took place.")).to_have_count(held + 1)

    contact = Contact.objects.get(case=krasniqi, discussed__startswith="Ardit's new friends online")
    assert not contact.is_draft and contact.next_steps == "Visit again with the imam."
    assert {user.get_full_name() for user in contact.visitors.all()} == {"Blerina Kola", "Fatos Dushku"}
    assert {person.given_name for person in contact.present.all()} == {"Mimoza", "Bujar"}


def test_a_refused_visit_form_keeps_what_was_typed(page: Any, live_server: Any, krasniqi: Case) -> None:
    before = Contact.objects.count()
    sign_in(page, live_server, "sw.blerina")
    page.goto(live_server.url + reverse("cases:entry_create", args=[krasniqi.pk, "contact"]))
    future = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Date and time").fill(future)
    page.get_by_label("Mimoza Krasniqi").check()
    tap(page, "Cooperative")
    page.get_by_label("What was discussed").fill("The school trip.")
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.get_by_text("A contact cannot be recorded before it happens.", exact=True)).to_be_visible()
    expect(page.get_by_label("What was discussed")).to_have_value("The school trip.")
    expect(page.get_by_label("Mimoza Krasniqi")).to_be_checked()
    expect(page.get_by_label("Cooperative")).to_be_checked()
    assert Contact.objects.count() == before
    assert_accessible(page)  # the form with its errors


@pytest.mark.parametrize(
    ("username", "path"), [("sw.blerina", "form"), ("sw.blerina", "entry"), ("police.fatos", "timeline")]
)
def test_entry_pages_pass_axe_wcag_aa(page: Any, live_server: Any, krasniqi: Case, username: str, path: str) -> None:
    author = User.objects.get(username="sw.blerina")
    mother = Person.objects.get(family=krasniqi.family, given_name="Mimoza")
    contact = services.record_contact(
        Contact(case=krasniqi, occurred_at=timezone.now() - datetime.timedelta(hours=2), discussed="School"),
        actor=author,
        present=[mother],
    )
    services.add_restriction(krasniqi, person=krasniqi.index_person, must_not_be_told="His mother called", actor=author)
    paths = {
        "form": reverse("cases:entry_create", args=[krasniqi.pk, "contact"]),
        "entry": contact.get_absolute_url(),
        "timeline": reverse("cases:timeline", args=[krasniqi.pk]),
    }
    sign_in(page, live_server, username)
    page.goto(live_server.url + paths[path])
    assert_accessible(page)
