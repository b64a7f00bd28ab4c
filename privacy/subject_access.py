"""Subject access: everything Ura holds on one person, for the data protection officer alone.

This module is the one deliberate exception to "every queryset goes through restrict()"
(decision 44): the data protection officer reads no case through an agency, yet must answer a
person's request for all of it. Every function here first checks that the actor is a data
protection officer, reads without restrict(), and marks what belongs to third parties for
redaction. Nothing else in Ura calls these readers.
"""

import calendar
import datetime
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.access import Action, is_data_protection_officer
from agencies.models import User
from audit.models import AuditEvent, SubjectAccessRequest
from audit.services import record
from families.matching import name_key
from families.models import Family, Person

__all__ = [
    "SECTION_LABELS",
    "add_one_month",
    "collect",
    "complete_request",
    "export_request",
    "find_people",
    "open_request",
]

# The export's sections, in the reader's language on the printable page (the JSON keeps the keys).
SECTION_LABELS = {
    "person": gettext_lazy("The person"),
    "family": gettext_lazy("Family"),
    "family_members": gettext_lazy("Other family members"),
    "cases": gettext_lazy("Cases"),
    "referrals": gettext_lazy("Referrals"),
    "case_records": gettext_lazy("Records on the cases"),
    "consents": gettext_lazy("Consents"),
    "safety_warnings": gettext_lazy("Staff-safety warnings"),
    "restrictions": gettext_lazy("Disclosure restrictions"),
    "audit_events": gettext_lazy("Audit trail of the cases"),
}
REDACT_THIRD_PARTY = "third party"
REDACT_REPORTER = "reporter"
REDACT_PRACTITIONER = "practitioner of another agency"
REDACT_OTHER_AGENCY = "kept by another agency"
REDACT_NAMESAKE = "same name only: confirm it is this person"
# Data about other people than the subject is taken out of the export (issue 17): whole records
# about someone else, and the fields naming a reporter or another agency's practitioner. What
# the officer must decide on stays, marked for review: a record kept by another agency (theirs to
# disclose) and a referral that may be about a namesake.
WITHHELD = {REDACT_THIRD_PARTY, REDACT_REPORTER, REDACT_PRACTITIONER}
REVIEW_REASONS = {
    REDACT_OTHER_AGENCY: gettext_lazy("Kept by another agency: ask them before it is sent."),
    REDACT_NAMESAKE: gettext_lazy("Found by the name alone: confirm it is this person, or remove it."),
}


def _require_dpo(actor: User) -> None:
    if not is_data_protection_officer(actor):
        raise PermissionDenied


def add_one_month(day: datetime.date) -> datetime.date:
    """The same day a calendar month later; the month's last day when it has no such day
    (31 January → 28 or 29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def find_people(actor: User, query: str, limit: int = 20) -> list[Person]:
    """People whose family name (or given name) starts like `query`, spelling-insensitive."""
    _require_dpo(actor)
    key = name_key(query)
    if len(key) < 2:
        return []
    people = Person._base_manager.select_related("family").filter(
        Q(family_name_key__startswith=key) | Q(given_name_key__startswith=key)
    )
    return list(people.order_by("family_name", "given_name", "pk")[:limit])


def person_for_request(actor: User, pk: int) -> Person:
    _require_dpo(actor)
    try:
        person: Person = Person._base_manager.select_related("family").get(pk=pk)
    except Person.DoesNotExist:
        raise ValidationError(_("No such person.")) from None
    return person


@transaction.atomic
def open_request(
    person: Person, *, requested_by: str, received_on: datetime.date, actor: User, notes: str = ""
) -> SubjectAccessRequest:
    """Open a request; it is due a calendar month after it was received."""
    _require_dpo(actor)
    if received_on > timezone.localdate():
        raise ValidationError(_("A request cannot be received in the future."))
    if not requested_by.strip():
        raise ValidationError(_("Say who made the request."))
    request = SubjectAccessRequest.objects.create(
        person=person,
        person_label=str(person),
        requested_by=requested_by.strip(),
        received_on=received_on,
        due_on=add_one_month(received_on),
        notes=notes.strip(),
        opened_by=actor,
    )
    record(AuditEvent.Action.SUBJECT_ACCESS_OPENED, actor=actor, obj=request, person=person.pk)
    return request


@transaction.atomic
def complete_request(request: SubjectAccessRequest, *, actor: User) -> SubjectAccessRequest:
    """Mark the request answered, recording when."""
    _require_dpo(actor)
    request = SubjectAccessRequest.objects.restrict(actor, Action.CHANGE).lock().get(pk=request.pk)
    if request.completed_at is not None:
        raise ValidationError(_("This request is already complete."))
    request.completed_at = timezone.now()
    request.completed_by = actor
    request.save(update_fields=["completed_at", "completed_by"])
    record(AuditEvent.Action.SUBJECT_ACCESS_COMPLETED, actor=actor, obj=request)
    return request


@transaction.atomic
def export_request(request: SubjectAccessRequest, *, actor: User, fmt: str) -> dict[str, Any]:
    """Everything held on the request's person, recorded in the audit trail as an export."""
    _require_dpo(actor)
    if request.person is None:
        raise ValidationError(_("The person's records no longer exist."))
    data = collect(request.person, actor=actor)
    SubjectAccessRequest.objects.filter(pk=request.pk).update(exported_at=timezone.now())
    counts = {section: len(items) for section, items in data["sections"].items()}
    record(AuditEvent.Action.SUBJECT_ACCESS_EXPORTED, actor=actor, obj=request, format=fmt, counts=counts)
    return data


