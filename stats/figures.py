"""The dashboards' figures (decision 105): each is counted in the database (GROUP BY and filtered
COUNTs, one or two queries whatever the caseload) over the rows the viewer may know of, read
through `restrict(user, action)` at the level the figure needs, and says which level that is.

Three boards, by what the viewer does: a caseworker's (their caseload by step, what is due), a
supervisor's (the agency's caseload per worker, overdue by kind, what waits for an owner) and a
panel seat's (the panel's open cases by step, referrals by channel, concern, age band and outcome
over time, the 24-hour triage and the first contact against their deadlines, closures, withdrawals
and reopenings). Nothing here reads a word of content: codes, dates and counts only.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, cast

from django.db.models import Case as Choose
from django.db.models import (
    CharField,
    Count,
    DateField,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import ExtractYear, TruncDate, TruncQuarter
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from agencies.access import Action, UserAccess
from agencies.models import Membership, User
from agencies.people import display_name, remember_people
from cases.models import Case
from interventions.models import Closure, FollowUp, Withdrawal
from referrals.models import Referral
from referrals.service_models import Median

from .disclosure import Relation, protect

__all__ = [
    "AGE_BANDS",
    "SMALL",
    "Board",
    "DaysBetween",
    "Figure",
    "HoursBetween",
    "Row",
    "age_band",
    "below_five",
    "boards_for",
    "panel_board",
    "protected",
    "quarter_label",
    "quarters_back",
    "quarters_of",
]

# What each figure counts, as the page says it under the figure.
COUNTS_KNOWN = gettext_lazy("Counts the cases you know of, at summary level or in full.")
COUNTS_FULL = gettext_lazy("Counts only the cases whose file you read in full.")
COUNTS_REFERRALS = gettext_lazy("Counts the referrals to your panels that you may read.")
COUNTS_MINE = gettext_lazy("Counts your own open cases.")

# Age at referral, in whole years between the year of birth and the year received (the year of
# birth is what anonymisation keeps, so a band never moves: decision 107); else the age reported.
AGE_BANDS = (
    ("under_12", gettext_lazy("Under 12")),
    ("12_13", gettext_lazy("12 to 13")),
    ("14_17", gettext_lazy("14 to 17")),
    ("18_25", gettext_lazy("18 to 25")),
    ("26_over", gettext_lazy("26 and over")),
    ("unknown", gettext_lazy("Age not known")),
)
# A referral's outcome, from its status.
REFERRAL_OUTCOMES = (
    ("waiting", gettext_lazy("Still being triaged or discussed"), Referral.OPEN_STATUSES),
    ("case", gettext_lazy("Case opened"), (Referral.Status.CASE_OPENED,)),
    ("closed", gettext_lazy("Closed without a case"), (Referral.Status.CLOSED,)),
    ("added", gettext_lazy("Added to an earlier record"), (Referral.Status.ADDED,)),
)
NOT_SHOWN = "\u2013"  # an en dash: no value, or a median over too few rows
HIDDEN = "[c]"  # a count hidden so that no count under 5 can be worked out from the others
SMALL = 5  # in what leaves the room (the yearly report, the evaluation), a count under this is "<5"
QUARTERS = 4  # the figures over time: the last four quarters, this one included
SOON = datetime.timedelta(days=7)


@dataclass(frozen=True)
class Row:
    """One line of a figure's table: a label and a count per column."""

    label: str
    values: tuple[int | None, ...]  # None: nothing to measure (a median over no row)


