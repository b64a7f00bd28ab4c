"""Checking the audit trail's hash chain."""

from dataclasses import dataclass

from .models import AuditEvent
from .services import chain_waiting

__all__ = ["ChainResult", "verify_chain"]


@dataclass(frozen=True)
class ChainResult:
    count: int
    broken_id: int | None = None
    problem: str = ""
    head: str = ""  # the newest record's hash: kept outside the database, it anchors the chain
    seen: frozenset[str] = frozenset()  # the hashes asked about (`expect`) that the chain holds


def verify_chain(chunk_size: int = 5000, expect: frozenset[str] = frozenset()) -> ChainResult:
    """Walk the trail in chain order (`seq`): each record must hash to its `hash` and point at the hash of
    the record before it. A changed field breaks that record; a removed record breaks the next.
    Removing the newest records leaves a valid chain: a head kept from an earlier run (`expect`)
    that is no longer in it shows that (decision 32)."""
    chain_waiting()  # records committed but not yet chained (a crash between the two) take their place
    previous = ""
    count = 0
    seen: set[str] = set()
    # Records committed after the chaining above wait for the next step: not in the chain yet.
    for event in AuditEvent.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=chunk_size):
        if event.prev_hash != previous:
            return ChainResult(count, event.pk, "does not follow the record before it (one removed or reordered)")
        if event.compute_hash() != event.hash:
            return ChainResult(count, event.pk, "its contents do not match its hash (changed)")
        if event.hash in expect:
            seen.add(event.hash)
        previous = event.hash
        count += 1
    return ChainResult(count, head=previous, seen=frozenset(seen))
