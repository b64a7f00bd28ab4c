"""Questions to a case's owner (issue 17): a summary reader asks, the owner answers (decision 91)."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from agencies.access import Action, CaseAccess, RestrictedObjectFormView

from . import services
from .entry_forms import AnswerOwnerQuestionForm, AskOwnerForm
from .models import Case, OwnerQuestion

__all__ = ["AnswerOwnerQuestionView", "AskOwnerView"]


class AskOwnerView(RestrictedObjectFormView):
    """Someone who reads only the case's summary asks its owner a question or for fuller access."""

    queryset = Case.objects.select_related("family", "owner")
    action = Action.VIEW_SUMMARY
    permission_required = "cases.view_case_summary"
    form_class = AskOwnerForm
    template_name = "cases/case_change_form.html"

    def get_queryset(self) -> Any:
        return self.queryset.with_access(self.request.user)

    def allowed(self) -> bool:
        # A full reader asks in the file itself (an entry, a partner question), not here; nobody
        # asks about a closed case.
        return CaseAccess.of(self.object, self.request.user).asks_owner

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "title": _("Ask the case owner"), "case": self.object}

    def perform(self, form: AskOwnerForm) -> HttpResponse:
        services.ask_owner(
            self.object, kind=form.cleaned_data["kind"], question=form.cleaned_data["question"], actor=self.actor
        )
        messages.success(self.request, _("Asked: the case owner is told, and their answer will show here."))
        return HttpResponseRedirect(self.object.get_absolute_url())


class AnswerOwnerQuestionView(RestrictedObjectFormView):
    """The case's owner (or a supervisor) answers a question put to them, once."""

    queryset = OwnerQuestion.objects.select_related("case__family", "asked_by")
    action = Action.CHANGE
    permission_required = "cases.change_case"
    form_class = AnswerOwnerQuestionForm
    template_name = "cases/owner_question_answer.html"

    def allowed(self) -> bool:
        return not self.object.is_answered

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        return {**context, "question": self.object, "case": self.object.case, "title": _("Answer the question")}

    def perform(self, form: AnswerOwnerQuestionForm) -> HttpResponse:
        services.answer_owner_question(self.object, answer=form.cleaned_data["answer"], actor=self.actor)
        messages.success(self.request, _("Your answer is recorded; the person who asked is told."))
        return HttpResponseRedirect(self.object.case.get_absolute_url())
