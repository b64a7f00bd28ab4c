"""The audit trail as its reader reads it (issue 17, defect 11): what a record is about in words
("Case", not `cases.case`), its particulars as a sentence (not a Python dict), agencies and cases
by name and reference (not ids), and local time in the page and its CSV alike.

The records themselves are unchanged (their hash covers them): this is only how they are shown.
"""

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.apps import apps
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from agencies.models import Agency
from audit.models import AuditEvent
from cases.models import Case

__all__ = ["csv_header", "csv_row", "csv_rows", "describe", "details", "name_events", "object_label"]

# Particulars that say nothing to a reader, or that another column already gives.
_HIDDEN = {"ids", "object_id", "search", "agency_id", "case_id", "first_contact_id"}


def _key_label(key: str) -> str:
    labels = {
        "level": _("level"),
        "path": _("page"),
        "method": _("method"),
        "status": _("answer"),
        "reason": _("reason"),
        "fields": _("fields"),
        "stage": _("stage"),
        "visibility": _("visibility"),
        "purposes": _("purposes"),
        "format": _("format"),
        "counts": _("counts"),
        "recipients": _("recipients"),
        "crisis": _("crisis"),
        "steps": _("steps"),
        "agency": _("agency"),
        "report": _("report"),
    }
    return str(labels.get(key, key.replace("_", " ")))


def _value_text(value: Any) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{_key_label(str(k))} {_value_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(item) for item in value)
    return str(value).replace("_", " ")


def details(data: dict[str, Any]) -> str:
    """The record's particulars as "key: value; key: value", in the reader's words."""
    parts = [f"{_key_label(key)}: {_value_text(value)}" for key, value in data.items() if key not in _HIDDEN]
    return "; ".join(parts)


def object_label(object_type: str) -> str:
    """`cases.case` as "Case" in the reader's language; the stored text if the model is gone."""
    if not object_type or "." not in object_type:
        return object_type
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(capfirst(model._meta.verbose_name))


def name_events(events: Iterable[AuditEvent]) -> None:
    """Give each event its agency's name and its case's reference: two queries for a page.

    The officer reads the trail, not the cases: only the reference is read, as the search form
    reads it to find a case's id (decision 34)."""
    events = list(events)
    agency_ids = {event.agency_id for event in events if event.agency_id}
    case_ids = {event.case_id for event in events if event.case_id}
    agencies = dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "name")) if agency_ids else {}
    references = dict(Case._base_manager.filter(pk__in=case_ids).values_list("pk", "reference")) if case_ids else {}
    for event in events:
        event.agency_name = agencies.get(event.agency_id or 0, "")  # type: ignore[attr-defined]
        event.case_reference = references.get(event.case_id or 0, "")  # type: ignore[attr-defined]


def describe(event: AuditEvent) -> str:
    """What happened, with what it was about: "Case read · Case"."""
    about = object_label(event.object_type)
    return f"{event.get_action_display()} · {about}" if about else str(event.get_action_display())


def csv_header() -> list[str]:
    return [
        "#",
        _("When (%(zone)s)") % {"zone": timezone.get_current_timezone_name()},
        _("Who"),
        _("For agency"),
        _("What"),
        _("Case"),
        _("Details"),
        _("From"),
        _("Why"),
        "hash",
    ]


def csv_row(event: AuditEvent) -> list[Any]:
    # Local time, as on the page (the trail stores UTC).
    when = date_format(timezone.localtime(event.created_at), "Y-m-d H:i:s")
    return [
        event.pk,
        when,
        event.actor_username,
        getattr(event, "agency_name", ""),
        describe(event),
        getattr(event, "case_reference", ""),
        details(event.data),
        event.ip_address or "",
        event.reason,
        event.hash,
    ]


def csv_rows(events: Iterable[AuditEvent], chunk: int = 2000) -> Iterator[list[Any]]:
    """The rows of an export, named a chunk at a time (two queries per chunk), in the language of
    the request that asked (the rows are written after the view has returned)."""
    language = translation.get_language()
    iterator = iter(events)
    while batch := list(islice(iterator, chunk)):
        name_events(batch)
        with translation.override(language):
            rows = [csv_row(event) for event in batch]
        yield from rows
