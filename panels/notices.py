"""Signals panels send for the apps above them to act on (reminders: the notices under the bell)."""

from django.dispatch import Signal

__all__ = ["urgent_meeting_called"]

# Sent in the transaction that calls an urgent meeting, with `meeting` and `members` (user ids).
urgent_meeting_called = Signal()
