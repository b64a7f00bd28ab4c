"""Reviews (risk level and next review date for the case, progress per goal) and the family's
withdrawal from the plan."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies.models import User
from audit.models import AuditEvent
from cases.models import Case, CaseEvent, RiskRecord
from interventions import services
from interventions.models import GoalProgress, InterventionPlan, PlanAction, Review, Withdrawal
from tests.interventions.conftest import days, make_plan, progress_of, review

pytestmark = pytest.mark.django_db


class TestRecordReview:
    def test_it_sets_the_case_risk_from_a_review(self, case: Case, plan: InterventionPlan) -> None:
        # when
        review(case, plan, risk_level="high")
        # then
        case.refresh_from_db()
        assert case.risk_level == "high"
        change = RiskRecord.objects.get(case=case)
        assert (change.source, change.previous_level, change.level) == (
            RiskRecord.Source.REVIEW,
            "not_assessed",
            "high",
        )

    def test_its_next_review_becomes_the_cases(self, case: Case, plan: InterventionPlan) -> None:
        review(case, plan, next_review_on=days(45))
        case.refresh_from_db()
        assert case.next_review_on == days(45)

    def test_it_records_every_goals_progress(self, case: Case, plan: InterventionPlan) -> None:
        recorded = review(case, plan, progress=progress_of(plan, "good"))
        assert GoalProgress.objects.filter(review=recorded, progress="good").count() == plan.goals.count()
        event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.REVIEW)
        assert event.entry_url == recorded.get_absolute_url()
        assert AuditEvent.objects.filter(action=AuditEvent.Action.REVIEW_RECORDED, case_id=case.pk).exists()

    def test_a_missing_goal_is_refused(self, case: Case, plan: InterventionPlan) -> None:
        with pytest.raises(ValidationError, match="every goal"):
            review(case, plan, progress=progress_of(plan)[:1])
        assert not Review.objects.exists()

    def test_a_goal_of_another_plan_is_refused(self, case: Case, plan: InterventionPlan) -> None:
        from tests.factories import CaseFactory

        other_case = CaseFactory(owner=case.owner, owning_agency=case.owning_agency)
        other = make_plan(other_case)
        with pytest.raises(ValidationError, match="only for those"):
            review(case, plan, progress=progress_of(plan) + progress_of(other)[:1])

    def test_a_review_is_not_held_in_the_future(self, case: Case, plan: InterventionPlan) -> None:
        with pytest.raises(ValidationError, match="cannot be in the future"):
            review(case, plan, held_on=days(1), next_review_on=days(90))

    def test_the_next_review_comes_after_it(self, case: Case, plan: InterventionPlan) -> None:
        with pytest.raises(ValidationError, match="comes after this one"):
            review(case, plan, next_review_on=days(0))

    def test_not_before_the_plan_started(self, case: Case, plan: InterventionPlan) -> None:
        with pytest.raises(ValidationError, match="before the plan started"):
            review(case, plan, held_on=days(-3))

    def test_not_before_a_later_review(self, case: Case) -> None:
        plan = make_plan(case, agreed_on=days(-30))
        review(case, plan, held_on=days(-2))
        with pytest.raises(ValidationError, match="later review"):
            review(case, plan, held_on=days(-5))

    def test_the_risk_is_said_on_the_common_scale(self, case: Case, plan: InterventionPlan) -> None:
        with pytest.raises(ValidationError, match="common scale"):
            review(case, plan, risk_level="not_assessed")

    def test_there_must_be_a_running_plan(self, case: Case) -> None:
        draft = make_plan(case, agreed=False)
        with pytest.raises(ValidationError, match="no running plan"):
            review(case, draft)

    def test_it_updates_the_actions_it_names(self, case: Case, plan: InterventionPlan) -> None:
        action = PlanAction.objects.filter(goal__plan=plan).first()
        assert action is not None
        review(case, plan, action_statuses=[{"action": action, "status": "cancelled"}])
        action.refresh_from_db()
        assert action.status == "cancelled"

    def test_a_refused_review_changes_nothing(self, case: Case, plan: InterventionPlan) -> None:
        action = PlanAction.objects.filter(goal__plan=plan).first()
        with pytest.raises(ValidationError):
            review(case, plan, progress=[], risk_level="high", action_statuses=[{"action": action, "status": "done"}])
        case.refresh_from_db()
        assert case.risk_level == "not_assessed" and not RiskRecord.objects.exists()
        assert PlanAction.objects.filter(status="done").count() == 0

    def test_a_reader_who_may_not_change_the_case_may_not_review(
        self, case: Case, plan: InterventionPlan, colleague: User
    ) -> None:
        with pytest.raises(ValidationError, match="may not change"):
            review(case, plan, actor=colleague)

    def test_a_review_sent_twice_is_recorded_once(self, case: Case, plan: InterventionPlan) -> None:
        review(case, plan)
        with pytest.raises(ValidationError, match="already has a review on that day"):
            review(case, plan)
        assert Review.objects.count() == 1


class TestWithdrawal:
    def record(self, case: Case, **overrides: Any) -> Withdrawal:
        values: dict[str, Any] = {
            "withdrawn_on": days(0),
            "reason": "The family wants to manage alone.",
            "open_door_message": "We are here when you need us: call Blerina.",
            "actor": case.owner,
        }
        return services.record_withdrawal(case, **{**values, **overrides})

    def test_the_plan_ends_withdrawn_and_the_case_stays_open(self, case: Case, plan: InterventionPlan) -> None:
        withdrawal = self.record(case)
        plan.refresh_from_db()
        case.refresh_from_db()
        assert plan.status == InterventionPlan.Status.WITHDRAWN and withdrawal.plan == plan
        assert case.closed_at is None
        assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.WITHDRAWAL).count() == 1

    def test_the_case_comes_up_for_review_within_the_panels_interval(
        self, case: Case, plan: InterventionPlan, panel: object
    ) -> None:
        from agencies.models import PanelReminderSettings

        PanelReminderSettings.objects.create(panel=panel, review_months=1)
        Case.objects.filter(pk=case.pk).update(panel=panel, next_review_on=None)
        self.record(case)
        case.refresh_from_db()
        assert case.next_review_on is not None and 28 <= (case.next_review_on - timezone.localdate()).days <= 31

    @pytest.mark.parametrize("level", ["high", "critical"])
    @pytest.mark.usefixtures("police_working")
    def test_at_high_risk_the_security_follow_up_is_required(
        self, case: Case, plan: InterventionPlan, level: str
    ) -> None:
        # given
        Case.objects.filter(pk=case.pk).update(risk_level=level)
        # when / then
        with pytest.raises(ValidationError, match="security checks go on"):
            self.record(case, security_followup=False)
        plan.refresh_from_db()
        assert plan.status == InterventionPlan.Status.ACTIVE and not Withdrawal.objects.exists()
        assert self.record(case, security_followup=True).security_followup

    def test_at_moderate_risk_it_is_a_choice(self, case: Case, plan: InterventionPlan) -> None:
        Case.objects.filter(pk=case.pk).update(risk_level="moderate")
        assert not self.record(case).security_followup

    def test_the_door_stays_open_is_said(self, case: Case, plan: InterventionPlan) -> None:
        with pytest.raises(ValidationError, match="door stays open"):
            self.record(case, open_door_message=" ")

    def test_a_withdrawal_is_not_dated_in_the_future(self, case: Case, plan: InterventionPlan) -> None:
        with pytest.raises(ValidationError, match="future"):
            self.record(case, withdrawn_on=days(1))

    def test_it_is_recorded_once_until_a_new_plan(self, case: Case, plan: InterventionPlan) -> None:
        self.record(case)
        with pytest.raises(ValidationError, match="already recorded"):
            self.record(case)
        make_plan(case)
        assert self.record(case).plan is not None

    def test_a_closed_case_records_no_withdrawal(self, case: Case, plan: InterventionPlan) -> None:
        Case.objects.filter(pk=case.pk).update(closed_at=timezone.now())
        with pytest.raises(ValidationError, match="closed"):
            self.record(case)
