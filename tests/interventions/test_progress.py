"""Plan progress at summary level: the case page, the panel's list and the API give everyone who
knows a case the counts and dates of its plan and deadlines, and never what the plan says."""

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from agencies.models import Agency, Panel, User
from cases import services as case_services
from cases.models import Case, Contact
from interventions import services
from interventions.models import PlanAction
from interventions.progress import progress_one
from tests.conftest import api_as
from tests.factories import AgencyFactory, CaseFactory
from tests.interventions.conftest import action_spec, client_for, days, make_plan, review

pytestmark = pytest.mark.django_db

SECRET_GOAL = "Qwertyuiop goal"
SECRET_OUTCOME = "Asdfghjkl outcome"


@pytest.fixture
def mentors(db: None) -> Agency:
    return AgencyFactory(name="Zxcvbnm Mentors")


def stalled_plan(case: Case, provider: Agency) -> None:
    """A running plan of two goals: one action lapsed yesterday, one running, one planned, one done."""
    goals = [
        {
            "text": SECRET_GOAL,
            "actions": [
                action_spec(provider, starts_on=days(-20), due_on=days(-1), intended_outcome=SECRET_OUTCOME),
                action_spec(provider, starts_on=days(-20), due_on=days(20)),
            ],
        },
        {"text": "Second goal", "actions": [action_spec(provider, due_on=days(30)), action_spec(provider)]},
    ]
    plan = make_plan(case, goals=goals, agreed_on=days(-20))
    actions = list(PlanAction.objects.filter(goal__plan=plan).order_by("goal__position", "pk"))
    services.update_action_status(actions[1], status="in_progress", actor=case.owner)
    services.update_action_status(actions[3], status="done", actor=case.owner)
    # a review: the first goal on track, the second not yet moving
    goals_by_position = list(plan.goals.order_by("position"))
    review(
        case,
        plan,
        held_on=days(0),
        progress=[
            {"goal": goals_by_position[0], "progress": "good", "notes": ""},
            {"goal": goals_by_position[1], "progress": "none", "notes": ""},
        ],
    )


def on_panel(case: Case, panel: Panel) -> Case:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    case.refresh_from_db()
    return case


