"""The anonymised evaluation statistics (decision 107): cohorts of cases by the period (year or
quarter) in which they were opened from their referral, the step reached, the outcome, how long
it took, and whether the family was referred again within twelve months of the closure.

Counted in the database over the cases the viewer knows of (`restrict(user, VIEW_SUMMARY)`); the
closures and withdrawals of those cases (rows of the full file) are counted by their dates and
codes only. Every cell of 1 to 4 cases is shown as "<5", and so is an average over fewer than five
cases; where one cell of a set that adds up to a shown total is so hidden, the next smallest is
hidden too ("[c]"). Only
codes, dates and links are read, the columns the retention anonymisation keeps
(`privacy.retention`), so anonymising old cases leaves every number as it was.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.db.models import Avg, Count, DateField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate, TruncQuarter, TruncYear
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.access import Action
from agencies.models import User
from cases.models import Case
from interventions.models import Closure, GoalOutcome, Typology, Withdrawal
from referrals.models import Referral

from .figures import SMALL, DaysBetween, quarter_label

__all__ = ["HIDDEN", "PERIODS", "SMALL", "Cell", "Evaluation", "evaluation", "secondary", "shown"]

HIDDEN = "[c]"  # a cell hidden so that a cell under 5 cannot be worked out from its total
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
    """A count, or an average in days, shown as "<5" when fewer than five cases lie behind it, and
    as "[c]" when it is hidden so that such a cell cannot be worked out from its total."""

    value: float | int | None
    behind: int  # how many cases the value is made of
    hidden: bool = False  # secondary suppression: see `secondary`

    @property
    def suppressed(self) -> bool:
        return 0 < self.behind < SMALL

    @property
    def withheld(self) -> bool:
        return self.suppressed or self.hidden

    def __str__(self) -> str:
        if self.suppressed:
            return "<5"
        if self.hidden:
            return HIDDEN
        if self.value is None:
            return ""
        return str(round(self.value)) if isinstance(self.value, float) else str(self.value)


def secondary(total: Cell, parts: list[Cell]) -> list[Cell]:
    """`parts` that add up to `total`, with a second cell hidden when exactly one is: a shown total
    less the shown parts would give the hidden one back. The smallest other part goes (the first of
    equals); a total itself under 5 gives nothing away that its parts do not."""
    if total.withheld:
        return parts
    withheld = [index for index, part in enumerate(parts) if part.withheld]
    others = [index for index, part in enumerate(parts) if not part.withheld]
    if len(withheld) != 1 or not others:
        return parts
    smallest = min(others, key=lambda index: (parts[index].value or 0, index))
    return [replace(part, hidden=True) if index == smallest else part for index, part in enumerate(parts)]


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


def evaluation(user: User, period: str = "year", year: int | None = None) -> Evaluation:
    """The cohorts of the cases `user` knows of, by `period` ("year" or "quarter"); only the
    cohorts of `year` when given. Two queries, whatever the number of cases: the cohorts, and their
    goals' outcomes."""
    trunc = TruncYear if period == "year" else TruncQuarter
    cases = Case.objects.restrict(user, Action.VIEW_SUMMARY)
    if year is not None:
        cases = cases.filter(opened_at__year=year)
    # Closures and withdrawals are rows of the full file; the cases are those the viewer knows of,
    # at summary level: their rows are counted (dates and codes, never a word), as the goals'
    # outcomes are (decision 101). A closure stays counted when its case is reopened.
    closures = Closure._base_manager.filter(case_id=OuterRef("pk"))
    withdrawals = Withdrawal._base_manager.filter(case_id=OuterRef("pk"))
    one_year_on = ExpressionWrapper(OuterRef("decided_on") + RE_REFERRAL_WITHIN, output_field=DateField())
    referred_again = Referral.objects.restrict(user, Action.VIEW).filter(
        family_id=OuterRef(OuterRef("family_id")),
        received_at__date__gt=OuterRef("decided_on"),
        received_at__date__lte=one_year_on,
    )
    first_closure = Subquery(closures.order_by("decided_on").values("decided_on")[:1], output_field=DateField())
    typologies = {
        key: Exists(closures.filter(typology=key)) | Exists(withdrawals.filter(typology=key)) for key in Typology.values
    }
    rows = list(
        cases.annotate(
            cohort=trunc("opened_at", output_field=DateField()),
            withdrew=Exists(withdrawals),
            ever_closed=Exists(closures),
            reopened=Exists(closures.filter(reopened_at__isnull=False)),
            again=Exists(closures.filter(Exists(referred_again))),
            first_closed=first_closure,
        )
        .order_by()
        .values("cohort")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(closed_at__isnull=True)),
            closed=Count("pk", filter=Q(closed_at__isnull=False)),
            ever_closed_n=Count("pk", filter=Q(ever_closed=True)),
            reopened_n=Count("pk", filter=Q(reopened=True)),
            withdrew_n=Count("pk", filter=Q(withdrew=True)),
            contact_on_time=Count("pk", filter=Q(first_contact_on__lte=F("first_contact_due_on"))),
            contact_made=Count("pk", filter=Q(first_contact_on__isnull=False)),
            again_n=Count("pk", filter=Q(again=True)),
            days=Avg(DaysBetween("first_closed", TruncDate("opened_at"))),
            **{f"band_{key}": Count("pk", filter=Q(stage__in=stages)) for key, _label, stages in STEP_BANDS},
            **{f"typology_{key}": Count("pk", filter=condition) for key, condition in typologies.items()},
        )
        .order_by("cohort")
    )
    # The goals' outcomes recorded at closure or withdrawal (decision 103), per cohort of their cases:
    # codes counted in one more query, never a note; a cell is suppressed by the cases behind it.
    outcomes: dict[tuple[datetime.date, str], Cell] = {}
    for row in (
        GoalOutcome._base_manager.filter(case__in=cases.order_by().values("pk"))
        .annotate(cohort=trunc("case__opened_at", output_field=DateField()))
        .values("cohort", "outcome")
        .annotate(n=Count("pk"), cases=Count("case_id", distinct=True))
        .order_by()
    ):
        outcomes[row["cohort"], row["outcome"]] = Cell(row["n"], row["cases"])
    reached = (GoalOutcome.Outcome.ACHIEVED, GoalOutcome.Outcome.PARTLY, GoalOutcome.Outcome.NOT_ACHIEVED)
    columns = (
        _("Cases"),
        *(str(label) for _key, label, _stages in STEP_BANDS),
        _("Still open"),
        _("Closed"),
        _("Reopened after a closure"),
        _("Family withdrew"),
        _("First contact made"),
        _("First contact on time"),
        _("Average days from opening to the first closure"),
        _("Referred again within 12 months of a closure"),
        _("Goals achieved"),
        _("Goals partly achieved"),
        _("Goals not achieved"),
        *(_("Turned out: %(typology)s") % {"typology": label} for label in Typology.labels),
    )
    table = []
    for row in rows:
        total = shown(row["total"])
        bands = secondary(total, [shown(row[f"band_{key}"]) for key, _label, _stages in STEP_BANDS])
        still_open, closed = secondary(total, [shown(row["open"]), shown(row["closed"])])
        cells = (
            total,
            *bands,
            still_open,
            closed,
            shown(row["reopened_n"]),
            shown(row["withdrew_n"]),
            shown(row["contact_made"]),
            shown(row["contact_on_time"]),
            Cell(row["days"], row["ever_closed_n"]),
            shown(row["again_n"]),
            *(outcomes.get((row["cohort"], outcome), shown(0)) for outcome in reached),
            *(shown(row[f"typology_{key}"]) for key in Typology.values),
        )
        table.append((_label(period, row["cohort"]), cells))
    return Evaluation(period, columns, tuple(table), tuple(row["cohort"] for row in rows))
