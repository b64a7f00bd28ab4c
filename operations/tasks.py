"""Periodic work of the system itself."""

from celery import shared_task
from django.utils import timezone

from audit.services import chain_waiting

from .models import Heartbeat


@shared_task(ignore_result=True)
def beat_heartbeat_task() -> int:
    """Beat sends this every `URA_BEAT_HEARTBEAT_SECONDS`; a worker records that it came (so the
    heartbeat shows beat, the broker and a worker alive) and chains any audit records a crash left
    waiting. Returns how many it chained."""
    Heartbeat.objects.update_or_create(name="beat", defaults={"at": timezone.now()})
    return chain_waiting()
