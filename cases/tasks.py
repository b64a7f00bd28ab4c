"""Celery entry points for cases: thin, idempotent, delegating to services."""

from celery import shared_task

from . import services


@shared_task(autoretry_for=(Exception,), max_retries=5, retry_backoff=True, retry_jitter=True)
def expire_case_shares_task() -> int:
    """End shares past their end date (beat, every five minutes). Running twice ends nothing twice."""
    return services.expire_case_shares()