# --- What is held ---------------------------------------------------------------------------


def _value(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, list | dict | bool | int | float) or value is None:
        return value
    return str(value)


def _item(obj: models.Model, redact: Iterable[str] = (), *, whole: str = "", why: str = "") -> dict[str, Any]:
    """One record: its fields, the fields to redact and why. `whole` redacts the entire record."""
    fields = {}
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.FileField):
            fields[field.name] = str(getattr(obj, field.attname) or "")
            continue
        if field.name.endswith("_key"):
            continue
        fields[field.name if not field.is_relation else field.attname] = _value(getattr(obj, field.attname))
    names = sorted(fields) if whole else sorted(set(redact) & set(fields))
    return {
        "type": obj._meta.label_lower,
        "label": str(obj._meta.verbose_name),
        "id": obj.pk,
        "fields": fields,
        "redact": names,
        "redact_reason": whole or why,
        "rows": _rows(obj),
    }


def _shown(field: models.Field[Any, Any], value: Any) -> str:
    """A field's value as its reader reads it: the choice's label, local time, yes or no."""
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(part) for part in value)
    return str(value)


def _rows(obj: models.Model) -> list[tuple[str, str, str]]:
    """The record for the printable page: (field, its label, its value shown), without internal
    ids and keys; written in the language of the officer who asked."""
    rows = []
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.is_relation or field.name.endswith("_key") or field.name in ("hash", "prev_hash"):
            continue
        rows.append((field.name, str(capfirst(field.verbose_name)), _shown(field, getattr(obj, field.attname))))
    return rows


