"""What people do in a real browser: sign in, read cases at their level, share, assign, switch
language; and every page passes axe-core's WCAG 2.1 AA rules."""

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from cases.models import Case, CaseShare
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cases(demo: Any) -> dict[str, Case]:
    return {case.family.name: case for case in Case.objects.select_related("family")}


def test_a_social_worker_signs_in_and_sees_her_cases(page: Any, live_server: Any, cases: dict[str, Case]) -> None:
    sign_in(page, live_server, "sw.blerina")
    # My cases are the cases she owns; those her colleague owns are under All cases
    owned = [case for case in cases.values() if case.owner.username == "sw.blerina"]
    open_names = sorted(case.family.name for case in owned if case.closed_at is None)
    closed = len(owned) - len(open_names)
    assert open_names and len(open_names) < 3  # the demo: her colleague owns one of the agency's open cases
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(len(open_names))
    assert sorted(rows.locator("a").all_inner_texts()) == open_names
    if closed:
        expect(page.get_by_role("link", name=f"{closed} closed case")).to_be_visible()


def test_the_police_read_one_file_in_full_and_others_as_summaries(
    page: Any, live_server: Any, cases: dict[str, Case]
) -> None:
    sign_in(page, live_server, "police.fatos")
    page.goto(live_server.url + cases["Krasniqi"].get_absolute_url())
    expect(page.get_by_role("heading", name="Family", exact=True)).to_be_visible()
    page.goto(live_server.url + cases["Gashi"].get_absolute_url())
    expect(page.get_by_text("You see the summary of this case.")).to_be_visible()
    assert page.get_by_role("heading", name="Family", exact=True).count() == 0
    response = page.goto(live_server.url + cases["Dervishi"].get_absolute_url())
    assert response.status == 404


def test_sharing_keeps_what_was_typed_until_it_is_complete(page: Any, live_server: Any, cases: dict[str, Case]) -> None:
    sign_in(page, live_server, "sw.dritan")
    page.goto(live_server.url + cases["Gashi"].get_absolute_url())
    page.get_by_role("link", name="Share").click()
    page.get_by_label("Share with").select_option(label="Policia Lokale")
    page.get_by_label("Summary").check()
    page.get_by_label("Consent", exact=True).check()
    page.get_by_label("Consent given by").fill("Lindita Gashi (mother)")
    page.get_by_role("button", name="Share").click()
    # the date is missing: the form says so and keeps the rest
    expect(page.get_by_text("Say when consent was given.", exact=True)).to_be_visible()
    expect(page.get_by_label("Consent given by")).to_have_value("Lindita Gashi (mother)")
    assert not CaseShare.objects.filter(case=cases["Gashi"]).exists()
    page.get_by_label("Consent given on").fill("2026-11-01")
    page.get_by_role("button", name="Share").click()
    expect(page.get_by_text("The case is now shared with Policia Lokale.")).to_be_visible()
    assert CaseShare.objects.get(case=cases["Gashi"]).consent_given_by == "Lindita Gashi (mother)"


def test_the_coordinator_assigns_an_owner_from_the_panel(page: Any, live_server: Any, cases: dict[str, Case]) -> None:
    sign_in(page, live_server, "coord.arta")
    page.get_by_role("link", name="Info-house Qyteti i Ri").first.click()
    page.get_by_role("link", name="Shala").click()
    page.get_by_role("link", name="Assign owner").click()
    # the page lists one agency's people at a time, with their caseload; choosing another reloads it
    with page.expect_navigation():
        page.get_by_label("Partner agency").select_option(label="Shërbimi Social Bashkiak")
    expect(page.get_by_role("row", name="Dritan Leka")).to_contain_text("Italian")
    page.get_by_label("Dritan Leka").check()
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Dritan Leka now owns the case.")).to_be_visible()
    assert Case.objects.get(pk=cases["Shala"].pk).owner.username == "sw.dritan"


def test_the_language_switch_turns_the_interface_albanian(page: Any, live_server: Any, cases: dict[str, Case]) -> None:
    sign_in(page, live_server, "sw.blerina")
    with page.expect_navigation():
        page.get_by_label("Language").select_option("sq")
    expect(page.get_by_role("heading", name="Rastet e mia")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "sq")


@pytest.mark.parametrize(
    ("username", "path"),
    [
        (None, "/accounts/login/"),
        ("sw.blerina", "/"),
        ("sw.blerina", "/cases/"),
        ("sw.blerina", "case:Berisha"),
        ("sw.blerina", "share:Berisha"),
        ("coord.arta", "/panels/"),
        ("coord.arta", "panel"),
        ("police.fatos", "case:Gashi"),
    ],
)
def test_pages_pass_axe_wcag_aa(
    page: Any, live_server: Any, cases: dict[str, Case], username: str | None, path: str
) -> None:
    from django.urls import reverse

    from agencies.models import Panel

    if username:
        sign_in(page, live_server, username)
    if path.startswith("case:"):
        path = cases[path[5:]].get_absolute_url()
    elif path.startswith("share:"):
        path = reverse("cases:case_share", args=[cases[path[6:]].pk])
    elif path == "panel":
        path = Panel.objects.get().get_absolute_url()
    page.goto(live_server.url + path)
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    )
    assert results.violations_count == 0, results.generate_report()
