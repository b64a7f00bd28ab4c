"""Every change to a case goes through these functions (never a bare `save()` in a view).

They take objects that the caller has already fetched through `restrict()`, and a keyword-only
`actor`. Each runs in one transaction: the case, its shares, the timeline and the audit trail change
together or not at all. Shares are rows of `CaseShare` only: restrict() reads them there, and no
guardian row mirrors them (decision 96).
"""

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import Action, CaseAccess, Level, UserAccess
from agencies.models import Agency, Membership, Panel, User
from audit.models import AuditEvent
from audit.services import record
from families.models import Consent, Family, Person

from .. import events
from ..models import Case, CaseReferenceCounter, CaseShare, DisclosureCheck, SharingAgreement
from .agreements import NEEDS_AGREEMENT, agreement_for, flag_override
from .consent import consent_for_share

__all__ = [
    "assign_owner",
    "casework_agencies",
    "disclosing_agencies",
    "expire_case_shares",
    "open_case",
    "reassign_caseload",
    "record_disclosure_check",
    "revoke_share",
    "share_case",
]


def _next_reference(year: int) -> str:
    # The row lock serialises concurrent openings; the counter row is created on first use.
    counter, _created = CaseReferenceCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}-{counter.last:04d}"


def _ensure_reach_kept(case: Case, actor: User, before: Level) -> None:
    """Refuse a change that would leave the actor seeing less of the case than before it."""
    after = CaseAccess.of(Case.objects.with_access(actor).get(pk=case.pk), actor).level
    if after < before:
        raise ValidationError(
            _("This change would take the case out of your reach, so it was not made. Ask a coordinator.")
        )


def casework_agencies(user: User) -> list[Agency]:
    """The agencies in which `user` works cases, and so may own one."""
    return list(
        Agency.objects.filter(memberships__user=user, memberships__role__in=Membership.CASEWORK_ROLES)
        .distinct()
        .order_by("name")
    )


def _owning_agency(owner: User, agency: Agency | None) -> Agency:
    agencies = casework_agencies(owner)
    if not agencies:
        raise ValidationError(_("%(user)s works cases in no partner agency, so cannot own one.") % {"user": owner})
    if agency is None:
        if len(agencies) > 1:
            raise ValidationError(_("%(user)s works for several agencies: choose the owning agency.") % {"user": owner})
        return agencies[0]
    if agency not in agencies:
        raise ValidationError(_("%(user)s does not work cases for %(agency)s.") % {"user": owner, "agency": agency})
    return agency


@transaction.atomic
def open_case(
    *,
    family: Family,
    index_person: Person,
    owner: User,
    actor: User,
    agency: Agency | None = None,
    panel: Panel | None = None,
    stage: int = Case.Stage.IDENTIFY,
    opened_at: datetime.datetime | None = None,
    **fields: Any,
) -> Case:
    """Open a case file for a family, owned by `owner` for their (or the given) agency."""
    if index_person.family_id != family.pk:
        raise ValidationError(_("The index person must be a member of the family."))
    opened_at = opened_at or timezone.now()
    case = Case(
        reference=_next_reference(timezone.localtime(opened_at).year),
        family=family,
        index_person=index_person,
        owner=owner,
        owning_agency=_owning_agency(owner, agency),
        panel=panel,
        stage=stage,
        opened_at=opened_at,
        **fields,
    )
    case.full_clean()
    case.save()
    events.case_opened_event(case, actor=actor)
    return case


