"""Domain filters on plans, actions and follow-ups. Which rows a user may see is decided by
`restrict()` alone."""

from typing import Any, Self

from django.utils import timezone

from agencies.access import Action, RestrictedQuerySet

__all__ = ["FollowUpQuerySet", "InterventionQuerySet", "PlanActionQuerySet", "PlanQuerySet"]


class InterventionQuerySet(RestrictedQuerySet):
    """Intervention records are read with the full file only: asked for at summary level (as a
    panel sees a case), they answer as for the full file, so a summary never shows a plan."""

    def restrict(self, user: Any, action: Action | str = Action.VIEW) -> Self:
        return super().restrict(user, Action.VIEW if action == Action.VIEW_SUMMARY else action)


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
