"""The case list as a spreadsheet (decision 109): the rows the list page shows, filtered as on the
screen, and nothing the list does not show.

The rows come from the list's own queryset and its own filters (`CaseFilterSet`), through
`restrict(user, view_summary)`: a summary reader's row holds what the list shows them (reference,
family, index person and age, stage, risk level, owner as they may see the name, owning agency,
next step, next review, how much of the file they read) and the plan's progress as counts and dates
(decision 101), never a field of the file. Every cell goes
through `agencies.exports` (no formula), and the file's first line says who made it and when.
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_filters import MultipleChoiceFilter

from agencies.access import Action, reads_in_full
from agencies.exports import spreadsheet
from agencies.models import User
from agencies.people import remember_people

from .choosers import restricted_in_chosen_agency
from .filtersets import CaseFilterSet
from .models import Case
from .risk import RiskLevel
from .summaries import ProgressHook, progress_columns, progress_hooks, with_progress_figures

__all__ = [
    "EXPORT_LIMIT",
    "FORMATS",
    "ExportFile",
    "case_rows",
    "export_header",
    "first_line",
    "list_filters",
    "listed_cases",
    "make_export",
]

FORMATS = ("csv", "xlsx")
# The most rows one export holds, as the audit export (past that, narrow the filters).
EXPORT_LIMIT = 100_000
CHUNK = 500


@dataclass(frozen=True)
class _Asker:
    """What the list's filters read of a request: the user (their choices are the user's own)."""

    user: User


def list_filters(params: Mapping[str, Any]) -> dict[str, list[str]]:
    """The list's filters among `params` (a query string or a stored dict), as lists of strings:
    what a job keeps to make the same list later. Paging, counting and the format are left out."""
    names = set(CaseFilterSet.base_filters)
    kept: dict[str, list[str]] = {}
    for name in names:
        values: list[Any]
        if isinstance(params, QueryDict):
            values = list(params.getlist(name))
        else:
            raw = params.get(name)
            values = raw if isinstance(raw, list) else [raw]
        if isinstance(CaseFilterSet.base_filters[name], MultipleChoiceFilter):
            # every value, an empty one too: the list refuses it (no such choice), so must the export
            texts = [str(value) for value in values if value is not None]
        else:
            # one value, the last given, as the list's own form reads it; an empty one is no filter
            texts = [str(value) for value in values[-1:] if value is not None and str(value).strip()]
        if texts:
            kept[name] = texts
    return kept


def _filterset(user: User, filters: Mapping[str, list[str]]) -> CaseFilterSet:
    data = QueryDict(mutable=True)
    for name, values in filters.items():
        data.setlist(name, values)
    queryset = restricted_in_chosen_agency(Case.objects.with_summary(), user, Action.VIEW_SUMMARY, data)
    queryset = queryset.annotate_access(user)
    return CaseFilterSet(data, queryset=queryset, request=_Asker(user))


def listed_cases(user: User, filters: Mapping[str, list[str]]) -> QuerySet[Case]:
    """The cases the list shows `user` under `filters`, in the list's order. Filters the list would
    refuse are refused here too, with the list's own words (nothing is exported then)."""
    filterset = _filterset(user, filters)
    if not filterset.is_valid():
        messages = [f"{filterset.filters[name].label}: {' '.join(errors)}" for name, errors in filterset.errors.items()]
        raise ValidationError(_("These filters cannot be used: %(errors)s") % {"errors": "; ".join(messages)})
    cases: QuerySet[Case] = filterset.qs
    return cases


def describe_filters(user: User, filters: Mapping[str, list[str]]) -> str:
    """The filters in words, for the file's first line ("Stage: Assess risks and needs")."""
    filterset = _filterset(user, filters)
    parts = []
    for name, values in filters.items():
        field = filterset.filters.get(name)
        if field is None:
            continue
        choices = dict(getattr(field, "extra", {}).get("choices") or [])
        shown = [str(choices.get(value, value)) for value in values]
        parts.append(f"{field.label}: {', '.join(shown)}")
    return "; ".join(parts) or _("none")


def export_header() -> list[str]:
    """The columns: the list's, then the plan's progress at summary level (counts and dates,
    decision 101), from the apps above (`cases.summaries.progress_columns`)."""
    return [*_list_header(), *progress_columns()]


def _list_header() -> list[str]:
    return [
        _("Reference"),
        _("Family"),
        _("Status"),
        _("Index person"),
        _("Age"),
        _("Stage"),
        _("Risk level"),
        _("Owner"),
        _("Owning agency"),
        _("Next step"),
        _("Next review"),
        _("Access"),
    ]


def _row(case: Case, hooks: list[ProgressHook]) -> list[Any]:
    person = case.index_person
    age = person.age() if person is not None else None
    return [
        case.reference,
        case.family.name,
        _("Closed") if case.closed_at else _("Open"),
        str(person) if person is not None else "",
        "" if age is None else str(age),
        case.get_stage_display(),
        RiskLevel(case.risk_level).label,
        str(case.owner) if case.owner_id else "",
        str(case.owning_agency),
        case.next_step,
        case.next_review_on.isoformat() if case.next_review_on else "",
        _("Full case file") if reads_in_full(case) else _("Summary only"),
        *(cell for hook in hooks for cell in hook.cells(case)),
    ]


def case_rows(cases: Iterable[Case], progress: Any = None) -> Iterator[list[Any]]:
    """Each case as the list shows it, a chunk at a time (the owners' names looked up per chunk)."""
    chunk: list[Case] = []
    written = 0
    hooks = progress_hooks()

    def flush() -> Iterator[list[Any]]:
        nonlocal written
        remember_people(case.owner for case in chunk if case.owner_id is not None)
        for case in chunk:
            yield _row(case, hooks)
        written += len(chunk)
        if progress is not None:
            progress(written)
        chunk.clear()

    for case in cases:
        chunk.append(case)
        if len(chunk) >= CHUNK:
            yield from flush()
    yield from flush()


def first_line(user: User, count: int, description: str, *, capped: bool = False) -> str:
    when = date_format(timezone.localtime(), "DATETIME_FORMAT")
    line = _("Case list exported by %(user)s on %(when)s: %(count)s cases. Filters: %(filters)s.") % {
        "user": user.full_name or user.username,
        "when": when,
        "count": count,
        "filters": description,
    }
    if capped:
        line += " " + _("Only the first %(limit)s cases are exported: narrow the filters.") % {"limit": EXPORT_LIMIT}
    return line


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str
    ids: list[int]


def make_export(user: User, filters: Mapping[str, list[str]], fmt: str, progress: Any = None) -> ExportFile:
    """The file of the list `user` sees under `filters`. The caller records it in the trail."""
    if fmt not in FORMATS:
        raise ValidationError(_("Choose CSV or XLSX."))
    listed = listed_cases(user, filters)
    total = listed[: EXPORT_LIMIT + 1].count()
    listed = with_progress_figures(listed)  # the progress, read with each row (one query a chunk)
    capped = total > EXPORT_LIMIT
    ids: list[int] = []

    def exported() -> Iterator[Case]:
        for case in listed[:EXPORT_LIMIT].iterator(chunk_size=CHUNK):
            ids.append(case.pk)
            yield case

    head = [first_line(user, min(total, EXPORT_LIMIT), describe_filters(user, filters), capped=capped)]
    rows = [head, export_header(), *case_rows(exported(), progress)]
    content, content_type, extension = spreadsheet(fmt, rows, title=_("Cases"))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return ExportFile(content, content_type, f"ura-cases-{stamp}.{extension}", ids)
