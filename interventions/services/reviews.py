"""Monitoring the plan (step 8): reviews, and the family's withdrawal from the plan."""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import deadlines
from agencies.access import Action
from agencies.models import Agency, PanelReminderSettings, User
from audit.models import AuditEvent
from audit.services import record
from cases.involvement import involved_agency_ids
from cases.models import Case, CaseEvent, RiskRecord
from cases.risk import RiskLevel
from cases.services import set_risk_level

from ..models import GoalOutcome, GoalProgress, InterventionPlan, PlanAction, Review, Withdrawal
from .closures import tally
from .common import ensure_open, goal_outcomes, not_in_future, timeline, typology_of
from .plans import update_action_status

__all__ = ["SECURITY_RISKS", "record_review", "record_withdrawal"]

# At these levels security checks go on after a family withdraws (guidance, step 8).
SECURITY_RISKS = (RiskLevel.HIGH, RiskLevel.CRITICAL)


def _active_plan(case: Case, actor: User) -> InterventionPlan | None:
    plans = InterventionPlan.objects.restrict(actor, Action.CHANGE).active().filter(case=case)
    return plans.lock().first()


def _check_review_dates(plan: InterventionPlan, held_on: datetime.date, next_review_on: datetime.date) -> None:
    not_in_future(held_on, _("A review is recorded once it has been held: its date cannot be in the future."))
    if plan.started_on and held_on < plan.started_on:
        raise ValidationError(_("A review cannot be held before the plan started."))
    if next_review_on <= held_on:
        raise ValidationError(_("The next review comes after this one."))
    latest = plan.reviews.order_by("-held_on").first()
    if latest is not None and held_on < latest.held_on:
        raise ValidationError(
            _("A later review of this plan is already recorded (%(date)s).") % {"date": latest.held_on.isoformat()}
        )


def _progress_rows(plan: InterventionPlan, progress: Sequence[Mapping[str, Any]]) -> list[GoalProgress]:
    """One progress row per goal of the plan: none missing, none of another plan."""
    goals = {goal.pk: goal for goal in plan.goals.all()}
    given = [row["goal"].pk for row in progress]
    if len(set(given)) != len(given) or not set(given) <= set(goals):
        raise ValidationError(_("Progress can be recorded once for each goal of the plan, and only for those."))
    if set(goals) - set(given):
        raise ValidationError(_("Record the progress of every goal of the plan."))
    rows = []
    for row in progress:
        if row.get("progress") not in GoalProgress.Progress.values:
            raise ValidationError(_("Say how far each goal has come."))
        rows.append(
            GoalProgress(
                goal=goals[row["goal"].pk],
                case_id=plan.case_id,
                progress=row["progress"],
                notes=(row.get("notes") or "").strip(),
            )
        )
    return rows


@transaction.atomic
def record_review(
    case: Case,
    *,
    held_on: datetime.date,
    risk_level: str,
    next_review_on: datetime.date,
    progress: Sequence[Mapping[str, Any]],
    actor: User,
    changes_since_last: str = "",
    action_statuses: Sequence[Mapping[str, Any]] = (),
) -> Review:
    """Record a review of the active plan (step 8).

    The risk level becomes the case's (its history says it came from a review), and the next
    review date becomes the case's next review.

    Args:
        progress: one `{"goal", "progress", "notes"}` for every goal of the plan.
        action_statuses: `{"action", "status"}` for actions whose status the review changes
            (a lapsed action done after all, or cancelled).
    """
    case = Case.objects.restrict(actor, Action.CHANGE).lock().refetch(case, _("You may not change this case."))
    ensure_open(case)
    plan = _active_plan(case, actor)
    if plan is None:
        raise ValidationError(_("The case has no running plan to review."))
    _check_review_dates(plan, held_on, next_review_on)
    if risk_level not in RiskLevel.values or risk_level == RiskLevel.NOT_ASSESSED:
        raise ValidationError(_("A review says the risk level, on the common scale."))
    rows = _progress_rows(plan, progress)
    review = Review(
        case=case,
        plan=plan,
        held_on=held_on,
        changes_since_last=changes_since_last.strip(),
        risk_level=risk_level,
        next_review_on=next_review_on,
        author=actor,
    )
    review.full_clean()
    review.save()
    for row in rows:
        row.review = review
    GoalProgress.objects.bulk_create(rows)
    _update_actions(plan, action_statuses, actor)
    set_risk_level(
        case,
        level=risk_level,
        source=RiskRecord.Source.REVIEW,
        actor=actor,
        rationale=_("Plan review of %(date)s.") % {"date": held_on.isoformat()},
    )
    Case.objects.filter(pk=case.pk).update(next_review_on=next_review_on, updated_at=timezone.now())
    timeline(case, CaseEvent.Kind.REVIEW, actor, review, level=risk_level, next_review_on=next_review_on.isoformat())
    record(
        AuditEvent.Action.REVIEW_RECORDED,
        actor=actor,
        obj=review,
        case_id=case.pk,
        risk_level=risk_level,
        next_review_on=next_review_on.isoformat(),
    )
    return review


