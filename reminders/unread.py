"""The header's unread count, kept a few seconds (issue 19).

Every page shows it and every open page asks for it again every `URA_UNREAD_POLL_SECONDS`; its
restricted query took 10-20 ms to build and run at a million cases, a third of a list page. It is
kept per user for `URA_UNREAD_CACHE_SECONDS` (30 in production; 0 counts every time), under a
generation that any reminder saved, created in bulk, read or deleted moves on, so a new reminder
or one just read shows on the next page. What no reminder write marks (a case given to another
owner, whose pending reminders follow her) shows within those seconds; on the notifications page
the header counts afresh, so it agrees with the list. If the cache cannot be reached, the count is made.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from agencies.access import Action, UserAccess

from .models import Reminder

__all__ = ["reminders_changed", "unread_count"]

log = logging.getLogger(__name__)
GENERATION = "reminders:unread:generation"


def _count(user: Any) -> int:
    return Reminder.objects.restrict(user, Action.VIEW).unread().count()


def unread_count(user: Any, *, fresh: bool = False) -> int:
    """The user's unread reminders; from the cache unless `fresh` (which keeps the new count)."""
    seconds = settings.URA_UNREAD_CACHE_SECONDS
    if seconds <= 0:
        return _count(user)
    try:
        generation = cache.get(GENERATION, 0)
        key = f"reminders:unread:{user.pk}:{UserAccess.of(user).fingerprint()}:{generation}"
        kept = None if fresh else cache.get(key)
        if isinstance(kept, int):
            return kept
        count = _count(user)
        cache.set(key, count, seconds)
        return count
    except Exception:  # the cache is a shortcut, never a reason to miss the count
        log.warning("unread count cache unreachable", exc_info=True)
        return _count(user)


def reminders_changed() -> None:
    """Move the generation on, now and again once committed: every kept count is asked again. Now,
    for the rest of this request; at commit, as a count made by another request in between read
    the rows as they were and must not stay kept under the new generation."""
    if settings.URA_UNREAD_CACHE_SECONDS <= 0:
        return  # nothing is kept
    _move_on()
    transaction.on_commit(_move_on)


def _move_on() -> None:
    try:
        try:
            cache.incr(GENERATION)
        except ValueError:  # not there yet (or evicted)
            cache.set(GENERATION, 1, None)
    except Exception:
        log.warning("unread count cache unreachable", exc_info=True)


@receiver(post_save, sender=Reminder, dispatch_uid="reminders.unread.saved")
@receiver(post_delete, sender=Reminder, dispatch_uid="reminders.unread.deleted")
def _reminder_written(sender: Any, **_: Any) -> None:
    reminders_changed()
