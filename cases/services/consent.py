"""Consent to support: recorded and withdrawn through a case of the family (decisions 42, 43)."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import Action
from agencies.models import Agency, User
from audit.models import AuditEvent
from audit.services import record
from families.models import Consent, Person, Relation

from ..models import Case, CaseEvent

__all__ = ["check_consent_giver", "consent_for_share", "record_consent", "withdraw_consent"]

# Who may consent for a child, by the child's relationship to the index person.
Rel = Person.Relationship
GUARDIANS = {
    Rel.INDEX: {Rel.PARENT, Rel.STEP_PARENT, Rel.GRANDPARENT},
    Rel.SIBLING: {Rel.PARENT, Rel.STEP_PARENT, Rel.GRANDPARENT},
    Rel.CHILD: {Rel.INDEX, Rel.SPOUSE},
}


def check_consent_giver(person: Person, given_by: Person) -> None:
    """A person consents for themself; for a child a parent (or guardian) of the same family may."""
    if given_by.family_id != person.family_id:
        raise ValidationError(_("Consent is given by a member of the same family."))
    if given_by.pk == person.pk:
        return
    if not person.is_child:
        raise ValidationError(_("An adult gives their own consent."))
    if given_by.is_child:
        raise ValidationError(_("A child cannot consent for another child."))
    # A child whose parents the relationships to the index person do not name (a cousin, a child
    # of the household) consents only in their own name: no other adult of the family is assumed
    # to be their parent.
    allowed = GUARDIANS.get(Person.Relationship(person.relationship), set())
    # Or the register says it between the two: "mother of", "guardian of" (decision 67).
    carer = Relation.objects.filter(
        person=given_by, other=person, kind__in=Relation.CARERS, ended_at__isnull=True
    ).exists()
    if given_by.relationship not in allowed and not carer:
        raise ValidationError(
            _("%(giver)s is not a parent or guardian of %(person)s.") % {"giver": given_by, "person": person}
        )


@transaction.atomic
def record_consent(
    case: Case,
    *,
    person: Person,
    given_by: Person,
    given_on: datetime.date,
    actor: User,
    purposes: Iterable[str] = (),
    agencies: Iterable[Agency] = (),
    purpose_text: str = "",
) -> Consent:
    """Record consent to support for a member of the case's family: by those who manage the case
    (its owner, a supervisor of the owning agency, the panel's coordinator)."""
    refusal = _("Only the case owner, a supervisor or the coordinator records consent.")
    case = Case.objects.restrict(actor, Action.MANAGE).lock().refetch(case, refusal)
    if person.family_id != case.family_id:
        raise ValidationError(_("Only members of the family can be recorded here."))
    if person.ended_at is not None or given_by.ended_at is not None:
        raise ValidationError(_("A member removed from the family cannot be recorded here."))
    check_consent_giver(person, given_by)
    if given_on > timezone.localdate():
        raise ValidationError(_("Consent cannot be given in the future."))
    purposes = sorted(set(purposes))
    if any(p not in Consent.Purpose.values for p in purposes):
        raise ValidationError(_("Unknown purpose of consent."))
    if not purposes and not purpose_text.strip():
        raise ValidationError(_("Say what the consent is for."))
    agencies = list(agencies)
    if agencies and Consent.Purpose.SHARING not in purposes:
        purposes.append(Consent.Purpose.SHARING)
    consent = Consent.objects.create(
        family=case.family,
        person=person,
        given_by=given_by,
        given_on=given_on,
        purposes=purposes,
        purpose_text=purpose_text.strip(),
        recorded_by=actor,
    )
    consent.agencies.set(agencies)
    data = {"person_id": person.pk}
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.CONSENT_RECORDED, actor=actor, data=data)
    record(AuditEvent.Action.CONSENT_RECORDED, actor=actor, obj=consent, case_id=case.pk, purposes=purposes)
    return consent


@transaction.atomic
def withdraw_consent(case: Case, consent: Consent, *, reason: str, actor: User) -> Consent:
    """Record that consent was withdrawn: by the case owner or a supervisor, who read the consent
    and change the case (a coordinator manages a case from its summary: consent is file content).
    Shares resting on it are not revoked but flagged on the case and named on the timeline: the
    owner decides whether another basis applies (decision 43)."""
    refusal = _("Only the case owner or a supervisor withdraws consent.")
    case = Case.objects.restrict(actor, Action.CHANGE).lock().refetch(case, refusal)
    if consent.family_id != case.family_id:
        raise ValidationError(_("This consent is not of this family."))
    if not reason.strip():
        raise ValidationError(_("Say why consent was withdrawn."))
    consent = Consent.objects.restrict(actor, Action.CHANGE).lock().refetch(consent, refusal)
    if consent.withdrawn_at is not None:
        raise ValidationError(_("This consent has already been withdrawn."))
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor
    consent.withdraw_reason = reason.strip()
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    affected = list(consent.shares.filter(revoked_at__isnull=True).values_list("case_id", "agency__name"))
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.CONSENT_WITHDRAWN,
        actor=actor,
        data={"person_id": consent.person_id, "reason": consent.withdraw_reason},
    )
    record(
        AuditEvent.Action.CONSENT_WITHDRAWN,
        actor=actor,
        obj=consent,
        case_id=case.pk,
        reason=consent.withdraw_reason,
        shares_flagged=[{"case": c, "agency": a} for c, a in affected],
    )
    return consent


def consent_for_share(consent: Consent, *, case: Case, agency: Agency) -> None:
    """A share on consent rests on a current consent of the case's family that covers sharing,
    and, when the consent names agencies, names this one."""
    if consent.family_id != case.family_id:
        raise ValidationError(_("The consent must be one of this family's."))
    if consent.withdrawn_at is not None:
        raise ValidationError(_("This consent has been withdrawn."))
    if Consent.Purpose.SHARING not in consent.purposes:
        raise ValidationError(_("This consent does not cover sharing information."))
    named = list(consent.agencies.all())
    if named and agency not in named:
        raise ValidationError(_("This consent does not name %(agency)s.") % {"agency": agency})
