"""Retention: closed cases and referrals that led nowhere come up for review after a period set per
record class; the data protection officer keeps, anonymises or deletes them (decision 45).

Like subject access, this reads and writes without restrict(): it is the data protection
officer's, and every entry point checks the role first.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import is_data_protection_officer
from agencies.models import User
from audit.models import AuditEvent, RetentionReview
from audit.services import record

from .subject_access import _case_models

__all__ = ["Due", "anonymise_case", "decide", "delete_case", "due_records", "retention_years"]

ANONYMISED = "[anonymised]"
# Text columns that are not free text about people: kinds, labels, references, storage details.
KEEP_TEXT = {"reference", "entry_label", "visibility", "content_type", "object_type", "action", "measure", "type"}
# Particulars of timeline events that are statistics (codes) or name practitioners and agencies
# by id (kept, as the case keeps its owner and agencies: decision 55), not family members or words.
KEEP_EVENT_DATA = {"stage", "level", "previous", "scope", "basis", "contact", "outcome", "urgency"}
KEEP_EVENT_DATA |= {"owner_id", "previous_owner_id", "agency_id", "first_contact_id"}
Class = RetentionReview.RecordClass


def retention_years() -> dict[str, int]:
    """Years after closure (or after the decision, for a referral) until a record is reviewed."""
    return {Class.CASE: settings.URA_RETENTION_YEARS_CASE, Class.REFERRAL: settings.URA_RETENTION_YEARS_REFERRAL}


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class Due:
    """A record due for its retention review."""

    record_class: str
    object_id: int
    label: str
    closed_on: datetime.date
    last_review: RetentionReview | None

    @property
    def record_class_label(self) -> str:
        return str(Class(self.record_class).label)


def _latest_reviews(record_class: str, ids: list[int]) -> dict[int, RetentionReview]:
    latest: dict[int, RetentionReview] = {}
    for review in RetentionReview._base_manager.filter(record_class=record_class, object_id__in=ids).order_by(
        "decided_at", "pk"
    ):
        latest[review.object_id] = review
    return latest


def _still_due(review: RetentionReview | None, today: datetime.date) -> bool:
    if review is None:
        return True
    if review.decision != RetentionReview.Decision.KEEP:
        return False  # anonymised (deleted records are gone)
    return review.next_review_on is not None and review.next_review_on <= today


def due_records(today: datetime.date | None = None) -> list[Due]:
    """Every record whose retention period has passed and that no current decision covers."""
    today = today or timezone.localdate()
    years = retention_years()
    tz = timezone.get_current_timezone()
    case_cutoff = datetime.datetime.combine(_years_before(today, years[Class.CASE]), datetime.time.max, tzinfo=tz)
    cases = list(
        apps.get_model("cases", "Case")
        ._base_manager.filter(closed_at__isnull=False, closed_at__lte=case_cutoff)
        .order_by("closed_at", "pk")
        .values_list("pk", "reference", "closed_at")
    )
    referral_model = apps.get_model("referrals", "Referral")
    cutoff = datetime.datetime.combine(_years_before(today, years[Class.REFERRAL]), datetime.time.max, tzinfo=tz)
    referrals = list(
        referral_model._base_manager.filter(
            status=referral_model.Status.CLOSED,
            case__isnull=True,
            triaged_at__lte=cutoff,
            decisions__decision="no_further_action",
        )
        .distinct()
        .order_by("triaged_at", "pk")
        .values_list("pk", "pk", "triaged_at")
    )
    due = []
    for record_class, rows, prefix in ((Class.CASE, cases, ""), (Class.REFERRAL, referrals, "R-")):
        latest = _latest_reviews(record_class, [pk for pk, _label, _at in rows])
        for pk, label, at in rows:
            if _still_due(latest.get(pk), today):
                due.append(Due(record_class, pk, f"{prefix}{label}", timezone.localtime(at).date(), latest.get(pk)))
    return due


# --- Anonymisation and deletion ---------------------------------------------------------------


def _anonymised_text(field: models.Field[Any, Any], value: Any) -> Any:
    if not value:
        return value
    max_length = getattr(field, "max_length", None) or len(ANONYMISED)
    return ANONYMISED[:max_length]


def _anonymise_row(obj: models.Model) -> None:
    """Free text, names and files of one row replaced; codes, dates and links kept. A date of birth
    keeps its year (1 January), so age bands still count."""
    changes: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if isinstance(field, models.FileField):
            if value:
                getattr(obj, field.name).delete(save=False)
                changes[field.attname] = ""
        elif isinstance(field, models.CharField | models.TextField):
            if field.choices or field.name in KEEP_TEXT or field.name.endswith("_key"):
                continue
            if value and value != ANONYMISED[: getattr(field, "max_length", None) or 99]:
                changes[field.attname] = _anonymised_text(field, value)
        elif isinstance(field, models.DateField) and "birth" in field.name and value:
            changes[field.attname] = value.replace(month=1, day=1)
        elif isinstance(field, models.JSONField) and isinstance(value, dict):
            kept = {key: item for key, item in value.items() if key in KEEP_EVENT_DATA}
            if kept != value:
                changes[field.attname] = kept
    keys = (
        "given_name_key",
        "family_name_key",
        "other_name_keys",
        "subject_given_name_key",
        "subject_family_name_key",
        # A case's copy of its index person's keys (decision 82).
        "index_given_name_key",
        "index_family_name_key",
        "index_other_name_keys",
    )
    for key_field in keys:
        if any(f.attname == key_field for f in obj._meta.concrete_fields):
            changes[key_field] = ""
    if changes:
        type(obj)._base_manager.filter(pk=obj.pk).update(**changes)


def _case_rows(case_ids: list[int]) -> list[models.Model]:
    rows: list[models.Model] = []
    for model in _case_models():
        rows += list(model._base_manager.filter(case_id__in=case_ids))
    return rows


def _referral_rows(referrals: models.QuerySet[Any]) -> list[models.Model]:
    """Referrals with what hangs off them that holds words: triage notes, agenda discussions."""
    found = list(referrals)
    ids = [referral.pk for referral in found]
    rows: list[models.Model] = [*found]
    rows += list(apps.get_model("referrals", "TriageDecision")._base_manager.filter(referral_id__in=ids))
    rows += list(apps.get_model("panels", "AgendaItem")._base_manager.filter(referral_id__in=ids))
    return rows


def anonymise_case(case: Any, *, actor: User | None = None) -> int:
    """Anonymise a case, its family and everything recorded on it; returns the rows touched.

    Kept: the stage, the risk level and its history, dates opened and closed, the agencies (and so
    their sectors), the referrals' channel, ideology and indicators. Gone: names, birthdays (the
    year stays), free text, files, and who reported the concern. A family another case still holds
    keeps its people, consents and restrictions (as `delete_case` keeps the family): that case is
    live, and anonymising it is its own review.
    """
    family_model = apps.get_model("families", "Family")
    rows: list[models.Model] = [case, *_case_rows([case.pk])]
    shared = apps.get_model("cases", "Case")._base_manager.filter(family_id=case.family_id).exclude(pk=case.pk)
    referrals = Q(case_id=case.pk)
    if not shared.exists():
        rows.append(family_model._base_manager.get(pk=case.family_id))
        # The register's history holds names and earlier values: its particulars go too (decision 66).
        for name in ("Person", "Consent", "DisclosureRestriction", "MemberChange", "SafetyWarning"):
            rows += list(apps.get_model("families", name)._base_manager.filter(family_id=case.family_id))
        referrals |= Q(family_id=case.family_id)
    rows += _referral_rows(apps.get_model("referrals", "Referral")._base_manager.filter(referrals))
    for row in rows:
        _anonymise_row(row)
    _keep_break_glass(case)
    # Individual grants end, through the service that records each; their reasons go with them.
    from cases.services import end_case_grants

    end_case_grants(case, actor=actor, reason=_("The case was anonymised."))
    return len(rows)


def _keep_break_glass(case: Any) -> None:
    """The break-the-glass records of a case outlive it, for the DPO's report: who, when, until
    when, from where and the case's reference. Their reasons may name the family: they go, as the
    case's words go (the trail keeps its own record of each, decision 61)."""
    accesses = apps.get_model("audit", "BreakGlassAccess")._base_manager.filter(case_id=case.pk)
    accesses.update(case_reference=case.reference, reason=ANONYMISED)


