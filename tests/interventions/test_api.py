"""The interventions API: the same rules as the browser, writes through the services, hidden ids
refused like missing ones, constant query counts on every list."""

from typing import Any

import pytest
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from agencies.models import Agency, Membership, User
from cases.models import Case
from interventions import services
from interventions.models import Closure, FollowUp, Goal, InterventionPlan, PlanAction, Review
from tests.conftest import api_as, member
from tests.factories import AgencyFactory, CaseFactory, share
from tests.interventions.conftest import action_spec, agreements, days, goals_for, make_plan, review

pytestmark = pytest.mark.django_db
PLANS = reverse("interventions-api:interventionplan-list")


def outcomes_of(case: Case) -> list[dict[str, Any]]:
    """An outcome for every goal of the case's running plan (none without one)."""
    goals = Goal.objects.filter(case=case, plan__status="active")
    return [{"goal": goal.pk, "outcome": "achieved", "note": ""} for goal in goals]


def plan_body(case: Case, **overrides: Any) -> dict[str, Any]:
    action = {"type": "pragmatic", "measure": "housing", "provider_agency": case.owning_agency_id, "due_on": days(30)}
    body = {
        "case": case.pk,
        "summary": "A home first",
        "agreed_by_family": True,
        "agreed_by": "The mother",
        "agreed_on": days(0),
        "goals": [{"text": "A home", "actions": [action]}],
    }
    return {**body, **overrides}


class TestPlans:
    def test_the_owner_creates_a_plan_with_goals_and_actions(self, case: Case) -> None:
        response = api_as(case.owner).post(PLANS, plan_body(case), format="json")
        assert response.status_code == 201, response.data
        assert response.data["status"] == "active"
        assert response.data["goals"][0]["actions"][0]["measure"] == "housing"
        assert response.data["goals"][0]["actions"][0]["lapsed"] is False

    def test_a_measure_of_another_kind_is_a_400(self, case: Case) -> None:
        body = plan_body(case)
        body["goals"][0]["actions"][0]["type"] = "ideological"
        response = api_as(case.owner).post(PLANS, body, format="json")
        assert response.status_code == 400 and "not a measure of the kind" in str(response.data)
        assert not InterventionPlan.objects.exists()

    def test_a_full_reader_gets_403(self, case: Case, other_agency: Agency, auditor_readonly: User) -> None:
        from tests.factories import share

        share(case, other_agency)
        assert api_as(auditor_readonly).post(PLANS, plan_body(case), format="json").status_code == 403

    def test_a_hidden_case_is_refused_like_a_missing_one(self, case: Case, caseworker_other_agency: User) -> None:
        client = api_as(caseworker_other_agency)
        hidden = client.post(PLANS, plan_body(case), format="json")
        missing = client.post(PLANS, {**plan_body(case), "case": 987654}, format="json")
        assert hidden.status_code == missing.status_code == 400
        assert str(hidden.data["case"]).replace(str(case.pk), "N") == str(missing.data["case"]).replace("987654", "N")

    def test_the_list_filters_by_case_and_refuses_a_hidden_case(
        self, case: Case, caseworker_other_agency: User
    ) -> None:
        make_plan(case)
        assert api_as(case.owner).get(PLANS, {"case": case.pk}).data["count"] == 1
        assert api_as(caseworker_other_agency).get(PLANS, {"case": case.pk}).status_code == 400
        assert api_as(caseworker_other_agency).get(PLANS).data["count"] == 0


