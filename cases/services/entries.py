"""Recording the work with the family: contacts, assessments, children's needs, notes,
attachments; the risk level, the stage, the key worker and what must not be told.

A final entry goes on the case timeline with its confidentiality; a draft is its author's alone
until finalised (a draft is never lost, and never read by others half-written).
"""

import datetime
import logging
from collections.abc import Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import Action, CaseAccess
from agencies.access.core import entry_content_condition
from agencies.models import Agency, Membership, User
from audit.models import AuditEvent
from audit.services import record
from families.models import DisclosureRestriction, Person

from .. import uploads, virus_scan
from ..models import (
    Attachment,
    Case,
    CaseEvent,
    CaseNote,
    ChildNeeds,
    Contact,
    Entry,
    ExpertConsultation,
    NeedsAssessment,
    NetworkLink,
    RiskRecord,
    SecurityAssessment,
    SharingAgreement,
    Visibility,
)
from ..risk import RiskLevel
from ..signals import contact_planned
from .agreements import MIN_OVERRIDE, flag_override

logger = logging.getLogger(__name__)

__all__ = [
    "AGE_BANDS",
    "STAGE_MOVES",
    "add_restriction",
    "attach_file",
    "case_workers",
    "default_visibility",
    "lift_restriction",
    "move_stage",
    "next_contact",
    "next_contact_columns",
    "next_contact_from",
    "record_child_needs",
    "record_contact",
    "record_expert_consultation",
    "record_needs_assessment",
    "record_note",
    "record_security_assessment",
    "refusals",
    "refusals_column",
    "set_key_worker",
    "set_risk_level",
]

_E = TypeVar("_E", bound=Entry)

# The legal moves between stages (design.md §3): the ten steps form a circle, several run at
# once, so moves go forward and back, but a case is closed (and reopened) by its own services,
# not by a move.
Stage = Case.Stage
STAGE_MOVES: dict[int, set[int]] = {
    Stage.IDENTIFY: {Stage.DISCUSS, Stage.CONTACT, Stage.ASSESS},
    Stage.DISCUSS: {Stage.IDENTIFY, Stage.CONTACT, Stage.ASSESS},
    Stage.CONTACT: {Stage.DISCUSS, Stage.ASSESS, Stage.CHILDREN, Stage.REVIEW},
    Stage.ASSESS: {Stage.CONTACT, Stage.CHILDREN, Stage.REVIEW, Stage.PLAN},
    Stage.CHILDREN: {Stage.ASSESS, Stage.REVIEW, Stage.PLAN},
    Stage.REVIEW: {Stage.ASSESS, Stage.CHILDREN, Stage.PLAN},
    Stage.PLAN: {Stage.REVIEW, Stage.MONITOR},
    Stage.MONITOR: {Stage.REVIEW, Stage.PLAN, Stage.REDUCE},
    Stage.REDUCE: {Stage.MONITOR, Stage.CAPACITY},
    Stage.CAPACITY: {Stage.REDUCE},
}


