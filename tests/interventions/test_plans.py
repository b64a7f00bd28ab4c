"""Writing, starting and replacing plans; actions of three kinds; lapsed actions; status updates."""

import pytest
from django.core.exceptions import ValidationError

from agencies.models import Agency, User
from audit.models import AuditEvent
from cases.models import Case, CaseEvent
from interventions import services
from interventions.models import Goal, InterventionPlan, PlanAction
from tests.factories import AgencyFactory
from tests.interventions.conftest import action_spec, days, goals_for, make_plan

pytestmark = pytest.mark.django_db
Status = InterventionPlan.Status


class TestCreatePlan:
    def test_an_agreed_plan_runs_with_its_goals_and_actions(self, case: Case, agency: Agency) -> None:
        # when
        plan = make_plan(case, goals=goals_for(agency, goals=2, actions=2))
        # then
        assert plan.status == Status.ACTIVE and plan.started_on == days(0)
        assert [goal.position for goal in plan.goals.all()] == [1, 2]
        actions = PlanAction.objects.filter(goal__plan=plan)
        assert actions.count() == 4 and {action.case_id for action in actions} == {case.pk}
        assert {goal.case_id for goal in Goal.objects.filter(plan=plan)} == {case.pk}

    def test_it_goes_on_the_timeline_and_in_the_audit_trail(self, case: Case) -> None:
        plan = make_plan(case)
        event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.PLAN)
        assert (event.entry_label, event.entry_id) == ("interventions.interventionplan", plan.pk)
        assert event.entry_url == plan.get_absolute_url()
        assert AuditEvent.objects.get(action=AuditEvent.Action.PLAN_RECORDED).object_id == str(plan.pk)

    def test_without_the_familys_agreement_it_is_a_draft(self, case: Case) -> None:
        plan = make_plan(case, agreed=False)
        assert plan.status == Status.DRAFT and plan.started_on is None

    def test_agreement_needs_who_and_when(self, case: Case, agency: Agency) -> None:
        with pytest.raises(ValidationError, match="who in the family agreed"):
            services.create_plan(case, goals=goals_for(agency), agreed_by_family=True, actor=case.owner)
        assert not InterventionPlan.objects.exists() and not Goal.objects.exists()

    def test_a_new_plan_replaces_the_running_one_which_is_kept(self, case: Case) -> None:
        # given
        first = make_plan(case)
        # when
        second = make_plan(case)
        # then
        first.refresh_from_db()
        assert first.status == Status.COMPLETED and first.replaced_by == second and first.ended_on == days(0)
        assert list(InterventionPlan.objects.active()) == [second]

    def test_a_measure_of_another_kind_is_refused(self, case: Case, agency: Agency) -> None:
        goals = [{"text": "Trust", "actions": [action_spec(agency, type="ideological", measure="housing")]}]
        with pytest.raises(ValidationError, match="not a measure of the kind Ideological"):
            make_plan(case, goals=goals)
        assert not InterventionPlan.objects.exists()

    def test_the_database_refuses_a_mismatch_too(self, case: Case, plan: InterventionPlan) -> None:
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            PlanAction.objects.filter(goal__plan=plan).update(type="ideological")

    def test_a_plan_needs_a_goal_and_an_action(self, case: Case, agency: Agency) -> None:
        with pytest.raises(ValidationError, match="at least one goal"):
            make_plan(case, goals=[{"text": "  ", "actions": [action_spec(agency)]}])
        with pytest.raises(ValidationError, match="at least one action"):
            make_plan(case, goals=[{"text": "A home", "actions": []}])

    def test_an_action_is_due_after_it_starts(self, case: Case, agency: Agency) -> None:
        goals = [{"text": "A home", "actions": [action_spec(agency, starts_on=days(5), due_on=days(1))]}]
        with pytest.raises(ValidationError, match="due on or after"):
            make_plan(case, goals=goals)

    def test_the_provider_person_works_for_the_provider_agency(
        self, case: Case, agency: Agency, caseworker_other_agency: User
    ) -> None:
        goals = [{"text": "A home", "actions": [action_spec(agency, provider_person=caseworker_other_agency)]}]
        with pytest.raises(ValidationError, match="does not work for"):
            make_plan(case, goals=goals)

    def test_a_closed_case_gets_no_plan(self, case: Case) -> None:
        from django.utils import timezone

        Case.objects.filter(pk=case.pk).update(closed_at=timezone.now())
        with pytest.raises(ValidationError, match="closed"):
            make_plan(case)

    def test_only_those_who_change_the_case_write_plans(self, case: Case, colleague: User, agency: Agency) -> None:
        with pytest.raises(ValidationError, match="may not change"):
            services.create_plan(case, goals=goals_for(agency), actor=colleague)
        assert not InterventionPlan.objects.exists()

    def test_a_first_plan_sets_the_next_review_three_months_on(self, case: Case) -> None:
        make_plan(case)
        case.refresh_from_db()
        assert case.next_review_on is not None and 89 <= (case.next_review_on - days(0)).days <= 92

    def test_the_panels_review_interval_is_used(self, case: Case, panel: object) -> None:
        from agencies.models import PanelReminderSettings

        PanelReminderSettings.objects.create(panel=panel, review_months=1)
        Case.objects.filter(pk=case.pk).update(panel=panel)
        make_plan(case)
        case.refresh_from_db()
        assert case.next_review_on is not None and 28 <= (case.next_review_on - days(0)).days <= 31

    def test_a_review_date_already_set_is_kept(self, case: Case) -> None:
        Case.objects.filter(pk=case.pk).update(next_review_on=days(10))
        make_plan(case)
        case.refresh_from_db()
        assert case.next_review_on == days(10)