@dataclass(frozen=True)
class Figure:
    """One chart and the table beside it: rows (the chart's labels) by columns (its series)."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    counts: StrOrPromise  # what it counts (COUNTS_*), said under the figure
    chart: str = "bar"  # "bar", "stacked" (columns stacked), "line"
    horizontal: bool = False
    median: bool = False  # the first column is a median, the second how many rows lie behind it
    hidden: frozenset[tuple[int, int]] = frozenset()  # (row, column) printed "[c]": see `protected`

    def suppressed_rows(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The table as printed for the partners (decision 107): a count of 1 to 4 as "<5", a
        median over fewer than 5 rows not shown, and a count hidden by `protected` as "[c]"."""
        rows = []
        for index, row in enumerate(self.rows):
            cells: tuple[str, ...]
            if self.median:
                value, behind = row.values
                small = behind is not None and 0 < behind < SMALL
                cells = (NOT_SHOWN if small or value is None else str(value), self._count(index, 1, behind))
            else:
                cells = tuple(self._count(index, column, value) for column, value in enumerate(row.values))
            rows.append((row.label, cells))
        return tuple(rows)

    def _count(self, row: int, column: int, value: int | None) -> str:
        printed = below_five(value)
        return HIDDEN if (row, column) in self.hidden and printed != "<5" else printed

    @property
    def total(self) -> int:
        return sum(value or 0 for row in self.rows for value in row.values)

    def chart_data(self) -> dict[str, Any]:
        """What static/ura/charts.js draws, given to it in a json_script element."""
        return {
            "type": self.chart,
            "horizontal": self.horizontal,
            "labels": [row.label for row in self.rows],
            "datasets": [
                {"label": column, "data": [row.values[i] for row in self.rows]} for i, column in enumerate(self.columns)
            ],
        }


@dataclass(frozen=True)
class Board:
    """The figures for one part of the viewer's work."""

    key: str
    title: str
    figures: tuple[Figure, ...] = field(default_factory=tuple)
    counted_at: datetime.datetime | None = None  # set when the board was kept a while (stats.cache)


def below_five(value: int | None) -> str:
    """A count as it leaves the room: "<5" for 1 to 4."""
    if value is None:
        return NOT_SHOWN
    return "<5" if 0 < value < SMALL else str(value)


def quarters_back(today: datetime.date, count: int = QUARTERS) -> list[datetime.date]:
    """The first days of the last `count` quarters, oldest first, this one included."""
    first = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quarters = [first]
    for _step in range(count - 1):
        month, year = first.month - 3, first.year
        if month < 1:
            month, year = month + 12, year - 1
        first = datetime.date(year, month, 1)
        quarters.append(first)
    return quarters[::-1]


def _next_quarter(first: datetime.date) -> datetime.date:
    return datetime.date(first.year + 1, 1, 1) if first.month == 10 else datetime.date(first.year, first.month + 3, 1)


def quarters_of(year: int) -> list[datetime.date]:
    """The first days of the four quarters of `year`."""
    return [datetime.date(year, month, 1) for month in (1, 4, 7, 10)]


def quarter_label(day: datetime.date) -> str:
    return _("%(year)s Q%(quarter)s") % {"year": day.year, "quarter": (day.month - 1) // 3 + 1}


def _day(value: Any) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def age_band() -> Any:
    """The referral's age band at referral, computed in the database (see AGE_BANDS)."""
    age = Choose(
        When(
            subject_date_of_birth__isnull=False,
            then=ExtractYear("received_at") - ExtractYear("subject_date_of_birth"),
        ),
        default="subject_age",
        output_field=IntegerField(),
    )
    return Choose(
        When(Q(subject_date_of_birth__isnull=True, subject_age__isnull=True), then=Value("unknown")),
        When(LessThan(age, 12), then=Value("under_12")),
        When(LessThan(age, 14), then=Value("12_13")),
        When(LessThan(age, 18), then=Value("14_17")),
        When(LessThan(age, 26), then=Value("18_25")),
        default=Value("26_over"),
    )


class HoursBetween(Func):
    """The hours from one moment to a later one, computed in the database (a float)."""

    arity = 2
    output_field = FloatField()
    arg_joiner = ") - julianday("
    template = "((julianday(%(expressions)s)) * 24.0)"

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=" - ", **extra_context)


class DaysBetween(Func):
    """The days from one date to a later one, computed in the database (a float)."""

    arity = 2
    output_field = FloatField()
    arg_joiner = ") - julianday("
    template = "(julianday(%(expressions)s))"

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="((%(expressions)s)::float)", arg_joiner=" - ", **extra_context
        )


