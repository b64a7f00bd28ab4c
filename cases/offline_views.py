"""What others recorded on a case while a worker typed without a connection (decision 89).

The entry form tells the page's script the last event it saw; when the connection returns and what
was typed offline has been kept as the author's private draft, the script asks this view what
happened since and shows it above the form. Nothing is merged or overwritten: the author reads it
and decides what to record.
"""

from functools import cached_property
from typing import Any

from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from agencies.access import Action, RestrictedViewMixin
from agencies.models import User

from .models import Case, CaseEvent

__all__ = ["ChangesSinceView", "last_event_seen"]

SHOWN = 20  # a long absence shows the latest twenty, and the timeline has the rest


def last_event_seen(user: User, case: Case) -> int:
    """The newest event of `case` that `user` reads (0 if none): where "since" starts."""
    events = CaseEvent.objects.restrict(user, Action.VIEW).filter(case=case)
    last: int | None = events.aggregate(last=Max("pk"))["last"]
    return last or 0


class ChangesSinceView(RestrictedViewMixin, ListView[CaseEvent]):
    """GET ?after=<event id>: the case's events after it, recorded by others, as a list fragment."""

    queryset = CaseEvent.objects.select_related("actor", "author_agency")
    action = Action.VIEW
    permission_required = "cases.view_case"
    template_name = "cases/_changes_since.html"
    context_object_name = "events"

    @cached_property
    def case(self) -> Case:
        # Part of the full file, like the timeline: to anyone else the case does not exist.
        case: Case = get_object_or_404(Case.objects.restrict(self.request.user, Action.VIEW), pk=self.kwargs["pk"])
        return case

    def get_queryset(self) -> Any:
        after = self.request.GET.get("after", "")
        events = self.queryset.filter(case=self.case, pk__gt=int(after) if after.isdigit() else 0)
        events = events.exclude(actor=self.request.user).annotate_content(self.request.user)
        return events[:SHOWN]
