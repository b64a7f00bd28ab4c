"""The family register (decisions 66-68): members added, changed, removed and merged by those who
change one of the family's cases. Each is one transaction that keeps the previous values
(`MemberChange`), writes the case's timeline and the audit trail.

Nothing is deleted: a removed member is ended with a reason, a merged record points to the one
kept; entries that name them still do.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import Action, CaseAccess
from agencies.models import User
from audit.models import AuditEvent
from audit.services import record
from families.models import CivilDocument, MemberChange, Person, Relation, Whereabouts

from ..models import Case, CaseEvent, copy_index_keys

__all__ = ["add_member", "change_member", "family_case", "merge_members", "remove_member"]

EDITABLE = Person.REGISTER_FIELDS
TEXT_FIELDS = ("given_name", "family_name", "other_names", "languages", "phone", "address", "school_or_work")


def _case_to_change(case: Case, actor: User) -> Case:
    """The case, read again for a change and locked: its owner or a supervisor of the owning
    agency, who read its file (not through a break-the-glass access)."""
    refusal = _("Only the case owner or a supervisor keeps the family's register.")
    locked: Case = Case.objects.restrict(actor, Action.CHANGE).with_access(actor).lock().refetch(case, refusal)
    if not CaseAccess.of(locked, actor).writes:
        raise ValidationError(refusal)
    return locked


def _member_to_change(case: Case, person: Person, actor: User) -> Person:
    refusal = _("This person is not a current member of the family.")
    found: Person = (
        Person.objects.restrict(actor, Action.CHANGE)
        .current()
        .filter(family_id=case.family_id)
        .lock()
        .refetch(person, refusal)
    )
    return found


def family_case(person: Person, actor: User) -> Case:
    """The case through which `actor` changes `person`'s family (the API names a member, not a
    case): an open one first, the newest first."""
    cases = Case.objects.restrict(actor, Action.CHANGE).filter(family_id=person.family_id)
    case: Case | None = cases.order_by(models.F("closed_at").desc(nulls_first=True), "-opened_at").first()
    if case is None:
        raise ValidationError(_("Only the case owner or a supervisor keeps the family's register."))
    return case


def _stored(value: Any) -> Any:
    """A value as the history keeps it (JSON)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _clean_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    cleaned = dict(fields)
    for name in TEXT_FIELDS:
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    if "civil_documents" in cleaned:
        documents = sorted(set(cleaned["civil_documents"] or []))
        if any(code not in CivilDocument.values for code in documents):
            raise ValidationError(_("Unknown civil document."))
        if CivilDocument.NONE in documents and len(documents) > 1:
            raise ValidationError(_("A member holds documents, or none: not both."))
        cleaned["civil_documents"] = documents
    today = timezone.localdate()
    born = cleaned.get("date_of_birth")
    if born is not None and born > today:
        raise ValidationError({"date_of_birth": _("The date of birth cannot be in the future.")})
    year = cleaned.get("birth_year")
    if year is not None and not 1900 <= year <= today.year:
        raise ValidationError({"birth_year": _("The year of birth is not plausible.")})
    since = cleaned.get("whereabouts_since")
    if since is not None and since > today:
        raise ValidationError({"whereabouts_since": _("Whereabouts are recorded from a date that has come.")})
    return cleaned


def _check(person: Person) -> None:
    if person.date_of_birth is not None and person.birth_year is not None:
        person.birth_year = None  # the date says it: an estimate beside it would only disagree
    if not person.contact_agreed and (person.phone or person.address):
        raise ValidationError(_("Contact details are kept only where the family agreed."))
    if person.whereabouts_since is not None and not person.whereabouts:
        raise ValidationError({"whereabouts": _("Say where the member is, from the date given.")})
    person.full_clean(exclude=["family"])


