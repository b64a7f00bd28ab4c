"""How a case's plan is going, at summary level (decision 101): counts and dates only, never what
the plan says, so a panel member, a coordinator or a partner who reads a case's summary learns how
the work goes without reading the file.

`with_progress(cases)` annotates a case queryset (already restricted for the reader, at summary
level) with correlated subqueries: the whole page of a list is one query, whatever its length.
`progress_of(case)` turns the annotated row into a `Progress`. The figures are the case's
(every action, goal, review and contact of the case is counted), never a row's content: no goal or
action text, no provider, no contact's particulars.
"""

import dataclasses
import datetime
from typing import Any, TypeVar

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.dispatch import receiver
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies import deadlines
from agencies.access import Action
from agencies.compiled import compiled_once
from agencies.models import PanelReminderSettings, User
from cases.models import Case, Contact, NeedsAssessment
from cases.rows import as_html
from cases.signals import summary_progress
from cases.summaries import ProgressHook

from .models import Goal, GoalProgress, InterventionPlan, PlanAction, Review

__all__ = [
    "Deadline",
    "ListCell",
    "Progress",
    "progress_cells",
    "progress_columns",
    "progress_fields",
    "progress_of",
    "progress_one",
    "timings",
    "with_progress",
]

_Q = TypeVar("_Q", bound=QuerySet[Any])
ACTIVE = InterventionPlan.Status.ACTIVE
ON_TRACK = (GoalProgress.Progress.SOME, GoalProgress.Progress.GOOD)
COUNTS = (
    "actions_planned",
    "actions_running",
    "actions_lapsed",
    "actions_done",
    "goals",
    "goals_on_track",
    "goals_off_track",
    "goals_achieved",
)


def _count(rows: QuerySet[Any]) -> Coalesce:
    """How many of `rows` (correlated to the outer case) there are, as a column."""
    counted = rows.order_by().values("case").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_progress(cases: _Q, today: datetime.date | None = None) -> _Q:
    """Annotate each case with its progress figures (`progress_<name>`), in the same query.

    `cases` must already be restricted for the reader: the figures are a summary of a case the
    reader knows, and the subqueries read the case's rows by its id only. They read nothing of the
    reader, so they are compiled once a day (agencies.compiled, decision 161).
    """
    if cases.model is not Case:  # the compiled columns name the outer table `cases_case`
        raise TypeError(f"with_progress annotates cases, not {cases.model.__name__}")
    today = today or timezone.localdate()
    return cases.annotate(**compiled_once(Case, ("progress", today), lambda: _progress_columns(today)))


def _progress_columns(today: datetime.date) -> dict[str, Any]:
    case = OuterRef("pk")
    actions = PlanAction._base_manager.filter(case=case, goal__plan__status=ACTIVE)
    latest = (
        GoalProgress._base_manager.filter(goal=OuterRef("pk"))
        .order_by("-review__held_on", "-pk")
        .values("progress")[:1]
    )
    goals = Goal._base_manager.filter(case=case, plan__status=ACTIVE).annotate(latest=Subquery(latest))
    contacts = Contact._base_manager.filter(case=case, is_draft=False, outcome=Contact.Outcome.HELD)
    reviews = Review._base_manager.filter(case=case)
    # A final entry is never edited (cases.services.entries): its last change is when it was finalised.
    assessments = NeedsAssessment._base_manager.filter(case=case, is_draft=False)
    return dict(
        progress_actions_planned=_count(actions.filter(status=PlanAction.Status.PLANNED, due_on__gte=today)),
        progress_actions_running=_count(actions.filter(status=PlanAction.Status.IN_PROGRESS, due_on__gte=today)),
        progress_actions_lapsed=_count(
            actions.filter(status__in=[PlanAction.Status.PLANNED, PlanAction.Status.IN_PROGRESS], due_on__lt=today)
        ),
        progress_actions_done=_count(actions.filter(status=PlanAction.Status.DONE)),
        progress_goals=_count(goals),
        progress_goals_on_track=_count(goals.filter(latest__in=ON_TRACK)),
        progress_goals_off_track=_count(goals.filter(latest=GoalProgress.Progress.NONE)),
        progress_goals_achieved=_count(goals.filter(latest=GoalProgress.Progress.ACHIEVED)),
        progress_has_plan=_count(InterventionPlan._base_manager.filter(case=case, status=ACTIVE)),
        progress_last_contact_at=Subquery(contacts.order_by("-occurred_at").values("occurred_at")[:1]),
        progress_last_review_on=Subquery(reviews.order_by("-held_on").values("held_on")[:1]),
        progress_assessed_at=Subquery(assessments.order_by("updated_at").values("updated_at")[:1]),
        # The panel's own deadline for the needs assessment, read with the row (the default if none).
        progress_assessment_days=Subquery(
            PanelReminderSettings._base_manager.filter(panel=OuterRef("panel")).values("needs_assessment_working_days")[
                :1
            ]
        ),
    )


