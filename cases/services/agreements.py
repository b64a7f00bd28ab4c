"""The register of information-sharing agreements, and the rule that a disclosure without consent
names one (decision 113).

A share, a panel's involvement (a share of the summary) or the six checks on a safeguarding or
legal-duty basis rest on the current agreement covering both agencies: chosen by itself when there
is exactly one, chosen by the user when there are several, and refused with what is missing when
there is none, unless the user overrides it in an emergency with a justification, which the data
protection officers are told of (an audit record and a notice under their bell).
"""

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from agencies.access import Action, UserAccess
from agencies.models import Agency, Membership, Panel, User
from audit.models import AuditEvent
from audit.services import record

from .. import uploads, virus_scan
from ..models import CaseShare, SharingAgreement
from ..signals import agreement_overridden

__all__ = [
    "MIN_OVERRIDE",
    "NEEDS_AGREEMENT",
    "agreement_for",
    "change_agreement",
    "flag_override",
    "may_register_agreements",
    "record_agreement",
]

logger = logging.getLogger(__name__)

# The bases on which information leaves without the family's consent: they need an agreement.
NEEDS_AGREEMENT = frozenset({CaseShare.Basis.SAFEGUARDING, CaseShare.Basis.LEGAL_DUTY})
# An emergency override is explained in a sentence, not a word (as an override is: decision 42).
MIN_OVERRIDE = 20
# What a coordinator writes in an agreement (besides its parties, panels and document).
FIELDS = (
    "title",
    "instrument",
    "purpose",
    "data_categories",
    "sharing_rules",
    "signatories",
    "signed_on",
    "review_on",
    "status",
)
REGISTRARS = (Membership.Role.COORDINATOR, Membership.Role.AGENCY_ADMIN)


def _names(agencies: Iterable[Agency]) -> str:
    return str(get_text_list(sorted(str(agency) for agency in agencies), _("and")))


def agreement_for(
    basis: str,
    agencies: Sequence[Agency],
    *,
    panel_id: int | None,
    agreement: SharingAgreement | None = None,
    override: str = "",
) -> SharingAgreement | None:
    """The agreement a disclosure on `basis` between `agencies` about a case on the panel
    `panel_id` (None: on no panel) rests on, or None (on consent, or under an emergency override).
    Raises what is missing, in the user's language."""
    if basis not in NEEDS_AGREEMENT:
        return None
    if len({agency.pk for agency in agencies}) < 2:
        # An agreement covers a disclosure between agencies: with no partner, any would do.
        raise ValidationError(_("Name the partner agencies the information is shared with."))
    names = _names(agencies)
    override = override.strip()
    if override:
        if agreement is not None:
            raise ValidationError(_("Name the agreement or use the emergency override, not both."))
        if len(override) < MIN_OVERRIDE:
            raise ValidationError(
                _(
                    "Explain in at least %(count)d characters why the information must be shared now, "
                    "without an agreement covering %(agencies)s."
                )
                % {"count": MIN_OVERRIDE, "agencies": names}
            )
        return None
    covering: list[SharingAgreement] = list(
        SharingAgreement.objects.current().covering(agencies, panel_id=panel_id).order_by("title", "pk")
    )
    if agreement is not None:
        for current in covering:
            if current.pk == agreement.pk:
                return current
        raise ValidationError(
            _("“%(agreement)s” is not a current information-sharing agreement covering %(agencies)s.")
            % {"agreement": agreement, "agencies": names}
        )
    if len(covering) == 1:
        return covering[0]
    if not covering:
        raise ValidationError(
            _(
                "No current information-sharing agreement covers %(agencies)s. Sharing on a safeguarding "
                "or legal-duty basis must name one: ask the coordinator to record the agreement between "
                "them, or, in an emergency, use the override and say why (the data protection officer "
                "is told)."
            )
            % {"agencies": names}
        )
    raise ValidationError(
        _("Several current agreements cover %(agencies)s: choose the one this sharing rests on.") % {"agencies": names}
    )


def flag_override(disclosure: models.Model, *, case_id: int, agencies: Iterable[Agency], actor: User) -> None:
    """A disclosure made under the emergency override: recorded with its justification, and the
    data protection officers told (in the caller's transaction)."""
    event = record(
        AuditEvent.Action.AGREEMENT_OVERRIDDEN,
        actor=actor,
        obj=disclosure,
        case_id=case_id,
        reason=str(getattr(disclosure, "agreement_override", "")),
        agency_ids=sorted(agency.pk for agency in agencies),
    )
    agreement_overridden.send(sender=type(disclosure), disclosure=disclosure, event=event, actor=actor)