def _rounded(value: float | None) -> int | None:
    return None if value is None else round(value)


def _stage_rows(counts: dict[int, int]) -> tuple[Row, ...]:
    return tuple(Row(str(label), (counts.get(value, 0),)) for value, label in Case.Stage.choices)


def _by_stage(cases: QuerySet[Case]) -> dict[int, int]:
    return {row["stage"]: row["n"] for row in cases.order_by().values("stage").annotate(n=Count("pk"))}


def _due(prefix: str, today: datetime.date, **open_when: Any) -> dict[str, Any]:
    """Three filtered counts of one date column: overdue, due within a week, later."""
    soon = today + SOON
    return {
        f"{prefix}_overdue": Count("pk", filter=Q(**open_when, **{f"{prefix}__lt": today})),
        f"{prefix}_soon": Count("pk", filter=Q(**open_when, **{f"{prefix}__gte": today, f"{prefix}__lte": soon})),
        f"{prefix}_later": Count("pk", filter=Q(**open_when, **{f"{prefix}__gt": soon})),
    }


def _due_row(label: str, counts: dict[str, int], prefix: str) -> Row:
    return Row(label, (counts[f"{prefix}_overdue"], counts[f"{prefix}_soon"], counts[f"{prefix}_later"]))


# --- The caseworker's board -------------------------------------------------------------------


def practitioner_board(user: User, today: datetime.date) -> Board:
    mine = Case.objects.restrict(user, Action.VIEW).filter(owner_id=user.pk, closed_at__isnull=True)
    by_stage = Figure(
        "my_caseload",
        _("My open cases by step"),
        (_("Cases"),),
        _stage_rows(_by_stage(mine)),
        COUNTS_MINE,
        horizontal=True,
    )
    deadlines = mine.order_by().aggregate(
        **_due("first_contact_due_on", today, first_contact_on__isnull=True),
        **_due("next_review_on", today),
    )
    follow_ups = (
        FollowUp.objects.restrict(user, Action.VIEW)
        .pending()
        .filter(case__owner_id=user.pk)
        .order_by()
        .aggregate(**_due("due_on", today))
    )
    due = Figure(
        "my_due",
        _("What is due on my cases"),
        (_("Overdue"), _("Due within 7 days"), _("Later")),
        (
            _due_row(_("First contact"), deadlines, "first_contact_due_on"),
            _due_row(_("Plan review"), deadlines, "next_review_on"),
            _due_row(_("Post-exit follow-up"), follow_ups, "due_on"),
        ),
        COUNTS_MINE,
        chart="stacked",
    )
    return Board("practitioner", _("My work"), (by_stage, due))


# --- The supervisor's board -------------------------------------------------------------------


def _overdue_condition(today: datetime.date) -> Q:
    return Q(first_contact_on__isnull=True, first_contact_due_on__lt=today) | Q(next_review_on__lt=today)


