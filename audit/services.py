"""Writing the audit trail."""

from typing import Any

from django.db import models

from .models import AuditEvent

__all__ = ["record"]


def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    case_id: int | None = None,
    reason: str = "",
    ip_address: str | None = None,
    **data: Any,
) -> AuditEvent:
    """Append one record; runs inside the caller's transaction, so it stands or falls with the change."""
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_username=getattr(actor, "username", "") or "",
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        case_id=case_id,
        reason=reason,
        ip_address=ip_address,
        data=data,
    )
