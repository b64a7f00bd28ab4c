"""Celery entry points of the outbox: each delivery is claimed in the database, so a task that
runs twice (redelivered, or beside the sweep) sends nothing twice."""

from celery import shared_task

from . import services


@shared_task
def deliver_message_task(message_id: int) -> bool:
    """Send one message, queued by its cause once that committed."""
    return services.deliver(message_id)


@shared_task
def sweep_outbox_task(urgent: bool | None = None) -> int:
    """Beat, every minute: send what is waiting, whatever happened to its first task (a broker
    that was down, or restarted empty; a worker killed; a mail server that failed)."""
    return services.deliver_due(urgent=urgent)
