"""What the cases app tells the apps above it (it imports none of them)."""

from django.dispatch import Signal

__all__ = ["owner_answered", "owner_asked"]

# Sent in the transaction that records a question to a case's owner, with `question` (the
# OwnerQuestion): the reminders app puts a notice under the owner's bell.
owner_asked = Signal()
# Sent in the transaction that records the owner's answer: the notice goes to the asker.
owner_answered = Signal()
