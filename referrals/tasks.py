"""Celery entry points for referrals: thin, retried, delegating to services."""

from celery import shared_task
from django.core.exceptions import ObjectDoesNotExist

from . import services


@shared_task(autoretry_for=(OSError,), max_retries=8, retry_backoff=True, retry_jitter=True)
def alert_police_task(referral_id: int) -> int:
    """Alert the police of a crisis referral; retried while the mail server does not answer."""
    try:
        return services.alert_police(referral_id)
    except ObjectDoesNotExist:
        return 0