def supervisor_board(user: User, today: datetime.date) -> Board:
    supervised = UserAccess.of(user).supervised_agency_ids
    cases = Case.objects.restrict(user, Action.VIEW).filter(owning_agency_id__in=supervised, closed_at__isnull=True)
    # One read of the supervised agencies' open cases (their covering index, decision 167) by owner
    # and owning agency gives all three figures' counts of cases: summed here by owner, by kind, and
    # over the owners who no longer work cases at the agency (three reads of the same rows before).
    groups = list(
        cases.order_by()
        .values("owner_id", "owning_agency_id")
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=_overdue_condition(today)),
            first_contact=Count("pk", filter=Q(first_contact_on__isnull=True, first_contact_due_on__lt=today)),
            review=Count("pk", filter=Q(next_review_on__lt=today)),
        )
    )
    owner_ids = {row["owner_id"] for row in groups}
    owners = {owner.pk: owner for owner in User.objects.filter(pk__in=owner_ids)}
    remember_people(owners.values())
    works_cases = set(
        Membership.objects.filter(
            user_id__in=owner_ids,
            agency_id__in={row["owning_agency_id"] for row in groups},
            role__in=Membership.CASEWORK_ROLES,
        ).values_list("user_id", "agency_id")
    )
    per_owner: dict[int, list[int]] = {}
    for row in groups:
        counts = per_owner.setdefault(row["owner_id"], [0, 0])
        counts[0] += row["n"]
        counts[1] += row["overdue"]
    caseload = Figure(
        "caseload_per_worker",
        _("Open cases per worker"),
        (_("Open cases"), _("With a deadline passed")),
        tuple(
            Row(display_name(owners[owner_id], user), (n, overdue))
            for owner_id, (n, overdue) in sorted(per_owner.items(), key=lambda item: (-item[1][0], item[0]))
        ),
        COUNTS_FULL,
        horizontal=True,
    )
    case_overdue = {kind: sum(row[kind] for row in groups) for kind in ("first_contact", "review")}
    follow_ups = (
        FollowUp.objects.restrict(user, Action.VIEW).overdue().filter(case__owning_agency_id__in=supervised).count()
    )
    referrals = Referral.objects.restrict(user, Action.VIEW).filter(received_by_id__in=supervised)
    triage = referrals.triage_overdue().count()
    overdue = Figure(
        "overdue_by_kind",
        _("Overdue, by kind"),
        (_("Overdue"),),
        (
            Row(_("Triage within 24 hours"), (triage,)),
            Row(_("First contact"), (case_overdue["first_contact"],)),
            Row(_("Plan review"), (case_overdue["review"],)),
            Row(_("Post-exit follow-up"), (follow_ups,)),
        ),
        COUNTS_FULL,
        horizontal=True,
    )
    open_referrals = referrals.filter(status__in=Referral.OPEN_STATUSES).order_by()
    waiting = {row["status"]: row["n"] for row in open_referrals.values("status").annotate(n=Count("pk"))}
    orphaned = sum(row["n"] for row in groups if (row["owner_id"], row["owning_agency_id"]) not in works_cases)
    unallocated = Figure(
        "unallocated",
        _("Waiting for an owner"),
        (_("Number"),),
        (
            *(Row(str(Referral.Status(status).label), (waiting.get(status, 0),)) for status in Referral.OPEN_STATUSES),
            Row(_("Open cases whose owner no longer works cases here"), (orphaned,)),
        ),
        COUNTS_FULL,
        horizontal=True,
    )
    return Board("supervisor", _("My agency"), (caseload, overdue, unallocated))


# --- The panel's board ------------------------------------------------------------------------


def _over_quarters(rows: Iterable[dict[str, Any]], quarters: list[datetime.date], keys: list[str]) -> tuple[Row, ...]:
    """Rows by quarter, a column per key, from rows of (quarter, key, n)."""
    counts: dict[tuple[datetime.date, str], int] = {}
    for row in rows:
        counts[(_day(row["quarter"]), str(row["key"]))] = row["n"]
    return tuple(Row(quarter_label(q), tuple(counts.get((q, key), 0) for key in keys)) for q in quarters)


def _by_quarter_each(
    qs: QuerySet[Any], column: str, keys: dict[str, Any], since: Any, until: Any
) -> dict[str, list[dict[str, Any]]]:
    """The rows counted by quarter for each of several keys, in one query (decision 150): they are
    grouped by quarter and every key together (as many groups as the keys have values, however many
    rows), and each key's counts are those groups summed."""
    grouped = (
        qs.filter(**{f"{column}__gte": since, f"{column}__lt": until})
        .order_by()
        .values(
            quarter=TruncQuarter(column, output_field=DateField()),
            **{f"by_{name}": F(key) if isinstance(key, str) else key for name, key in keys.items()},
        )
        .annotate(n=Count("pk"))
    )
    counts: dict[str, Counter[tuple[Any, Any]]] = {name: Counter() for name in keys}
    for row in grouped:
        for name in keys:
            counts[name][row["quarter"], row[f"by_{name}"]] += row["n"]
    return {
        name: [{"quarter": quarter, "key": key, "n": n} for (quarter, key), n in counted.items()]
        for name, counted in counts.items()
    }


