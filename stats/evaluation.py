"""The anonymised evaluation statistics (decision 107): cohorts of cases by the period (year or
quarter) in which they were opened from their referral, the step reached, the outcome, how long
it took, and whether the family was referred again within twelve months of the closure.

Counted in the database over the cases the viewer knows of (`restrict(user, VIEW_SUMMARY)`); the
closures and withdrawals of those cases (rows of the full file) are counted by their dates and
codes only. Every cell of 1 to 4 cases is shown as "<5", and so is an average over fewer than five
cases; then more cells are hidden ("[c]") until no count under 5, printed or not, can be worked
out from what the year table and the quarter table show (`stats.disclosure`, decision 138). Only
codes, dates and links are read, the columns the retention anonymisation keeps
(`privacy.retention`), so anonymising old cases leaves every number as it was.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, replace
from typing import cast

from django.db.models import Count, DateField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate, TruncQuarter
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.access import Action
from agencies.models import User
from cases.models import Case
from interventions.models import Closure, GoalOutcome, Typology, Withdrawal
from referrals.models import Referral

from .disclosure import Relation, protect
from .figures import SMALL, DaysBetween, quarter_label

__all__ = ["HIDDEN", "PERIODS", "SMALL", "Cell", "Evaluation", "evaluation", "shown"]

HIDDEN = "[c]"  # a cell hidden so that no count under 5 can be worked out from the others
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
    as "[c]" when it is hidden so that no such count can be worked out from the others."""

    value: float | int | None
    behind: int  # how many cases the value is made of
    hidden: bool = False  # secondary suppression: see `_protected`

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


# The counts of a cohort, in the table's order (after the cases and the step bands). Each counts
# cases of the cohort, so the cases less any of them is a count too, printed or not (decision 138).
SUBSETS = ("reopened", "withdrew", "contact_made", "again", *(f"typology_{key}" for key in Typology.values))
REACHED = (GoalOutcome.Outcome.ACHIEVED, GoalOutcome.Outcome.PARTLY, GoalOutcome.Outcome.NOT_ACHIEVED)
COLUMNS = (
    "cases",
    *(f"band_{key}" for key, _label, _stages in STEP_BANDS),
    "open",
    "closed",
    "reopened",
    "withdrew",
    "contact_made",
    "contact_on_time",
    "days",
    "again",
    *(f"goals_{outcome}" for outcome in REACHED),
    *(f"typology_{key}" for key in Typology.values),
)
AVERAGES = ("days",)  # not a count: no total adds it up
RowKey = tuple[str, datetime.date]  # ("year" or "quarter", its first day)
CellKey = tuple[RowKey, str]  # a row and a column ("~..." for a count printed nowhere)


def _titles() -> tuple[str, ...]:
    return (
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


def _row_relations(row: RowKey) -> list[Relation]:
    """What one row's cells add up to: the step bands and still open / closed make the cases; first
    contact made is made on time and not ("~" cells are printed nowhere); each count of cases is
    its cases and the others."""

    def cell(column: str) -> CellKey:
        return (row, column)

    return [
        Relation(cell("cases"), tuple(cell(f"band_{key}") for key, _label, _stages in STEP_BANDS)),
        Relation(cell("cases"), (cell("open"), cell("closed"))),
        Relation(cell("contact_made"), (cell("contact_on_time"), cell("~contact_not_on_time"))),
        *(Relation(cell("cases"), (cell(column), cell(f"~not_{column}"))) for column in SUBSETS),
    ]


@dataclass
class _Counts:
    """One cohort's counts (a quarter's from the database, a year's their sums): the number of each
    column, the cases behind it, and the complements of `_row_relations`."""

    number: dict[str, float | int | None]
    behind: dict[str, int]

    @classmethod
    def of_quarter(cls, row: dict[str, object], outcomes: dict[str, tuple[int, int]]) -> _Counts:
        number: dict[str, float | int | None] = {column: _int(row[column]) for column in COLUMNS if column in row}
        behind: dict[str, int] = {column: _int(row[column]) for column in COLUMNS if column in row}
        for outcome in REACHED:
            goals, cases = outcomes.get(outcome, (0, 0))
            number[f"goals_{outcome}"], behind[f"goals_{outcome}"] = goals, cases
        number["days_sum"], behind["days"] = row["days_sum"], _int(row["ever_closed"])  # type: ignore[assignment]
        return cls(number, behind)

    @classmethod
    def added(cls, parts: list[_Counts]) -> _Counts:
        number: dict[str, float | int | None] = {}
        for key in parts[0].number:
            values = [part.number[key] for part in parts if part.number[key] is not None]
            number[key] = sum(values) if values else None  # type: ignore[arg-type]
        behind = {key: sum(part.behind[key] for part in parts) for key in parts[0].behind}
        return cls(number, behind)

    def cells(self) -> dict[str, Cell]:
        cells = {column: Cell(self.number[column], self.behind[column]) for column in COLUMNS if column not in AVERAGES}
        total, closed = self.number["days_sum"], self.behind["days"]
        cells["days"] = Cell(None if total is None or not closed else float(total) / closed, closed)
        return cells

    def complements(self) -> dict[str, int]:
        cases = _int(self.number["cases"])
        made, on_time = _int(self.number["contact_made"]), _int(self.number["contact_on_time"])
        return {
            "~contact_not_on_time": made - on_time,
            **{f"~not_{column}": cases - _int(self.number[column]) for column in SUBSETS},
        }


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | float) else 0