@transaction.atomic
def share_case(
    case: Case,
    *,
    agency: Agency,
    scope: str,
    basis: str,
    actor: User,
    justification: str = "",
    consent_given_by: str = "",
    consent_given_on: datetime.date | None = None,
    ends_at: datetime.datetime | None = None,
    purpose: str = "",
    consent: Consent | None = None,
    legal_duty: str = "",
    agreement: SharingAgreement | None = None,
    agreement_override: str = "",
) -> CaseShare:
    """Share `case` with `agency` at `scope`, on a lawful `basis`.

    On a safeguarding or legal-duty basis the share names the current information-sharing
    agreement covering the owning agency and `agency` (the only one, or `agreement` among several),
    or carries an emergency `agreement_override`, which the data protection officers are told of.

    Nobody gives what they do not hold: the full file is shared only by someone who reads it, and
    only they may share with an agency of their own (a coordinator cannot open the file to their
    own colleagues). An agency already holding a share gets the new one in its place.
    """
    case = (
        Case.objects.restrict(actor, Action.MANAGE)
        .with_access(actor)
        .lock()
        .refetch(case, _("You may no longer manage this case."))
    )
    if agency.pk == case.owning_agency_id:
        raise ValidationError(_("The owning agency already sees the whole case."))
    consent_given_by, consent_given_on = _check_basis(
        case,
        actor=actor,
        agency=agency,
        basis=basis,
        justification=justification,
        consent=consent,
        consent_given_by=consent_given_by,
        consent_given_on=consent_given_on,
        legal_duty=legal_duty,
    )
    owning_agency = Agency.objects.get(pk=case.owning_agency_id)
    chosen = agreement_for(
        basis, [owning_agency, agency], panel_id=case.panel_id, agreement=agreement, override=agreement_override
    )
    override = agreement_override.strip() if basis in NEEDS_AGREEMENT and chosen is None else ""
    if ends_at is not None and ends_at <= timezone.now():
        raise ValidationError(_("The end of a share must be in the future."))
    before = CaseAccess.of(case, actor).level
    if before != Level.FULL:
        if scope == CaseShare.Scope.FULL:
            raise ValidationError(_("Only someone who reads the full file can share it in full."))
        if agency.pk in UserAccess.of(actor).agencies_by_name:
            raise ValidationError(_("You cannot share a case with your own agency without reading it yourself."))
    for previous in case.shares.active().filter(agency=agency).select_related("agency").lock():
        _end_share(previous, actor=actor, reason=_("Replaced by a new share."))
    share = CaseShare(
        case=case,
        agency=agency,
        scope=scope,
        basis=basis,
        justification=justification.strip(),
        consent_given_by=consent_given_by.strip(),
        consent_given_on=consent_given_on,
        consent=consent if basis == CaseShare.Basis.CONSENT else None,
        legal_duty=legal_duty.strip() if basis == CaseShare.Basis.LEGAL_DUTY else "",
        purpose=purpose.strip(),
        agreement=chosen,
        agreement_override=override,
        granted_by=actor,
        ends_at=ends_at,
    )
    share.full_clean(validate_constraints=True)
    share.save()
    _ensure_reach_kept(case, actor, before)
    events.case_shared_event(share, actor=actor)
    if override:
        flag_override(share, case_id=case.pk, agencies=[owning_agency, agency], actor=actor)
    return share


# An override or a legal duty is explained in a sentence, not a word (decision 42).
MIN_JUSTIFICATION = 20


def _check_basis(
    case: Case,
    *,
    actor: User,
    agency: Agency,
    basis: str,
    justification: str,
    consent: Consent | None,
    consent_given_by: str,
    consent_given_on: datetime.date | None,
    legal_duty: str,
) -> tuple[str, datetime.date | None]:
    """Every disclosure names its basis: a current consent of the family (or, without a record,
    who gave it and when), an override justified, or the legal duty named and justified."""
    if basis == CaseShare.Basis.CONSENT:
        if consent is not None:
            # Read again and locked: a withdrawal racing this share is either before or after it.
            consents = Consent.objects.restrict(actor, Action.VIEW).select_related("given_by")
            consent = consents.lock().refetch(consent, _("The consent must be one of this family's."))
            consent_for_share(consent, case=case, agency=agency)
            return str(consent.given_by), consent.given_on
        if not consent_given_by.strip() or consent_given_on is None:
            raise ValidationError(_("Choose the family's consent record, or say who gave consent and when."))
        if consent_given_on > timezone.localdate():
            raise ValidationError(_("Consent cannot be given in the future."))
        return consent_given_by, consent_given_on
    if basis not in CaseShare.Basis.values:
        raise ValidationError(_("Name the lawful basis of the share."))
    if len(justification.strip()) < MIN_JUSTIFICATION:
        raise ValidationError(
            _("Explain in at least %(count)d characters why sharing is necessary and proportionate.")
            % {"count": MIN_JUSTIFICATION}
        )
    if basis == CaseShare.Basis.LEGAL_DUTY and not legal_duty.strip():
        raise ValidationError(_("Name the legal duty that requires the disclosure."))
    return "", None


