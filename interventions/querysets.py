"""Domain filters on plans, actions and follow-ups. Which rows a user may see is decided by
`restrict()` alone."""

from typing import Self

from django.utils import timezone

from agencies.access import RestrictedQuerySet

__all__ = ["FollowUpQuerySet", "InterventionQuerySet", "PlanActionQuerySet", "PlanQuerySet"]


class InterventionQuerySet(RestrictedQuerySet):
    """Intervention records are read with the full file only: the `case_child` rule answers a
    summary-level request as for the full file, so a panel's summary never shows a plan."""


class PlanQuerySet(InterventionQuerySet):
    def active(self) -> Self:
        return self.filter(status="active")

    def drafts(self) -> Self:
        return self.filter(status="draft")


class PlanActionQuerySet(InterventionQuerySet):
    def open(self) -> Self:
        """Actions still to be carried out: planned or under way."""
        return self.filter(status__in=["planned", "in_progress"])

    def lapsed(self) -> Self:
        """Open actions past their due date (`PlanAction.is_lapsed`, as a filter)."""
        return self.open().filter(due_on__lt=timezone.localdate())


class FollowUpQuerySet(InterventionQuerySet):
    def pending(self) -> Self:
        """Follow-ups still to be made, of a closure that stands (a reopened case has none due)."""
        return self.filter(done_on__isnull=True, closure__reopened_at__isnull=True)

    def overdue(self) -> Self:
        return self.pending().filter(due_on__lt=timezone.localdate())
