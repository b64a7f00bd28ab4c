"""Writing the audit trail: one chained, append-only record at a time."""

import ipaddress
from collections.abc import Callable
from typing import Any

from django.db import connections, models, router, transaction

from .models import AuditEvent

__all__ = ["CHAIN_LOCK", "append", "chain_waiting", "record"]

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


def _take_chain_lock(alias: str) -> None:
    """Serialise chaining. PostgreSQL: a transaction-level advisory lock, held for the few
    statements of one chaining step. SQLite allows one writer at a time: a write as the step's
    first statement takes that lock at once, so the head read next cannot go stale."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        elif connection.vendor == "sqlite":
            cursor.execute("UPDATE audit_auditevent SET seq = seq WHERE 0 = 1")


def _head_and_waiting(alias: str, most: int) -> tuple[tuple[int, str], list[AuditEvent]]:
    """The chain's head (position and hash) and the oldest `most` committed records still waiting:
    two reads, each of its own index (one read of either kind had PostgreSQL read the whole
    trail)."""
    base = AuditEvent.objects.using(alias)
    head = base.filter(seq__isnull=False).order_by("-seq").values_list("seq", "hash").first()
    waiting = list(base.filter(seq__isnull=True).order_by("pk")[:most])
    return (head[0] or 0, head[1]) if head is not None else (0, ""), waiting


def _link(events: list[AuditEvent], seq: int, previous: str) -> None:
    for event in events:
        seq += 1
        event.seq = seq
        event.prev_hash = previous
        event.hash = event.compute_hash()
        previous = event.hash


def _place(events: list[AuditEvent], alias: str) -> None:
    """Write the places and hashes given: the one update the trail allows (the model and its
    queryset refuse every other; on PostgreSQL the trigger allows only this one, once)."""
    with connections[alias].cursor() as cursor:
        cursor.executemany(
            "UPDATE audit_auditevent SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s AND seq IS NULL",
            [(event.seq, event.prev_hash, event.hash, event.pk) for event in events],
        )


# How many waiting records one chaining step takes: a step holds the chain lock and its records in
# memory, so a backlog (the beat down for a day) is chained in steps of this size, not at once.
CHAIN_STEP = 2000


def chain_waiting(using: str | None = None, on_step: Callable[[], None] | None = None) -> int:
    """Chain the committed records still waiting for their place: every record is inserted with none.

    Runs from beat every ten seconds, and from `verify_audit` and the backup before they read the
    chain; each step is short and of its own, under the chain lock, and no request waits for it.
    `on_step` is called after each step commits. Returns how many it chained.
    """
    alias = using or router.db_for_write(AuditEvent)
    chained = 0
    while True:
        with transaction.atomic(using=alias):
            _take_chain_lock(alias)
            (seq, previous), waiting = _head_and_waiting(alias, CHAIN_STEP)
            if waiting:
                _link(waiting, seq, previous)
                # The one sanctioned change to a record: giving a waiting record its place (the
                # PostgreSQL trigger allows exactly this, once; see migration 0012).
                _place(waiting, alias)
        if on_step is not None:
            on_step()  # a step committed: a backlog being placed is a chain that moves (decision 173)
        chained += len(waiting)
        if len(waiting) < CHAIN_STEP:
            return chained


def append(event: AuditEvent) -> AuditEvent:
    """Add `event` to the trail, inside the caller's transaction, so it stands or falls with the change.

    It is inserted with no place in the chain and without the chain's lock, and beat's chaining
    step, every ten seconds, gives it its place (`chain_waiting`): no transaction, however long,
    holds the lock (decision 78), and no request waits for it, a page's read being one insert
    (decision 170). The chain's order is `seq`, given under the lock; `hash` links each record to
    the one before it in that order.
    """
    event.save(using=router.db_for_write(AuditEvent), force_insert=True)
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
            reason=_printable(reason),
            ip_address=_ip(ip_address),
            data=_printable(data),
        )
    )


def _printable(value: Any) -> Any:
    """`value` with any NUL character shown as U+FFFD: PostgreSQL stores no NUL in text or JSON,
    and a refusal of a request that held one must still be recorded (decision 60)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {key: _printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(item) for item in value]
    return value
