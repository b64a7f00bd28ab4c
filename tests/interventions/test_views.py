"""The browser pages: the case page's section, the forms (which keep what was typed when refused),
the record pages, who may open them, and query counts."""

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from agencies.models import Agency, Panel, User
from cases.models import Case
from interventions import services
from interventions.models import Closure, InterventionPlan, PlanAction, Review, Withdrawal
from tests.interventions.conftest import action_spec, agreements, client_for, days, goals_for, make_plan, review

pytestmark = pytest.mark.django_db


def plan_post(agency: Agency, **overrides: Any) -> dict[str, Any]:
    data = {
        "goals-TOTAL_FORMS": "4",
        "goals-INITIAL_FORMS": "0",
        "goals-0-text": "A stable home",
        "goals-1-text": "",
        "goals-2-text": "Trust in the family",
        "goals-3-text": "",
        "actions-TOTAL_FORMS": "2",
        "actions-INITIAL_FORMS": "0",
        "actions-0-goal": "1",
        "actions-0-type": "pragmatic",
        "actions-0-measure": "housing",
        "actions-0-provider_agency": str(agency.pk),
        "actions-0-starts_on": days(0).isoformat(),
        "actions-0-due_on": days(60).isoformat(),
        "actions-0-intended_outcome": "A flat of their own",
        "actions-1-goal": "3",
        "actions-1-type": "ideological",
        "actions-1-measure": "acceptance_conversation",
        "actions-1-provider_agency": str(agency.pk),
        "actions-1-starts_on": days(0).isoformat(),
        "actions-1-due_on": days(90).isoformat(),
        "summary": "Qwerty summary",
        "agreed_by_family": "on",
        "agreed_by": "The mother",
        "agreed_on": days(0).isoformat(),
    }
    return {**data, **overrides}


class TestPlanPages:
    def url(self, case: Case) -> str:
        return reverse("interventions:plan_create", args=[case.pk])

    def test_the_owner_writes_a_plan_with_goals_and_actions(self, case: Case, agency: Agency) -> None:
        # when
        response = client_for(case.owner).post(self.url(case), plan_post(agency))
        # then
        plan = InterventionPlan.objects.get()
        assert response.status_code == 302 and response.url == plan.get_absolute_url()
        assert plan.status == "active" and [goal.text for goal in plan.goals.all()] == [
            "A stable home",
            "Trust in the family",
        ]
        actions = {action.measure: action.goal.text for action in PlanAction.objects.select_related("goal")}
        assert actions == {"housing": "A stable home", "acceptance_conversation": "Trust in the family"}

    def test_a_measure_of_another_kind_keeps_what_was_typed(self, case: Case, agency: Agency) -> None:
        response = client_for(case.owner).post(self.url(case), plan_post(agency, **{"actions-0-type": "ideological"}))
        body = response.content.decode()
        assert response.status_code == 200 and "This measure is not of the kind chosen." in body
        assert 'value="A stable home"' in body and "Qwerty summary" in body and "A flat of their own" in body
        assert not InterventionPlan.objects.exists()

    def test_an_action_for_an_empty_goal_is_refused(self, case: Case, agency: Agency) -> None:
        response = client_for(case.owner).post(self.url(case), plan_post(agency, **{"actions-1-goal": "2"}))
        assert response.status_code == 200 and "This goal is empty" in response.content.decode()
        assert not InterventionPlan.objects.exists()

    def test_a_service_refusal_shows_on_the_form(self, case: Case, agency: Agency) -> None:
        Case.objects.filter(pk=case.pk).update(closed_at=timezone.now())
        response = client_for(case.owner).post(self.url(case), plan_post(agency))
        assert response.status_code == 200 and "reopen it first" in response.content.decode()

    def test_without_agreement_it_is_a_draft_started_later(self, case: Case, agency: Agency) -> None:
        client = client_for(case.owner)
        client.post(self.url(case), plan_post(agency, agreed_by_family="", agreed_by="", agreed_on=""))
        draft = InterventionPlan.objects.get()
        assert draft.status == "draft"
        start = reverse("interventions:plan_start", args=[case.pk, draft.pk])
        response = client.post(start, {"agreed_by": "The father", "agreed_on": days(0).isoformat()})
        draft.refresh_from_db()
        assert response.status_code == 302 and draft.status == "active"

    def test_a_colleague_who_reads_the_file_gets_403(self, case: Case, colleague: User) -> None:
        assert client_for(colleague).get(self.url(case)).status_code == 403

    def test_a_supervisor_of_the_owning_agency_writes_plans(self, case: Case, supervisor: User) -> None:
        assert client_for(supervisor).get(self.url(case)).status_code == 200


