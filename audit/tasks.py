"""Celery entry points of the governance app."""

import logging

from celery import shared_task

from .retention import due_records

logger = logging.getLogger(__name__)


@shared_task
def report_retention_due_task() -> int:
    """Count the records due for a retention review; the data protection officer's page lists them.
    Reads only, so it is safe to run twice at once."""
    count = len(due_records())
    logger.info("Retention: %d record(s) due for review", count)
    return count