def may_register_agreements(user: Any) -> bool:
    """Coordinators and agency administrators record agreements (each then changes those of its
    own agencies and panels: the rule `sharing_agreement`)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(user_id=user.pk, role__in=REGISTRARS).exists()


def _check_document(upload: UploadedFile, *, actor: User) -> tuple[uploads.Checked, virus_scan.Verdict]:
    """The agreement's document passes the checks every upload passes (decision 97)."""
    checked = uploads.check(upload)
    try:
        verdict = virus_scan.scan(upload)
    except virus_scan.Infected as hit:
        record(
            AuditEvent.Action.UPLOAD_REFUSED,
            actor=actor,
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
    return checked, verdict


def _check_made_current(
    *, actor: User, panels: Sequence[Panel], has_document: bool, before: Sequence[int] = ()
) -> None:
    """An agreement binds its parties only once a coordinator of a panel it names makes it current
    with its signed document (decision 113): an administrator of one party cannot bind the others.
    `before`: the panels a current agreement named before the change (their coordinator, too)."""
    coordinated = UserAccess.of(actor).coordinated_panel_ids
    if not panels or not coordinated & {panel.pk for panel in panels} or (before and not coordinated & set(before)):
        raise ValidationError(
            _(
                "Only the coordinator of a panel the agreement names makes it current, or changes who "
                "and what a current agreement binds: record it as a draft and ask them."
            )
        )
    if not has_document:
        raise ValidationError(_("A current agreement has its signed document: attach it."))


def _validate(agreement: SharingAgreement, parties: Sequence[Agency]) -> None:
    if len({agency.pk for agency in parties}) < 2:
        raise ValidationError(_("An agreement has at least two parties."))
    if agreement.status not in SharingAgreement.SETTABLE:
        raise ValidationError(
            _("An agreement is a draft, current or ended; it expires by itself after its review date.")
        )
    agreement.full_clean(exclude=["document", "created_by"])


def _save(
    agreement: SharingAgreement,
    *,
    actor: User,
    parties: Sequence[Agency],
    panels: Sequence[Panel],
    document: UploadedFile | None,
    prepared: tuple[uploads.Checked, virus_scan.Verdict] | None,
    action: str,
    changed: list[str],
) -> SharingAgreement:
    _validate(agreement, parties)
    verdict = None
    if document is not None and prepared is not None:
        checked, verdict = prepared
        agreement.document_name = uploads.safe_name(document.name or "file", checked)
        agreement.stored_name = checked.stored_name
        agreement.content_type = checked.content_type
        agreement.document.save(checked.stored_name, document, save=False)
        changed.append("document")
    try:
        with transaction.atomic():
            agreement.save()
            agreement.parties.set(parties)
            agreement.panels.set(panels)
            # Nobody records an agreement they could not change afterwards.
            SharingAgreement.objects.restrict(actor, Action.CHANGE).refetch(
                agreement, _("You could not change this agreement afterwards: make one of your agencies a party.")
            )
            record(
                action,
                actor=actor,
                obj=agreement,
                status=agreement.status,
                instrument=agreement.instrument,
                review_on=agreement.review_on.isoformat(),
                party_ids=sorted(agency.pk for agency in parties),
                panel_ids=sorted(panel.pk for panel in panels),
                fields=changed,
            )
            if document is not None and settings.URA_CLAMAV_URL and verdict is not None and not verdict.scanned:
                logger.warning("Agreement document stored unscanned (%s): %s", agreement.pk, verdict.skipped_because)
                record(AuditEvent.Action.UPLOAD_UNSCANNED, actor=actor, obj=agreement, reason="scanner_unavailable")
    except Exception:
        if document is not None:
            agreement.document.delete(save=False)  # nothing half-saved: no file without its row
        raise
    return agreement


def record_agreement(
    *,
    actor: User,
    parties: Sequence[Agency],
    panels: Sequence[Panel] = (),
    document: UploadedFile | None = None,
    **fields: Any,
) -> SharingAgreement:
    """Record an agreement in the register (a coordinator or an agency administrator)."""
    if not may_register_agreements(actor):
        raise ValidationError(_("Only a coordinator or an agency administrator records agreements."))
    agreement = SharingAgreement(created_by=actor, **{name: fields[name] for name in FIELDS if name in fields})
    _validate(agreement, parties)
    if agreement.status == SharingAgreement.Status.CURRENT:
        _check_made_current(actor=actor, panels=panels, has_document=document is not None)
    # Scanned before the transaction: the record of a refusal stays when the upload does not.
    prepared = _check_document(document, actor=actor) if document is not None else None
    return _save(
        agreement,
        actor=actor,
        parties=parties,
        panels=panels,
        document=document,
        prepared=prepared,
        action=AuditEvent.Action.AGREEMENT_RECORDED,
        changed=[],
    )


def change_agreement(
    agreement: SharingAgreement,
    *,
    actor: User,
    parties: Sequence[Agency],
    panels: Sequence[Panel] = (),
    document: UploadedFile | None = None,
    **fields: Any,
) -> SharingAgreement:
    """Change an agreement: a new review date renews it, status "ended" ends it."""
    refusal = _("You may not change this agreement.")
    SharingAgreement.objects.restrict(actor, Action.CHANGE).refetch(agreement, refusal)
    prepared = _check_document(document, actor=actor) if document is not None else None
    with transaction.atomic():
        agreement = SharingAgreement.objects.restrict(actor, Action.CHANGE).lock().refetch(agreement, refusal)
        was_current = agreement.status == SharingAgreement.Status.CURRENT
        before = list(agreement.panels.values_list("pk", flat=True)) if was_current else []
        changed = [name for name in FIELDS if name in fields and getattr(agreement, name) != fields[name]]
        for name in changed:
            setattr(agreement, name, fields[name])
        if {agency.pk for agency in parties} != set(agreement.parties.values_list("pk", flat=True)):
            changed.append("parties")
        if {panel.pk for panel in panels} != set(agreement.panels.values_list("pk", flat=True)):
            changed.append("panels")
        binding = {"status", "parties", "panels"} & set(changed) or document is not None
        if agreement.status == SharingAgreement.Status.CURRENT and binding:
            has_document = document is not None or bool(agreement.document)
            _check_made_current(actor=actor, panels=panels, has_document=has_document, before=before)
        return _save(
            agreement,
            actor=actor,
            parties=parties,
            panels=panels,
            document=document,
            prepared=prepared,
            action=AuditEvent.Action.AGREEMENT_CHANGED,
            changed=changed,
        )
