"""A case table's rows written in Python (issue 19): a list page shows up to 50 of them, and the
template engine spent about half of the whole request on their ~25 nodes each (resolving
variables, hashing every stage label anew in `get_stage_display`, reversing a URL per row). Each
row here is one `format_html`; the words are translated once per table, not once per row."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from agencies.access import reads_in_full

from .models import Case
from .risk import RISK_CRITERIA, RiskLevel
from .summaries import progress_hooks

__all__ = ["case_rows"]

RISK_CLASSES = {
    RiskLevel.NOT_ASSESSED: "text-bg-secondary",
    RiskLevel.LOW: "text-bg-success",
    RiskLevel.MODERATE: "text-bg-warning",
    RiskLevel.HIGH: "text-bg-danger",
    RiskLevel.CRITICAL: "text-bg-dark",
}

_PK = 2_147_483_647  # a placeholder no case has, replaced by each row's own id in the case's URL


def risk_badge(level: str) -> SafeString:
    """The risk level as a badge: the word is always shown, colour is only a second cue."""
    risk = RiskLevel(level)
    return format_html(
        '<span class="badge risk-badge {}" title="{}">{}</span>', RISK_CLASSES[risk], RISK_CRITERIA[risk], risk.label
    )


class _Words:
    """What every row of one table says alike, worked out once for the table."""

    def __init__(self, show_progress: bool) -> None:
        self.closed = _("closed")
        self.overdue = _("overdue")
        self.full = format_html('<span class="badge text-bg-primary">{}</span>', _("Full"))
        self.summary = format_html('<span class="badge text-bg-light border">{}</span>', _("Summary"))
        self.stages = {value: str(label) for value, label in Case.Stage.choices}
        self.badges: dict[str, SafeString] = {}
        self.url = reverse("cases:case", kwargs={"pk": _PK})
        self.today = timezone.localdate()
        # The progress cell comes from the apps above (interventions: the plan's counts and dates).
        hooks = progress_hooks() if show_progress else []
        self.progress_cells = [hook.list_cell() for hook in hooks if hook.list_cell is not None]

    def progress(self, case: Case) -> SafeString:
        return format_html_join("", "{}", ((cell(case),) for cell in self.progress_cells))

    def badge(self, level: str) -> SafeString:
        if level not in self.badges:
            self.badges[level] = risk_badge(level)
        return self.badges[level]


def _index_person(case: Case) -> SafeString:
    person = case.index_person
    age = person.age()
    if age is None:
        return format_html("{}", person)
    return format_html('{} <span class="text-body-secondary">({})</span>', person, age)


def _review(case: Case, words: _Words) -> SafeString:
    due = case.next_review_on
    if due is None:
        return mark_safe("—")
    shown = date_format(due, "SHORT_DATE_FORMAT")
    if due < words.today:
        return format_html('<span class="case-overdue">{} · {}</span>', shown, words.overdue)
    return format_html("<span>{}</span>", shown)


def _row(case: Case, words: _Words, show_progress: bool, show_access: bool) -> SafeString:
    cells = [
        format_html(
            '<td>\n    <a href="{}" class="fw-semibold">{}</a>\n'
            '    <div class="small text-body-secondary">{}{}</div>\n  </td>',
            words.url.replace(str(_PK), str(case.pk)),
            case.family.name,
            case.reference,
            format_html(" · {}", words.closed) if case.is_closed else "",
        ),
        format_html("<td>{}</td>", _index_person(case)),
        format_html("<td>{}</td>", words.stages.get(case.stage, case.stage)),
        format_html("<td>{}</td>", words.badge(case.risk_level)),
        format_html('<td>{}<div class="small text-body-secondary">{}</div></td>', case.owner, case.owning_agency),
        format_html("<td>{}</td>", case.next_step or "—"),
        format_html("<td>{}</td>", _review(case, words)),
    ]
    if show_progress:
        cells.append(format_html("<td>{}</td>", words.progress(case)))
    if show_access:
        cells.append(format_html("<td>{}</td>", words.full if reads_in_full(case) else words.summary))
    return format_html("<tr>\n  {}\n</tr>\n", mark_safe("\n  ".join(cells)))  # noqa: S308 - joined format_html


def case_rows(cases: Iterable[Case], *, show_progress: bool = False, show_access: bool = False) -> SafeString:
    """The `<tr>` of every case in the table, in the reader's language."""
    words = _Words(show_progress)
    return format_html_join("", "{}", ((_row(case, words, show_progress, show_access),) for case in cases))