class TestActionStatusPage:
    def test_the_provider_agency_updates_its_action(self, provided: PlanAction, provider: User) -> None:
        url = reverse("interventions:action_status", args=[provided.case_id, provided.pk])
        response = client_for(provider).post(url, {"status": "in_progress"})
        provided.refresh_from_db()
        assert response.status_code == 302 and provided.status == "in_progress"

    def test_but_not_the_plan(self, provided: PlanAction, provider: User) -> None:
        client = client_for(provider)
        for name in ("plan_create", "review_create", "withdrawal_create", "closure_create"):
            assert client.get(reverse(f"interventions:{name}", args=[provided.case_id])).status_code == 403, name
        # and they read the plan, with the button on their own action only
        body = client.get(provided.goal.plan.get_absolute_url()).content.decode()
        assert body.count("Update status") == 1


class TestReviewPage:
    def url(self, case: Case) -> str:
        return reverse("interventions:review_create", args=[case.pk])

    def test_without_a_running_plan_it_says_so(self, case: Case) -> None:
        response = client_for(case.owner).get(self.url(case), follow=True)
        assert "no running plan to review" in response.content.decode()

    def test_it_records_progress_risk_and_next_review(self, case: Case, plan: InterventionPlan) -> None:
        # given
        goals = list(plan.goals.all())
        actions = list(PlanAction.objects.filter(goal__plan=plan))
        data = {
            "held_on": days(0).isoformat(),
            "next_review_on": days(60).isoformat(),
            "risk_level": "high",
            "changes_since_last": "Less time online.",
            **{f"goal-{goal.pk}-progress": "good" for goal in goals},
            **{f"action-{action.pk}-status": "in_progress" for action in actions},
        }
        # when
        response = client_for(case.owner).post(self.url(case), data)
        # then
        recorded = Review.objects.get()
        assert response.status_code == 302 and response.url == recorded.get_absolute_url()
        case.refresh_from_db()
        assert case.risk_level == "high" and case.next_review_on == days(60)
        assert recorded.progress.filter(progress="good").count() == len(goals)
        assert set(PlanAction.objects.values_list("status", flat=True)) == {"in_progress"}

    def test_a_missing_progress_keeps_what_was_typed(self, case: Case, plan: InterventionPlan) -> None:
        data = {"held_on": days(0).isoformat(), "next_review_on": days(60).isoformat(), "risk_level": "low"}
        data["changes_since_last"] = "Qwerty changes"
        response = client_for(case.owner).post(self.url(case), data)
        assert response.status_code == 200 and "Qwerty changes" in response.content.decode()
        assert not Review.objects.exists()


def outcome_fields(plan: InterventionPlan, outcome: str = "partly") -> dict[str, str]:
    """The closing or withdrawal form's outcome for every goal of the plan."""
    return {f"outcome-{goal.pk}-outcome": outcome for goal in plan.goals.all()}


@pytest.mark.usefixtures("police_working")
class TestWithdrawalPage:
    def test_at_high_risk_the_security_follow_up_is_asked_for(self, case: Case, plan: InterventionPlan) -> None:
        Case.objects.filter(pk=case.pk).update(risk_level="high")
        url = reverse("interventions:withdrawal_create", args=[case.pk])
        data = {
            "withdrawn_on": days(0).isoformat(), "reason": "Qwerty reason", "open_door_message": "Call us",
            "typology": "vulnerable", **outcome_fields(plan),
        }  # fmt: skip
        response = client_for(case.owner).post(url, data)
        body = response.content.decode()
        assert response.status_code == 200 and "security checks go on" in body and "Qwerty reason" in body
        assert not Withdrawal.objects.exists()
        assert client_for(case.owner).post(url, {**data, "security_followup": "on"}).status_code == 302

    def test_the_case_page_shows_it_and_the_security_follow_up(self, case: Case, plan: InterventionPlan) -> None:
        services.record_withdrawal(
            case,
            withdrawn_on=days(0),
            reason="Qwerty reason",
            open_door_message="The door stays open",
            security_followup=True,
            actor=case.owner,
        )
        body = client_for(case.owner).get(case.get_absolute_url()).content.decode()
        assert "The family withdrew from the plan on" in body and "Security follow-up continues." in body
        assert "Qwerty reason" in body and "No plan is running." not in body