def _end_share(share: CaseShare, *, actor: User | None, reason: str, expired: bool = False) -> None:
    share.revoked_at = timezone.now()
    share.revoked_by = actor
    share.revoke_reason = reason
    share.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    events.share_ended_event(share, actor=actor, expired=expired)


@transaction.atomic
def revoke_share(share: CaseShare, *, reason: str, actor: User) -> CaseShare:
    """End a share now; the agency loses what the share gave it in the same transaction."""
    if not reason.strip():
        raise ValidationError(_("Say why the share is revoked."))
    shares = CaseShare.objects.restrict(actor, Action.MANAGE).select_related("case", "agency")
    share = shares.lock().refetch(share, _("You may no longer manage this case."))
    if not share.is_active:
        raise ValidationError(_("This share has already ended."))
    before = CaseAccess.fetch(share.case, actor).level
    _end_share(share, actor=actor, reason=reason.strip())
    _ensure_reach_kept(share.case, actor, before)
    return share


@transaction.atomic
def assign_owner(
    case: Case, *, owner: User, actor: User, agency: Agency | None = None, expected_owner: User | None = None
) -> Case:
    """Make `owner` the case owner; their agency becomes the owning agency.

    The previous owner keeps only what the access model still gives them.
    """
    owning_agency = _owning_agency(owner, agency)
    case = (
        Case.objects.restrict(actor, Action.MANAGE)
        .with_access(actor)
        .lock()
        .refetch(case, _("You may no longer manage this case."))
    )
    if expected_owner is not None and case.owner_id != expected_owner.pk:
        raise ValidationError(
            _("Case %(reference)s is not owned by %(user)s.") % {"reference": case.reference, "user": expected_owner}
        )
    if case.owner_id == owner.pk and case.owning_agency_id == owning_agency.pk:
        raise ValidationError(_("%(user)s already owns this case.") % {"user": owner})
    before = CaseAccess.of(case, actor).level
    previous_owner = case.owner
    case.owner = owner
    case.owning_agency = owning_agency
    case.save(update_fields=["owner", "owning_agency", "updated_at"])
    _ensure_reach_kept(case, actor, before)
    events.owner_assigned_event(case, previous_owner=previous_owner, actor=actor)
    return case


def expire_case_shares() -> int:
    """End every share whose end date has passed. Safe to run twice at once."""
    ended = 0
    while True:
        with transaction.atomic():
            # skip_locked: a second sweep running at the same moment takes other rows, never the same.
            expired = CaseShare.objects.expired().select_related("case", "agency")
            batch = list(expired.lock(skip_locked=True)[:100])
            for share in batch:
                _end_share(share, actor=None, reason=_("The share reached its end date."), expired=True)
        ended += len(batch)
        if len(batch) < 100:
            return ended


@transaction.atomic
def reassign_caseload(
    worker: User,
    *,
    assignments: Sequence[tuple[Case, User, Agency | None]],
    actor: User,
    confirmed: bool,
    progress: Callable[[int], None] | None = None,
) -> list[Case]:
    """Hand a leaving worker's cases to new owners, all in one step or none.

    `assignments` pairs each case (fetched through restrict(actor, MANAGE)) with its new owner.
    Nothing happens without the explicit confirmation. `progress` is told how many have moved (the
    background job shows it; decision 78).
    """
    if not confirmed:
        raise ValidationError(_("Confirm the reassignment first."))
    if not assignments:
        raise ValidationError(_("There is no case to reassign."))
    moved = []
    for case, owner, agency in assignments:
        # The owner is checked on the locked row: the case may have changed hands since the form.
        moved.append(assign_owner(case, owner=owner, agency=agency, actor=actor, expected_owner=worker))
        if progress is not None and (len(moved) % 10 == 0 or len(moved) == len(assignments)):
            progress(len(moved))
    record(
        AuditEvent.Action.CASELOAD_REASSIGNED,
        actor=actor,
        obj=worker,
        cases=[case.pk for case in moved],
    )
    return moved


