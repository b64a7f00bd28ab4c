"""The demo scenario's family work: Berisha's plan, Gashi's overdue review and lapsed action,
Dervishi's closure and follow-ups; and who may do what with them."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from agencies.access import Action
from agencies.models import User
from cases.models import Case
from interventions.models import Closure, FollowUp, Goal, InterventionPlan, PlanAction, Review
from interventions.services.common import add_months
from tests.conftest import api_as
from tests.interventions.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(demo: dict[str, User]) -> dict[str, Case]:
    return {case.family.name: case for case in Case.objects.select_related("family")}


def test_berisha_has_a_plan_agreed_by_teuta_with_the_three_kinds(cases: dict[str, Case]) -> None:
    plan = InterventionPlan.objects.active().get(case=cases["Berisha"])
    assert plan.agreed_by == "Teuta Berisha" and plan.agreed_on is not None
    actions = {
        action.measure: action
        for action in PlanAction.objects.filter(goal__plan=plan).select_related("provider_agency")
    }
    assert {action.type for action in actions.values()} == {"pragmatic", "emotional_psychological", "ideological"}
    assert actions["trauma_care"].provider_agency.sector == "mental_health"
    assert actions["relatives_support_group"].provider_agency.sector == "ngo"
    assert {"housing", "acceptance_conversation"} <= set(actions)
    assert "theological" in actions["acceptance_conversation"].provider_note


def test_gashi_is_overdue_for_review_with_one_lapsed_action(cases: dict[str, Case]) -> None:
    gashi = cases["Gashi"]
    plan = InterventionPlan.objects.active().get(case=gashi)
    last = Review.objects.filter(plan=plan).first()
    assert last is not None and (timezone.localdate() - last.held_on).days > 90
    assert gashi.next_review_on is not None and gashi.next_review_on < timezone.localdate()
    assert PlanAction.objects.filter(goal__plan=plan).lapsed().count() == 1


def test_dervishi_closed_on_a_multi_agency_decision_with_follow_ups(cases: dict[str, Case]) -> None:
    dervishi = cases["Dervishi"]
    closure = Closure.objects.get(case=dervishi)
    agencies = {agreement.agency.sector for agreement in closure.agreements.select_related("agency")}
    assert "social_care" in agencies and len(agencies) >= 2
    assert dervishi.closed_at is not None and (timezone.now() - dervishi.closed_at).days == 122
    due = list(FollowUp.objects.filter(closure=closure).values_list("due_on", flat=True))
    assert due == [add_months(closure.decided_on, 6), add_months(closure.decided_on, 12)]
    assert due[0] > timezone.localdate()  # the 6-month one is still to come


def test_krasniqi_and_shala_have_no_plan_yet(cases: dict[str, Case]) -> None:
    assert not InterventionPlan.objects.filter(case__in=[cases["Krasniqi"], cases["Shala"]]).exists()


def test_seeding_again_changes_nothing(demo: dict[str, User]) -> None:
    models = (InterventionPlan, Goal, PlanAction, Review, Closure, FollowUp)
    before = {model: model.objects.count() for model in models}
    call_command("seed_demo", stdout=io.StringIO())
    assert {model: model.objects.count() for model in models} == before


def test_the_ngo_updates_its_action_in_berisha_but_not_the_plan(demo: dict[str, User], cases: dict[str, Case]) -> None:
    klea = demo["ngo.klea"]
    plan = InterventionPlan.objects.active().get(case=cases["Berisha"])
    changeable = set(
        PlanAction.objects.restrict(klea, Action.CHANGE).filter(goal__plan=plan).values_list("measure", flat=True)
    )
    assert changeable == {"relatives_support_group", "acceptance_conversation"}
    ngo_action = PlanAction.objects.get(goal__plan=plan, measure="relatives_support_group")
    response = api_as(klea).post(
        reverse("interventions-api:planaction-status", args=[ngo_action.pk]), {"status": "done"}
    )
    assert response.status_code == 200
    assert client_for(klea).get(reverse("interventions:review_create", args=[cases["Berisha"].pk])).status_code == 403


def test_dervishis_closure_says_how_far_each_goal_came(cases: dict[str, Case]) -> None:
    closure = Closure.objects.get(case=cases["Dervishi"])
    assert closure.typology == "vulnerable" and closure.family_feedback
    assert sorted(closure.outcomes.values_list("outcome", flat=True)) == ["achieved", "partly"]


@pytest.mark.parametrize(
    ("username", "expected"),
    [("sw.blerina", 3), ("sup.elira", 3), ("ngo.klea", 1), ("police.fatos", 0), ("emp.luan", 0), ("mh.gentiana", None)],
)
def test_plans_are_read_through_the_full_file(username: str, expected: int | None, demo: dict[str, User]) -> None:
    # Berisha's, Gashi's and Dervishi's plans: social care reads the three files, the NGO Berisha's; the police read
    # Krasniqi only, and a panel seat reads summaries, never a file (its role is refused outright)
    response = api_as(demo[username]).get(reverse("interventions-api:interventionplan-list"))
    if expected is None:
        assert response.status_code == 403
    else:
        assert response.status_code == 200 and response.data["count"] == expected


def test_the_owner_of_dervishi_may_reopen_it(demo: dict[str, User], cases: dict[str, Case]) -> None:
    body = client_for(demo["sw.dritan"]).get(cases["Dervishi"].get_absolute_url()).content.decode()
    assert "Reopen the case" in body and "Post-exit follow-ups" in body
    assert (
        "Reopen the case"
        not in client_for(demo["sw.blerina"]).get(cases["Dervishi"].get_absolute_url()).content.decode()
    )
