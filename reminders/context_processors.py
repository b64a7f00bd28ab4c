"""The unread reminder count in the header: only when a page shows it, kept a few seconds
(`reminders.unread`)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .unread import unread_count


def unread_reminders(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_reminders": SimpleLazyObject(lambda: unread_count(user, fresh=getattr(request, "unread_fresh", False))),
        "unread_poll_seconds": settings.URA_UNREAD_POLL_SECONDS,
    }