def delete_case(case: Any) -> None:
    """Delete a case and everything recorded on it; its family goes too when no other case holds it.

    Referrals keep their statistics (the case link is cleared); the audit trail keeps its records.
    """
    family_id = case.family_id
    for attachment in apps.get_model("cases", "Attachment")._base_manager.filter(case_id=case.pk):
        if attachment.file:
            attachment.file.delete(save=False)
    referral_model = apps.get_model("referrals", "Referral")
    for row in _referral_rows(referral_model._base_manager.filter(case_id=case.pk)):
        _anonymise_row(row)
    _keep_break_glass(case)  # then the deletion leaves them, without their case
    case.delete()
    family_model = apps.get_model("families", "Family")
    if not apps.get_model("cases", "Case")._base_manager.filter(family_id=family_id).exists():
        family_model._base_manager.filter(pk=family_id).delete()


def _record_for(record_class: str, object_id: int) -> Any:
    model = apps.get_model("cases", "Case") if record_class == Class.CASE else apps.get_model("referrals", "Referral")
    try:
        return model._base_manager.select_for_update().get(pk=object_id)
    except model.DoesNotExist:
        raise ValidationError(_("This record no longer exists.")) from None


@transaction.atomic
def decide(
    record_class: str,
    object_id: int,
    *,
    decision: str,
    actor: User,
    reason: str = "",
    next_review_on: datetime.date | None = None,
) -> RetentionReview:
    """Record the retention decision on a due record and carry it out, in one transaction."""
    if not is_data_protection_officer(actor):
        raise PermissionDenied
    if not any(d.record_class == record_class and d.object_id == object_id for d in due_records()):
        raise ValidationError(_("This record is not due for a retention review."))
    obj = _record_for(record_class, object_id)
    label = obj.reference if record_class == Class.CASE else f"R-{obj.pk}"
    if decision == RetentionReview.Decision.KEEP:
        if not reason.strip() or next_review_on is None:
            raise ValidationError(_("Keeping a record needs a reason and the next review date."))
        if next_review_on <= timezone.localdate():
            raise ValidationError(_("The next review must be in the future."))
    review = RetentionReview.objects.create(
        record_class=record_class,
        object_id=object_id,
        label=label,
        decision=decision,
        reason=reason.strip(),
        next_review_on=next_review_on if decision == RetentionReview.Decision.KEEP else None,
        decided_by=actor,
    )
    case_id = object_id if record_class == Class.CASE else None
    if decision == RetentionReview.Decision.ANONYMISE:
        if record_class == Class.CASE:
            anonymise_case(obj, actor=actor)
        else:
            for row in _referral_rows(type(obj)._base_manager.filter(pk=obj.pk)):
                _anonymise_row(row)
        action = AuditEvent.Action.RETENTION_ANONYMISED
    elif decision == RetentionReview.Decision.DELETE:
        try:
            if record_class == Class.CASE:
                delete_case(obj)
            else:
                obj.delete()
        except ProtectedError:
            # A referral others were added to holds them together: anonymise it instead.
            raise ValidationError(_("Other records depend on this one: anonymise it instead.")) from None
        action = AuditEvent.Action.RETENTION_DELETED
    else:
        action = AuditEvent.Action.RETENTION_KEPT
    record(action, actor=actor, obj=review, case_id=case_id, reason=review.reason, record=record_class, id=object_id)
    return review