def _protected(year: datetime.date, quarters: dict[datetime.date, _Counts]) -> dict[RowKey, dict[str, Cell]]:
    """The cells of a year and of its quarters, suppressed together (decision 138): the year table
    and the quarter table are both published, and a year is the sum of its quarters, so a cell of
    either is hidden until no count under 5, printed or not, follows from what either shows."""
    rows: dict[RowKey, _Counts] = {("quarter", day): counts for day, counts in quarters.items()}
    rows["year", year] = _Counts.added(list(quarters.values()))
    cells = {row: counts.cells() for row, counts in rows.items()}
    values: dict[Hashable, int] = {}
    sensitive: set[Hashable] = set()
    for row, counts in rows.items():
        for column, cell in cells[row].items():
            if column in AVERAGES:
                continue
            values[row, column] = _int(cell.value)
            if cell.suppressed:
                sensitive.add((row, column))
        for column, value in counts.complements().items():
            values[row, column] = value
            if 0 < value < SMALL:
                sensitive.add((row, column))
    relations = [relation for row in rows for relation in _row_relations(row)]
    relations += [
        Relation((("year", year), column), tuple((("quarter", day), column) for day in quarters))
        for column in COLUMNS
        if column not in AVERAGES
    ]
    published: set[Hashable] = {key for key in values if not cast(CellKey, key)[1].startswith("~")}
    withheld = {key for key in published if key in sensitive}
    place = {column: index for index, column in enumerate(COLUMNS)}

    def order(key: Hashable) -> tuple[int, datetime.date, int, str]:
        (period, day), column = cast(CellKey, key)
        # Among equal values, a quarter's cell goes before the year's, then by date and column.
        return (0 if period == "quarter" else 1, day, place.get(column, len(place)), column)

    # A goals' cell is "<5" by the cases behind it: its value, the goals, may be more.
    uncapped = {key for key in withheld if values[key] >= SMALL}
    hidden = protect(
        values, relations, published=published, sensitive=sensitive, withheld=withheld, order=order, uncapped=uncapped
    )
    for key in hidden:
        row, column = cast(CellKey, key)
        cells[row][column] = replace(cells[row][column], hidden=True)
    return cells


def _label(period: str, day: datetime.date) -> str:
    return str(day.year) if period == "year" else quarter_label(day)


def evaluation(user: User, period: str = "year", year: int | None = None) -> Evaluation:
    """The cohorts of the cases `user` knows of, by `period` ("year" or "quarter"); only the
    cohorts of `year` when given. Two queries, whatever the number of cases: the cohorts by
    quarter (a year's are their sums), and their goals' outcomes."""
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
            cohort=TruncQuarter("opened_at", output_field=DateField()),
            withdrew_any=Exists(withdrawals),
            ever_closed_any=Exists(closures),
            reopened_any=Exists(closures.filter(reopened_at__isnull=False)),
            again_any=Exists(closures.filter(Exists(referred_again))),
            first_closed=first_closure,
        )
        .order_by()
        .values("cohort")
        .annotate(
            cases=Count("pk"),
            open=Count("pk", filter=Q(closed_at__isnull=True)),
            closed=Count("pk", filter=Q(closed_at__isnull=False)),
            ever_closed=Count("pk", filter=Q(ever_closed_any=True)),
            reopened=Count("pk", filter=Q(reopened_any=True)),
            withdrew=Count("pk", filter=Q(withdrew_any=True)),
            contact_on_time=Count("pk", filter=Q(first_contact_on__lte=F("first_contact_due_on"))),
            contact_made=Count("pk", filter=Q(first_contact_on__isnull=False)),
            again=Count("pk", filter=Q(again_any=True)),
            days_sum=Sum(DaysBetween("first_closed", TruncDate("opened_at"))),
            **{f"band_{key}": Count("pk", filter=Q(stage__in=stages)) for key, _label, stages in STEP_BANDS},
            **{f"typology_{key}": Count("pk", filter=condition) for key, condition in typologies.items()},
        )
        .order_by("cohort")
    )
    # The goals' outcomes recorded at closure or withdrawal (decision 103), per cohort of their cases:
    # codes counted in one more query, never a note; a cell is suppressed by the cases behind it.
    outcomes: dict[datetime.date, dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in (
        GoalOutcome._base_manager.filter(case__in=cases.order_by().values("pk"))
        .annotate(cohort=TruncQuarter("case__opened_at", output_field=DateField()))
        .values("cohort", "outcome")
        .annotate(n=Count("pk"), cases=Count("case_id", distinct=True))
        .order_by()
    ):
        outcomes[row["cohort"]][row["outcome"]] = (row["n"], row["cases"])
    by_year: dict[datetime.date, dict[datetime.date, _Counts]] = defaultdict(dict)
    for row in rows:
        by_year[row["cohort"].replace(month=1)][row["cohort"]] = _Counts.of_quarter(row, outcomes[row["cohort"]])
    table: list[tuple[str, tuple[Cell, ...]]] = []
    cohorts: list[datetime.date] = []
    for first_day, quarters in sorted(by_year.items()):
        cells = _protected(first_day, quarters)
        shown_rows = [("year", first_day)] if period == "year" else [("quarter", day) for day in sorted(quarters)]
        for row_key in shown_rows:
            table.append((_label(period, row_key[1]), tuple(cells[row_key][column] for column in COLUMNS)))
            cohorts.append(row_key[1])
    return Evaluation(period, _titles(), tuple(table), tuple(cohorts))
