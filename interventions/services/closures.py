"""Reducing involvement (step 9): closing on a multi-agency decision, the post-exit follow-ups,
and reopening with a reason (the door stays open)."""

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
from cases.involvement import involved_agency_ids
from cases.models import Case, CaseEvent, Contact, Visibility
from cases.services import default_visibility, record_contact
from cases.signals import case_closed

from ..models import Closure, ClosureAgreement, FollowUp, GoalOutcome, InterventionPlan
from .common import add_months, goal_outcomes, moment_of, not_in_future, timeline, typology_of

__all__ = ["FOLLOW_UP_MONTHS", "close_case", "record_follow_up", "reopen_case", "tally"]

# design.md §4: post-exit follow-ups 6 and 12 months after closure.
FOLLOW_UP_MONTHS = (6, 12)


def _agreements(case: Case, rows: Sequence[Mapping[str, Any]], decided_on: datetime.date) -> list[ClosureAgreement]:
    """The agreements, checked: each person works for the agency they speak for, at least two
    agencies agree, and the owning agency is one of them."""
    users = [row["user"] for row in rows]
    if len({user.pk for user in users}) != len(users):
        raise ValidationError(_("Each person agrees to a closure once."))
    working = Membership.objects.filter(user__in=users).exclude(role__in=Membership.NO_CASE_ROLES)
    members = set(working.values_list("user_id", "agency_id"))
    involved = involved_agency_ids(case)
    agreements = []
    for row in rows:
        agency, user, agreed_on = row["agency"], row["user"], row.get("agreed_on") or decided_on
        # No names in the refusal: an id typed into the API must not reveal who it is.
        if agency.pk not in involved:
            raise ValidationError(_("Only agencies working the case agree to its closure."))
        if (user.pk, agency.pk) not in members:
            raise ValidationError(_("Each person agreeing must work for the agency they agree for."))
        not_in_future(agreed_on, _("An agreement cannot be dated in the future."))
        if agreed_on > decided_on or agreed_on < timezone.localtime(case.opened_at).date():
            raise ValidationError(_("An agreement is given while the case is open, by the day of the decision."))
        agreements.append(ClosureAgreement(case=case, agency=agency, user=user, agreed_on=agreed_on))
    agencies = {agreement.agency_id for agreement in agreements}
    if len(agencies) < 2:
        raise ValidationError(_("Closing a case is a multi-agency decision: at least two agencies must agree."))
    if case.owning_agency_id not in agencies:
        raise ValidationError(_("The owning agency must agree to the closure."))
    return agreements


@transaction.atomic
def close_case(
    case: Case,
    *,
    decided_on: datetime.date,
    reason: str,
    agreements: Sequence[Mapping[str, Any]],
    actor: User,
    typology: str | None = None,
    outcomes: Sequence[Mapping[str, Any]] | None = None,
    family_feedback: str = "",
) -> Closure:
    """Close the case on a multi-agency decision (step 9): the goals are met and the family can go
    on alone.

    The running plan is completed, the case is closed, and the post-exit follow-ups are scheduled
    6 and 12 months after the decision. The case can be reopened (`reopen_case`).

    Args:
        agreements: `{"agency", "user", "agreed_on" (optional, the decision's date)}` for each
            person agreeing for their agency; at least two agencies, the owning agency among them.
        typology: what the case turned out to be (`Typology`); required when outcomes are given.
        outcomes: `{"goal", "outcome", "note"}` for every goal of the running plan (decision 103);
            `None` records none.
        family_feedback: the family's own words on the help they had, if they gave any.
    """
    case = Case.objects.restrict(actor, Action.CHANGE).lock().refetch(case, _("You may not change this case."))
    if case.is_closed:
        raise ValidationError(_("The case is already closed."))
    not_in_future(decided_on, _("A closure cannot be decided in the future."))
    if decided_on < timezone.localtime(case.opened_at).date():
        raise ValidationError(_("A closure cannot be decided before the case opened."))
    if not reason.strip():
        raise ValidationError(_("Say why the case closes: the goals met, why the family can go on alone."))
    rows = _agreements(case, agreements, decided_on)
    running = InterventionPlan.objects.restrict(actor, Action.CHANGE).active().filter(case=case)
    results = goal_outcomes(running.lock().first(), outcomes)
    closure = Closure(
        case=case,
        decided_on=decided_on,
        reason=reason.strip(),
        recorded_by=actor,
        typology=typology_of(typology) if typology is not None or outcomes is not None else "",
        family_feedback=family_feedback.strip(),
    )
    closure.full_clean()
    closure.save()
    for row in rows:
        row.closure = closure
    ClosureAgreement.objects.bulk_create(rows)
    for result in results:
        result.closure = closure
    GoalOutcome.objects.bulk_create(results)
    FollowUp.objects.bulk_create(
        FollowUp(case=case, closure=closure, due_on=add_months(decided_on, months)) for months in FOLLOW_UP_MONTHS
    )
    running.update(status=InterventionPlan.Status.COMPLETED, ended_on=decided_on, updated_at=timezone.now())
    now = timezone.now()
    # A closed case has no review due: the follow-ups are its deadlines now.
    Case.objects.filter(pk=case.pk).update(closed_at=now, next_review_on=None, updated_at=now)
    timeline(case, CaseEvent.Kind.CLOSED, actor, closure)
    record(
        AuditEvent.Action.CASE_CLOSED,
        actor=actor,
        obj=closure,
        case_id=case.pk,
        reason=closure.reason,
        agencies=sorted({row.agency.name for row in rows}),
        typology=closure.typology,
        outcomes=tally(results),
    )
    case_closed.send(sender=Case, case=case, actor=actor)
    return closure


