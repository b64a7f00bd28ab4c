"""The anonymised evaluation statistics (decision 107): cohorts of cases by the period (year or
quarter) in which they were opened from their referral, the step reached, the outcome, how long
it took, and whether the family was referred again within twelve months of the closure.

Counted in the database over the cases the viewer knows of (`restrict(user, VIEW_SUMMARY)`); a
withdrawal (a row of the full file) counts only where the viewer reads the file in full. Every
cell of 1 to 4 cases is shown as "<5", and so is an average over fewer than five cases. Only
codes, dates and links are read, the columns the retention anonymisation keeps
(`privacy.retention`), so anonymising old cases leaves every number as it was.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Avg,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
)
from django.db.models.functions import TruncQuarter, TruncYear
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.access import Action
from agencies.models import User
from cases.models import Case
from interventions.models import GoalOutcome, Withdrawal
from referrals.models import Referral

from .figures import quarter_label

__all__ = ["PERIODS", "SMALL", "Cell", "Evaluation", "evaluation", "shown"]

SMALL = 5  # a count under this (but above nought) is not shown
PERIODS = {"year": gettext_lazy("Year"), "quarter": gettext_lazy("Quarter")}
RE_REFERRAL_WITHIN = datetime.timedelta(days=365)
# The step reached, in four bands (the steps form a circle; the band of the step the case is at,
# or was at when it closed).
STEP_BANDS = (
    ("identified", gettext_lazy("Steps 1-2: identified and discussed"), (1, 2)),
    ("contacted", gettext_lazy("Steps 3-5: contacted and assessed"), (3, 4, 5)),
    ("planned", gettext_lazy("Steps 6-8: plan agreed and monitored"), (6, 7, 8)),
    ("reducing", gettext_lazy("Steps 9-10: reducing involvement"), (9, 10)),
)


@dataclass(frozen=True)
class Cell:
    """A count, or an average in days, shown as "<5" when fewer than five cases lie behind it."""

    value: float | int | None
    behind: int  # how many cases the value is made of

    @property
    def suppressed(self) -> bool:
        return 0 < self.behind < SMALL

    def __str__(self) -> str:
        if self.suppressed:
            return "<5"
        if self.value is None:
            return ""
        return str(round(self.value)) if isinstance(self.value, float) else str(self.value)


def shown(value: int) -> Cell:
    return Cell(value, value)


@dataclass(frozen=True)
class Evaluation:
    """The table: one row per cohort, the columns named once."""

    period: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Cell, ...]], ...]
    cohorts: tuple[datetime.date, ...]

    def table(self) -> list[list[str]]:
        return [[label, *(str(cell) for cell in cells)] for label, cells in self.rows]


def _label(period: str, day: datetime.date) -> str:
    return str(day.year) if period == "year" else quarter_label(day)


def _days(duration: datetime.timedelta | None) -> float | None:
    return None if duration is None else duration.total_seconds() / 86400


def evaluation(user: User, period: str = "year", year: int | None = None) -> Evaluation:
    """The cohorts of the cases `user` knows of, by `period` ("year" or "quarter"); only the
    cohorts of `year` when given. One query, whatever the number of cases."""
    trunc = TruncYear if period == "year" else TruncQuarter
    cases = Case.objects.restrict(user, Action.VIEW_SUMMARY)
    if year is not None:
        cases = cases.filter(opened_at__year=year)
    withdrew = Exists(Withdrawal.objects.restrict(user, Action.VIEW).filter(case_id=OuterRef("pk")))
    one_year_on = ExpressionWrapper(OuterRef("closed_at") + RE_REFERRAL_WITHIN, output_field=DateTimeField())
    referred_again = Exists(
        Referral.objects.restrict(user, Action.VIEW).filter(
            family_id=OuterRef("family_id"), received_at__gt=OuterRef("closed_at"), received_at__lte=one_year_on
        )
    )
    duration = ExpressionWrapper(F("closed_at") - F("opened_at"), output_field=DurationField())
    closed = Q(closed_at__isnull=False)
    rows = list(
        cases.annotate(cohort=trunc("opened_at", output_field=DateField()), withdrew=withdrew, again=referred_again)
        .order_by()
        .values("cohort")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(closed_at__isnull=True)),
            closed=Count("pk", filter=closed),
            withdrew_n=Count("pk", filter=Q(withdrew=True)),
            contact_on_time=Count("pk", filter=Q(first_contact_on__lte=F("first_contact_due_on"))),
            contact_made=Count("pk", filter=Q(first_contact_on__isnull=False)),
            again_n=Count("pk", filter=closed & Q(again=True)),
            days=Avg(duration, filter=closed),
            **{f"band_{key}": Count("pk", filter=Q(stage__in=stages)) for key, _label, stages in STEP_BANDS},
        )
        .order_by("cohort")
    )
    # The goals' outcomes recorded at closure or withdrawal (decision 103), per cohort of their cases:
    # codes counted in one more query, never a note.
    outcomes: dict[tuple[datetime.date, str], int] = {}
    for row in (
        GoalOutcome._base_manager.filter(case__in=cases.order_by().values("pk"))
        .annotate(cohort=trunc("case__opened_at", output_field=DateField()))
        .values("cohort", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        outcomes[row["cohort"], row["outcome"]] = row["n"]
    reached = (GoalOutcome.Outcome.ACHIEVED, GoalOutcome.Outcome.PARTLY, GoalOutcome.Outcome.NOT_ACHIEVED)
    columns = (
        _("Cases"),
        *(str(label) for _key, label, _stages in STEP_BANDS),
        _("Still open"),
        _("Closed"),
        _("Family withdrew"),
        _("First contact made"),
        _("First contact on time"),
        _("Average days from opening to closure"),
        _("Referred again within 12 months of closure"),
        _("Goals achieved"),
        _("Goals partly achieved"),
        _("Goals not achieved"),
    )
    table = []
    for row in rows:
        cells = (
            shown(row["total"]),
            *(shown(row[f"band_{key}"]) for key, _label, _stages in STEP_BANDS),
            shown(row["open"]),
            shown(row["closed"]),
            shown(row["withdrew_n"]),
            shown(row["contact_made"]),
            shown(row["contact_on_time"]),
            Cell(_days(row["days"]), row["closed"]),
            shown(row["again_n"]),
            *(shown(outcomes.get((row["cohort"], outcome), 0)) for outcome in reached),
        )
        table.append((_label(period, row["cohort"]), cells))
    return Evaluation(period, columns, tuple(table), tuple(row["cohort"] for row in rows))
