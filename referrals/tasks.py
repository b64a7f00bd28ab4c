"""Celery entry points for referrals: thin, delegating to services."""

from celery import shared_task
from django.db import transaction

from outbox.services import queued

from . import services
from .models import Referral


@shared_task
def alert_police_task(referral_id: int) -> int:
    """An alert queued as a task before the outbox (decision 70): written to the outbox now, once."""
    with transaction.atomic():
        referral = Referral.objects.filter(pk=referral_id, routed_to__isnull=False).first()
        if referral is None or queued(f"referrals.referral:{referral_id}", "crisis_alert"):
            return 0
        return services.alert_police(referral)
