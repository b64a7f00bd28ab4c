"""Demo audit history: a past break-the-glass, and what the supervisor read while it lasted."""

import datetime

from django.utils import timezone

from audit.models import AuditEvent, BreakGlassAccess
from audit.services import append
from cases.models import Case

from .organisations import DemoOrg

__all__ = ["seed_audit"]

REASON = (
    "Police called at 23:10: the young person was reported missing and the NGO could not be reached. "
    "I needed the family's contacts and the safety plan."
)


def seed_audit(org: DemoOrg) -> None:
    """The social services supervisor opened the NGO's case one night nine days ago (idempotent)."""
    supervisor = org.users["sup.elira"]
    case = Case.objects.filter(owner=org.users["ngo.klea"]).order_by("pk").first()
    if case is None or BreakGlassAccess.objects.filter(user=supervisor, case=case).exists():
        return
    # the night of the reason: the police called at 23:10
    night = timezone.localdate() - datetime.timedelta(days=9)
    start = timezone.make_aware(datetime.datetime.combine(night, datetime.time(23, 14)))
    access = BreakGlassAccess.objects.create(
        user=supervisor, case=case, reason=REASON, starts_at=start, ends_at=start + datetime.timedelta(hours=4)
    )
    agency = org.agencies["social"].pk
    events = [
        (start, AuditEvent.Action.BREAK_GLASS, REASON, {"ends_at": access.ends_at.isoformat()}, access),
        (start + datetime.timedelta(minutes=1), AuditEvent.Action.CASE_READ, "", {"level": "full"}, case),
    ]
    for at, action, reason, data, obj in events:
        append(
            AuditEvent(
                created_at=at,
                actor=supervisor,
                actor_username=supervisor.username,
                agency_id=agency,
                action=action,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                case_id=case.pk,
                reason=reason,
                ip_address="10.20.0.14",
                data=data,
            )
        )
