"""Services out (issue 14): the directory's services, and each referral to one of them from sent to
done. Every write is one transaction with its audit record; the timeline records the plan, not each
step of each referral (as it does for a plan's actions)."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import Action, CaseAccess
from agencies.models import Panel, User
from audit.models import AuditEvent
from audit.services import record
from cases.models import Case

from .models import Referral, ServiceReferral, SupportService, TriageDecision

__all__ = ["SERVICE_FIELDS", "create_service_referral", "refer_from_triage", "save_service", "update_service_referral"]

Status = ServiceReferral.Status
SERVICE_FIELDS = (
    "name",
    "agency",
    "help_kind",
    "help_offered",
    "languages",
    "area",
    "stated_waiting_days",
    "contact_point",
    "active",
)


@transaction.atomic
def save_service(service: SupportService, *, actor: User) -> SupportService:
    """List a service in the directory, or change one: the coordinator of the panel that lists it."""
    if service.pk is None:
        if not Panel.objects.restrict(actor, Action.CHANGE).filter(pk=service.panel_id).exists():
            raise ValidationError(_("Only the coordinator of a panel lists services in its directory."))
    else:
        SupportService.objects.restrict(actor, Action.CHANGE).lock().refetch(
            service, _("You may not change this service.")
        )
    service.name = service.name.strip()
    service.full_clean()
    created = service.pk is None
    service.save()
    record(
        AuditEvent.Action.SERVICE_LISTED,
        actor=actor,
        obj=service,
        created=created,
        active=service.active,
    )
    return service


def create_service_referral(
    *,
    service: SupportService,
    for_whom: str,
    request: str,
    actor: User,
    case: Case | None = None,
    referral: Referral | None = None,
    plan_action_id: int | None = None,
) -> ServiceReferral:
    """Write a referral to a listed service (inside the caller's transaction, which has checked that
    the actor may refer from the case or the referral)."""
    listed = SupportService.objects.restrict(actor, Action.VIEW).listed().filter(pk=service.pk).first()
    if listed is None:
        raise ValidationError(_("Choose a service the directory lists and that takes referrals."))
    if not for_whom.strip():
        raise ValidationError(_("Say whom the service is for: the name it needs to reach the person."))
    if not request.strip():
        raise ValidationError(_("Write what the service is asked to do."))
    sent = ServiceReferral(
        service=listed,
        case=case,
        referral=referral,
        plan_action_id=plan_action_id,
        for_whom=for_whom.strip(),
        request=request.strip(),
        sent_by=actor,
    )
    sent.full_clean()
    sent.save()
    record(
        AuditEvent.Action.SERVICE_REFERRED,
        actor=actor,
        obj=sent,
        case_id=case.pk if case is not None else None,
        service=listed.pk,
        plan_action=plan_action_id,
        referral=referral.pk if referral is not None else None,
    )
    return sent


@transaction.atomic
def refer_from_triage(
    referral: Referral, *, service: SupportService, for_whom: str, request: str, actor: User
) -> ServiceReferral:
    """A triage that signposted the reporter to a listed service follows the family there."""
    referral = (
        Referral.objects.restrict(actor, Action.MANAGE)
        .lock()
        .refetch(referral, _("You may no longer act on this referral."))
    )
    signposted = referral.decisions.filter(decision=TriageDecision.Decision.SIGNPOSTED).exists()
    if not signposted:
        raise ValidationError(_("Only a referral the triage signposted is referred to a service."))
    return create_service_referral(service=service, for_whom=for_whom, request=request, actor=actor, referral=referral)


def _may_withdraw(sent: ServiceReferral, actor: User) -> bool:
    """Withdrawing is the referrer's side: whoever changes the case, or manages the referral."""
    if sent.case_id is not None:
        assert sent.case is not None  # noqa: S101 - the row names its case
        return CaseAccess.fetch(sent.case, actor).change
    return Referral.objects.restrict(actor, Action.MANAGE).filter(pk=sent.referral_id).exists()


@transaction.atomic
def update_service_referral(
    sent: ServiceReferral,
    *,
    status: str,
    actor: User,
    on: datetime.date | None = None,
    reason: str = "",
    expected_start_on: datetime.date | None = None,
    note: str = "",
) -> ServiceReferral:
    """Record the service's answer or its part: accepted (with when it expects to start) or
    declined (with why), started, done; or, on the referrer's side, withdrawn.

    The service's own agency records it; whoever changes the case may record what a service outside
    Ura said. Starting writes the days waited, which the directory's median reads."""
    sent = (
        ServiceReferral.objects.restrict(actor, Action.CHANGE)
        .select_related("case", "service")
        .lock()
        .refetch(sent, _("You may not update this referral."))
    )
    if status not in Status.values:
        raise ValidationError(_("Unknown status."))
    if not sent.allows(status):
        raise ValidationError(
            _("A referral that is %(now)s cannot become %(then)s.")
            % {"now": sent.get_status_display().lower(), "then": Status(status).label.lower()}
        )
    today = timezone.localdate()
    day = on or today
    if day > today:
        raise ValidationError(_("The date cannot be in the future."))
    if day < sent.sent_on:
        raise ValidationError(_("The date cannot be before the referral was sent."))
    previous = sent.status
    if status == Status.WITHDRAWN and not _may_withdraw(sent, actor):
        raise ValidationError(_("Only those who referred the family withdraw the referral."))
    if status == Status.DECLINED:
        if not reason.strip():
            raise ValidationError(_("Say why the service declined."))
        sent.declined_reason, sent.answered_on = reason.strip(), day
    if status == Status.ACCEPTED:
        if expected_start_on is not None and expected_start_on < day:
            raise ValidationError(_("The expected start cannot be before the answer."))
        sent.answered_on, sent.expected_start_on = day, expected_start_on
    if status == Status.STARTED:
        sent.started_on = day
        sent.waited_days = (day - sent.sent_on).days
    if status == Status.DONE:
        sent.done_on = day
    sent.status, sent.updated_by = status, actor
    sent.note = note.strip() or sent.note
    sent.full_clean()
    sent.save()
    details: dict[str, Any] = {"status": status, "previous": previous, "on": str(day)}
    record(
        AuditEvent.Action.SERVICE_REFERRAL_UPDATED,
        actor=actor,
        obj=sent,
        case_id=sent.case_id,
        reason=sent.declined_reason if status == Status.DECLINED else "",
        **details,
    )
    return sent