def case_workers(case: Case) -> models.QuerySet[User]:
    """Who may have made a visit: people working cases for the agencies that read the file."""
    agencies = {case.owning_agency_id, *case.shares.current().filter(scope="full").values_list("agency_id", flat=True)}
    return (
        User.objects.filter(
            is_active=True, memberships__agency_id__in=agencies, memberships__role__in=Membership.CASEWORK_ROLES
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def _finalise(entry: Entry, actor: User) -> None:
    kind = _kind_of(entry)
    CaseEvent.objects.create(
        case=entry.case,
        kind=kind.event,
        actor=actor,
        data=kind.event_particulars(entry),
        entry_label=entry._meta.label_lower,
        entry_id=entry.pk,
        visibility=entry.visibility,
        author_agency_id=entry.author_agency_id,
    )
    record(AuditEvent.Action.ENTRY_RECORDED, actor=actor, obj=entry, case_id=entry.case_id, visibility=entry.visibility)


def _kind_of(entry: Entry) -> Any:
    # The declarations (cases.entry_kinds) name these services: read them when called, not imported.
    from ..entry_kinds import kind_for

    return kind_for(type(entry))


@transaction.atomic
def _save(entry: _E, *, actor: User, finalise: bool, m2m: dict[str, Iterable[Any]] | None = None) -> _E:
    """Create an entry, or update the author's own draft; a final entry goes on the timeline.

    The case is read again, locked, with the actor's CaseAccess: only those who write in the file
    record in it (a kind one sector keeps, only those acting for that sector), and a closure at the
    same moment is seen."""
    entry.case, access = _case_to_write(entry.case, actor)
    kind = _kind_of(entry)
    if not access.records(kind.sector):
        raise ValidationError(kind.sector_refusal)
    if entry.pk is not None:
        refusal = _("Only its author changes a draft. A final entry is not edited: add a new entry instead.")
        type(entry)._default_manager.restrict(actor, Action.CHANGE).lock().refetch(entry, refusal)
    else:
        entry.author = actor
        entry.author_agency_id = _acting_agency_id(access)
    if entry.case.is_closed and not kind.on_closed_case:
        raise ValidationError(_("The case is closed: reopen it to record this."))
    entry.is_draft = not finalise
    entry.abstract = entry.abstract.strip()
    entry.full_clean()
    entry.save()
    for name, values in (m2m or {}).items():
        getattr(entry, name).set(values)
    if finalise:
        _finalise(entry, actor)
    return entry


def _case_to_write(case: Case, actor: User, *, lock: bool = True) -> tuple[Case, CaseAccess]:
    """The case, locked and read again with the actor's access: the service decides, not the
    caller. Writing needs the full file, not one opened by breaking the glass (decision 35).
    `lock=False` for a check ahead of the transaction (an upload is refused before it is scanned)."""
    refusal = _("You may not do this on this case.")
    rows = Case.objects.with_access(actor)
    locked: Case = (rows.lock() if lock else rows).refetch(case, refusal)
    access = CaseAccess.of(locked, actor)
    if not access.writes:
        raise ValidationError(refusal)
    return locked, access


def _acting_agency_id(access: CaseAccess) -> int:
    """The agency a record is written for: the one the actor acts for on the case."""
    if access.acting_agency_id is None:
        raise ValidationError(_("You work for no agency: you cannot write in a case file."))
    return access.acting_agency_id


def _not_in_future(value: datetime.date | datetime.datetime | None, message: str) -> None:
    if value is None:
        return
    now = timezone.now() if isinstance(value, datetime.datetime) else timezone.localdate()
    if value > now:
        raise ValidationError(message)


def _family_members(case: Case, people: Iterable[Person]) -> list[Person]:
    people = list(people)
    if any(person.family_id != case.family_id for person in people):
        raise ValidationError(_("Only members of the family can be recorded here."))
    if any(person.ended_at is not None for person in people):
        raise ValidationError(_("A member removed from the family cannot be recorded here."))
    return people


@transaction.atomic
def record_contact(
    contact: Contact,
    *,
    actor: User,
    finalise: bool = True,
    visitors: Iterable[User] = (),
    present: Iterable[Person] = (),
) -> Contact:
    """Record a contact or a home visit (or one that did not happen: nobody home, refused)."""
    contact.case, _access = _case_to_write(contact.case, actor)
    present = _family_members(contact.case, present)
    _not_in_future(contact.occurred_at, _("A contact cannot be recorded before it happens."))
    held_on = timezone.localtime(contact.occurred_at).date()
    if contact.next_contact_on and contact.next_contact_on < held_on:
        raise ValidationError(_("The next contact must come after this one."))
    if contact.outcome != Contact.Outcome.HELD and present:
        raise ValidationError(_("Nobody was present at a contact that did not take place."))
    # A child among those present is a minor taking part, ticked or not (guidance, step 3).
    contact.minor_present = contact.minor_present or any(person.is_child for person in present)
    if contact.minor_present and contact.outside_school_hours is None:
        contact.outside_school_hours = True  # not said otherwise: the visit was arranged for after school
    if contact.minor_present and not contact.outside_school_hours:
        raise ValidationError(_("A minor may take part only outside school hours (guidance, step 3)."))
    if not contact.minor_present:
        # Asked only when a minor took part: without one, the time of day is not recorded as an answer.
        contact.outside_school_hours = None
    visitors = list(visitors) or [actor]
    workers = set(case_workers(contact.case).filter(pk__in=[user.pk for user in visitors]).values_list("pk", flat=True))
    if any(user.pk not in workers for user in visitors):
        raise ValidationError(_("A visitor must work cases for an agency that reads this file."))
    saved = _save(contact, actor=actor, finalise=finalise, m2m={"visitors": visitors, "present": present})
    if finalise and contact.outcome == Contact.Outcome.HELD:
        # The first contact that took place meets the deadline the panel set (design.md §4); one
        # recorded late but held earlier is the first.
        Case.objects.filter(pk=contact.case_id).filter(
            models.Q(first_contact_on__isnull=True) | models.Q(first_contact_on__gt=held_on)
        ).update(first_contact_on=held_on)
    if finalise and contact.next_contact_on:
        # The next visit is agreed with the same visitors (step 3): a pair visit's police partner is
        # told and finds it in their calendar (reminders, decision 92).
        contact_planned.send(sender=Contact, contact=saved, visitors=visitors, actor=actor)
    return saved


@transaction.atomic
def record_needs_assessment(
    assessment: NeedsAssessment, *, actor: User, finalise: bool = True, network: Iterable[dict[str, Any]] = ()
) -> NeedsAssessment:
    """Record the needs assessment with its network overview. A final one with a level of concern
    sets the case's risk level, when its author may change the case."""
    unknown = set(assessment.practical_problems) - set(NeedsAssessment.Problem.values)
    if unknown:
        raise ValidationError(_("Unknown practical problem: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    _save(assessment, actor=actor, finalise=finalise)
    NetworkLink.objects.filter(assessment=assessment).delete()
    links = [NetworkLink(assessment=assessment, **row) for row in network]
    for link in links:
        link.full_clean(exclude=["assessment"])
    NetworkLink.objects.bulk_create(links)
    # An assessment kept by one agency informs the owner, who sets the level by hand: the case's
    # level and its history are read by every partner.
    shared = assessment.visibility == Visibility.CASE_TEAM
    may_change = CaseAccess.of(assessment.case, actor).change  # the case as _save locked it
    if finalise and shared and may_change and assessment.concern_level != RiskLevel.NOT_ASSESSED:
        set_risk_level(
            assessment.case,
            level=assessment.concern_level,
            source=RiskRecord.Source.NEEDS_ASSESSMENT,
            actor=actor,
        )
    return assessment


def record_security_assessment(
    assessment: SecurityAssessment, *, actor: User, finalise: bool = True
) -> SecurityAssessment:
    """The police's own record; the partners read its abstract."""
    return _save(assessment, actor=actor, finalise=finalise)


# The ages (in whole years, both ends included) each age band of ChildNeeds stands for.
AGE_BANDS: dict[str, tuple[int, int]] = {
    ChildNeeds.AgeBand.UNDER_12: (0, 11),
    ChildNeeds.AgeBand.FROM_12_TO_17: (12, 17),
    ChildNeeds.AgeBand.YOUNG_ADULT: (14, 18),
}


def record_child_needs(needs: ChildNeeds, *, actor: User, finalise: bool = True) -> ChildNeeds:
    """One child's own needs record (step 5)."""
    _family_members(needs.case, [needs.child])
    age = needs.child.age()
    if age is not None and age > 18:
        raise ValidationError(
            _("%(child)s is an adult: this record is for children and young adults.") % {"child": needs.child}
        )
    if needs.age_band not in AGE_BANDS:
        raise ValidationError(_("Choose the child's age band."))
    low, high = AGE_BANDS[needs.age_band]
    if age is not None and not low <= age <= high:
        raise ValidationError(_("The age band does not fit a child of %(age)s.") % {"age": age})
    unknown = set(needs.exposures) - set(ChildNeeds.Exposure.values)
    if unknown:
        raise ValidationError(_("Unknown exposure: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    if ChildNeeds.Exposure.CONFLICT_ZONE in needs.exposures:
        needs.conflict_zone = True
    return _save(needs, actor=actor, finalise=finalise)


@transaction.atomic
def record_expert_consultation(
    consultation: ExpertConsultation, *, actor: User, finalise: bool = True
) -> ExpertConsultation:
    """Record that an expert outside Ura was consulted (decision 123): only who runs the case
    (its owner, a supervisor of the owning agency) records it, and only an expert the agency they
    act for may consult."""
    case, access = _case_to_write(consultation.case, actor)
    if not access.runs:
        raise ValidationError(_("Only the case owner or their supervisor records the consultation of an expert."))
    expert = consultation.expert
    agency_id = access.acting_agency_id
    if agency_id is None or not (expert.is_active and expert.agencies.filter(pk=agency_id).exists()):
        raise ValidationError(_("Your agency may not consult this expert: see the register of experts."))
    consultation.case = case
    if not consultation.shared.strip():
        raise ValidationError(_("Say what was shared with the expert."))
    override = _expert_agreement(consultation, agency_id=agency_id)
    consultation.agreement_override = override
    saved = _save(consultation, actor=actor, finalise=finalise)
    if override:
        agencies = list(Agency.objects.filter(pk=agency_id))
        flag_override(saved, case_id=case.pk, agencies=agencies, actor=actor)
    return saved


def _expert_agreement(consultation: ExpertConsultation, *, agency_id: int) -> str:
    """Without consent, what is shared with an expert rests on the current agreement they work
    under, to which the consulting agency is a party and which holds at the case's panel; or on
    the emergency override with its justification (decisions 113, 123). Returns the override."""
    override = consultation.agreement_override.strip()
    if consultation.basis not in ExpertConsultation.NEEDS_AGREEMENT:
        return ""
    expert, case = consultation.expert, consultation.case
    agreements = SharingAgreement.objects.current().covering([agency_id], panel_id=case.panel_id)
    if expert.agreement_id is not None and agreements.filter(pk=expert.agreement_id).exists():
        if override:
            raise ValidationError(_("Name the agreement or use the emergency override, not both."))
        return ""
    if len(override) >= MIN_OVERRIDE:
        return override
    if override:
        raise ValidationError(
            _("Explain in at least %(count)d characters why the information must be shared now, without an agreement.")
            % {"count": MIN_OVERRIDE}
        )
    raise ValidationError(
        _(
            "%(expert)s works under no current information-sharing agreement covering your agency: consult "
            "them on consent or without identifying anyone, ask the coordinator to record the agreement, "
            "or, in an emergency, use the override and say why (the data protection officer is told)."
        )
        % {"expert": expert.name}
    )


def record_note(note: CaseNote, *, actor: User, finalise: bool = True) -> CaseNote:
    return _save(note, actor=actor, finalise=finalise)


def _scan(attachment: Attachment, upload: UploadedFile, *, actor: User) -> virus_scan.Verdict:
    """Refuse a file the virus scanner flags, and record the refusal in the audit chain.

    Called before the entry's transaction: the record of a refusal stays when the upload does not."""
    try:
        return virus_scan.scan(upload)
    except virus_scan.Infected as hit:
        record(
            AuditEvent.Action.UPLOAD_REFUSED,
            actor=actor,
            case_id=attachment.case_id,
            reason="malware",
            signature=hit.signature,
            name=uploads.safe_name(upload.name or "file"),
        )
        raise ValidationError(
            _("The virus scanner found something harmful in this file (%(signature)s), so it was not stored.")
            % {"signature": hit.signature}
        ) from None
    except virus_scan.ScannerUnavailable:
        logger.warning("Upload refused: the virus scanner could not be reached", exc_info=True)
        raise ValidationError(
            _("The file could not be checked for viruses just now, so it was not stored. Try again later.")
        ) from None


def _record_unscanned(attachment: Attachment, verdict: virus_scan.Verdict, *, actor: User) -> None:
    """A scanner is set but did not answer, and failing open stored the file: said in the log and
    the audit chain, so that the file can be found and scanned later."""
    logger.warning("Upload stored unscanned (attachment %s): %s", attachment.pk, verdict.skipped_because)
    record(
        AuditEvent.Action.UPLOAD_UNSCANNED,
        actor=actor,
        obj=attachment,
        case_id=attachment.case_id,
        reason=verdict.skipped_because,
        unscanned=True,
        name=attachment.original_name,
    )


def attach_file(attachment: Attachment, upload: UploadedFile, *, actor: User) -> Attachment:
    """Attach a file, checked by its content (not its name) and stored under a random name."""
    if attachment.assessment is not None and attachment.assessment.case_id != attachment.case_id:
        raise ValidationError(_("The assessment belongs to another case."))
    checked = uploads.check(upload)
    # Who may not write in the file is refused before the file goes to the scanner, not after.
    _case_to_write(attachment.case, actor, lock=False)
    verdict = _scan(attachment, upload, actor=actor)
    attachment.original_name = uploads.safe_name(upload.name or "file", checked)
    attachment.stored_name = checked.stored_name
    attachment.content_type = checked.content_type
    attachment.size = upload.size or 0
    attachment.file.save(checked.stored_name, upload, save=False)
    try:
        with transaction.atomic():
            saved = _save(attachment, actor=actor, finalise=True)
            if settings.URA_CLAMAV_URL and not verdict.scanned:
                _record_unscanned(saved, verdict, actor=actor)
            return saved
    except Exception:
        attachment.file.delete(save=False)  # nothing half-saved: no file without its row
        raise


@transaction.atomic
def set_risk_level(case: Case, *, level: str, source: str, actor: User, rationale: str = "") -> RiskRecord | None:
    """Set the case's risk level on the common scale, keeping the history. Those who may change
    the case set it (an assessment by a partner informs the owner, who decides)."""
    cases = Case.objects.restrict(actor, Action.CHANGE).with_access(actor)  # the agency they act for
    case = cases.lock().refetch(case, _("You may not do this on this case."))
    if case.is_closed:
        raise ValidationError(_("The case is closed: reopen it first."))
    if level not in RiskLevel.values:
        raise ValidationError(_("Unknown risk level."))
    if source not in RiskRecord.Source.values:
        raise ValueError(f"Unknown source of a risk level: {source!r}")
    if level == case.risk_level:
        return None
    change = RiskRecord.objects.create(
        case=case,
        level=level,
        previous_level=case.risk_level,
        source=source,
        rationale=rationale.strip(),
        recorded_by=actor,
        agency_id=_acting_agency_id(CaseAccess.of(case, actor)),
    )
    Case.objects.filter(pk=case.pk).update(risk_level=level, updated_at=timezone.now())
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.RISK_CHANGED,
        actor=actor,
        data={"level": level, "previous": change.previous_level},
    )
    record(AuditEvent.Action.RISK_CHANGED, actor=actor, obj=case, case_id=case.pk, level=level)
    return change


@transaction.atomic
def move_stage(case: Case, *, stage: int, actor: User) -> Case:
    """Move the case to another of the ten steps, along the legal moves of `STAGE_MOVES`."""
    case = Case.objects.restrict(actor, Action.CHANGE).lock().refetch(case, _("You may not do this on this case."))
    if case.is_closed:
        raise ValidationError(_("The case is closed: reopen it first."))
    if stage not in Case.Stage.values:
        raise ValidationError(_("There is no such step."))
    if stage not in STAGE_MOVES[case.stage]:
        raise ValidationError(
            _("A case at %(from)s does not move to %(to)s.")
            % {"from": case.get_stage_display(), "to": Case.Stage(stage).label}
        )
    previous = case.stage
    Case.objects.filter(pk=case.pk).update(stage=stage, updated_at=timezone.now())
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.STAGE_CHANGED, actor=actor, data={"stage": stage, "previous": previous}
    )
    record(AuditEvent.Action.STAGE_CHANGED, actor=actor, obj=case, case_id=case.pk, stage=stage)
    case.refresh_from_db()
    return case


@transaction.atomic
def set_key_worker(case: Case, *, actor: User, person: Person | None = None, note: str = "") -> Case:
    """Record the key worker: the person closest to the index person, in or outside the family."""
    case = Case.objects.restrict(actor, Action.CHANGE).lock().refetch(case, _("You may not do this on this case."))
    if case.is_closed:
        raise ValidationError(_("The case is closed: reopen it first."))
    if person is None and not note.strip():
        raise ValidationError(_("Name the key worker: a family member or someone else."))
    if person is not None:
        _family_members(case, [person])
    Case.objects.filter(pk=case.pk).update(
        key_worker_person=person, key_worker_note=note.strip(), updated_at=timezone.now()
    )
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.KEY_WORKER, actor=actor, data={})
    record(AuditEvent.Action.KEY_WORKER_SET, actor=actor, obj=case, case_id=case.pk)
    case.refresh_from_db()
    return case


@transaction.atomic
def add_restriction(
    case: Case, *, person: Person, must_not_be_told: str, actor: User, knows: str = ""
) -> DisclosureRestriction:
    """Record what a family member must not be told; everyone who opens the case is warned."""
    case, _access = _case_to_write(case, actor)
    _family_members(case, [person])
    if not must_not_be_told.strip():
        raise ValidationError(_("Say what they must not be told."))
    restriction = DisclosureRestriction.objects.create(
        family=case.family,
        person=person,
        knows=knows.strip(),
        must_not_be_told=must_not_be_told.strip(),
        recorded_by=actor,
    )
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.RESTRICTION, actor=actor, data={"person_id": person.pk})
    record(AuditEvent.Action.RESTRICTION_ADDED, actor=actor, obj=restriction, case_id=case.pk)
    return restriction


@transaction.atomic
def lift_restriction(restriction: DisclosureRestriction, *, actor: User) -> DisclosureRestriction:
    """Lift a restriction (the family member has been told, or it no longer matters): by those
    who may change one of the family's cases. Lifting it again changes nothing (a second click)."""
    changeable = Case.objects.restrict(actor, Action.CHANGE).filter(family_id=restriction.family_id)
    if not changeable.exists():
        raise ValidationError(_("Only the case owner or a supervisor lifts a restriction."))
    if restriction.lifted_at is not None:
        return restriction
    restriction.lifted_at = timezone.now()
    restriction.save(update_fields=["lifted_at"])
    record(AuditEvent.Action.RESTRICTION_LIFTED, actor=actor, obj=restriction)
    return restriction


def refusals(case: Case, user: User) -> int:
    """How many contacts the family refused since the last cooperative one (repeated refusals call
    for the guidance's options; a visit that went well since starts the count again)."""
    count: int = _refused_since_cooperation(case, user).count()
    return count


def refusals_column(user: User) -> models.Expression:
    """`refusals` of each case as a column of the case's own read (the case page's, decision 149)."""
    counted = (
        _refused_since_cooperation(models.OuterRef("pk"), user)
        .order_by()
        .values("case")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    return Coalesce(models.Subquery(counted), 0)


def _refused_since_cooperation(case: Any, user: User) -> models.QuerySet[Contact]:
    refused = models.Q(outcome=Contact.Outcome.REFUSED) | models.Q(cooperation=Contact.Cooperation.REFUSES)
    # Only contacts the user reads in full: an own-agency contact's outcome is its agency's.
    readable = entry_content_condition(user) or models.Q(pk__in=[])
    contacts = Contact.objects.restrict(user, Action.VIEW).final().filter(readable)
    last_cooperative = contacts.filter(
        case=models.OuterRef("case_id"), outcome=Contact.Outcome.HELD, cooperation=Contact.Cooperation.COOPERATIVE
    ).order_by("-occurred_at")
    refusing: models.QuerySet[Contact] = (
        contacts.filter(refused, case=case)
        .alias(since=models.Subquery(last_cooperative.values("occurred_at")[:1]))
        .filter(models.Q(since__isnull=True) | models.Q(occurred_at__gt=models.F("since")))
    )
    return refusing


def next_contact(case: Case, user: User) -> Contact | None:
    """The next contact as agreed at the last contact that agreed one (of those the user reads in
    full), if it is still to come: a later visit's agreement replaces an earlier one's."""
    agreed: Contact | None = _agreeing(case, user).first()
    if agreed is None or agreed.next_contact_on is None or agreed.next_contact_on < timezone.localdate():
        return None
    return agreed


def next_contact_columns(user: User) -> dict[str, models.Subquery]:
    """`next_contact` of each case as two columns of the case's own read, the contact that agreed it
    and the day agreed (`next_contact_from`; the case page's, decision 149)."""
    agreeing = _agreeing(models.OuterRef("pk"), user)
    return {
        "agreed_contact_id": models.Subquery(agreeing.values("pk")[:1]),
        "agreed_contact_on": models.Subquery(agreeing.values("next_contact_on")[:1]),
    }


def next_contact_from(case: Case) -> Contact | None:
    """The next contact from the columns of `next_contact_columns`: the contact that agreed it, made
    of what its link and the summary show, if still to come."""
    pk, on = getattr(case, "agreed_contact_id", None), getattr(case, "agreed_contact_on", None)
    if pk is None or on is None or on < timezone.localdate():
        return None
    return Contact(pk=pk, case_id=case.pk, next_contact_on=on)


def _agreeing(case: Any, user: User) -> models.QuerySet[Contact]:
    return (
        Contact.objects.restrict(user, Action.VIEW)
        .final()
        .annotate_content(user)
        .filter(case=case, content_visible=True, next_contact_on__isnull=False)
        .order_by("-occurred_at", "-pk")
    )


def default_visibility(model: type[Entry], actor: User, case: Case) -> str:
    """Health agencies and the police keep their entries for themselves by default (the agency
    the actor acts for on the case, as CaseAccess says)."""
    if model.DEFAULT_VISIBILITY == Visibility.OWN_AGENCY:
        return Visibility.OWN_AGENCY
    sector = CaseAccess.fetch(case, actor).acting_sector
    own = sector in (Agency.Sector.MENTAL_HEALTH, Agency.Sector.HEALTH)
    return Visibility.OWN_AGENCY if own else Visibility.CASE_TEAM
