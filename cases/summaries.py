"""A case's summary as it leaves Ura, on paper or in a PDF (decision 110).

What every reader of the case knows, the case page's "Summary" section (who, stage, risk level,
owner, panel, urgency, first contact, next step, next review, dates) and which agencies work it, at
the summary level whatever the reader's own level: the printed summary never carries the file's
content, so it may go to the panel table. Read through `restrict(user, view_summary)`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from agencies.access import Action
from agencies.models import User

from .involvement import involvement
from .models import Case, CaseShare
from .risk import RiskLevel
from .signals import summary_progress

__all__ = [
    "SUMMARY_RELATED",
    "ProgressHook",
    "agencies_of",
    "current_shares",
    "made_by_line",
    "progress_cells",
    "progress_columns",
    "progress_figures",
    "progress_hooks",
    "summary_fields",
    "summary_of",
    "with_progress_figures",
]

# What a summary reads with the case row.
SUMMARY_RELATED = ("family", "index_person", "owner", "owning_agency", "panel", "first_contact_agency")


def _date(value: Any) -> str:
    return date_format(value, "DATE_FORMAT") if value else "—"


def made_by_line(user: User, what: str) -> str:
    """The first line of a printed or exported page: who made it and when."""
    when = date_format(timezone.localtime(), "DATETIME_FORMAT")
    return _("%(what)s made by %(user)s on %(when)s. Confidential.") % {
        "what": what,
        "user": user.full_name or user.username,
        "when": when,
    }


def summary_fields(case: Case, agencies: list[str]) -> list[tuple[str, str]]:
    """The summary as label-value pairs, in the reader's language (the page and the PDF alike)."""
    person = case.index_person
    who = str(person) if person is not None else "—"
    age = person.age() if person is not None else None
    if age is not None:
        who += ", " + _("%(age)s years old") % {"age": age}
    first_contact = "—"
    if case.first_contact_agency is not None:
        first_contact = str(case.first_contact_agency)
        if case.first_contact_on:
            first_contact += " · " + _("made on %(held)s") % {"held": _date(case.first_contact_on)}
        elif case.first_contact_due_on:
            first_contact += " · " + _("due %(due)s") % {"due": _date(case.first_contact_due_on)}
    review = _date(case.next_review_on)
    if case.next_review_on and case.next_review_on < timezone.localdate():
        review += " · " + _("overdue")
    rows = [
        (_("Reference"), case.reference),
        (_("Family"), case.family.name),
        (_("Index person"), who),
        (_("Stage"), case.get_stage_display()),
        (_("Risk level"), str(RiskLevel(case.risk_level).label)),
        (_("Case owner"), f"{case.owner} · {case.owning_agency}" if case.owner_id else str(case.owning_agency)),
        (_("Panel"), str(case.panel) if case.panel is not None else _("Not on a panel")),
        (_("Urgency"), case.get_urgency_display()),
        (_("First contact by"), first_contact),
        (_("Next step"), case.next_step or "—"),
        (_("Next review"), review),
        (_("Agencies involved"), ", ".join(agencies) or "—"),
        (_("Opened"), _date(case.opened_at)),
    ]
    if case.closed_at:
        rows.append((_("Closed"), _date(case.closed_at)))
    return rows


def current_shares(cases: list[Case], user: User) -> dict[int, list[CaseShare]]:
    """The current shares of several cases at once, by case id (a panel pack reads them together)."""
    found: dict[int, list[CaseShare]] = {case.pk: [] for case in cases}
    shares = CaseShare.objects.restrict(user, Action.VIEW_SUMMARY).filter(case__in=[case.pk for case in cases])
    for share in shares.current().select_related("agency"):
        found[share.case_id].append(share)
    return found


def agencies_of(case: Case, user: User, shares: list[CaseShare] | None = None) -> list[str]:
    """The agencies working the case and at which level, without the reasons of its shares."""
    if shares is None:
        shares = current_shares([case], user)[case.pk]
    return [f"{row.agency} ({row.level_label})" for row in involvement(case, shares, with_reasons=False)]


def summary_of(case: Case, user: User) -> list[tuple[str, str]]:
    """The summary of one case the caller fetched through restrict(user, view_summary), with its
    plan's progress (counts and dates, read by the case's id in one more query)."""
    fields = summary_fields(case, agencies_of(case, user))
    if progress_hooks():
        annotated = with_progress_figures(Case._base_manager.filter(pk=case.pk).select_related(*SUMMARY_RELATED))
        fields += progress_figures(annotated.get())
    return fields


@dataclass(frozen=True)
class ProgressHook:
    """What an app above adds to a case's summary (counts and dates only, never content): it
    annotates the reader's restricted queryset, then gives label-value pairs for a printed summary
    (`figures`), columns for a spreadsheet (`columns`, `cells`) and, if it has one, the progress
    cell of a case table's row (`list_cell()`, made once per table, gives each row's HTML)."""

    annotate: Callable[[Any], Any]
    figures: Callable[[Case], list[tuple[str, str]]]
    columns: Callable[[], list[str]]
    cells: Callable[[Case], list[str]]
    list_cell: Callable[[], Callable[[Case], SafeString]] | None = None


def progress_hooks() -> list[ProgressHook]:
    """The apps above that add summary-level figures to a case's summary (cases.signals)."""
    hooks: list[ProgressHook] = []
    for _receiver, answer in summary_progress.send(sender=Case):
        found: object = answer
        if isinstance(found, ProgressHook):
            hooks.append(found)
    return hooks


def with_progress_figures(cases: Any) -> Any:
    """`cases` annotated with the figures of every hook, in the same query."""
    for hook in progress_hooks():
        cases = hook.annotate(cases)
    return cases


def progress_figures(case: Case) -> list[tuple[str, str]]:
    """The summary-level figures of a case fetched `with_progress_figures` (no query)."""
    return [pair for hook in progress_hooks() for pair in hook.figures(case)]


def progress_columns() -> list[str]:
    return [label for hook in progress_hooks() for label in hook.columns()]


def progress_cells(case: Case) -> list[str]:
    return [cell for hook in progress_hooks() for cell in hook.cells(case)]
