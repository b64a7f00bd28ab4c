"""Questions to a case's owner (issue 17): someone who reads only the case's summary asks the owner
a question or for fuller access; the owner (or a supervisor) answers once; each side is told under
the bell (the reminders app, through `cases.signals`), and both steps are audited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import Action, CaseAccess
from agencies.models import User
from audit.models import AuditEvent
from audit.services import record

from ..models import Case, OwnerQuestion
from ..signals import owner_answered, owner_asked

__all__ = ["answer_owner_question", "ask_owner"]


@transaction.atomic
def ask_owner(case: Case, *, kind: str, question: str, actor: User) -> OwnerQuestion:
    """Put a question (or a request for fuller access) to the owner of an open case: for those who
    know it by its summary only (`CaseAccess.asks_owner`); a full reader asks in the file itself."""
    refusal = _("Only someone who reads the case's summary asks its owner here.")
    case = Case.objects.restrict(actor, Action.VIEW_SUMMARY).with_access(actor).lock().refetch(case, refusal)
    access = CaseAccess.of(case, actor)
    if not access.asks_owner:
        raise ValidationError(refusal)
    if kind not in OwnerQuestion.Kind.values:
        raise ValidationError(_("Choose a question or a request for fuller access."))
    question = question.strip()
    if not question:
        raise ValidationError(_("Write the question."))
    asked = OwnerQuestion.objects.create(case=case, kind=kind, question=question, asked_by=actor)
    record(AuditEvent.Action.ENTRY_RECORDED, actor=actor, obj=asked, case_id=case.pk, kind=f"owner_{kind}")
    owner_asked.send(sender=OwnerQuestion, question=asked)
    return asked


@transaction.atomic
def answer_owner_question(question: OwnerQuestion, *, answer: str, actor: User) -> OwnerQuestion:
    """Answer a question put to the owner, once: whoever changes the case (its owner, a supervisor).
    A request for fuller access is answered in words; sharing the file stays the "Share" page's."""
    refusal = _("Only the case's owner or a supervisor answers this question.")
    question = OwnerQuestion.objects.restrict(actor, Action.CHANGE).lock().refetch(question, refusal)
    if question.is_answered:
        raise ValidationError(_("This question is answered already."))
    answer = answer.strip()
    if not answer:
        raise ValidationError(_("Write the answer."))
    question.answer, question.answered_by, question.answered_at = answer, actor, timezone.now()
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    record(AuditEvent.Action.ENTRY_RECORDED, actor=actor, obj=question, case_id=question.case_id, kind="owner_answer")
    owner_answered.send(sender=OwnerQuestion, question=question)
    return question
