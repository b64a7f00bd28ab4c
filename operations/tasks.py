"""Periodic work of the system itself."""

from celery import shared_task
from django.utils import timezone

from audit.services import chain_waiting

from .models import Heartbeat


@shared_task(ignore_result=True)
def beat_heartbeat_task() -> None:
    """Beat sends this every `URA_BEAT_HEARTBEAT_SECONDS` on the crisis queue, whose worker runs
    nothing long; that worker records that it came, so the heartbeat shows beat, the broker and
    the crisis worker alive (decision 159). It does nothing else: it never waits."""
    Heartbeat.objects.update_or_create(name="beat", defaults={"at": timezone.now()})


@shared_task(ignore_result=True)
def chain_waiting_audit_task() -> int:
    """Beat sends this every ten seconds: the audit records written since are chained (each is
    written without its place: decision 170). Returns how many it chained. It notes each step that
    commits (a backlog after an outage is placed in steps, and may outlast one task): `/readyz` is
    red while records wait and no step has run for a while (decision 173)."""
    return chain_waiting(on_step=_chain_step_ran)


def _chain_step_ran() -> None:
    Heartbeat.objects.update_or_create(name="audit-chain", defaults={"at": timezone.now()})
