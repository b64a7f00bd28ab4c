"""A case table's rows written in Python (issue 19): a list page shows up to 50 of them, and the
template engine spent about half of the whole request on their ~25 nodes each (resolving
variables, hashing every stage label anew in `get_stage_display`, reversing a URL per row). Each
row here is one string joined from its escaped values; the words are translated once per table,
not once per row. Not `format_html` a cell: its checks for lazy strings on every argument were a
third of the rows' time (fifteen calls a row); `as_html` escapes as `conditional_escape` does."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import get_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from agencies.access import reads_in_full

from .models import Case
from .risk import RISK_CRITERIA, RiskLevel
from .summaries import progress_hooks

__all__ = ["as_html", "case_rows"]

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
        # The reader's short date format looked up once (`date_format` looks it up for every date).
        self.short_date = get_format("SHORT_DATE_FORMAT")
        # The progress cell comes from the apps above (interventions: the plan's counts and dates).
        hooks = progress_hooks() if show_progress else []
        self.progress_cells = [hook.list_cell() for hook in hooks if hook.list_cell is not None]

    def progress(self, case: Case) -> SafeString:
        return format_html_join("", "{}", ((cell(case),) for cell in self.progress_cells))

    def badge(self, level: str) -> SafeString:
        if level not in self.badges:
            self.badges[level] = risk_badge(level)
        return self.badges[level]


def as_html(value: Any) -> str:
    """A value as HTML: what is already HTML as it is, anything else escaped (`conditional_escape`,
    without its lazy-string checks: every value here is a plain string, number or model)."""
    html = getattr(value, "__html__", None)
    return html() if html is not None else escape(str(value))


def _index_person(case: Case) -> str:
    person = case.index_person
    age = person.age()
    if age is None:
        return as_html(person)
    return f'{as_html(person)} <span class="text-body-secondary">({as_html(age)})</span>'


def _review(case: Case, words: _Words) -> str:
    due = case.next_review_on
    if due is None:
        return "—"
    shown = as_html(format_date(due, words.short_date))
    if due < words.today:
        return f'<span class="case-overdue">{shown} · {as_html(words.overdue)}</span>'
    return f"<span>{shown}</span>"


def _row(case: Case, words: _Words, show_progress: bool, show_access: bool) -> str:
    closed = f" · {as_html(words.closed)}" if case.is_closed else ""
    cells = [
        f'<td>\n    <a href="{as_html(words.url.replace(str(_PK), str(case.pk)))}" class="fw-semibold">'
        f"{as_html(case.family.name)}</a>\n"
        f'    <div class="small text-body-secondary">{as_html(case.reference)}{closed}</div>\n  </td>',
        f"<td>{_index_person(case)}</td>",
        f"<td>{as_html(words.stages.get(case.stage, case.stage))}</td>",
        f"<td>{words.badge(case.risk_level)}</td>",
        f'<td>{as_html(case.owner)}<div class="small text-body-secondary">{as_html(case.owning_agency)}</div></td>',
        f"<td>{as_html(case.next_step or '—')}</td>",
        f"<td>{_review(case, words)}</td>",
    ]
    if show_progress:
        cells.append(f"<td>{words.progress(case)}</td>")
    if show_access:
        cells.append(f"<td>{words.full if reads_in_full(case) else words.summary}</td>")
    return "<tr>\n  " + "\n  ".join(cells) + "\n</tr>\n"


def case_rows(cases: Iterable[Case], *, show_progress: bool = False, show_access: bool = False) -> SafeString:
    """The `<tr>` of every case in the table, in the reader's language."""
    words = _Words(show_progress)
    # Every value in a row went through `as_html` (or is HTML made here): the rows are safe as joined.
    return mark_safe("".join(_row(case, words, show_progress, show_access) for case in cases))  # noqa: S308
