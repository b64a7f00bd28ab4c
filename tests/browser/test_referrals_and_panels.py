"""Referral intake with live matching, triage, and a panel decision, in a real browser."""

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from cases.models import Case
from panels.models import PanelMeeting
from referrals.models import Referral
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def test_intake_shows_matches_as_the_name_is_typed_and_routes_a_crisis(page: Any, live_server: Any, demo: Any) -> None:
    sign_in(page, live_server, "sw.blerina")
    page.goto(f"{live_server.url}/referrals/new/")
    page.get_by_label("Crisis", exact=True).check()
    expect(page.get_by_label("Crisis reason")).to_be_visible()
    page.get_by_label("Crisis reason").select_option("travel")
    page.get_by_label("Channel").select_option("general_hotline")
    page.get_by_label("Given name").fill("Ardit")
    page.get_by_label("Family name").fill("Krasniçi")
    page.get_by_label("Family name").blur()
    # htmx brings the earlier records the user may see, across spellings
    expect(page.locator("#matches")).to_contain_text("Case Krasniqi")
    page.get_by_label("What was observed*").fill("He told a friend he is leaving next week.")
    page.get_by_label("Intent to travel to a conflict zone").check()
    page.get_by_role("button", name="Record the referral").click()
    expect(page.get_by_text("Crisis: the referral was routed to Policia Lokale at once.")).to_be_visible()
    referral = Referral.objects.get(concern__startswith="He told a friend")
    assert referral.routed_to.name == "Policia Lokale" and referral.is_crisis


def test_triage_puts_a_referral_on_the_panel_agenda(page: Any, live_server: Any, demo: Any) -> None:
    sign_in(page, live_server, "sw.dritan")
    referral = Referral.objects.get(reporter_anonymous=True, received_by__isnull=False)
    page.goto(f"{live_server.url}{referral.get_absolute_url()}")
    page.get_by_role("link", name="Triage").click()
    page.get_by_label("Put on the panel's agenda").check()
    expect(page.get_by_label("Panel", exact=True)).to_be_visible()
    expect(page.get_by_label("Owner of the new case")).to_be_hidden()
    page.get_by_label("Panel", exact=True).select_option(label="Info-house Qyteti i Ri")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Triage recorded: Put on the panel's agenda.")).to_be_visible()
    upcoming = PanelMeeting.objects.get(status="scheduled")
    assert upcoming.items.filter(referral=referral).exists()


def test_triage_opens_a_case_with_a_family_and_an_owner_chosen_from_suggestions(
    page: Any, live_server: Any, demo: Any
) -> None:
    from agencies.access import Action
    from agencies.models import User
    from families.models import Family

    dritan = User.objects.get(username="sw.dritan")
    family = Family.objects.restrict(dritan, Action.VIEW).order_by("pk").first()
    assert family is not None
    referral = Referral.objects.get(reporter_anonymous=True, received_by__isnull=False)
    sign_in(page, live_server, "sw.dritan")
    page.goto(f"{live_server.url}/referrals/{referral.pk}/triage/")
    page.get_by_label("Open a case").check()
    # htmx fills each field's datalist as the name is typed; a suggestion carries the row's id
    page.get_by_label("Owner of the new case").fill(dritan.first_name[:3])
    owner = page.locator("#owner-suggestions option").first
    expect(owner).to_have_attribute("value", re.compile(rf"#{dritan.pk}:\d+$"))
    page.get_by_label("Owner of the new case").fill(owner.get_attribute("value") or "")
    page.get_by_label("Add to this family (optional)").fill(family.name[:3])
    expect(page.locator("#family-suggestions option").first).to_have_attribute("value", re.compile(r"#\d+$"))
    page.get_by_label("Add to this family (optional)").fill(f"{family.name} #{family.pk}")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Triage recorded: Open a case at once.")).to_be_visible()
    referral.refresh_from_db()
    assert referral.case is not None and referral.case.family == family and referral.case.owner == dritan


def test_the_coordinator_records_a_panel_decision(page: Any, live_server: Any, demo: Any) -> None:
    sign_in(page, live_server, "coord.arta")
    meeting = PanelMeeting.objects.get(status="scheduled")
    page.goto(f"{live_server.url}{meeting.get_absolute_url()}")
    page.get_by_role("button", name="I acknowledge confidentiality").click()
    expect(page.get_by_text("Your acknowledgement of confidentiality is recorded.")).to_be_visible()
    gashi = Case.objects.get(family__name="Gashi")
    page.locator(f"#item-{meeting.items.get(case=gashi).pk}").get_by_role("link", name="Record the decision").click()
    page.get_by_label("Urgency", exact=True).select_option("urgent")
    page.get_by_label("Decision", exact=True).fill("Review the plan with the family this week.")
    page.get_by_role("button", name="Record and apply the decision").click()
    expect(page.get_by_text("The panel's decision is recorded and applied to the case.")).to_be_visible()
    gashi.refresh_from_db()
    assert gashi.urgency == "urgent"


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("sw.blerina", "/referrals/"),
        ("sw.blerina", "/referrals/new/"),
        ("sw.dritan", "referral"),
        ("sw.dritan", "triage"),
        ("coord.arta", "meeting"),
        ("coord.arta", "decide"),
        ("coord.arta", "/panels/people/"),
        ("coord.arta", "reassign"),
        ("coord.arta", "assign"),
        ("sw.blerina", "checks"),
    ],
)
def test_referral_and_panel_pages_pass_axe_wcag_aa(
    page: Any, live_server: Any, demo: Any, username: str, path: str
) -> None:
    from django.urls import reverse

    referral = Referral.objects.get(reporter_anonymous=True, received_by__isnull=False)
    meeting = PanelMeeting.objects.get(status="scheduled")
    krasniqi = Case.objects.get(family__name="Krasniqi")
    paths = {
        "referral": referral.get_absolute_url(),
        "triage": reverse("referrals:referral_triage", args=[referral.pk]),
        "meeting": meeting.get_absolute_url(),
        "decide": reverse("panels:agendaitem_decide", args=[meeting.pk, meeting.items.first().pk]),
        "assign": reverse("cases:case_assign", args=[krasniqi.pk]),
        "checks": reverse("cases:disclosurecheck_create", args=[krasniqi.pk]),
        "reassign": reverse("panels:reassign", args=[krasniqi.owner_id]),
    }
    sign_in(page, live_server, username)
    page.goto(live_server.url + paths.get(path, path))
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()