def tally(results: Sequence[GoalOutcome]) -> dict[str, int]:
    """How many goals of each outcome (codes and counts for the audit trail, never the notes)."""
    tally: dict[str, int] = {}
    for result in results:
        tally[result.outcome] = tally.get(result.outcome, 0) + 1
    return tally


@transaction.atomic
def reopen_case(case: Case, *, reason: str, actor: User) -> Case:
    """Reopen a closed case, saying why (the door stays open). The closure is kept, with the
    reason; its follow-ups are no longer due."""
    if not reason.strip():
        raise ValidationError(_("Say why the case is reopened."))
    case = Case.objects.restrict(actor, Action.CHANGE).lock().refetch(case, _("You may not change this case."))
    if not case.is_closed:
        raise ValidationError(_("The case is open: only a closed case can be reopened."))
    closure = Closure.objects.restrict(actor, Action.CHANGE).filter(case=case, reopened_at__isnull=True).lock().first()
    if closure is not None:
        closure.reopened_at, closure.reopened_by, closure.reopen_reason = timezone.now(), actor, reason.strip()
        closure.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
    # A reopened case is reviewed within the plan review interval, as a new plan would be.
    next_review = deadlines.review_due(timezone.localdate(), PanelReminderSettings.timing_for(case.panel_id))
    Case.objects.filter(pk=case.pk).update(closed_at=None, next_review_on=next_review, updated_at=timezone.now())
    timeline(case, CaseEvent.Kind.REOPENED, actor, closure, reason=reason.strip())
    record(AuditEvent.Action.CASE_REOPENED, actor=actor, obj=closure or case, case_id=case.pk, reason=reason.strip())
    case.refresh_from_db()
    return case


@transaction.atomic
def record_follow_up(
    follow_up: FollowUp, *, done_on: datetime.date, actor: User, notes: str = "", with_contact: bool = False
) -> FollowUp:
    """Record a post-exit follow-up as made; `with_contact` also records it in the file as a
    contact of kind "post-exit follow-up"."""
    follow_ups = FollowUp.objects.restrict(actor, Action.CHANGE).select_related("closure", "case")
    follow_up = follow_ups.lock().refetch(follow_up, _("You may not record this follow-up."))
    if follow_up.is_done:
        raise ValidationError(_("This follow-up is already recorded."))
    if not follow_up.closure.stands:
        raise ValidationError(_("The case was reopened: this follow-up is no longer due."))
    not_in_future(done_on, _("A follow-up is recorded once it is made: its date cannot be in the future."))
    if done_on < follow_up.closure.decided_on:
        raise ValidationError(_("A follow-up comes after the closure."))
    if with_contact:
        contact = Contact(
            case=follow_up.case,
            kind=Contact.Kind.FOLLOW_UP,
            outcome=Contact.Outcome.HELD,
            occurred_at=moment_of(done_on),
            discussed=notes.strip(),
        )
        # Kept as the agency keeps its contacts (a health agency for itself), with an abstract.
        contact.visibility = default_visibility(Contact, actor, follow_up.case)
        if contact.visibility == Visibility.OWN_AGENCY:
            contact.abstract = _("The post-exit follow-up was made.")
        follow_up.contact = record_contact(contact, actor=actor)
    follow_up.done_on, follow_up.done_by, follow_up.notes = done_on, actor, notes.strip()
    follow_up.save(update_fields=["done_on", "done_by", "notes", "contact"])
    timeline(follow_up.case, CaseEvent.Kind.FOLLOW_UP, actor, follow_up, due_on=follow_up.due_on.isoformat())
    record(AuditEvent.Action.FOLLOW_UP_RECORDED, actor=actor, obj=follow_up, case_id=follow_up.case_id)
    return follow_up
