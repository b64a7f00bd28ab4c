"""Celery entry points of data protection: thin, retried, delegating to services."""

import logging

from celery import shared_task
from django.db import transaction

from audit.models import BreakGlassAccess
from outbox.services import queued

from .retention import due_records

logger = logging.getLogger(__name__)


@shared_task
def report_retention_due_task() -> int:
    """Count the records due for a retention review; the data protection officer's page lists them.
    Reads only, so it is safe to run twice at once."""
    count = len(due_records())
    logger.info("Retention: %d record(s) due for review", count)
    return count


# The name it had in `audit` (decision 49): a notice queued as a task before the outbox
# (decision 70) is written to the outbox now, once.
@shared_task(name="audit.tasks.notify_break_glass_task")
def notify_break_glass_task(access_id: int) -> int:
    """Tell the case owner and the coordinator that a case was opened by breaking the glass."""
    from .breakglass import notify_break_glass

    with transaction.atomic():
        access = (
            BreakGlassAccess.objects.select_related("case__owner", "case__panel__coordinator", "user")
            .filter(pk=access_id)
            .first()
        )
        if access is None or queued(f"audit.breakglassaccess:{access_id}", "break_glass"):
            return 0
        return notify_break_glass(access)
