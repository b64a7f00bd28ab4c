"""Writing the intervention plan (step 7) and updating its actions."""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import deadlines
from agencies.access import Action
from agencies.models import Membership, PanelReminderSettings, User
from audit.models import AuditEvent
from audit.services import record
from cases.models import Case, CaseEvent
from referrals.directory import create_service_referral
from referrals.models import ServiceReferral, SupportService

from ..models import MEASURES, Goal, InterventionPlan, PlanAction
from .common import ensure_open, not_in_future, timeline

__all__ = ["REVIEW_EVERY_MONTHS", "create_plan", "refer_action", "start_plan", "update_action_status"]

# design.md §4: a running plan is reviewed every three months unless the case says otherwise.
REVIEW_EVERY_MONTHS = 3
Status = InterventionPlan.Status


def case_family(goal: Goal) -> int:
    """The family of the goal's case (read once per goal: the plan's case is already loaded)."""
    family_id: int = goal.plan.case.family_id
    return family_id


def _action(goal: Goal, spec: Mapping[str, Any], members: set[tuple[int, int]]) -> PlanAction:
    """An unsaved action of `goal` from its particulars, refused with a clear message when wrong."""
    kind, measure = spec.get("type", ""), spec.get("measure", "")
    if kind not in MEASURES:
        raise ValidationError(_("Choose the kind of action: pragmatic, emotional and psychological, or ideological."))
    if measure not in MEASURES[kind]:
        label = PlanAction.Measure(measure).label if measure in PlanAction.Measure.values else measure
        raise ValidationError(
            _("%(measure)s is not a measure of the kind %(kind)s.")
            % {"measure": label, "kind": PlanAction.Type(kind).label}
        )
    agency, person = spec.get("provider_agency"), spec.get("provider_person")
    if agency is None:
        raise ValidationError(_("Say which agency provides the action."))
    if person is not None and (person.pk, agency.pk) not in members:
        # No names in the refusal: an id typed into the API must not reveal who it is.
        raise ValidationError(_("The person named does not work for the agency providing the action."))
    expert = spec.get("provider_expert")
    if expert is not None and not (expert.is_active and expert.agencies.filter(pk=agency.pk).exists()):
        raise ValidationError(_("The expert named is not in the register for the agency providing the action."))
    beneficiary = spec.get("beneficiary")
    if beneficiary is not None and (beneficiary.family_id != case_family(goal) or beneficiary.ended_at is not None):
        raise ValidationError(_("An action is for a current member of the case's family."))
    starts_on = spec.get("starts_on") or timezone.localdate()
    due_on = spec.get("due_on")
    if due_on is None or due_on < starts_on:
        raise ValidationError(_("An action is due on or after the day it starts."))
    action = PlanAction(
        goal=goal,
        case_id=goal.case_id,
        type=kind,
        measure=measure,
        provider_agency=agency,
        provider_person=person,
        provider_note=(spec.get("provider_note") or "").strip(),
        provider_expert=expert,
        beneficiary=beneficiary,
        starts_on=starts_on,
        due_on=due_on,
        intended_outcome=(spec.get("intended_outcome") or "").strip(),
    )
    action.full_clean()
    return action