def _endings(panels: Iterable[int], since: datetime.datetime, until: datetime.datetime) -> list[dict[str, Any]]:
    """The closures decided, the closures reopened and the withdrawals on `panels` in the period
    (`since` and `until` begin quarters), by quarter: one query of three counts, each read from its
    own index on the rows' panel (decision 172), never from the panel's cases."""
    first, after = since.date(), until.date()
    closures = Closure._base_manager.filter(panel_id__in=panels)
    withdrawals = Withdrawal._base_manager.filter(panel_id__in=panels)

    def counted(rows: QuerySet[Any], column: str, key: str, start: Any, end: Any) -> QuerySet[Any]:
        grouped: QuerySet[Any] = (
            rows.filter(**{f"{column}__gte": start, f"{column}__lt": end})
            .order_by()
            .values(quarter=TruncQuarter(column, output_field=DateField()), key=Value(key, output_field=CharField()))
            .annotate(n=Count("*"))
        )
        return grouped

    closed = counted(closures, "decided_on", "closed", first, after)
    reopened = counted(closures.filter(reopened_at__isnull=False), "reopened_at", "reopened", since, until)
    withdrawn = counted(withdrawals, "withdrawn_on", "withdrawn", first, after)
    return list(closed.union(reopened, withdrawn, all=True))


def _since(quarters: list[datetime.date]) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(quarters[0], datetime.time.min))


