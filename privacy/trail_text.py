"""The audit trail as its reader reads it (issue 17, defect 11): what a record is about in words
("Case", not `cases.case`), its particulars as a sentence (not a Python dict), agencies and cases
by name and reference (not ids), and local time in the page and its CSV alike.

The records themselves are unchanged (their hash covers them): this is only how they are shown.
"""

import re
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from agencies.models import Agency, Membership
from audit.models import AuditEvent
from cases.models import Case

__all__ = ["csv_header", "csv_row", "csv_rows", "describe", "details", "name_events", "object_label"]

# Particulars that say nothing to a reader, or that another column already gives.
_HIDDEN = {"ids", "id", "object_id", "search", "agency_id", "case_id", "first_contact_id", "referral_ids"}
# Particulars holding a row's id (a person, a user, a record): an id says nothing to a reader.
_ID_VALUED = {"person", "user", "case", "record", "merged", "kept", "consent", "replaced", "cases", "people"}
# Particulars whose text is a code or a page, never a person's words or name: shown as they are.
_PLAIN_TEXT = {
    "path", "method", "format", "level", "scope", "kind", "stage", "visibility", "decision", "record_mode",
    "record_class", "risk_level", "status", "break_glass_reference", "action", "model", "basis", "channel",
    "outcome", "urgency", "role", "event", "change", "purposes", "report", "step",
}  # fmt: skip
# Particulars holding a membership's role (or a list of them, decision 140): read as the role's label.
_ROLE_VALUED = {"role", "roles_before", "roles_after"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?)?$")


def _labels() -> dict[str, str]:
    return {
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
        "actions": _("actions"),
        "agencies": _("agencies"),
        "agreed_on": _("agreed on"),
        "break_glass_reference": _("emergency access reference"),
        "cadence_days": _("every how many days"),
        "change": _("change"),
        "consent_given_by": _("consent given by"),
        "decision": _("decision"),
        "detail": _("detail"),
        "ends_at": _("ends at"),
        "events": _("events"),
        "file": _("file"),
        "finalise": _("final"),
        "goals": _("goals"),
        "kind": _("kind"),
        "legal_duty": _("legal duty"),
        "model": _("records of"),
        "moved": _("moved"),
        "name": _("name"),
        "next_review_on": _("next review on"),
        "previous": _("before"),
        "record_class": _("record class"),
        "record_mode": _("how it was recorded"),
        "risk_level": _("risk level"),
        "scope": _("scope"),
        "security_followup": _("security follow-up"),
        "shares_flagged": _("shares flagged"),
        "signature": _("signature"),
        "subject": _("subject"),
        "subject_username": _("whose account"),
        "to": _("to"),
        "to_agency": _("to agency"),
        "username": _("user name"),
        "content": _("content shown"),
        "unscanned": _("not scanned"),
        "from": _("from"),
        "old": _("before"),
        "new": _("after"),
        "count": _("count"),
        "present": _("present"),
        "absent": _("absent"),
        "apologies": _("sent apologies"),
        "role": _("role"),
        "roles_before": _("roles before"),
        "roles_after": _("roles after"),
        "existing_account": _("had an account already"),
        "switched_on_by_invitation": _("switched on again by a new invitation"),
    }


def _model(object_type: str) -> Any:
    try:
        return apps.get_model(object_type) if "." in (object_type or "") else None
    except (LookupError, ValueError):
        return None


def _field(model: Any, name: str) -> Any:
    """The field `name` of the event's model, or of a case (most particulars are a case's)."""
    for candidate in (model, Case):
        if candidate is None:
            continue
        try:
            return candidate._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def _key_label(key: str, model: Any = None) -> str:
    label = _labels().get(key)
    if label is not None:
        return str(label)
    field = _field(model, key)
    if field is not None and hasattr(field, "verbose_name"):
        return str(field.verbose_name)
    return key.replace("_", " ")


def _date_text(value: str) -> str | None:
    if not _ISO_DATE.match(value):
        return None
    moment = parse_datetime(value) if len(value) > 10 else None
    if moment is not None:
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return date_format(moment, "SHORT_DATETIME_FORMAT")
    day = parse_date(value[:10])
    return date_format(day, "SHORT_DATE_FORMAT") if day is not None else None


def _value_text(value: Any, key: str = "", model: Any = None) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return ", ".join(
            f"{_key_label(str(k), model)} {_value_text(v, str(k) if key != 'counts' else '', model)}"
            for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(item, key, model) for item in value)
    if key == "fields" and isinstance(value, str):
        return _key_label(value, model)  # a field's name: its label
    if key == "model" and isinstance(value, str):
        return object_label(value)
    if key in _ROLE_VALUED and isinstance(value, str):
        return str(dict(Membership.Role.choices).get(value, value.replace("_", " ")))
    field = _field(model, key) if key else None
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, str(value).replace("_", " ")))
    if isinstance(value, str):
        shown = _date_text(value)
        if shown is not None:
            return shown
        if key not in _PLAIN_TEXT:
            # Free text (who consented, who agreed, a file's or a person's name): the trail says it
            # was recorded, not what it says; the officer reads it in the record, where it is kept.
            return _("(recorded, not shown)")
    return str(value).replace("_", " ")


def _hidden(key: str, value: Any) -> bool:
    if key in _HIDDEN or key.endswith(("_id", "_ids")):
        return True
    is_id = isinstance(value, int) and not isinstance(value, bool)
    ids = isinstance(value, list) and value and all(isinstance(v, int) for v in value)
    return key in _ID_VALUED and (is_id or bool(ids))


def details(data: dict[str, Any], object_type: str = "") -> str:
    """The record's particulars as "key: value; key: value", in the reader's words: labels, choices
    and field names translated, dates in the reader's format, ids left out."""
    model = _model(object_type)
    parts = [
        f"{_key_label(key, model)}: {_value_text(value, key, model)}"
        for key, value in data.items()
        if not _hidden(key, value)
    ]
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
        details(event.data, event.object_type),
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