class TestStartPlan:
    def test_a_draft_starts_when_the_family_agrees(self, case: Case) -> None:
        # given a running plan and a draft
        running = make_plan(case)
        draft = make_plan(case, agreed=False)
        # when
        services.start_plan(draft, agreed_by="The father", agreed_on=days(-1), actor=case.owner)
        # then
        draft.refresh_from_db()
        running.refresh_from_db()
        assert draft.status == Status.ACTIVE and draft.agreed_by == "The father" and draft.started_on == days(-1)
        assert running.status == Status.COMPLETED and running.replaced_by == draft

    def test_a_running_plan_is_not_started_again(self, case: Case, plan: InterventionPlan) -> None:
        with pytest.raises(ValidationError, match="Only a draft"):
            services.start_plan(plan, agreed_by="The father", agreed_on=days(0), actor=case.owner)

    def test_an_agreement_in_the_future_is_refused(self, case: Case) -> None:
        draft = make_plan(case, agreed=False)
        with pytest.raises(ValidationError, match="future"):
            services.start_plan(draft, agreed_by="The father", agreed_on=days(1), actor=case.owner)


class TestLapsed:
    def test_an_open_action_past_its_due_date_shows_as_lapsed(self, case: Case, agency: Agency) -> None:
        # given actions due yesterday (open, done, cancelled) and one due today
        goals = [
            {
                "text": "Work",
                "actions": [
                    action_spec(agency, measure="employment", starts_on=days(-30), due_on=days(-1)),
                    action_spec(agency, measure="school", starts_on=days(-30), due_on=days(-1)),
                    action_spec(agency, measure="sports", starts_on=days(-30), due_on=days(-1)),
                    action_spec(agency, measure="housing", starts_on=days(-30), due_on=days(0)),
                ],
            }
        ]
        plan = make_plan(case, goals=goals)
        actions = {action.measure: action for action in PlanAction.objects.filter(goal__plan=plan)}
        services.update_action_status(actions["school"], status="done", actor=case.owner)
        services.update_action_status(actions["sports"], status="cancelled", actor=case.owner)
        # then
        assert list(PlanAction.objects.lapsed()) == [actions["employment"]]
        lapsed = {action.measure for action in PlanAction.objects.all() if action.is_lapsed}
        assert lapsed == {"employment"}


class TestActionStatus:
    def test_the_owner_updates_an_action(self, case: Case, plan: InterventionPlan) -> None:
        action = PlanAction.objects.filter(goal__plan=plan).first()
        assert action is not None
        services.update_action_status(action, status="in_progress", actor=case.owner)
        action.refresh_from_db()
        assert action.status == "in_progress" and action.status_changed_by == case.owner
        assert AuditEvent.objects.filter(action=AuditEvent.Action.PLAN_ACTION_UPDATED).count() == 1

    def test_the_provider_agency_updates_its_action(self, provided: PlanAction, provider: User) -> None:
        services.update_action_status(provided, status="done", actor=provider)
        provided.refresh_from_db()
        assert provided.status == "done"

    def test_another_partner_reading_the_file_may_not(
        self, case: Case, provided: PlanAction, auditor_readonly: User, other_agency: Agency
    ) -> None:
        from tests.factories import share

        share(case, other_agency)
        with pytest.raises(ValidationError, match="may not update"):
            services.update_action_status(provided, status="done", actor=auditor_readonly)

    def test_an_action_of_an_ended_plan_stays_as_it_was(self, case: Case, plan: InterventionPlan) -> None:
        action = PlanAction.objects.filter(goal__plan=plan).first()
        assert action is not None
        make_plan(case)  # replaces the plan
        with pytest.raises(ValidationError, match="no longer running"):
            services.update_action_status(action, status="done", actor=case.owner)

    def test_a_provider_agency_without_the_file_sees_nothing(self, case: Case, agency: Agency) -> None:
        from agencies.models import Membership
        from tests.conftest import member

        # given an action provided by an agency the case is not shared with
        school = AgencyFactory(name="School")
        teacher = member(school, Membership.Role.PRACTITIONER)
        plan = make_plan(case, goals=[{"text": "School", "actions": [action_spec(school, measure="school")]}])
        action = PlanAction.objects.get(goal__plan=plan)
        # then the rule reads the file first
        assert not PlanAction.objects.restrict(teacher, "view").exists()
        with pytest.raises(ValidationError):
            services.update_action_status(action, status="done", actor=teacher)
