"""Celery entry points for agencies: thin, idempotent, delegating to the services."""

from celery import shared_task

from . import idempotency, joining


@shared_task(autoretry_for=(Exception,), max_retries=5, retry_backoff=True, retry_jitter=True)
def end_due_memberships_task() -> int:
    """End the memberships whose leaving day has come (beat, hourly; decision 117)."""
    return joining.end_due_memberships()


@shared_task(ignore_result=True)
def forget_idempotency_keys_task() -> int:
    """Forget the answers kept for repeated submissions once no client retries them (beat, hourly)."""
    return idempotency.forget_old()
