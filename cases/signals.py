"""What the cases app tells the apps above it (it imports none of them)."""

from django.dispatch import Signal

__all__ = [
    "agreement_overridden",
    "case_closed",
    "contact_planned",
    "export_ready",
    "owner_answered",
    "owner_asked",
    "summary_progress",
]

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
# Sent (with no argument) when a summary, the case list's export or a panel pack is made: a
# receiver answers a pair `(annotate, figures)`, `annotate(cases)` a case queryset (restricted for
# the reader at summary level) with what it needs in the same query, `figures(case)` label-value
# pairs of counts and dates only, never content. Interventions answers with the plan's progress
# (decision 101): the cases app cannot read plans, which stand above it.
summary_progress = Signal()
# Sent in the transaction that marks a background export made, with `job` (the ExportJob): the
# reminders app tells its requester under the bell that the file is ready (decision 111).
export_ready = Signal()
# Sent in the transaction that closes a case, with `case` and `actor`: the referrals app tells the
# senders of the concerns that opened or joined it that their concern is closed (decision 125).
case_closed = Signal()
