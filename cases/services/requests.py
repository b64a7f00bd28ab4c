"""Information requests to partner agencies (design.md §4): asked by those who run the case,
answered once, within 24 hours, by the agency asked."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import deadlines
from agencies.access import Action, UserAccess
from agencies.models import Agency, Membership, User
from audit.models import AuditEvent
from audit.services import record

from ..involvement import involved_agency_ids
from ..models import Case, InformationRequest

__all__ = ["answer_information", "ask_information", "askable_agencies", "may_ask"]


def may_ask(case: Case, actor: User) -> bool:
    """Whether `actor` runs the case: its owner, a supervisor of the owning agency, or the
    coordinator of its panel."""
    if case.panel_id and case.panel_id in UserAccess.of(actor).coordinated_panel_ids:
        return True
    return Case.objects.restrict(actor, Action.CHANGE).filter(pk=case.pk).exists()


def askable_agencies(case: Case, actor: User) -> list[Agency]:
    """The agencies working the case, but not the actor's own."""
    own = set(Membership.objects.filter(user=actor).values_list("agency_id", flat=True))
    return list(Agency.objects.filter(pk__in=involved_agency_ids(case) - own).order_by("name"))


@transaction.atomic
def ask_information(case: Case, *, to_agency: Agency, question: str, actor: User) -> InformationRequest:
    """Ask an agency working the case a question, to be answered within 24 hours."""
    try:
        case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    except Case.DoesNotExist:
        raise ValidationError(_("You may not do this on this case.")) from None
    if not may_ask(case, actor):
        raise ValidationError(_("Only the case owner, a supervisor or the panel's coordinator asks a partner."))
    if case.is_closed:
        raise ValidationError(_("The case is closed: reopen it first."))
    if to_agency.pk not in {agency.pk for agency in askable_agencies(case, actor)}:
        raise ValidationError(_("Ask an agency working the case, other than your own."))
    question = question.strip()
    if not question:
        raise ValidationError(_("Write the question."))
    now = timezone.now()
    request = InformationRequest.objects.create(
        case=case,
        to_agency=to_agency,
        question=question,
        asked_by=actor,
        asked_at=now,
        due_at=deadlines.information_due(now),
    )
    record(
        AuditEvent.Action.ENTRY_RECORDED,
        actor=actor,
        obj=request,
        case_id=case.pk,
        to_agency=to_agency.pk,
        kind="information_request",
    )
    return request


@transaction.atomic
def answer_information(request: InformationRequest, *, answer: str, actor: User) -> InformationRequest:
    """Answer a request, once: a member of the agency asked, who knows the case."""
    allowed = InformationRequest.objects.restrict(actor, Action.CHANGE).select_for_update(of=("self",))
    try:
        request = allowed.get(pk=request.pk)
    except InformationRequest.DoesNotExist:
        raise ValidationError(_("Only a member of the agency asked answers this request.")) from None
    if request.is_answered:
        raise ValidationError(_("This request is answered already."))
    answer = answer.strip()
    if not answer:
        raise ValidationError(_("Write the answer."))
    request.answer = answer
    request.answered_by = actor
    request.answered_at = timezone.now()
    request.save(update_fields=["answer", "answered_by", "answered_at"])
    record(
        AuditEvent.Action.ENTRY_RECORDED,
        actor=actor,
        obj=request,
        case_id=request.case_id,
        kind="information_answer",
    )
    return request