def figure(body: str, name: str) -> str:
    found = re.search(rf'data-progress="{name}">(.*?)</dd>', body, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


def test_a_panel_member_reads_the_counts_and_dates_but_no_content(
    case: Case, panel: Panel, panel_member: User, mentors: Agency
) -> None:
    # given a case on the panel with a running plan, reviewed today, one action lapsed
    on_panel(case, panel)
    stalled_plan(case, mentors)
    # when a panel member, who reads the summary only, opens the case
    body = client_for(panel_member).get(case.get_absolute_url()).content.decode()
    # then the counts and the dates show
    assert figure(body, "actions") == "1 planned, 1 running, 1 lapsed, 1 done Lapsed actions"
    assert figure(body, "goals") == "1 on track, 1 not on track, 0 achieved, 0 not yet reviewed"
    assert figure(body, "last-review") not in ("", "None yet")
    # and nothing the plan says: no goal, no intended outcome, no provider
    for secret in (SECRET_GOAL, SECRET_OUTCOME, "Zxcvbnm Mentors", "Second goal"):
        assert secret not in body


def test_the_days_since_the_last_contact_reach_a_summary_reader(case: Case, panel: Panel, panel_member: User) -> None:
    on_panel(case, panel)
    case_services.record_contact(
        Contact(case=case, outcome="held", occurred_at=timezone.now() - datetime.timedelta(days=12)), actor=case.owner
    )
    body = client_for(panel_member).get(case.get_absolute_url()).content.decode()
    assert figure(body, "contact") == "12 days"


def test_deadlines_say_whether_they_were_met(case: Case, caseworker: User) -> None:
    # given a first contact due ten days ago and made two days late, and no needs assessment
    Case.objects.filter(pk=case.pk).update(first_contact_due_on=days(-10), first_contact_on=days(-8))
    progress = progress_one(case, caseworker)
    assert progress is not None
    assert progress.first_contact.status == "missed" and progress.first_contact.done_on == days(-8)
    # the needs assessment falls due 45 working days after the first contact: still to come
    assert progress.assessment.status == "pending" and progress.assessment.due_on is not None
    # and a first contact made in time is met
    Case.objects.filter(pk=case.pk).update(first_contact_on=days(-11))
    assert (progress_one(case, caseworker) or progress).first_contact.status == "met"


def test_a_stranger_learns_nothing(case: Case, caseworker_other_agency: User) -> None:
    assert progress_one(case, caseworker_other_agency) is None
    answer = api_as(caseworker_other_agency).get(reverse("interventions-api:case-progress-detail", args=[case.pk]))
    assert answer.status_code == 404


def test_the_coordinator_is_shown_the_progress_instead_of_a_refusal(
    case: Case, panel: Panel, coordinator: User, mentors: Agency
) -> None:
    # given a case on the coordinator's panel, with a running plan
    on_panel(case, panel)
    plan = make_plan(case)
    # when she opens the plan's page, she is led to the case's progress
    answer = client_for(coordinator).get(plan.get_absolute_url())
    assert answer.status_code == 302 and answer["Location"].endswith("#plan-progress")
    body = client_for(coordinator).get(answer["Location"]).content.decode()
    assert "How the plan is going" in body and "Goal 1" not in body


def test_the_api_gives_the_progress_of_every_case_a_panel_member_knows(
    case: Case, panel: Panel, panel_member: User, mentors: Agency
) -> None:
    on_panel(case, panel)
    stalled_plan(case, mentors)
    hidden = CaseFactory()
    make_plan(hidden)
    answer = api_as(panel_member).get(reverse("interventions-api:case-progress-list"))
    assert answer.status_code == 200
    rows = {row["id"]: row for row in answer.json()["results"]}
    assert set(rows) == {case.pk}
    progress: dict[str, Any] = rows[case.pk]["progress"]
    assert progress["actions"] == {"planned": 1, "running": 1, "lapsed": 1, "done": 1}
    assert progress["goals"] == {"total": 2, "on_track": 1, "off_track": 1, "achieved": 0, "not_reviewed": 0}
    assert progress["last_review_on"] == days(0).isoformat()
    for secret in (SECRET_GOAL, SECRET_OUTCOME, "Zxcvbnm Mentors"):
        assert secret not in answer.content.decode()


@pytest.mark.parametrize("cases", [1, 5])
def test_the_progress_list_costs_the_same_however_many_cases(
    cases: int, panel: Panel, panel_member: User, caseworker: User, agency: Agency, mentors: Agency,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:  # fmt: skip
    for _ in range(cases):
        one = CaseFactory(owner=caseworker, owning_agency=agency, panel=panel)
        stalled_plan(one, mentors)
    client = api_as(panel_member)
    url = reverse("interventions-api:case-progress-list")
    with django_assert_max_num_queries(10):
        assert len(client.get(url).json()["results"]) == cases


@pytest.mark.parametrize("cases", [1, 5])
def test_the_panels_case_list_shows_progress_at_the_same_cost(
    cases: int, panel: Panel, panel_member: User, caseworker: User, agency: Agency, mentors: Agency,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:  # fmt: skip
    for _ in range(cases):
        one = CaseFactory(owner=caseworker, owning_agency=agency, panel=panel)
        stalled_plan(one, mentors)
    client = client_for(panel_member)
    url = reverse("panels:panel", args=[panel.pk])
    client.get(url)  # the session and the caches warmed
    with django_assert_max_num_queries(20):
        body = client.get(url).content.decode()
    assert body.count("data-progress-cell") == cases
    assert body.count("Actions: 1 planned, 1 running, 1 lapsed, 1 done") == cases
    assert SECRET_GOAL not in body and "Zxcvbnm Mentors" not in body


def test_the_progress_columns_are_compiled_once_a_day_and_count_the_days_plans(
    monkeypatch: pytest.MonkeyPatch, case: Case, caseworker: User, mentors: Agency
) -> None:
    import time_machine

    from interventions import progress

    built: list[datetime.date] = []
    real = progress._progress_columns

    def counting(today: datetime.date) -> dict[str, Any]:
        built.append(today)
        return real(today)

    monkeypatch.setattr(progress, "_progress_columns", counting)
    stalled_plan(case, mentors)
    first = progress.with_progress(Case.objects.filter(pk=case.pk)).get()
    again = progress.with_progress(Case.objects.filter(pk=case.pk)).get()
    assert len(built) <= 1  # compiled at most once today (once already, by another test, is none)
    assert progress.progress_of(first) == progress.progress_of(again)
    assert (first.progress_actions_lapsed, first.progress_actions_running) == (1, 1)
    # Forty days on, the actions due within 20 and 30 days have lapsed too: compiled again for that day.
    with time_machine.travel(timezone.now() + datetime.timedelta(days=40)):
        later = progress.with_progress(Case.objects.filter(pk=case.pk)).get()
        assert built[-1] == timezone.localdate()
    assert later.progress_actions_lapsed == 3
