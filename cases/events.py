"""Timeline and audit records of what happens to a case. Called by services inside their
transaction, so a change and its record stand or fall together.

People and agencies are recorded by id, never by name: the timeline names them when it is read,
as each person chose to be shown to the reader (decision 55, cases.timeline)."""

from typing import Any

from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record

from .models import Case, CaseEvent, CaseShare

__all__ = ["case_opened_event", "case_shared_event", "owner_assigned_event", "share_ended_event"]


def _timeline(case: Case, kind: str, actor: Any, at: Any = None, **data: Any) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor, data=data, created_at=at or timezone.now())


def case_opened_event(case: Case, *, actor: Any) -> None:
    data = {"owner_id": case.owner_id, "agency_id": case.owning_agency_id}
    _timeline(case, CaseEvent.Kind.OPENED, actor, at=case.opened_at, **data)


def case_shared_event(share: CaseShare, *, actor: Any) -> None:
    _timeline(share.case, CaseEvent.Kind.SHARED, actor, agency_id=share.agency_id, scope=share.scope, basis=share.basis)
    # The audit trail keeps its own particulars (read by the data protection officer alone).
    data = {"agency": share.agency.name, "scope": share.scope, "basis": share.basis}
    record(
        AuditEvent.Action.CASE_SHARED,
        actor=actor,
        obj=share,
        case_id=share.case_id,
        reason=share.justification,
        **data,
        consent_given_by=share.consent_given_by,
        consent=share.consent_id,
        legal_duty=share.legal_duty,
    )


def share_ended_event(share: CaseShare, *, actor: Any, expired: bool = False) -> None:
    kind = CaseEvent.Kind.SHARE_EXPIRED if expired else CaseEvent.Kind.SHARE_REVOKED
    _timeline(share.case, kind, actor, agency_id=share.agency_id, scope=share.scope)
    record(
        AuditEvent.Action.SHARE_EXPIRED if expired else AuditEvent.Action.SHARE_REVOKED,
        actor=actor,
        obj=share,
        case_id=share.case_id,
        reason=share.revoke_reason,
        agency=share.agency.name,
        scope=share.scope,
    )


def owner_assigned_event(case: Case, *, previous_owner: Any, actor: Any) -> None:
    ids = {"owner_id": case.owner_id, "agency_id": case.owning_agency_id, "previous_owner_id": previous_owner.pk}
    _timeline(case, CaseEvent.Kind.OWNER_ASSIGNED, actor, **ids)
    data = {"owner": str(case.owner), "agency": case.owning_agency.name, "previous_owner": str(previous_owner)}
    record(AuditEvent.Action.OWNER_ASSIGNED, actor=actor, obj=case, case_id=case.pk, **data)