def _add_goals(plan: InterventionPlan, goals: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """Save the plan's goals and their actions; return how many of each."""
    goals = [goal for goal in goals if (goal.get("text") or "").strip()]
    if not goals:
        raise ValidationError(_("A plan has at least one goal."))
    if not any(goal.get("actions") for goal in goals):
        raise ValidationError(_("Add at least one action: what will be done, and by whom."))
    people = {
        spec["provider_person"].pk for goal in goals for spec in goal.get("actions", ()) if spec.get("provider_person")
    }
    working = Membership.objects.filter(user_id__in=people).exclude(role__in=Membership.NO_CASE_ROLES)
    members = set(working.values_list("user_id", "agency_id"))
    actions = []
    for position, spec in enumerate(goals, start=1):
        goal = Goal(plan=plan, case_id=plan.case_id, text=spec["text"].strip(), position=position)
        goal.full_clean(exclude=["plan"])
        goal.save()
        actions += [_action(goal, action, members) for action in spec.get("actions", ())]
    PlanAction.objects.bulk_create(actions)
    return len(goals), len(actions)


def _start(plan: InterventionPlan, case: Case, *, agreed_by: str, agreed_on: datetime.date | None, actor: User) -> None:
    """Make `plan` the case's active plan, with the family's agreement; the plan it replaces is kept."""
    if not agreed_by.strip() or agreed_on is None:
        raise ValidationError(_("Say who in the family agreed to the plan, and when."))
    not_in_future(agreed_on, _("The family's agreement cannot be dated in the future."))
    today = timezone.localdate()
    running = InterventionPlan.objects.restrict(actor, Action.CHANGE).active().filter(case=case).exclude(pk=plan.pk)
    for old in running.lock():
        old.status, old.ended_on, old.replaced_by = Status.COMPLETED, today, plan
        old.save(update_fields=["status", "ended_on", "replaced_by", "updated_at"])
    plan.status, plan.agreed_by_family, plan.agreed_by = Status.ACTIVE, True, agreed_by.strip()
    plan.agreed_on = plan.started_on = agreed_on
    plan.full_clean()
    plan.save()
    if case.next_review_on is None:
        Case.objects.filter(pk=case.pk).update(
            next_review_on=deadlines.review_due(today, PanelReminderSettings.timing_for(case.panel_id)),
            updated_at=timezone.now(),
        )


@transaction.atomic
def create_plan(
    case: Case,
    *,
    goals: Sequence[Mapping[str, Any]],
    actor: User,
    summary: str = "",
    agreed_by_family: bool = False,
    agreed_by: str = "",
    agreed_on: datetime.date | None = None,
) -> InterventionPlan:
    """Write an intervention plan with its goals and actions (step 7).

    Agreed by the family, the plan starts at once and replaces the active one (which is kept,
    completed); otherwise it is a draft until the family agrees (`start_plan`).

    Args:
        goals: each `{"text": ..., "actions": [...]}`; each action `{"type", "measure",
            "provider_agency", "provider_person" (optional), "provider_note", "starts_on", "due_on",
            "intended_outcome"}`. The measure must be one of the kind's.
    """
    case = Case.objects.restrict(actor, Action.CHANGE).lock().refetch(case, _("You may not change this case."))
    ensure_open(case)
    if not agreed_by_family and (agreed_by.strip() or agreed_on):
        raise ValidationError(_("Tick that the family agreed, or leave who agreed and when empty."))
    plan = InterventionPlan(case=case, summary=summary.strip(), created_by=actor)
    plan.save()
    goal_count, action_count = _add_goals(plan, goals)
    if agreed_by_family:
        _start(plan, case, agreed_by=agreed_by, agreed_on=agreed_on, actor=actor)
    timeline(case, CaseEvent.Kind.PLAN, actor, plan, status=plan.status)
    record(
        AuditEvent.Action.PLAN_RECORDED,
        actor=actor,
        obj=plan,
        case_id=case.pk,
        status=plan.status,
        goals=goal_count,
        actions=action_count,
    )
    return plan


@transaction.atomic
def start_plan(
    plan: InterventionPlan, *, agreed_by: str, agreed_on: datetime.date | None, actor: User
) -> InterventionPlan:
    """Start a draft plan once the family agreed to it; it replaces the active plan."""
    case = Case.objects.restrict(actor, Action.CHANGE).lock().refetch(plan.case, _("You may not change this case."))
    ensure_open(case)
    plan = (
        InterventionPlan.objects.restrict(actor, Action.CHANGE).lock().refetch(plan, _("You may not change this plan."))
    )
    if plan.status != Status.DRAFT:
        raise ValidationError(_("Only a draft plan can be started."))
    _start(plan, case, agreed_by=agreed_by, agreed_on=agreed_on, actor=actor)
    timeline(case, CaseEvent.Kind.PLAN, actor, plan, status=plan.status)
    record(AuditEvent.Action.PLAN_STARTED, actor=actor, obj=plan, case_id=case.pk, agreed_on=str(agreed_on))
    return plan


@transaction.atomic
def update_action_status(action: PlanAction, *, status: str, actor: User) -> PlanAction:
    """Record how an action of the running plan stands: those who change the case, and the agency
    providing the action (a school, an NGO), may do so.

    The action keeps who changed it and when, and the audit trail the change; the timeline records
    the plan and its reviews, not each step of each action.
    """
    actions = PlanAction.objects.restrict(actor, Action.CHANGE).select_related("goal__plan")
    action = actions.lock().refetch(action, _("You may not update this action."))
    if status not in PlanAction.Status.values:
        raise ValidationError(_("Unknown status."))
    if action.goal.plan.status != Status.ACTIVE:
        raise ValidationError(_("The plan is no longer running: its actions stay as they were."))
    if status == action.status:
        return action
    previous = action.status
    action.status, action.status_changed_at, action.status_changed_by = status, timezone.now(), actor
    action.save(update_fields=["status", "status_changed_at", "status_changed_by"])
    record(
        AuditEvent.Action.PLAN_ACTION_UPDATED,
        actor=actor,
        obj=action,
        case_id=action.case_id,
        status=status,
        previous=previous,
    )
    return action


@transaction.atomic
def refer_action(
    action: PlanAction, *, service: SupportService, for_whom: str, request: str, actor: User
) -> ServiceReferral:
    """Refer the family to a listed service for an action of the running plan (issue 14): those who
    change the case refer; the service then answers and records its part on the referral."""
    case = Case.objects.restrict(actor, Action.CHANGE).lock().refetch(action.case, _("You may not change this case."))
    ensure_open(case)
    action = (
        PlanAction.objects.restrict(actor, Action.VIEW)
        .select_related("goal__plan")
        .filter(case=case)
        .refetch(action, _("You may not refer this action."))
    )
    if action.goal.plan.status != Status.ACTIVE:
        raise ValidationError(_("The plan is no longer running: its actions stay as they were."))
    if action.status not in ("planned", "in_progress"):
        raise ValidationError(_("Only an action still to be carried out is referred to a service."))
    return create_service_referral(
        service=service, for_whom=for_whom, request=request, actor=actor, case=case, plan_action_id=action.pk
    )