def _withhold(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Take out what is about other people (see WITHHELD); the number of records left out whole."""
    kept, dropped = [], 0
    for item in items:
        if item["redact_reason"] not in WITHHELD:
            continue_with = item
        elif len(item["redact"]) == len(item["fields"]):
            dropped += 1
            continue
        else:
            withheld = set(item["redact"])
            continue_with = {
                **item,
                "fields": {name: value for name, value in item["fields"].items() if name not in withheld},
                "rows": [row for row in item["rows"] if row[0] not in withheld],
                "redact": [],
                "redact_reason": "",
                "withheld": sorted(withheld),
            }
        kept.append(continue_with)
    return kept, dropped


def _case_models() -> list[type[models.Model]]:
    """Every model holding rows of a case (a `case` foreign key to cases.Case), but the grant tables."""
    case_model = apps.get_model("cases", "Case")
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in ("cases", "interventions", "agencies", "referrals"):
            continue
        if model._meta.label == "referrals.Referral":
            continue  # a section of its own, with its reporter taken out (it was here a second time, whole)
        field = next((f for f in model._meta.concrete_fields if f.name == "case"), None)
        if field is not None and field.related_model is case_model:
            found.append(model)
    return sorted(found, key=lambda m: m._meta.label)


def _about_someone_else(obj: Any, subject_id: int) -> bool:
    """Whether a field of the row names another family member than the subject (a sibling's needs,
    a plan action for the mother): the record is theirs, a third party's."""
    for field in obj._meta.concrete_fields:
        if field.is_relation and field.related_model is Person:
            named = getattr(obj, field.attname)
            if named is not None and named != subject_id:
                return True
    return False


def _entry_item(obj: Any, owning_agency_id: int, subject_id: int) -> dict[str, Any]:
    """A row of a case: a record about another family member is theirs; own-agency records of
    another agency are that agency's to disclose; practitioners of other agencies are third parties."""
    if _about_someone_else(obj, subject_id):
        return _item(obj, whole=REDACT_THIRD_PARTY)
    author_agency = getattr(obj, "author_agency_id", None) or getattr(obj, "agency_id", None)
    other_agency = author_agency is not None and author_agency != owning_agency_id
    if other_agency and getattr(obj, "visibility", "") == "own_agency":
        return _item(obj, whole=REDACT_OTHER_AGENCY)
    if obj._meta.label == "cases.DisclosureCheck" and other_agency:
        return _item(obj, whole=REDACT_OTHER_AGENCY)
    people = [f for f in ("author", "author_id", "recorded_by_id", "actor_id", "decided_by_id") if other_agency]
    return _item(obj, people, why=REDACT_PRACTITIONER if people else "")


def collect(person: Person, *, actor: User) -> dict[str, Any]:
    """Everything Ura holds on `person`, section by section, third-party data marked for redaction.

    Reads without restrict(): the data protection officer's exception (decision 44).
    """
    _require_dpo(actor)
    case_model = apps.get_model("cases", "Case")
    family = Family._base_manager.get(pk=person.family_id)
    members = list(Person._base_manager.filter(family_id=family.pk).order_by("pk"))
    cases = list(case_model._base_manager.filter(Q(index_person=person) | Q(family_id=family.pk)).order_by("opened_at"))
    case_ids = [case.pk for case in cases]
    owning = {case.pk: case.owning_agency_id for case in cases}
    sections: dict[str, list[dict[str, Any]]] = {
        "person": [_item(person)],
        "family": [_item(family)],
        "family_members": [_item(m, whole=REDACT_THIRD_PARTY) for m in members if m.pk != person.pk],
        "cases": [_item(case) for case in cases],
    }
    referral_model = apps.get_model("referrals", "Referral")
    named = Q(case_id__in=case_ids) | Q(family_id=family.pk)
    if person.family_name_key and person.given_name_key:
        named |= Q(subject_family_name_key=person.family_name_key, subject_given_name_key=person.given_name_key)
    reporter = ["reporter_name", "reporter_contact", "reporter_relationship", "reporter_is_professional"]
    # A referral found by the name alone may be about someone else of the same name: marked whole
    # until the data protection officer confirms it is this person.
    sections["referrals"] = [
        _item(r, [*reporter, "recorded_by_id"], why=REDACT_REPORTER)
        if r.case_id in case_ids or r.family_id == family.pk
        else _item(r, whole=REDACT_NAMESAKE)
        for r in referral_model._base_manager.filter(named).order_by("received_at")
    ]
    entries: list[dict[str, Any]] = []
    for model in _case_models():
        for obj in model._base_manager.filter(case_id__in=case_ids).order_by("pk"):
            entries.append(_entry_item(obj, owning[obj.serializable_value("case")], person.pk))
    sections["case_records"] = entries
    consent_model = apps.get_model("families", "Consent")
    # A consent about another member is theirs (what they agreed to, why they withdrew) entirely.
    sections["consents"] = [
        _item(c, whole=REDACT_THIRD_PARTY)
        if c.person_id != person.pk
        else _item(c, [] if c.given_by_id == person.pk else ["given_by_id"], why=REDACT_THIRD_PARTY)
        for c in consent_model._base_manager.filter(family_id=family.pk).order_by("pk")
    ]
    # What someone must not be told names who asked for help: a third party's secret.
    restriction_model = apps.get_model("families", "DisclosureRestriction")
    sections["restrictions"] = [
        _item(r, ["knows", "must_not_be_told"], why=REDACT_THIRD_PARTY)
        for r in restriction_model._base_manager.filter(family_id=family.pk).order_by("pk")
    ]
    # A danger to visitors: its kind and dates are the family's; what was seen and where is told to
    # protect the staff who go there (decision 133), and the officer decides on it.
    warning_model = apps.get_model("families", "SafetyWarning")
    sections["safety_warnings"] = [
        _item(w, ["address", "detail", "recorded_by_id", "ended_by_id"], why=REDACT_PRACTITIONER)
        for w in warning_model._base_manager.filter(family_id=family.pk).order_by("pk")
    ]
    sections["audit_events"] = [
        _item(e, ["actor_id", "actor_username", "ip_address"], why=REDACT_PRACTITIONER)
        for e in AuditEvent.objects.filter(case_id__in=case_ids).order_by("created_at", "pk")
    ]
    withheld: dict[str, int] = {}
    for key, items in sections.items():
        sections[key], withheld[key] = _withhold(items)
    return {
        "subject": {"id": person.pk, "name": str(person)},
        "produced_at": timezone.now().isoformat(),
        "produced_by": actor.username,
        "sections": sections,
        "withheld_records": {key: count for key, count in withheld.items() if count},
    }
