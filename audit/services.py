"""Writing the audit trail: one chained, append-only record at a time."""

import ipaddress
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


def _in_transaction(alias: str) -> bool:
    """Whether a transaction of the application's own is open (the test suite's outer atomic
    blocks, which never commit, do not count: a record there is chained at once, as in autocommit)."""
    connection = connections[alias]
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


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


def _head_and_waiting(alias: str) -> tuple[tuple[int, str], list[AuditEvent]]:
    """The chain's head (position and hash) and the committed records still waiting, in one query."""
    base = AuditEvent.objects.using(alias)
    newest = base.filter(seq__isnull=False).order_by("-seq").values("seq")[:1]
    rows = list(base.filter(models.Q(seq__isnull=True) | models.Q(seq=models.Subquery(newest))).order_by("pk"))
    head = next((row for row in rows if row.seq is not None), None)
    return (head.seq or 0, head.hash) if head is not None else (0, ""), [row for row in rows if row.seq is None]


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


def chain_waiting(using: str | None = None) -> int:
    """Chain the committed records written inside transactions (they wait with no position).

    Runs after each such transaction commits, in a short step of its own under the chain lock, and
    from the beat sweep and `verify_audit` for any a crash left behind. Returns how many it chained.
    """
    alias = using or router.db_for_write(AuditEvent)
    with transaction.atomic(using=alias):
        _take_chain_lock(alias)
        (seq, previous), waiting = _head_and_waiting(alias)
        if not waiting:
            return 0
        _link(waiting, seq, previous)
        # The one sanctioned change to a record: giving a waiting record its place (the PostgreSQL
        # trigger allows exactly this, once; see migration 0012).
        _place(waiting, alias)
    return len(waiting)


def append(event: AuditEvent) -> AuditEvent:
    """Add `event` to the trail, inside the caller's transaction, so it stands or falls with the change.

    Outside a transaction (a read recorded by the middleware, a sign-in) the record is chained at
    once, in one short step under the chain lock. Inside one it is inserted unchained, with no
    lock, and chained after the commit (`chain_waiting`): a long transaction never holds the chain
    lock, so reads and short writes never wait behind it (decision 78). The chain's order is `seq`,
    given under the lock; `hash` links each record to the one before it in that order.
    """
    alias = router.db_for_write(AuditEvent)
    if _in_transaction(alias):
        event.save(using=alias, force_insert=True)
        transaction.on_commit(lambda: chain_waiting(alias), using=alias)
        return event
    with transaction.atomic(using=alias, savepoint=False):
        _take_chain_lock(alias)
        # The head only: records still waiting are chained by their own step, just after their
        # commit (or by the next heartbeat after a crash), and come after this one.
        head = AuditEvent.objects.using(alias).filter(seq__isnull=False).order_by("-seq").values_list("seq", "hash")
        seq, previous = head.first() or (0, "")
        _link([event], seq or 0, previous)
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
