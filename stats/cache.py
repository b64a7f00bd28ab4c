"""The wide boards (a supervisor's agencies, a panel's cases) counted at most every few minutes.

At a million cases a panel coordinator's board aggregates some 300,000 cases: 200-300 ms of the
database's time on every visit (issue 19). Those boards are kept in the cache for
`URA_DASHBOARD_CACHE_SECONDS` (5 minutes), keyed by the viewer, what they may reach (their
`UserAccess`: a membership gained or lost is another key), the day and the language, and say when
they were counted. A practitioner's own board is cheap and counted on every visit: she sees the
visit she has just recorded. Only counts are kept, never a case's content. If the cache cannot
be reached the board is counted, as without a cache.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import replace

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from agencies.access import UserAccess
from agencies.models import User

from .figures import Board

__all__ = ["counted_at_most_every"]

log = logging.getLogger(__name__)


def _key(name: str, user: User, today: datetime.date) -> str:
    return f"stats:board:{name}:{user.pk}:{UserAccess.of(user).fingerprint()}:{today.isoformat()}:{get_language()}"


def counted_at_most_every(
    name: str, user: User, today: datetime.date, count: Callable[[User, datetime.date], Board]
) -> Board:
    """The board `count` makes, from the cache while it is fresh; marked with when it was counted."""
    seconds = settings.URA_DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return count(user, today)
    key = _key(name, user, today)
    try:
        kept = cache.get(key)
    except Exception:  # the cache is a shortcut: without it the board is counted
        log.warning("dashboard cache unreachable", exc_info=True)
        kept = None
    if isinstance(kept, Board):
        return kept
    board = replace(count(user, today), counted_at=timezone.now())
    try:
        cache.set(key, board, seconds)
    except Exception:
        log.warning("dashboard cache unreachable", exc_info=True)
    return board
