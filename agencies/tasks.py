"""Celery entry points for agencies: thin, idempotent, delegating to the services."""

from celery import shared_task

from . import joining


@shared_task(autoretry_for=(Exception,), max_retries=5, retry_backoff=True, retry_jitter=True)
def end_due_memberships_task() -> int:
    """End the memberships whose leaving day has come (beat, hourly; decision 117)."""
    return joining.end_due_memberships()
