"""Break-the-glass: a supervisor opens a case beyond their reach, for a while, with a reason."""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.access import UserAccess, acting_agency_id, forget_access
from agencies.models import Agency, Panel, User
from agencies.people import display_name
from audit.models import AuditEvent, BreakGlassAccess
from audit.services import record
from audit.signals import glass_broken
from cases.models import Case
from outbox import services as outbox

__all__ = ["break_glass", "breakable_cases", "can_break_glass", "find_breakable_case", "notify_break_glass"]


def can_break_glass(user: Any) -> bool:
    """Supervisors and superusers (who read case content only this way, design.md §2)."""
    return user.is_authenticated and user.is_active and UserAccess.of(user).breaks_glass


def breakable_cases(user: Any) -> Any:
    """The cases `user` may open by breaking the glass: in an emergency a supervisor cannot know
    which agency holds a case, but it is one of the partnership's, their agencies' partners on a
    panel: the cases on those panels and those owned by those agencies (decision 61). A superuser
    may open any (design.md §2)."""
    cases = Case.objects.all()
    if user.is_superuser:
        return cases
    theirs = UserAccess.of(user).agencies_by_name
    panels = Panel.objects.filter(agencies__in=theirs).values("pk")
    partners = Agency.objects.filter(panels__in=panels).values("pk")
    return cases.filter(Q(panel__in=panels) | Q(owning_agency__in=partners) | Q(owning_agency__in=theirs))


def find_breakable_case(user: Any, reference: str) -> Any:
    """The case with this reference, or None; the same None for a reference that does not exist
    and a case the user may not open this way, so the form learns nothing from the answer."""
    if not can_break_glass(user):
        return None
    # With the user's access, so the form can tell someone who reads the case already (CaseAccess).
    cases = breakable_cases(user).filter(reference__iexact=reference.strip()).with_access(user)
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
        case_reference=case.reference,
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
    notify_break_glass(access)
    return access


def notify_break_glass(access: BreakGlassAccess) -> int:
    """E-mail the case owner and the coordinator of the case's panel that the glass was broken:
    written to the outbox in the caller's transaction, sent on the crisis queue once it commits
    (decision 70); return how many.

    The message names no family and repeats no reason (which may name people): it gives the case
    reference, who opened it, until when, and links to the case's access log. Each recipient reads
    it in their language, and the supervisor's name as it is shown to their agency (decision 40):
    a message is written for its reader, like a page.
    """
    case = access.case
    if case is None:
        return 0  # deleted at its retention review before the e-mail went: nobody to tell
    # As they are now (their address and language), not as the caller's objects last read them.
    ids = {case.owner_id, case.panel.coordinator_id if case.panel else None} - {None, access.user_id}
    recipients = User.objects.filter(pk__in=ids)
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
        messages.append((subject, body, user.email))
    outbox.queue("break_glass", messages, about=f"audit.breakglassaccess:{access.pk}", urgent=True)
    return len(messages)
