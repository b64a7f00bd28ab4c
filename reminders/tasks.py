"""Celery entry points for reminders: thin and idempotent (acks_late is set for every task)."""

from celery import shared_task

from interventions.agenda import flag_stalled_cases

from . import services, sweep


@shared_task(autoretry_for=(Exception,), max_retries=5, retry_backoff=True, retry_jitter=True)
def sweep_reminders_task() -> int:
    """Create the reminders now due (beat, every few minutes), deliver what is pending, and put the
    stalled cases on their panel's next agenda. Running
    twice, or in two workers at once, creates and sends nothing twice."""
    created = sweep.sweep()
    services.deliver_pending()
    # Lapsed actions and long silences put their cases on the next agenda (decision 102).
    flag_stalled_cases()
    return created


@shared_task(autoretry_for=(Exception,), max_retries=5, retry_backoff=True, retry_jitter=True)
def deliver_reminders_task() -> int:
    """E-mail the pending reminders of users who want them at once."""
    return services.deliver_pending()


@shared_task(autoretry_for=(Exception,), max_retries=5, retry_backoff=True, retry_jitter=True)
def send_reminder_digests_task() -> int:
    """The daily digest (beat, once a day)."""
    return services.send_digests()
