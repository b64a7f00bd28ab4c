"""Celery entry points for cases: thin, idempotent, delegating to services."""

from celery import shared_task

from . import services


@shared_task(autoretry_for=(Exception,), max_retries=5, retry_backoff=True, retry_jitter=True)
def expire_case_shares_task() -> int:
    """End shares past their end date (beat, every five minutes). Running twice ends nothing twice."""
    return services.expire_case_shares()


@shared_task(autoretry_for=(Exception,), max_retries=5, retry_backoff=True, retry_jitter=True)
def expire_grants_task() -> int:
    """Remove individual grants past their end date, each recorded (beat, every five minutes).
    Access already stopped at the end date; running twice ends nothing twice (decision 96)."""
    return services.expire_grants()


@shared_task(acks_late=True)
def run_reassignment_task(job_id: int) -> None:
    """Move a confirmed caseload (one transaction). Claimed once: a redelivery does nothing."""
    services.run_reassignment(job_id)


@shared_task
def run_waiting_jobs_task() -> int:
    """Beat, every minute: ask a worker again for a reassignment or an export whose task was lost
    (the broker down when it was started, or restarted empty). Each job runs once whatever comes."""
    return services.requeue_waiting_jobs()


@shared_task(acks_late=True)
def run_export_task(job_id: int) -> None:
    """Make a queued case list export. Claimed once: a redelivery does nothing."""
    services.run_export(job_id)


@shared_task(autoretry_for=(Exception,), max_retries=5, retry_backoff=True, retry_jitter=True)
def expire_exports_task() -> int:
    """Delete exports whose links have expired (beat, every fifteen minutes)."""
    return services.expire_exports()