@dataclasses.dataclass(frozen=True)
class Deadline:
    """A deadline of the case: when it fell or falls due, when it was met, and how it stands."""

    MET, MISSED, PENDING, NONE = "met", "missed", "pending", "none"

    due_on: datetime.date | None
    done_on: datetime.date | None
    status: str

    @classmethod
    def of(cls, due_on: datetime.date | None, done_on: datetime.date | None, today: datetime.date) -> "Deadline":
        if due_on is None:
            return cls(None, done_on, cls.NONE)
        if done_on is not None:
            return cls(due_on, done_on, cls.MET if done_on <= due_on else cls.MISSED)
        return cls(due_on, None, cls.MISSED if today > due_on else cls.PENDING)


@dataclasses.dataclass(frozen=True)
class Progress:
    """The figures of one case's plan and deadlines: counts and dates only."""

    has_plan: bool
    actions_planned: int
    actions_running: int
    actions_lapsed: int
    actions_done: int
    goals: int
    goals_on_track: int
    goals_off_track: int
    goals_achieved: int
    last_contact_on: datetime.date | None
    days_since_contact: int | None
    last_review_on: datetime.date | None
    next_review_on: datetime.date | None
    first_contact: Deadline
    assessment: Deadline

    @property
    def goals_not_reviewed(self) -> int:
        return max(self.goals - self.goals_on_track - self.goals_off_track - self.goals_achieved, 0)

    @property
    def actions(self) -> int:
        return self.actions_planned + self.actions_running + self.actions_lapsed + self.actions_done


Timings = dict[int | None, deadlines.Timing]


def timings() -> Timings:
    """Every panel's deadlines, by panel id (one query; None: the defaults)."""
    fields = [field.name for field in dataclasses.fields(deadlines.Timing)]
    found: Timings = {None: deadlines.DEFAULTS}
    for row in PanelReminderSettings._base_manager.values("panel_id", *fields):
        panel_id = row.pop("panel_id")
        found[panel_id] = deadlines.Timing(**row)
    return found


def progress_of(case: Case, today: datetime.date | None = None) -> Progress:
    """The progress of a case fetched `with_progress` (no query)."""
    today = today or timezone.localdate()
    row: dict[str, Any] = {name: getattr(case, f"progress_{name}") for name in COUNTS}
    last_contact = case.progress_last_contact_at  # type: ignore[attr-defined]
    last_contact_on = timezone.localtime(last_contact).date() if last_contact else None
    assessed = case.progress_assessed_at  # type: ignore[attr-defined]
    assessed_on = timezone.localtime(assessed).date() if assessed else None
    days = case.progress_assessment_days or deadlines.DEFAULTS.needs_assessment_working_days  # type: ignore[attr-defined]
    timing = dataclasses.replace(deadlines.DEFAULTS, needs_assessment_working_days=days)
    assessment_due = deadlines.needs_assessment_due(case.first_contact_on, timing) if case.first_contact_on else None
    return Progress(
        has_plan=bool(case.progress_has_plan),  # type: ignore[attr-defined]
        **row,
        last_contact_on=last_contact_on,
        days_since_contact=max((today - last_contact_on).days, 0) if last_contact_on else None,
        last_review_on=case.progress_last_review_on,  # type: ignore[attr-defined]
        next_review_on=None if case.is_closed else case.next_review_on,
        first_contact=Deadline.of(case.first_contact_due_on, case.first_contact_on, today),
        assessment=Deadline.of(assessment_due, assessed_on, today),
    )


def progress_one(case: Case, user: User) -> Progress | None:
    """The progress of one case, read for `user` at summary level (one query); None if they do
    not know the case."""
    known = Case.objects.restrict(user, Action.VIEW_SUMMARY).filter(pk=case.pk)
    annotated = with_progress(known).first()
    return None if annotated is None else progress_of(annotated)