def _relate(case: Case, person: Person, kind: str, other: Person | None, actor: User) -> Relation | None:
    """Record how `person` is related to another current member (`kind` of `other`)."""
    if other is None or not kind:
        if other is not None or kind:
            raise ValidationError(_("Say how the member is related, and to whom."))
        return None
    if kind not in Relation.Kind.values:
        raise ValidationError(_("Unknown relation."))
    other = (
        Person.objects.restrict(actor, Action.VIEW)
        .current()
        .filter(family_id=case.family_id)
        .refetch(other, _("A member is related only to a current member of the same family."))
    )
    if other.pk == person.pk:
        raise ValidationError(_("A member is not related to themself."))
    current = Relation.objects.filter(person=person, kind=kind, other=other, ended_at__isnull=True)
    if current.exists():
        return None
    relation = Relation(family_id=case.family_id, person=person, kind=kind, other=other, recorded_by=actor)
    relation.full_clean()
    relation.save()
    return relation


def _where(person: Person, actor: User) -> None:
    Whereabouts.objects.create(
        family_id=person.family_id,
        person=person,
        place=person.whereabouts,
        since=person.whereabouts_since,
        recorded_by=actor,
    )


def _event(case: Case, kind: str, actor: User, person: Person, **data: Any) -> None:
    CaseEvent.objects.create(case=case, kind=kind, actor=actor, data={"person_id": person.pk, **data})


@transaction.atomic
def add_member(
    case: Case,
    *,
    actor: User,
    relation_kind: str = "",
    relation_to: Person | None = None,
    **fields: Any,
) -> Person:
    """Add a member to the case's family: their particulars (`Person.REGISTER_FIELDS`), and how
    they are related to another member (`relation_kind` of `relation_to`)."""
    case = _case_to_change(case, actor)
    fields = _clean_fields(fields)
    if not fields.get("given_name") or not fields.get("family_name"):
        raise ValidationError(_("A member needs a given name and a family name."))
    if fields.get("relationship") == Person.Relationship.INDEX:
        raise ValidationError({"relationship": _("The case has its index person: choose how this member is related.")})
    person = Person(family=case.family, **fields)
    _check(person)
    person.save()
    if person.whereabouts:
        _where(person, actor)
    relation = _relate(case, person, relation_kind, relation_to, actor)
    added = {
        name: [None, _stored(getattr(person, name))] for name in EDITABLE if getattr(person, name) not in ("", None, [])
    }
    if relation is not None:
        added["relation"] = [None, f"{relation.kind}:{relation.other_id}"]
    MemberChange.objects.create(
        family_id=case.family_id, person=person, kind=MemberChange.Kind.ADDED, changes=added, actor=actor
    )
    _event(case, CaseEvent.Kind.MEMBER_ADDED, actor, person)
    record(AuditEvent.Action.MEMBER_ADDED, actor=actor, obj=person, case_id=case.pk, fields=sorted(added))
    return person


@transaction.atomic
def change_member(
    case: Case,
    person: Person,
    *,
    actor: User,
    relation_kind: str = "",
    relation_to: Person | None = None,
    **fields: Any,
) -> Person:
    """Change a member's particulars (a corrected date of birth, news of their whereabouts); the
    previous values are kept in their history. Changing nothing records nothing."""
    case = _case_to_change(case, actor)
    person = _member_to_change(case, person, actor)
    fields = _clean_fields(fields)
    if "relationship" in fields and (fields["relationship"] == Person.Relationship.INDEX) != (
        person.relationship == Person.Relationship.INDEX
    ):
        raise ValidationError({"relationship": _("The index person stays the index person of their case.")})
    before = {name: _stored(getattr(person, name)) for name in EDITABLE}
    for name, value in fields.items():
        setattr(person, name, value)
    _check(person)
    changes: dict[str, list[Any]] = {
        name: [before[name], _stored(getattr(person, name))]
        for name in EDITABLE
        if before[name] != _stored(getattr(person, name))
    }
    relation = _relate(case, person, relation_kind, relation_to, actor)
    if relation is not None:
        changes["relation"] = [None, f"{relation.kind}:{relation.other_id}"]
    if not changes:
        return person
    person.save()
    if "whereabouts" in changes or "whereabouts_since" in changes:
        _where(person, actor)
    MemberChange.objects.create(
        family_id=case.family_id, person=person, kind=MemberChange.Kind.CHANGED, changes=changes, actor=actor
    )
    _event(case, CaseEvent.Kind.MEMBER_CHANGED, actor, person)
    record(AuditEvent.Action.MEMBER_CHANGED, actor=actor, obj=person, case_id=case.pk, fields=sorted(changes))
    return person


