"""The family work in a real browser, tablet-sized: a review recorded with big buttons, a plan
form that keeps what was typed, and every interventions page passing axe-core's WCAG 2.1 AA rules."""

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from cases.models import Case
from interventions.models import InterventionPlan, Review
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cases(demo: Any) -> dict[str, Case]:
    return {case.family.name: case for case in Case.objects.select_related("family")}


def test_the_owner_reviews_gashis_overdue_plan(page: Any, live_server: Any, cases: dict[str, Case]) -> None:
    sign_in(page, live_server, "sw.dritan")
    page.goto(live_server.url + cases["Gashi"].get_absolute_url())
    expect(page.get_by_text("1 action has lapsed.")).to_be_visible()
    page.get_by_role("link", name="Record a review").click()
    page.get_by_label("What changed since the last review").fill("Besnik started an apprenticeship.")
    # the choices are big buttons: a tap on the button (the radio's label) chooses
    page.locator("label.btn", has_text="Moderate").click()
    for goal in page.locator("fieldset.card").filter(has_text="Good progress").all():
        goal.locator("label.btn", has_text="Good progress").click()
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("The review is recorded.")).to_be_visible()
    assert Review.objects.filter(case=cases["Gashi"]).count() == 2


def test_a_plan_with_a_wrong_measure_keeps_what_was_typed(page: Any, live_server: Any, cases: dict[str, Case]) -> None:
    sign_in(page, live_server, "sw.blerina")
    page.goto(live_server.url + reverse("interventions:plan_create", args=[cases["Krasniqi"].pk]))
    page.locator("#id_goals-0-text").fill("Ardit finishes school")
    action = page.locator("fieldset fieldset").filter(has_text="Action 1")
    action.locator("label.btn", has_text="Ideological").click()
    action.get_by_label("Measure").select_option(label="School")
    action.get_by_label("Provided by").select_option(label='Shkolla e Mesme "Drita"')
    action.get_by_label("Due on").fill("2099-06-30")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("This measure is not of the kind chosen.")).to_be_visible()
    expect(page.locator("#id_goals-0-text")).to_have_value("Ardit finishes school")
    assert not InterventionPlan.objects.filter(case=cases["Krasniqi"]).exists()


@pytest.mark.parametrize(
    ("username", "family", "page_name"),
    [
        ("sw.dritan", "Gashi", "case"),
        ("sw.dritan", "Gashi", "plan"),
        ("sw.dritan", "Gashi", "interventions:review_create"),
        ("sw.dritan", "Gashi", "interventions:withdrawal_create"),
        ("sw.dritan", "Gashi", "interventions:closure_create"),
        ("sw.dritan", "Dervishi", "case"),
        ("sw.dritan", "Dervishi", "interventions:case_reopen"),
        ("sw.blerina", "Berisha", "interventions:plan_create"),
    ],
)
def test_interventions_pages_pass_axe_wcag_aa(
    page: Any, live_server: Any, cases: dict[str, Case], username: str, family: str, page_name: str
) -> None:
    case = cases[family]
    if page_name == "case":
        path = case.get_absolute_url()
    elif page_name == "plan":
        path = InterventionPlan.objects.get(case=case, status="active").get_absolute_url()
    else:
        path = reverse(page_name, args=[case.pk])
    sign_in(page, live_server, username)
    page.goto(live_server.url + path)
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    )
    assert results.violations_count == 0, results.generate_report()