class TestClosurePages:
    def test_the_owner_closes_with_two_agencies(
        self, case: Case, other_agency: Agency, auditor_readonly: User, panel: Panel
    ) -> None:
        # given the police on the case's panel
        Case.objects.filter(pk=case.pk).update(panel=panel)
        url = reverse("interventions:closure_create", args=[case.pk])
        client = client_for(case.owner)
        choices = dict(client.get(url).context["form"].fields["agreed"].choices)
        owner_key = f"{case.owning_agency_id}:{case.owner_id}"
        police_key = f"{other_agency.pk}:{auditor_readonly.pk}"
        assert {owner_key, police_key} <= set(choices)
        # when only the owning agency agrees, the form says so and keeps the reason
        data = {
            "decided_on": days(0).isoformat(), "reason": "Qwerty reason", "agreed": [owner_key], "typology": "other",
        }  # fmt: skip
        refused = client.post(url, data)
        assert "at least two agencies" in refused.content.decode() and "Qwerty reason" in refused.content.decode()
        # then with the police too it closes
        assert client.post(url, {**data, "agreed": [owner_key, police_key]}).status_code == 302
        case.refresh_from_db()
        assert case.is_closed and Closure.objects.get().agreements.count() == 2

    def test_the_case_page_shows_follow_ups_and_the_reopen_button(
        self, case: Case, other_agency: Agency, auditor_readonly: User, colleague: User
    ) -> None:
        services.close_case(
            case,
            decided_on=days(0),
            reason="Goals met",
            agreements=agreements(case, other_agency, auditor_readonly),
            actor=case.owner,
        )
        body = client_for(case.owner).get(case.get_absolute_url()).content.decode()
        assert "Post-exit follow-ups" in body and "Reopen the case" in body and "Record the follow-up" in body
        assert "Write a plan" not in body
        assert "Reopen the case" not in client_for(colleague).get(case.get_absolute_url()).content.decode()

    def test_reopening_needs_a_reason(self, case: Case, other_agency: Agency, auditor_readonly: User) -> None:
        services.close_case(
            case,
            decided_on=days(0),
            reason="Goals met",
            agreements=agreements(case, other_agency, auditor_readonly),
            actor=case.owner,
        )
        url = reverse("interventions:case_reopen", args=[case.pk])
        client = client_for(case.owner)
        assert client.post(url, {"reason": ""}).status_code == 200
        assert client.post(url, {"reason": "A new concern"}).status_code == 302
        case.refresh_from_db()
        assert not case.is_closed

    def test_a_follow_up_is_recorded(self, case: Case, other_agency: Agency, auditor_readonly: User) -> None:
        closure = services.close_case(
            case,
            decided_on=days(0),
            reason="Goals met",
            agreements=agreements(case, other_agency, auditor_readonly),
            actor=case.owner,
        )
        follow_up = closure.follow_ups.first()
        assert follow_up is not None
        url = reverse("interventions:followup_done", args=[case.pk, follow_up.pk])
        response = client_for(case.owner).post(
            url, {"done_on": days(0).isoformat(), "notes": "Well", "with_contact": "on"}
        )
        follow_up.refresh_from_db()
        assert response.status_code == 302 and follow_up.is_done and follow_up.contact is not None


class TestCasePageSection:
    def test_lapsed_actions_are_marked(self, case: Case, agency: Agency) -> None:
        goals = [
            {
                "text": "Work",
                "actions": [action_spec(agency, measure="employment", starts_on=days(-9), due_on=days(-1))],
            }
        ]
        make_plan(case, goals=goals, agreed_on=days(-9))
        body = client_for(case.owner).get(case.get_absolute_url()).content.decode()
        assert "1 action has lapsed." in body and "Lapsed: past its due date" in body

    def test_the_last_review_and_the_next_date_show(self, case: Case, plan: InterventionPlan) -> None:
        review(case, plan, next_review_on=days(30))
        body = client_for(case.owner).get(case.get_absolute_url()).content.decode()
        assert "Last review" in body and "Record a review" in body and "Replace the plan" in body

    def test_a_summary_reader_sees_the_progress_but_not_the_plan(
        self, case: Case, plan: InterventionPlan, panel: Panel, panel_member: User
    ) -> None:
        Case.objects.filter(pk=case.pk).update(panel=panel)
        response = client_for(panel_member).get(case.get_absolute_url())
        assert response.status_code == 200 and "interventions" not in response.context
        assert "Goal 1" not in response.content.decode()
        # the plan's page leads to the case's progress, exactly as a plan that does not exist would
        missing = reverse("interventions:entry", args=[case.pk, "interventionplan", 987654])
        answer, nothing = client_for(panel_member).get(plan.get_absolute_url()), client_for(panel_member).get(missing)
        assert answer.status_code == nothing.status_code == 302
        assert answer["Location"] == nothing["Location"] == case.get_absolute_url() + "#plan-progress"


