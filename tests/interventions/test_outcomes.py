"""Closing a case, and the family's withdrawal, record how far each goal came, what the case
turned out to be and the family's own feedback; the evaluation counts the outcomes, never the notes."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies.access import Action
from agencies.models import Agency, User
from cases.models import Case
from interventions import services
from interventions.models import Closure, GoalOutcome, InterventionPlan, Withdrawal
from interventions.outcomes import outcome_counts, typology_counts
from tests.conftest import api_as
from tests.interventions.conftest import agreements, client_for, days

pytestmark = pytest.mark.django_db


def outcome_fields(plan: InterventionPlan, *outcomes: str) -> dict[str, str]:
    goals = list(plan.goals.order_by("position"))
    return {f"outcome-{goal.pk}-outcome": outcome for goal, outcome in zip(goals, outcomes, strict=False)}


def test_the_owner_closes_saying_how_far_each_goal_came(
    case: Case, plan: InterventionPlan, other_agency: Agency, auditor_readonly: User
) -> None:
    # given a running plan of two goals, and the police agreeing
    agreed = agreements(case, other_agency, auditor_readonly)
    url = reverse("interventions:closure_create", args=[case.pk])
    client = client_for(case.owner)
    form = client.get(url)
    assert "How far each goal came" in form.content.decode() and "Goal 1" in form.content.decode()
    keys = [f"{row['agency'].pk}:{row['user'].pk}" for row in agreed]
    data = {
        "decided_on": days(0).isoformat(), "reason": "Goals met", "agreed": keys,
        "typology": "vulnerable", "family_feedback": "Qwerty thanks",
    }  # fmt: skip
    # when one goal is left without its outcome, nothing is closed and the form says so
    refused = client.post(url, {**data, **outcome_fields(plan, "achieved")})
    assert refused.status_code == 200 and not Closure.objects.exists() and not GoalOutcome.objects.exists()
    # then with both it closes, keeping the outcomes, the typology and the feedback
    assert client.post(url, {**data, **outcome_fields(plan, "achieved", "partly")}).status_code == 302
    closure = Closure.objects.get()
    assert closure.typology == "vulnerable" and closure.family_feedback == "Qwerty thanks"
    assert sorted(closure.outcomes.values_list("outcome", flat=True)) == ["achieved", "partly"]
    # and its page shows them to the full file's readers
    body = client.get(closure.get_absolute_url()).content.decode()
    assert "Partly achieved" in body and "Qwerty thanks" in body and "Vulnerable to radicalisation" in body


def test_a_withdrawal_through_the_api_records_the_outcomes(case: Case, plan: InterventionPlan) -> None:
    goals = list(plan.goals.order_by("position"))
    body = {
        "case": case.pk, "withdrawn_on": days(0).isoformat(), "reason": "Enough", "open_door_message": "Call us",
        "typology": "not_radicalisation",
        "outcomes": [{"goal": goals[0].pk, "outcome": "not_achieved", "note": "Qwerty note"},
                     {"goal": goals[1].pk, "outcome": "not_applicable"}],
    }  # fmt: skip
    answer = api_as(case.owner).post(reverse("interventions-api:withdrawal-list"), body, format="json")
    assert answer.status_code == 201, answer.content
    assert {row["outcome"] for row in answer.json()["outcomes"]} == {"not_achieved", "not_applicable"}
    assert Withdrawal.objects.get().typology == "not_radicalisation"


def test_an_outcome_twice_or_no_typology_is_refused_and_nothing_is_kept(case: Case, plan: InterventionPlan) -> None:
    goals = list(plan.goals.all())
    with pytest.raises(ValidationError, match="once for each goal"):
        services.record_withdrawal(
            case, withdrawn_on=days(0), reason="r", open_door_message="m", actor=case.owner,
            typology="other", outcomes=[{"goal": goals[0], "outcome": "achieved"}] * 2,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="turned out to be"):
        services.record_withdrawal(
            case, withdrawn_on=days(0), reason="r", open_door_message="m", actor=case.owner,
            typology="", outcomes=[{"goal": goal, "outcome": "achieved"} for goal in goals],
        )  # fmt: skip
    assert not Withdrawal.objects.exists()


def test_the_evaluation_counts_outcomes_and_typologies_of_the_cases_given(
    case: Case, plan: InterventionPlan, other_agency: Agency, auditor_readonly: User
) -> None:
    goals = list(plan.goals.order_by("position"))
    services.close_case(
        case, decided_on=days(0), reason="Goals met", agreements=agreements(case, other_agency, auditor_readonly),
        actor=case.owner, typology="radicalised",
        outcomes=[{"goal": goals[0], "outcome": "achieved", "note": "Qwerty"},
                  {"goal": goals[1], "outcome": "achieved"}],
    )  # fmt: skip
    counts = outcome_counts(Case.objects.restrict(case.owner, Action.VIEW_SUMMARY))
    assert counts["closure"] == {"achieved": 2, "partly": 0, "not_achieved": 0, "not_applicable": 0}
    assert sum(counts["withdrawal"].values()) == 0
    assert typology_counts(Case.objects.restrict(case.owner, Action.VIEW_SUMMARY))["closure"]["radicalised"] == 1
    # a cohort without the case counts nothing
    assert sum(outcome_counts(Case.objects.exclude(pk=case.pk))["closure"].values()) == 0
