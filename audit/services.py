"""Writing the audit trail: one chained, append-only record at a time."""

import ipaddress
from typing import Any

from django.db import connections, models, router, transaction

from .models import AuditEvent

__all__ = ["CHAIN_LOCK", "append", "record"]

# The key of the PostgreSQL advisory lock that serialises appends to the chain (any fixed number).
CHAIN_LOCK = 0x55524131  # "URA1"


def _ip(value: str | None) -> str | None:
    """The address in the form the database gives back (PostgreSQL normalises IPv6), or None."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def append(event: AuditEvent) -> AuditEvent:
    """Chain `event` to the last record and insert it.

    Appends are serialised so the chain never forks: on PostgreSQL by a transaction-level advisory
    lock (held until the caller's transaction commits, so the next append reads this row as the
    head); SQLite allows one writer at a time anyway. The head is the row with the highest id:
    under the lock ids are taken in chain order.
    """
    alias = router.db_for_write(AuditEvent)
    with transaction.atomic(using=alias, savepoint=False):
        connection = connections[alias]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        head = AuditEvent.objects.using(alias).order_by("-pk").values_list("hash", flat=True).first()
        event.prev_hash = head or ""
        event.hash = event.compute_hash()
        event.save(using=alias, force_insert=True)
    return event


def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    case_id: int | None = None,
    agency_id: Any = None,  # int | None; Any so that callers may splat dicts of strings as details
    reason: str = "",
    ip_address: str | None = None,
    **data: Any,
) -> AuditEvent:
    """Append one record; runs inside the caller's transaction, so it stands or falls with the change.

    `agency_id` is the agency the actor acts for; left out, it is the one rule's answer
    (`agencies.access.acting_agency_id`), on the case when there is one: the agency an entry the
    actor writes on that case names as its author's.
    """
    authenticated = actor is not None and actor.is_authenticated
    if agency_id is None and authenticated:
        from agencies.access import acting_agency_id

        is_case = obj is not None and obj._meta.label_lower == "cases.case"
        agency_id = acting_agency_id(actor, obj if is_case else case_id)
    return append(
        AuditEvent(
            action=action,
            actor=actor if authenticated else None,
            actor_username=getattr(actor, "username", "") or "",
            agency_id=agency_id,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            case_id=case_id,
            reason=reason,
            ip_address=_ip(ip_address),
            data=data,
        )
    )