class TestRecordPages:
    def test_each_record_has_its_page_linked_from_the_timeline(
        self, case: Case, other_agency: Agency, auditor_readonly: User
    ) -> None:
        from cases.models import CaseEvent

        plan = make_plan(case)
        review(case, plan)
        services.record_withdrawal(case, withdrawn_on=days(0), reason="r", open_door_message="m", actor=case.owner)
        closure = services.close_case(
            case,
            decided_on=days(0),
            reason="Goals met",
            agreements=agreements(case, other_agency, auditor_readonly),
            actor=case.owner,
        )
        follow_up = closure.follow_ups.first()
        assert follow_up is not None
        services.record_follow_up(follow_up, done_on=days(0), actor=case.owner)
        client = client_for(case.owner)
        urls = [event.entry_url for event in CaseEvent.objects.filter(case=case).exclude(entry_label="")]
        assert len(urls) == 5
        action = PlanAction.objects.first()
        assert action is not None
        for url in [*urls, action.goal.plan.get_absolute_url()]:
            assert client.get(url).status_code == 200, url

    def test_an_unknown_kind_of_record_is_not_found(self, case: Case, plan: InterventionPlan) -> None:
        url = reverse("interventions:entry", args=[case.pk, "contact", plan.pk])
        assert client_for(case.owner).get(url).status_code == 404

    def test_a_record_of_another_case_is_not_found(self, case: Case, plan: InterventionPlan) -> None:
        from tests.factories import CaseFactory

        other = CaseFactory(owner=case.owner, owning_agency=case.owning_agency)
        url = reverse("interventions:entry", args=[other.pk, "interventionplan", plan.pk])
        assert client_for(case.owner).get(url).status_code == 404


@pytest.mark.parametrize("size", [1, 4])
def test_the_case_page_costs_the_same_whatever_the_plan(
    size: int,
    case: Case,
    agency: Agency,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    # given a plan of `size` goals with `size` actions each, `size` reviews and a draft
    plan = make_plan(case, goals=goals_for(agency, goals=size, actions=size), agreed_on=days(-30))
    for n in range(size):
        review(case, plan, held_on=days(-size + n), next_review_on=days(30))
    make_plan(case, agreed=False)
    client = client_for(case.owner)
    client.get(case.get_absolute_url())  # the session's last-seen time written once, not in the count
    # then
    # +1 unread count, +3 audit, +1 information requests; -4: what the reader may do comes with the case (CaseAccess);
    # +3: where the work is (2) and the questions to the owner (1); +1: the referrals to services
    with django_assert_max_num_queries(45):
        response = client.get(case.get_absolute_url())
    assert response.status_code == 200 and len(response.context["interventions"].goals) == size


@pytest.mark.parametrize("size", [1, 4])
def test_a_closed_case_page_costs_the_same(
    size: int,
    case: Case,
    other_agency: Agency,
    auditor_readonly: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    from tests.conftest import member

    people = [{"agency": other_agency, "user": member(other_agency)} for _ in range(size)]
    services.close_case(
        case,
        decided_on=days(0),
        reason="Goals met",
        agreements=[*agreements(case, other_agency, auditor_readonly), *people],
        actor=case.owner,
    )
    client = client_for(case.owner)
    client.get(case.get_absolute_url())  # the session's last-seen time written once, not in the count
    # +1 unread count, +3 audit, +1 information requests, +1 the agencies the timeline names (decision 55);
    # -4: what the reader may do comes with the case (CaseAccess)
    with django_assert_max_num_queries(45):  # +1: the referrals to services
        assert client.get(case.get_absolute_url()).status_code == 200