def _update_actions(plan: InterventionPlan, statuses: Sequence[Mapping[str, Any]], actor: User) -> None:
    ours = set(PlanAction.objects.filter(goal__plan=plan).values_list("pk", flat=True))
    for row in statuses:
        if row["action"].pk not in ours:
            raise ValidationError(_("A review updates the actions of its own plan only."))
        update_action_status(row["action"], status=row["status"], actor=actor)


def _already_withdrawn(case: Case, actor: User) -> bool:
    """Whether the family's last withdrawal stands: no plan has been written since."""
    last = Withdrawal.objects.restrict(actor, Action.CHANGE).filter(case=case).order_by("-created_at").first()
    if last is None:
        return False
    plans = InterventionPlan.objects.restrict(actor, Action.CHANGE).filter(case=case)
    return not plans.filter(created_at__gt=last.created_at).exists()


@transaction.atomic
def record_withdrawal(
    case: Case,
    *,
    withdrawn_on: datetime.date,
    reason: str,
    open_door_message: str,
    actor: User,
    security_followup: bool = False,
    typology: str | None = None,
    outcomes: Sequence[Mapping[str, Any]] | None = None,
    family_feedback: str = "",
) -> Withdrawal:
    """Record that the family withdrew from the plan (step 8): participation is voluntary.

    The running plan ends as withdrawn; the case stays open (a withdrawal is its own outcome, not a
    closure). At high or critical risk the security follow-up must go on, or nothing is recorded.
    With `outcomes` (`{"goal", "outcome", "note"}` for every goal of the running plan) and the
    `typology`, it records how far each goal came (decision 103); `None` records none.
    """
    case = Case.objects.restrict(actor, Action.CHANGE).lock().refetch(case, _("You may not change this case."))
    ensure_open(case)
    not_in_future(withdrawn_on, _("A withdrawal cannot be dated in the future."))
    if not reason.strip():
        raise ValidationError(_("Say why the family withdrew."))
    if not open_door_message.strip():
        raise ValidationError(_("Say what the family was told: that the door stays open."))
    if case.risk_level in SECURITY_RISKS and not security_followup:
        raise ValidationError(
            _("The risk is %(level)s: security checks go on after a withdrawal. Confirm the security follow-up.")
            % {"level": RiskLevel(case.risk_level).label.lower()}
        )
    police: list[str] = []
    if security_followup:
        # The follow-up is the police's: it goes on only if a police agency works the case.
        working = Agency.objects.filter(pk__in=involved_agency_ids(case), sector=Agency.Sector.POLICE)
        police = sorted(working.values_list("name", flat=True))
        if not police:
            raise ValidationError(
                _("No police agency works this case: share it with the police, whose security checks go on.")
            )
    plan = _active_plan(case, actor)
    if plan is None and _already_withdrawn(case, actor):
        raise ValidationError(_("The family's withdrawal is already recorded."))
    results = goal_outcomes(plan, outcomes)
    kind = typology_of(typology) if typology is not None or outcomes is not None else ""
    if plan is not None:
        if plan.started_on and withdrawn_on < plan.started_on:
            raise ValidationError(_("The family cannot withdraw from a plan before it started."))
        plan.status, plan.ended_on = InterventionPlan.Status.WITHDRAWN, withdrawn_on
        plan.save(update_fields=["status", "ended_on", "updated_at"])
    withdrawal = Withdrawal(
        case=case,
        plan=plan,
        withdrawn_on=withdrawn_on,
        reason=reason.strip(),
        open_door_message=open_door_message.strip(),
        security_followup=security_followup,
        recorded_by=actor,
        typology=kind,
        family_feedback=family_feedback.strip(),
    )
    withdrawal.full_clean()
    withdrawal.save()
    for result in results:
        result.withdrawal = withdrawal
    GoalOutcome.objects.bulk_create(results)
    # The case stays open and keeps coming up for review, within the plan review interval.
    review_by = deadlines.review_due(timezone.localdate(), PanelReminderSettings.timing_for(case.panel_id))
    if case.next_review_on is None or case.next_review_on > review_by:
        Case.objects.filter(pk=case.pk).update(next_review_on=review_by, updated_at=timezone.now())
    timeline(case, CaseEvent.Kind.WITHDRAWAL, actor, withdrawal, security_followup=security_followup, police=police)
    record(
        AuditEvent.Action.WITHDRAWAL_RECORDED,
        actor=actor,
        obj=withdrawal,
        case_id=case.pk,
        security_followup=security_followup,
        typology=kind,
        outcomes=tally(results),
    )
    return withdrawal
