"""Safety in the field (decisions 133-136): the staff-safety warnings on a family, a visit planned
with the time the visitor expects to be back and their check-in, and the police action that calls
for a follow-up visit."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import deadlines
from agencies.access import Action
from agencies.models import User
from audit.models import AuditEvent
from audit.services import record
from families.models import SafetyWarning

from ..models import Case, CaseEvent, PlannedVisit, PoliceAction
from .entries import _acting_agency_id, _case_to_write, _save

__all__ = [
    "add_safety_warning",
    "check_in",
    "end_safety_warning",
    "plan_visit",
    "record_police_action",
    "review_safety_warning",
]

# The longest a planned visit may last: a longer one is a mistake in the time typed.
LONGEST_VISIT = datetime.timedelta(hours=24)


def _review_date(review_on: datetime.date | None) -> datetime.date:
    if review_on is None:
        raise ValidationError(_("Give the date by which the warning is reviewed."))
    if review_on < timezone.localdate():
        raise ValidationError(_("The review date cannot be in the past."))
    return review_on


@transaction.atomic
def add_safety_warning(
    case: Case,
    *,
    kind: str,
    review_on: datetime.date | None,
    actor: User,
    detail: str = "",
    address: str = "",
) -> SafetyWarning:
    """Warn everyone who goes to the family (or one of its addresses) of a danger: anyone in the
    case team records it; every reader of the family's cases learns that it exists and its kind."""
    case, _access = _case_to_write(case, actor)
    if kind not in SafetyWarning.Kind.values:
        raise ValidationError(_("Choose the kind of danger."))
    if kind == SafetyWarning.Kind.OTHER and not detail.strip():
        raise ValidationError(_("Say what the danger is."))
    warning = SafetyWarning.objects.create(
        family_id=case.family_id,
        kind=kind,
        address=address.strip(),
        detail=detail.strip(),
        review_on=_review_date(review_on),
        recorded_by=actor,
    )
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.SAFETY_WARNING, actor=actor, data={})
    record(AuditEvent.Action.SAFETY_WARNING_ADDED, actor=actor, obj=warning, case_id=case.pk, kind=kind)
    return warning


def _warning_to_change(warning: SafetyWarning, actor: User) -> SafetyWarning:
    """Read again and locked, for those who change one of the family's cases (its owner, a
    supervisor): a partner or a summary reader is refused."""
    refusal = _("Only the case owner or a supervisor reviews or ends a staff-safety warning.")
    found: SafetyWarning = SafetyWarning.objects.restrict(actor, Action.CHANGE).lock().refetch(warning, refusal)
    return found


@transaction.atomic
def review_safety_warning(warning: SafetyWarning, *, review_on: datetime.date | None, actor: User) -> SafetyWarning:
    """The warning still applies: reviewed, with the next date to review it by."""
    warning = _warning_to_change(warning, actor)
    if warning.ended_at is not None:
        raise ValidationError(_("This warning has ended: record a new one if the danger is back."))
    warning.review_on = _review_date(review_on)
    warning.save(update_fields=["review_on"])
    record(AuditEvent.Action.SAFETY_WARNING_REVIEWED, actor=actor, obj=warning, review_on=str(warning.review_on))
    return warning


@transaction.atomic
def end_safety_warning(warning: SafetyWarning, *, actor: User) -> SafetyWarning:
    """The danger is gone. Ending it again changes nothing (a second click)."""
    warning = _warning_to_change(warning, actor)
    if warning.ended_at is not None:
        return warning
    warning.ended_at = timezone.now()
    warning.ended_by = actor
    warning.save(update_fields=["ended_at", "ended_by"])
    record(AuditEvent.Action.SAFETY_WARNING_ENDED, actor=actor, obj=warning)
    return warning


@transaction.atomic
def plan_visit(
    case: Case,
    *,
    expected_back_at: datetime.datetime | None,
    actor: User,
    leaves_at: datetime.datetime | None = None,
    with_colleague: str = "",
) -> PlannedVisit:
    """A worker of the case team going out to the family says when they expect to be back: no
    check-in by then alerts them, then their supervisor (reminders.kinds.MissedCheckIn)."""
    case, access = _case_to_write(case, actor)
    now = timezone.now()
    leaves_at = leaves_at or now
    if expected_back_at is None:
        raise ValidationError(_("Say when you expect to be back."))
    if expected_back_at <= max(now, leaves_at):
        raise ValidationError(_("The time you expect to be back must be later than now and than when you leave."))
    if expected_back_at - leaves_at > LONGEST_VISIT:
        raise ValidationError(_("A visit lasts at most 24 hours: check the time you expect to be back."))
    visit = PlannedVisit.objects.create(
        case=case,
        visitor=actor,
        agency_id=_acting_agency_id(access),
        leaves_at=leaves_at,
        expected_back_at=expected_back_at,
        with_colleague=with_colleague.strip(),
    )
    record(AuditEvent.Action.VISIT_PLANNED, actor=actor, obj=visit, case_id=case.pk)
    return visit


@transaction.atomic
def check_in(visit: PlannedVisit, *, actor: User) -> PlannedVisit:
    """The visitor is back safe: only the visitor says so. A second tap changes nothing."""
    visit = PlannedVisit.objects.restrict(actor, Action.VIEW).lock().refetch(visit, _("This visit is not yours."))
    if visit.visitor_id != actor.pk:
        raise ValidationError(_("Only the visitor checks in from their own visit."))
    if visit.checked_in_at is not None:
        return visit
    visit.checked_in_at = timezone.now()
    visit.save(update_fields=["checked_in_at"])
    record(AuditEvent.Action.VISIT_CHECKED_IN, actor=actor, obj=visit, case_id=visit.case_id)
    return visit


def record_police_action(action: PoliceAction, *, actor: User, finalise: bool = True) -> PoliceAction:
    """The police's record of a search, arrest or raid (the partners read its abstract); a social
    or family worker's follow-up visit falls due the deployment's working days after it."""
    if action.occurred_at is not None and action.occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError(_("A police action is recorded once it has happened."))
    occurred_on = timezone.localtime(action.occurred_at or timezone.now()).date()
    action.follow_up_due_on = deadlines.add_working_days(occurred_on, settings.URA_AFTERCARE_WORKING_DAYS)
    return _save(action, actor=actor, finalise=finalise)