def disclosing_agencies(user: User) -> list[Agency]:
    """The health and social-care agencies `user` works cases for: those keep the six checks."""
    return [agency for agency in casework_agencies(user) if agency.sector in Agency.DISCLOSING_SECTORS]


def _check_disclosure_basis(
    case: Case, actor: User, agency: Agency, shared_with: list[Agency], steps: dict[str, Any]
) -> SharingAgreement | None:
    """Information shared after the checks names its basis, like any share (decision 42), and,
    without consent, the agreement covering the agencies (decision 113)."""
    basis, consent = steps.get("basis") or "", steps.get("consent")
    agreement = None
    detail = (steps.get("basis_detail") or "").strip()
    if basis == CaseShare.Basis.CONSENT:
        if consent is None:
            raise ValidationError(_("Choose the family's consent record the sharing rests on."))
        consents = Consent.objects.restrict(actor, Action.VIEW)
        consent = consents.lock().refetch(consent, _("The consent must be one of this family's."))
        for partner in shared_with:
            consent_for_share(consent, case=case, agency=partner)
        steps["consent"] = consent
    elif basis in (CaseShare.Basis.SAFEGUARDING, CaseShare.Basis.LEGAL_DUTY):
        if len(detail) < MIN_JUSTIFICATION:
            raise ValidationError(
                _("Explain in at least %(count)d characters why sharing is necessary and proportionate.")
                % {"count": MIN_JUSTIFICATION}
            )
        steps["consent"] = None
        agreement = agreement_for(
            basis,
            [agency, *shared_with],
            panel_id=case.panel_id,
            agreement=steps.get("agreement"),
            override=steps.get("agreement_override", ""),
        )
    else:
        raise ValidationError(_("Name the lawful basis on which the information was shared."))
    steps["basis_detail"] = detail
    return agreement


@transaction.atomic
def record_disclosure_check(
    case: Case, *, agency: Agency, actor: User, shared_with: list[Agency] | None = None, **steps: Any
) -> DisclosureCheck:
    """Record the six checks a health or social-care agency makes before sharing (seed 001).

    The case is read again with the actor's access: the checks are written in the file, so not
    through a break-the-glass access."""
    if agency.sector not in Agency.DISCLOSING_SECTORS:
        raise ValidationError(_("The six checks are kept by health and social-care agencies."))
    if agency.pk not in UserAccess.of(actor).casework_by_name:
        raise ValidationError(_("You record the checks of your own agency only."))
    case = Case.objects.with_access(actor).refetch(case, _("You may not do this on this case."))
    if not CaseAccess.of(case, actor).records_checks:
        raise ValidationError(_("You may not do this on this case."))
    today = timezone.localdate()
    if any(isinstance(value, datetime.date) and value > today for value in steps.values()):
        raise ValidationError(_("A check cannot be dated in the future."))
    if shared_with and not steps.get("shared_on"):
        raise ValidationError(_("Say when the information was shared with the partners named."))
    if not steps.get("shared_on"):
        steps.update(basis="", consent=None, basis_detail="", agreement=None, agreement_override="")
    chosen, override = steps.get("agreement"), (steps.get("agreement_override") or "").strip()
    steps.update(agreement=None, agreement_override="")
    check = DisclosureCheck(case=case, agency=agency, recorded_by=actor, **steps)
    check.full_clean()
    if check.shared_on:
        if not shared_with:
            raise ValidationError(_("Name the partner agencies the information was shared with."))
        steps.update(agreement=chosen, agreement_override=override)
        check.agreement = _check_disclosure_basis(case, actor, agency, shared_with or [], steps)
        check.consent, check.basis_detail = steps["consent"], steps["basis_detail"]
        if check.basis in NEEDS_AGREEMENT and check.agreement is None:
            check.agreement_override = override
    check.save()
    check.shared_with.set(shared_with or [])
    record(AuditEvent.Action.DISCLOSURE_CHECKED, actor=actor, obj=check, case_id=case.pk, steps=check.steps_done)
    if check.agreement_override:
        flag_override(check, case_id=case.pk, agencies=[agency, *(shared_with or [])], actor=actor)
    return check
