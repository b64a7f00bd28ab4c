"""Break-the-glass: a supervisor opens a case beyond their reach, for a while, with a reason."""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.access import UserAccess, acting_agency_id, forget_access
from agencies.people import display_name
from audit.models import AuditEvent, BreakGlassAccess
from audit.services import record
from audit.signals import glass_broken
from cases.models import Case

__all__ = ["break_glass", "can_break_glass", "find_breakable_case", "notify_break_glass"]


def can_break_glass(user: Any) -> bool:
    """Supervisors and superusers (who read case content only this way, design.md §2)."""
    return user.is_authenticated and user.is_active and UserAccess.of(user).breaks_glass


def find_breakable_case(user: Any, reference: str) -> Any:
    """The case with this reference, or None; the same None for a reference that does not exist
    and a case the user may not open this way, so the form learns nothing from the answer."""
    if not can_break_glass(user):
        return None
    # With the user's access, so the form can tell someone who reads the case already (CaseAccess).
    cases = Case.objects.filter(reference__iexact=reference.strip()).with_access(user)
    return cases.select_related("panel").first()


@transaction.atomic
def break_glass(case: Any, *, actor: Any, reason: str, ip_address: str | None = None) -> BreakGlassAccess:
    """Open `case` to `actor` for `URA_BREAK_GLASS_HOURS`, record it and notify the case owner and
    the panel's coordinator once the transaction commits."""
    if not can_break_glass(actor):
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError(_("Say why you must open this case now (at least a sentence)."))
    now = timezone.now()
    access = BreakGlassAccess.objects.create(
        user=actor,
        case=case,
        reason=reason,
        starts_at=now,
        ends_at=now + datetime.timedelta(hours=settings.URA_BREAK_GLASS_HOURS),
        ip_address=ip_address or None,
    )
    record(
        AuditEvent.Action.BREAK_GLASS,
        actor=actor,
        obj=access,
        case_id=case.pk,
        agency_id=acting_agency_id(actor, case),
        reason=reason,
        ip_address=ip_address,
        ends_at=access.ends_at.isoformat(),
    )
    # The owner and the coordinator find it under the bell too, whatever happens to the e-mail
    # (reminders' BreakGlass kind receives the signal, in this transaction).
    glass_broken.send(sender=BreakGlassAccess, access=access)
    forget_access(actor)  # the grant counts from this request on
    from .tasks import notify_break_glass_task

    transaction.on_commit(lambda: notify_break_glass_task.delay(access.pk))
    return access


def notify_break_glass(access: BreakGlassAccess) -> int:
    """E-mail the case owner and the coordinator of the case's panel that the glass was broken.

    The message names no family and repeats no reason (which may name people): it gives the case
    reference, who opened it, until when, and links to the case's access log. Each recipient reads
    it in their language, and the supervisor's name as it is shown to their agency (decision 40):
    a message is written for its reader, like a page.
    """
    case = access.case
    recipients = {user for user in (case.owner, case.panel.coordinator if case.panel else None) if user}
    recipients.discard(access.user)
    link = settings.BASE_URL + reverse("audit:case_access_log", args=[case.pk])
    messages = []
    for user in sorted(recipients, key=lambda u: u.pk):
        if not (user.email and user.is_active):
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = _("Ura: case %(reference)s was opened by breaking the glass") % {"reference": case.reference}
            body = _(
                "%(user)s opened case %(reference)s by breaking the glass at %(start)s; the access ends at "
                "%(end)s. The reason is in the case's access log: %(link)s"
            ) % {
                "user": display_name(access.user, user),
                "reference": case.reference,
                "start": timezone.localtime(access.starts_at).strftime("%Y-%m-%d %H:%M"),
                "end": timezone.localtime(access.ends_at).strftime("%Y-%m-%d %H:%M"),
                "link": link,
            }
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    return send_mass_mail(messages, fail_silently=False) if messages else 0