@transaction.atomic
def remove_member(case: Case, person: Person, *, reason: str, actor: User) -> Person:
    """Remove a member from the register with a reason (recorded in error, left the household for
    good): ended, never deleted, so that every entry naming them still reads. Their relations end."""
    case = _case_to_change(case, actor)
    person = _member_to_change(case, person, actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the member is removed.")})
    if Case.objects.filter(index_person=person, closed_at__isnull=True).exists():
        raise ValidationError(_("The index person of an open case stays in the register."))
    now = timezone.now()
    person.ended_at, person.end_reason = now, reason
    person.save(update_fields=["ended_at", "end_reason", "updated_at"])
    Relation.objects.filter(models.Q(person=person) | models.Q(other=person), ended_at__isnull=True).update(
        ended_at=now
    )
    MemberChange.objects.create(
        family_id=case.family_id, person=person, kind=MemberChange.Kind.REMOVED, reason=reason, actor=actor
    )
    _event(case, CaseEvent.Kind.MEMBER_REMOVED, actor, person, reason=reason)
    record(AuditEvent.Action.MEMBER_REMOVED, actor=actor, obj=person, case_id=case.pk, reason=reason)
    return person


# The register's own rows are moved by the merge itself; a merged record's history stays its own.
_KEPT_ON_MERGED = {"families.memberchange.person", "families.person.merged_into"}
_FILLED_ON_MERGE = ("date_of_birth", "birth_year", "gender", "languages", "school_or_work", "whereabouts")


def _move_references(keep: Person, merged: Person) -> dict[str, list[int]]:
    """Point every reference to `merged` at `keep`, whatever model holds it (entries, consents,
    restrictions, cases, plan actions, requests...), and say which rows moved."""
    moved: dict[str, list[int]] = {}
    # Hidden ones too (related_name="+": a needs record's child, a visit's people present).
    references = [f for f in Person._meta.get_fields(include_hidden=True) if isinstance(f, models.ForeignObjectRel)]
    for relation in references:
        model, field = relation.related_model, relation.field
        # A many-to-many's own table is moved through its field, below, not as a model of its own.
        if isinstance(model, str) or model is Relation or model._meta.auto_created:
            continue
        label = f"{model._meta.app_label}.{model._meta.model_name}.{field.name}"
        if label in _KEPT_ON_MERGED:
            continue
        if isinstance(field, models.ManyToManyField):
            ids = _move_many(field, model, keep, merged)
        else:
            rows = model._base_manager.filter(**{field.name: merged.pk})
            ids = list(rows.values_list("pk", flat=True))
            rows.update(**{field.name: keep.pk})
        if ids:
            moved[label] = sorted(ids)
    moved |= _move_relations(keep, merged)
    return moved


def _move_many(
    field: "models.ManyToManyField[Any, Any]", model: type[models.Model], keep: Person, merged: Person
) -> list[int]:
    """A many-to-many reference (those present at a visit): rows of `merged` move to `keep`, unless
    `keep` is there already."""
    through = field.remote_field.through
    if through is None or isinstance(through, str):
        return []
    columns = {f.related_model: f.name for f in through._meta.fields if f.is_relation}
    source, target = columns[model], columns[Person]
    rows = through._base_manager.filter(**{target: merged.pk})
    ids = list(rows.values_list(source, flat=True))
    present = through._base_manager.filter(**{target: keep.pk, f"{source}__in": ids}).values_list(source, flat=True)
    rows.filter(**{f"{source}__in": list(present)}).delete()  # the kept record is there already
    rows.update(**{target: keep.pk})
    return ids


def _move_relations(keep: Person, merged: Person) -> dict[str, list[int]]:
    """Relations move too, except one between the two records (it ends) and one the kept record
    has already (it ends: the kept one stands)."""
    now, moved = timezone.now(), {}
    between = models.Q(person=keep, other=merged) | models.Q(person=merged, other=keep)
    Relation.objects.filter(between, ended_at__isnull=True).update(ended_at=now)
    for side, other_side in (("person", "other"), ("other", "person")):
        ids = []
        for relation in Relation.objects.filter(**{side: merged}).exclude(**{other_side: keep}):
            duplicate = Relation.objects.filter(
                **{side: keep, other_side: getattr(relation, f"{other_side}_id")},
                kind=relation.kind,
                ended_at__isnull=True,
            )
            if relation.ended_at is None and duplicate.exists():
                relation.ended_at = now
            setattr(relation, f"{side}_id", keep.pk)
            relation.save()
            ids.append(relation.pk)
        if ids:
            moved[f"families.relation.{side}"] = ids
    return moved


@transaction.atomic
def merge_members(case: Case, keep: Person, merged: Person, *, reason: str, actor: User) -> Person:
    """Merge two records of one person in the case's family (decision 68): a supervisor's act.
    Every reference to `merged` moves to `keep` in this transaction; `merged` is ended and points
    to `keep`; what moved is in the audit trail (for the data protection officer), and the
    member's history says that the records were merged, and why."""
    if not actor.has_perm("families.merge_person"):
        raise PermissionDenied
    case = _case_to_change(case, actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why these are one person.")})
    if keep.pk == merged.pk:
        raise ValidationError(_("Choose two different records."))
    # Both read again for the change, in primary-key order (lock()).
    people = {
        person.pk: person
        for person in Person.objects.restrict(actor, Action.CHANGE)
        .current()
        .filter(family_id=case.family_id, pk__in=[keep.pk, merged.pk])
        .lock()
    }
    if len(people) != 2:
        raise ValidationError(_("Both records must be current members of this family."))
    keep, merged = people[keep.pk], people[merged.pk]
    if merged.relationship == Person.Relationship.INDEX and keep.relationship != Person.Relationship.INDEX:
        keep.relationship = Person.Relationship.INDEX
    filled = {}
    for name in _FILLED_ON_MERGE:
        if getattr(keep, name) in ("", None) and getattr(merged, name) not in ("", None):
            filled[name] = [_stored(getattr(keep, name)), _stored(getattr(merged, name))]
            setattr(keep, name, getattr(merged, name))
    names = {f"{merged.given_name} {merged.family_name}", *merged.alias_list()} - {str(keep), *keep.alias_list()}
    if names:
        aliases = ", ".join([*keep.alias_list(), *sorted(names)])[:300]
        filled["other_names"] = [keep.other_names, aliases]
        keep.other_names = aliases
    _check(keep)
    keep.save()
    moved = _move_references(keep, merged)
    copy_index_keys(keep)  # the merged record's cases now have `keep` as index person
    merged.ended_at, merged.end_reason, merged.merged_into = timezone.now(), reason, keep
    merged.save(update_fields=["ended_at", "end_reason", "merged_into", "updated_at"])
    family = case.family_id
    MemberChange.objects.create(
        family_id=family,
        person=keep,
        kind=MemberChange.Kind.MERGED,
        changes={**filled, "merged": [None, merged.pk]},
        reason=reason,
        actor=actor,
    )
    MemberChange.objects.create(
        family_id=family,
        person=merged,
        kind=MemberChange.Kind.MERGED,
        changes={"merged_into": [None, keep.pk]},
        reason=reason,
        actor=actor,
    )
    _event(case, CaseEvent.Kind.MEMBERS_MERGED, actor, keep, reason=reason, merged=merged.pk)
    record(
        AuditEvent.Action.MEMBERS_MERGED,
        actor=actor,
        obj=keep,
        case_id=case.pk,
        reason=reason,
        merged=merged.pk,
        kept=keep.pk,
        moved=moved,
    )
    return keep