class TestPlanActions:
    url = reverse("interventions-api:planaction-list")

    def test_lapsed_actions_are_listed(self, case: Case, agency: Agency) -> None:
        goals = [
            {"text": "Work", "actions": [action_spec(agency, starts_on=days(-9), due_on=days(-1)), action_spec(agency)]}
        ]
        make_plan(case, goals=goals, agreed_on=days(-9))
        rows = api_as(case.owner).get(self.url, {"lapsed": "true"}).data["results"]
        assert [row["lapsed"] for row in rows] == [True]

    def test_the_provider_agency_updates_the_status_but_writes_no_plan(
        self, provided: PlanAction, provider: User
    ) -> None:
        client = api_as(provider)
        url = reverse("interventions-api:planaction-status", args=[provided.pk])
        response = client.post(url, {"status": "done"}, format="json")
        assert response.status_code == 200 and response.data["status"] == "done"
        assert client.post(PLANS, plan_body(provided.case), format="json").status_code == 403

    def test_a_colleague_of_the_owner_may_not_update_another_agencys_action(
        self, provided: PlanAction, colleague: User
    ) -> None:
        url = reverse("interventions-api:planaction-status", args=[provided.pk])
        assert api_as(colleague).post(url, {"status": "done"}, format="json").status_code == 403

    def test_a_hidden_plan_filter_is_refused(self, case: Case, caseworker_other_agency: User) -> None:
        plan = make_plan(case)
        assert api_as(caseworker_other_agency).get(self.url, {"plan": plan.pk}).status_code == 400


class TestReviews:
    def test_a_review_sets_risk_and_next_review(self, case: Case) -> None:
        plan = make_plan(case)
        body = {
            "case": case.pk,
            "held_on": days(0),
            "risk_level": "high",
            "next_review_on": days(40),
            "progress": [{"goal": goal.pk, "progress": "some"} for goal in plan.goals.all()],
        }
        response = api_as(case.owner).post(reverse("interventions-api:review-list"), body, format="json")
        assert response.status_code == 201, response.data
        case.refresh_from_db()
        assert (case.risk_level, case.next_review_on) == ("high", days(40))
        assert len(response.data["progress"]) == plan.goals.count()

    def test_a_hidden_goal_is_refused(self, case: Case) -> None:
        plan = make_plan(case)
        hidden_plan = make_plan(CaseFactory())
        body = {
            "case": case.pk,
            "held_on": days(0),
            "risk_level": "low",
            "next_review_on": days(40),
            "progress": [
                {"goal": goal.pk, "progress": "some"} for goal in [*plan.goals.all(), *hidden_plan.goals.all()]
            ],
        }
        response = api_as(case.owner).post(reverse("interventions-api:review-list"), body, format="json")
        assert response.status_code == 400 and not Review.objects.exists()


class TestWithdrawals:
    @pytest.mark.usefixtures("police_working")
    def test_at_high_risk_the_security_follow_up_is_required(self, case: Case) -> None:
        make_plan(case)
        Case.objects.filter(pk=case.pk).update(risk_level="critical")
        body = {
            "case": case.pk, "withdrawn_on": days(0), "reason": "Enough", "open_door_message": "Call us",
            "typology": "vulnerable", "outcomes": outcomes_of(case),
        }  # fmt: skip
        client, url = api_as(case.owner), reverse("interventions-api:withdrawal-list")
        refused = client.post(url, body, format="json")
        assert refused.status_code == 400 and "security checks go on" in str(refused.data)
        assert client.post(url, {**body, "security_followup": True}, format="json").status_code == 201


