"""Celery entry points for the audit app: thin, retried, delegating to services."""

from celery import shared_task
from django.core.exceptions import ObjectDoesNotExist

from .models import BreakGlassAccess


@shared_task(autoretry_for=(OSError,), max_retries=8, retry_backoff=True, retry_jitter=True)
def notify_break_glass_task(access_id: int) -> int:
    """Tell the case owner and the coordinator that a case was opened by breaking the glass."""
    from .breakglass import notify_break_glass

    try:
        access = BreakGlassAccess.objects.select_related("case__owner", "case__panel__coordinator", "user").get(
            pk=access_id
        )
    except ObjectDoesNotExist:
        return 0
    return notify_break_glass(access)