def panel_board(user: User, today: datetime.date, quarters: list[datetime.date] | None = None) -> Board:
    """The panel seat's figures over `quarters` (by default the last four, this one included)."""
    panels = UserAccess.of(user).panel_ids
    known = Case.objects.restrict(user, Action.VIEW_SUMMARY)
    on_panels = known.filter(panel_id__in=panels)
    funnel = Figure(
        "panel_stages",
        _("The panel's open cases by step"),
        (_("Cases"),),
        _stage_rows(_by_stage(on_panels.filter(closed_at__isnull=True))),
        COUNTS_KNOWN,
        horizontal=True,
    )
    quarters = quarters or quarters_back(today)
    since, until = _since(quarters), _since([_next_quarter(quarters[-1])])
    # The panel's referrals: those sent to one of the viewer's panels, among those they may read.
    referrals = Referral.objects.restrict(user, Action.VIEW).filter(panel_id__in=panels)
    outcome = Choose(
        *(When(status__in=list(statuses), then=Value(key)) for key, _label, statuses in REFERRAL_OUTCOMES),
        default=Value("waiting"),
    )
    # The four tables split the same referrals: counted together, in one query.
    split = _by_quarter_each(
        referrals.annotate(band=age_band()),
        "received_at",
        {"channel": "channel", "ideology": "ideology", "band": "band", "outcome": outcome},
        since,
        until,
    )
    channels = [value for value, _label in Referral.Channel.choices]
    by_channel = Figure(
        "referrals_by_channel",
        _("Referrals by channel"),
        tuple(str(label) for _value, label in Referral.Channel.choices),
        _over_quarters(split["channel"], quarters, channels),
        COUNTS_REFERRALS,
        chart="stacked",
    )
    ideologies = [value for value, _label in Referral.Ideology.choices]
    by_concern = Figure(
        "referrals_by_concern",
        _("Referrals by concern"),
        tuple(str(label) for _value, label in Referral.Ideology.choices),
        _over_quarters(split["ideology"], quarters, ideologies),
        COUNTS_REFERRALS,
        chart="stacked",
    )
    by_age = Figure(
        "referrals_by_age",
        _("Referrals by age at referral"),
        tuple(str(label) for _value, label in AGE_BANDS),
        _over_quarters(split["band"], quarters, [value for value, _label in AGE_BANDS]),
        COUNTS_REFERRALS,
        chart="stacked",
    )
    by_outcome = Figure(
        "referrals_by_outcome",
        _("Referrals by outcome"),
        tuple(str(label) for _key, label, _statuses in REFERRAL_OUTCOMES),
        _over_quarters(split["outcome"], quarters, [key for key, _label, _statuses in REFERRAL_OUTCOMES]),
        COUNTS_REFERRALS,
        chart="stacked",
    )
    now = timezone.now()
    triage = (
        referrals.filter(received_at__gte=since, received_at__lt=until)
        .order_by()
        .aggregate(
            on_time=Count("pk", filter=Q(triaged_at__isnull=False, triaged_at__lte=F("triage_due_at"))),
            late=Count("pk", filter=Q(triaged_at__isnull=False, triaged_at__gt=F("triage_due_at"))),
            overdue=Count("pk", filter=Q(triaged_at__isnull=True, status=Referral.Status.NEW, triage_due_at__lt=now)),
            waiting=Count("pk", filter=Q(triaged_at__isnull=True, status=Referral.Status.NEW, triage_due_at__gte=now)),
            median=Median(HoursBetween("triaged_at", "received_at")),
            measured=Count("triaged_at"),
        )
    )
    contact = (
        on_panels.filter(opened_at__gte=since, opened_at__lt=until, first_contact_due_on__isnull=False)
        .order_by()
        .aggregate(
            on_time=Count("pk", filter=Q(first_contact_on__lte=F("first_contact_due_on"))),
            late=Count("pk", filter=Q(first_contact_on__gt=F("first_contact_due_on"))),
            overdue=Count("pk", filter=Q(first_contact_on__isnull=True, first_contact_due_on__lt=today)),
            waiting=Count("pk", filter=Q(first_contact_on__isnull=True, first_contact_due_on__gte=today)),
            median=Median(DaysBetween("first_contact_on", TruncDate("opened_at"))),
            measured=Count("first_contact_on"),
        )
    )
    keys = ("on_time", "late", "overdue", "waiting")
    deadlines = Figure(
        "deadlines_met",
        _("Triage and first contact against their deadlines"),
        (_("On time"), _("Late"), _("Not yet, overdue"), _("Not yet, still in time")),
        (
            Row(_("Referral triaged within 24 hours"), tuple(triage[key] for key in keys)),
            Row(_("First contact within its deadline"), tuple(contact[key] for key in keys)),
        ),
        _(
            "Referrals to your panels that you may read, and the panel's cases you know of, received or opened "
            "in these quarters."
        ),
        chart="stacked",
        horizontal=True,
    )
    waits = Figure(
        "median_times",
        _("How long the first steps took"),
        (_("Median"), _("Measured")),
        (
            Row(_("From referral to triage, in hours"), (_rounded(triage["median"]), triage["measured"])),
            Row(_("From opening to first contact, in days"), (_rounded(contact["median"]), contact["measured"])),
        ),
        _(
            "The median over the referrals triaged and the cases contacted among those counted above; "
            "Measured is how many lie behind it."
        ),
        horizontal=True,
        median=True,
    )
    # Closures, withdrawals and reopenings are rows of the full file; the panel's seats know the
    # cases at summary level. The rows of those cases are counted (dates and codes, never a word of
    # them), as their goals' outcomes are (decision 101). A closure counts in the quarter it was
    # decided, and stays counted when the case is reopened later. The panel's cases a seat knows are
    # all its cases (a seat reads every case of its panels at summary level: `restrict()`'s panel
    # branch), so the rows are those kept with one of the seat's panels, read by that (decision 172);
    # a test holds them to the cases `restrict()` gives.
    endings_by_quarter = _endings(panels, since, until)
    endings = Figure(
        "closures",
        _("Closures, withdrawals and reopenings"),
        (_("Closed"), _("Family withdrew"), _("Reopened")),
        _over_quarters(endings_by_quarter, quarters, ["closed", "withdrawn", "reopened"]),
        _("Counts the closures, withdrawals and reopenings of the panel's cases you know of, by when they happened."),
    )
    figures = (funnel, by_channel, by_concern, by_age, by_outcome, deadlines, waits, endings)
    return Board("panel", _("My panels"), figures)