class TestClosures:
    url = reverse("interventions-api:closure-list")

    def body(self, case: Case, agreed: list[dict[str, Any]]) -> dict[str, Any]:
        rows = [{"agency": row["agency"].pk, "user": row["user"].pk} for row in agreed]
        return {
            "case": case.pk, "decided_on": days(0), "reason": "Goals met", "agreements": rows,
            "typology": "not_radicalisation", "outcomes": outcomes_of(case),
        }  # fmt: skip

    def test_close_then_reopen(self, case: Case, other_agency: Agency, auditor_readonly: User) -> None:
        client = api_as(case.owner)
        created = client.post(
            self.url, self.body(case, agreements(case, other_agency, auditor_readonly)), format="json"
        )
        assert created.status_code == 201, created.data
        assert [row["due_on"] for row in created.data["follow_ups"]] == sorted(
            row["due_on"] for row in created.data["follow_ups"]
        )
        reopen = reverse("interventions-api:closure-reopen", args=[created.data["id"]])
        assert client.post(reopen, {"reason": ""}, format="json").status_code == 400
        response = client.post(reopen, {"reason": "New concern"}, format="json")
        assert response.status_code == 200 and response.data["reopen_reason"] == "New concern"
        # an undone closure is not undone twice
        assert client.post(reopen, {"reason": "Again"}, format="json").status_code == 400

    def test_one_agency_is_a_400(self, case: Case, supervisor: User) -> None:
        agreed = [
            {"agency": case.owning_agency, "user": case.owner},
            {"agency": case.owning_agency, "user": supervisor},
        ]
        response = api_as(case.owner).post(self.url, self.body(case, agreed), format="json")
        assert response.status_code == 400 and "at least two agencies" in str(response.data)

    def test_follow_up_done(self, case: Case, other_agency: Agency, auditor_readonly: User) -> None:
        closure = services.close_case(
            case,
            decided_on=days(0),
            reason="Goals met",
            agreements=agreements(case, other_agency, auditor_readonly),
            actor=case.owner,
        )
        follow_up = closure.follow_ups.first()
        assert follow_up is not None
        client = api_as(case.owner)
        assert client.get(reverse("interventions-api:followup-list"), {"done": "false"}).data["count"] == 2
        url = reverse("interventions-api:followup-done", args=[follow_up.pk])
        response = client.post(url, {"done_on": days(0), "notes": "Well"}, format="json")
        assert response.status_code == 200 and response.data["done_on"] == days(0).isoformat()

    def test_an_agency_with_nothing_to_do_with_the_case_does_not_agree(self, case: Case) -> None:
        outsider = AgencyFactory(name="Unrelated prison service")
        agreed = [
            {"agency": case.owning_agency, "user": case.owner},
            {"agency": outsider, "user": member(outsider, Membership.Role.PRACTITIONER)},
        ]
        response = api_as(case.owner).post(self.url, self.body(case, agreed), format="json")
        assert response.status_code == 400 and "working the case" in str(response.json())

    def test_a_refused_agreement_names_nobody(self, case: Case, other_agency: Agency) -> None:
        # given someone of another agency altogether put forward as agreeing for a partner
        share(case, other_agency)
        someone = member(AgencyFactory(name="Far away"), Membership.Role.PRACTITIONER)
        someone.first_name, someone.last_name = "Secret", "Officer"
        someone.save()
        agreed = [{"agency": case.owning_agency, "user": case.owner}, {"agency": other_agency, "user": someone}]
        # then the refusal does not tell who that is
        response = api_as(case.owner).post(self.url, self.body(case, agreed), format="json")
        assert response.status_code == 400 and "Secret" not in str(response.json())


def _populate(case: Case, size: int, other_agency: Agency, reader: User) -> None:
    """`size` plans (the last running), reviews and goals, a withdrawal, and `size` closed cases."""
    for _ in range(size):
        plan = make_plan(case, goals=goals_for(case.owning_agency, goals=size, actions=size), agreed_on=days(-size))
    for n in range(size):
        review(case, plan, held_on=days(-size + n), next_review_on=days(30))
    services.record_withdrawal(case, withdrawn_on=days(0), reason="r", open_door_message="m", actor=case.owner)
    for _ in range(size):
        closed = CaseFactory(owner=case.owner, owning_agency=case.owning_agency)
        services.close_case(
            closed,
            decided_on=days(0),
            reason="Goals met",
            agreements=agreements(closed, other_agency, reader),
            actor=case.owner,
        )


@pytest.mark.parametrize("size", [1, 4])
@pytest.mark.parametrize(
    "name",
    ["interventionplan-list", "planaction-list", "review-list", "withdrawal-list", "closure-list", "followup-list"],
)
def test_every_list_costs_the_same(
    name: str,
    size: int,
    case: Case,
    other_agency: Agency,
    auditor_readonly: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    _populate(case, size, other_agency, auditor_readonly)
    client = api_as(case.owner)
    with django_assert_max_num_queries(12):  # +3: the read's audit record (chain head, insert)
        response = client.get(reverse(f"interventions-api:{name}"))
    assert response.status_code == 200 and response.data["count"] >= 1
    assert Closure.objects.count() == FollowUp.objects.count() // 2 == size
