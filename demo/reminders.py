"""Demo reminders: a first contact due tomorrow, a review overdue long enough to escalate, an
information request due soon, so the notifications page, the header count and the home dashboards
show something after `make run`."""

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies import deadlines
from cases.models import Case
from reminders.models import Reminder
from reminders.sweep import sweep

if TYPE_CHECKING:
    from django.db.models import QuerySet

__all__ = ["seed_reminders"]


def seed_reminders() -> None:
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
    _ask_a_partner(open_cases)
    sweep()


def _ask_a_partner(open_cases: "QuerySet[Case]") -> None:
    """One open information request, asked 22 hours ago: due soon for the agency asked."""
    from cases import services
    from cases.models import InformationRequest

    if InformationRequest.objects.exists():
        return
    for case in open_cases.select_related("owner"):
        agencies = services.askable_agencies(case, case.owner)
        if not agencies:
            continue
        try:
            info = services.ask_information(
                case, to_agency=agencies[0], question="Has the young person attended this week?", actor=case.owner
            )
        except ValidationError:
            continue
        asked_at = timezone.now() - datetime.timedelta(hours=22)
        InformationRequest.objects.filter(pk=info.pk).update(
            asked_at=asked_at, due_at=deadlines.information_due(asked_at)
        )
        return
