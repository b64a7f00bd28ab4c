"""Demo reminders: a first contact due tomorrow, a review overdue long enough to escalate, so the
notifications page, the header count and the home dashboards show something after `make run`."""

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from cases.models import Case

from .models import Reminder
from .sweep import sweep

if TYPE_CHECKING:
    from agencies.demo import DemoOrg

__all__ = ["seed_reminders"]


def seed_reminders(org: "DemoOrg") -> None:
    """Give two open demo cases a deadline (only where none is set) and sweep (idempotent)."""
    if Reminder.objects.exists():
        return
    today = timezone.localdate()
    open_cases = Case.objects.filter(closed_at__isnull=True).order_by("pk")
    contact = open_cases.filter(first_contact_on__isnull=True, first_contact_due_on__isnull=True).first()
    if contact is not None:
        Case.objects.filter(pk=contact.pk).update(first_contact_due_on=today + datetime.timedelta(days=1))
    review = open_cases.filter(next_review_on__isnull=True).exclude(pk=getattr(contact, "pk", None)).first()
    if review is not None:
        Case.objects.filter(pk=review.pk).update(next_review_on=today - datetime.timedelta(days=4))
    sweep()
