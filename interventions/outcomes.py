"""Outcomes at closure and withdrawal, counted for the evaluation (decision 103): how many goals
were achieved, partly achieved, not achieved or not applicable, and what the cases turned out to
be. Counts only, never a note: the notes and the family's feedback are the file's content.

The caller passes the cases it may count, restricted for its reader (`Case.objects.restrict(user,
Action.VIEW_SUMMARY)`, a cohort of them): each helper is one aggregate query in the database.
"""

from typing import Any

from django.db.models import Case as When_
from django.db.models import Count, QuerySet, Value, When

from .models import Closure, GoalOutcome, Typology, Withdrawal

__all__ = ["AT", "outcome_counts", "typology_counts"]

# Where an outcome was recorded.
CLOSURE, WITHDRAWAL = "closure", "withdrawal"
AT = (CLOSURE, WITHDRAWAL)


def _empty(keys: Any) -> dict[str, dict[str, int]]:
    return {at: dict.fromkeys(keys, 0) for at in AT}


def outcome_counts(cases: QuerySet[Any]) -> dict[str, dict[str, int]]:
    """How many goals of `cases` had each outcome, at a closure and at a withdrawal: `{"closure":
    {"achieved": 3, "partly": 1, "not_achieved": 0, "not_applicable": 0}, "withdrawal": {...}}`.
    A reopened case's earlier closure still counts: its goals came that far then. One query."""
    counts = _empty(GoalOutcome.Outcome.values)
    at = When_(When(closure__isnull=False, then=Value(CLOSURE)), default=Value(WITHDRAWAL))
    rows = (
        GoalOutcome._base_manager.filter(case__in=cases.order_by().values("pk"))
        .annotate(at=at)
        .values("at", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["at"]][row["outcome"]] = row["n"]
    return counts


def typology_counts(cases: QuerySet[Any]) -> dict[str, dict[str, int]]:
    """What `cases` turned out to be, by closure and by withdrawal: `{"closure": {"vulnerable": 2,
    ...}, "withdrawal": {...}}`, every `Typology` present (an unsaid typology, of records made
    before it was asked, is left out). Two queries."""
    counts = _empty(Typology.values)
    ids = cases.order_by().values("pk")
    for at, model in ((CLOSURE, Closure), (WITHDRAWAL, Withdrawal)):
        rows = model._base_manager.filter(case__in=ids).exclude(typology="").values("typology").annotate(n=Count("pk"))
        for row in rows.order_by():
            counts[at][row["typology"]] = row["n"]
    return counts
