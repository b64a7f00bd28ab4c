"""What the cases app tells the apps above it (it imports none of them)."""

from django.dispatch import Signal

__all__ = ["agreement_overridden", "case_closed", "contact_planned", "owner_answered", "owner_asked"]

# Sent in the transaction that records a question to a case's owner, with `question` (the
# OwnerQuestion): the reminders app puts a notice under the owner's bell.
owner_asked = Signal()
# Sent in the transaction that records the owner's answer: the notice goes to the asker.
owner_answered = Signal()
# Sent in the transaction that records a contact agreeing the next one, with `contact`, `visitors`
# (who made it, and will make the next) and `actor`: the reminders app tells a pair visit's partner.
contact_planned = Signal()
# Sent in the transaction that records a disclosure on a safeguarding or legal-duty basis made under
# the emergency override (no agreement named), with `disclosure` (the CaseShare or DisclosureCheck)
# `event` (its audit record) and `actor`: the reminders app tells the data protection officers
# (decision 113).
agreement_overridden = Signal()
# Sent in the transaction that closes a case, with `case` and `actor`: the referrals app tells the
# senders of the concerns that opened or joined it that their concern is closed (decision 125).
case_closed = Signal()