def _day(value: datetime.date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value else "—"


def _deadline(deadline: Deadline) -> str:
    if deadline.status == Deadline.NONE:
        return _("No deadline set")
    status = {Deadline.MET: _("Met"), Deadline.MISSED: _("Missed"), Deadline.PENDING: _("Still to come")}
    text = f"{status[deadline.status]}, " + _("due %(due)s") % {"due": _day(deadline.due_on)}
    if deadline.done_on:
        text += ", " + _("done %(done)s") % {"done": _day(deadline.done_on)}
    return text


def progress_fields(progress: Progress) -> list[tuple[str, str]]:
    """The progress as label-value pairs for a printed summary, a pack or a file: counts and dates."""
    if progress.has_plan:
        actions = _("%(planned)s planned, %(running)s running, %(lapsed)s lapsed, %(done)s done") % {
            "planned": progress.actions_planned,
            "running": progress.actions_running,
            "lapsed": progress.actions_lapsed,
            "done": progress.actions_done,
        }
        goals = _(
            "%(on_track)s on track, %(off_track)s not on track, %(achieved)s achieved, %(unreviewed)s not yet reviewed"
        ) % {
            "on_track": progress.goals_on_track,
            "off_track": progress.goals_off_track,
            "achieved": progress.goals_achieved,
            "unreviewed": progress.goals_not_reviewed,
        }
    else:
        actions = goals = _("No running plan.")
    if progress.days_since_contact is None:
        contact = _("No contact yet")
    else:
        days = progress.days_since_contact
        contact = ngettext("%(date)s, %(days)s day ago", "%(date)s, %(days)s days ago", days) % {
            "date": _day(progress.last_contact_on),
            "days": days,
        }
    return [
        (_("Actions of the plan"), actions),
        (_("Goals of the plan"), goals),
        (_("Last contact"), contact),
        (_("Last review"), _day(progress.last_review_on)),
        (_("First contact deadline"), _deadline(progress.first_contact)),
        (_("Needs assessment deadline"), _deadline(progress.assessment)),
    ]


def progress_columns() -> list[str]:
    """The progress as spreadsheet columns: counts as numbers, dates as ISO dates (for sorting)."""
    return [
        _("Actions planned"),
        _("Actions running"),
        _("Actions lapsed"),
        _("Actions done"),
        _("Goals on track"),
        _("Goals not on track"),
        _("Goals achieved"),
        _("Days since the last contact"),
        _("Last review"),
        _("First contact deadline"),
        _("Needs assessment deadline"),
    ]


def progress_cells(progress: Progress) -> list[str]:
    status = {
        Deadline.MET: _("Met"),
        Deadline.MISSED: _("Missed"),
        Deadline.PENDING: _("Still to come"),
        Deadline.NONE: "",
    }
    counts = (
        progress.actions_planned,
        progress.actions_running,
        progress.actions_lapsed,
        progress.actions_done,
        progress.goals_on_track,
        progress.goals_off_track,
        progress.goals_achieved,
    )
    return [
        *(str(count) if progress.has_plan else "" for count in counts),
        "" if progress.days_since_contact is None else str(progress.days_since_contact),
        progress.last_review_on.isoformat() if progress.last_review_on else "",
        str(status[progress.first_contact.status]),
        str(status[progress.assessment.status]),
    ]


class ListCell:
    """A case table's progress cell (the panel's page, a row per case): counts and dates only
    (decision 101). Written in Python, as the table's other cells are (cases.rows), not a template
    rendered per row; made once per table, so the words are translated once. The msgids are those
    of the template it replaces, so the catalogue's translations apply as they were; the words are
    escaped here, which the template did not do (none of them holds a character escaping changes)."""

    def __init__(self) -> None:
        self.actions = _("Actions: %(planned)s planned, %(running)s running, %(lapsed)s lapsed, %(done)s done")
        self.goals = _("Goals on track: %(on_track)s of %(total)s")
        self.no_plan = format_html('<div class="text-body-secondary">{}</div>', _("No running plan."))
        self.no_contact = _("No contact yet")
        self.contact: dict[int, str] = {}
        danger = '<span class="badge text-bg-danger">{}</span>'
        self.first_contact_late = format_html(danger, _("First contact late"))
        self.assessment_late = format_html(danger, _("Assessment late"))
        self.lapsed = format_html('<span class="badge text-bg-warning">{}</span>', _("Lapsed actions"))

    def _contact(self, days: int | None) -> str:
        if days is None:
            return self.no_contact
        if days not in self.contact:
            text = ngettext("Last contact %(days)s day ago", "Last contact %(days)s days ago", days)
            self.contact[days] = text % {"days": days}
        return self.contact[days]

    def __call__(self, case: Case) -> SafeString:
        # Joined as strings, as the table's other cells are (`cases.rows`): every word escaped.
        progress: Progress = getattr(case, "plan_progress", None) or progress_of(case)
        plan: str = self.no_plan
        if progress.has_plan:
            actions = self.actions % {
                "planned": progress.actions_planned,
                "running": progress.actions_running,
                "lapsed": progress.actions_lapsed,
                "done": progress.actions_done,
            }
            goals = self.goals % {"on_track": progress.goals_on_track, "total": progress.goals}
            plan = f"<div>{as_html(actions)}</div>\n<div>{as_html(goals)}</div>"
        first_contact_late = self.first_contact_late if progress.first_contact.status == Deadline.MISSED else ""
        assessment_late = self.assessment_late if progress.assessment.status == Deadline.MISSED else ""
        lapsed = self.lapsed if progress.actions_lapsed else ""
        contact = as_html(self._contact(progress.days_since_contact))
        return mark_safe(  # noqa: S308 - each part escaped above or made by format_html
            f'<div class="small" data-progress-cell>\n{plan}\n<div>{contact}</div>\n'
            f"{first_contact_late}\n{assessment_late}\n{lapsed}\n</div>\n"
        )


@receiver(summary_progress, dispatch_uid="interventions.progress")
def answer_summary_progress(**kwargs: Any) -> ProgressHook:
    """A summary, the case list's file and a panel pack carry the plan's progress (decision 101)."""
    return ProgressHook(
        annotate=with_progress,
        figures=lambda case: progress_fields(progress_of(case)),
        columns=progress_columns,
        cells=lambda case: progress_cells(progress_of(case)),
        list_cell=ListCell,
    )
