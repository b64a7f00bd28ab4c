"""The unread reminder count in the header: one query, only when a page shows it."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from agencies.access import Action

from .models import Reminder


def unread_reminders(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_reminders": SimpleLazyObject(lambda: Reminder.objects.restrict(user, Action.VIEW).unread().count()),
        "unread_poll_seconds": settings.URA_UNREAD_POLL_SECONDS,
    }