# The figures of the yearly report whose rows split the same referrals, quarter by quarter.
SHARING_REFERRALS = ("referrals_by_channel", "referrals_by_concern", "referrals_by_age", "referrals_by_outcome")


def protected(figures: Iterable[Figure]) -> list[Figure]:
    """The figures as the yearly report prints them (decision 138): besides the counts of 1 to 4,
    the counts to hide ("[c]") so that no count under 5 can be worked out from the tables together.
    What a reader can add up: each referral table's quarter is the quarter's referrals, the same in
    the four (so their total, printed nowhere, links them); the four quarters are the year's, which
    triage splits against its deadline; a row of the deadlines, made on time and late, is what the
    medians' "Measured" counts. A sum is used only where it holds for these counts."""
    figures = list(figures)
    values: dict[Hashable, int] = {}
    candidates: list[Relation] = []
    for figure in figures:
        for row, line in enumerate(figure.rows):
            for column, value in enumerate(line.values):
                if not (figure.median and column == 0):
                    values[figure.key, row, column] = value or 0
    by_key = {figure.key: figure for figure in figures}
    sharing = [by_key[key] for key in SHARING_REFERRALS if key in by_key]
    quarters = len(sharing[0].rows) if sharing else 0
    for index in range(quarters):
        sums = {sum(value or 0 for value in figure.rows[index].values) for figure in sharing}
        # one total where the four agree (they split the same referrals), else one each
        shared = len(sums) == 1
        for figure in sharing:
            total: Hashable = ("~referrals", index) if shared else ("~referrals", index, figure.key)
            values[total] = sum(value or 0 for value in figure.rows[index].values)
            cells = tuple((figure.key, index, column) for column in range(len(figure.columns)))
            candidates.append(Relation(total, cells))
    totals = [("~referrals", index) for index in range(quarters)]
    if quarters and all(total in values for total in totals):
        year = ("~year",)
        values[year] = sum(values[total] for total in totals)
        candidates.append(Relation(year, tuple(totals)))
        if "deadlines_met" in by_key:
            candidates.append(Relation(year, tuple(("deadlines_met", 0, column) for column in range(4))))
    if "deadlines_met" in by_key and "median_times" in by_key:
        for row in range(len(by_key["median_times"].rows)):
            candidates.append(
                Relation(("median_times", row, 1), (("deadlines_met", row, 0), ("deadlines_met", row, 1)))
            )
    relations = [
        relation
        for relation in candidates
        if all(cell in values for cell in relation.cells())
        and values[relation.total] == sum(values[part] for part in relation.parts)
    ]
    sensitive = {key for key, value in values.items() if 0 < value < SMALL}
    published = {key for key in values if not str(cast(tuple[Any, ...], key)[0]).startswith("~")}
    hidden = protect(
        values, relations, published=published, sensitive=sensitive, withheld=sensitive & published, order=repr
    )
    return [
        replace(
            figure,
            hidden=frozenset(
                (row, column) for key, row, column in cast(set[tuple[str, int, int]], hidden) if key == figure.key
            ),
        )
        for figure in figures
    ]


def boards_for(user: User, today: datetime.date | None = None) -> list[Board]:
    """The boards of the viewer's roles: a caseworker's, a supervisor's, a panel seat's."""
    today = today or timezone.localdate()
    access = UserAccess.of(user)
    boards = []
    if access.casework_agency_ids:
        boards.append(practitioner_board(user, today))
    # The wide boards are counted at most every few minutes (issue 19); imported here, as the cache
    # module builds on this one.
    from .cache import counted_at_most_every

    if access.supervised_agency_ids:
        boards.append(counted_at_most_every("supervisor", user, today, supervisor_board))
    if access.panel_ids:
        boards.append(counted_at_most_every("panel", user, today, panel_board))
    return boards
