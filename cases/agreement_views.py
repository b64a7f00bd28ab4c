"""The register of information-sharing agreements and the protocol's text (decision 113), under
`/agreements/` (namespace `agreements`). Read by the members of an agreement's parties and the
coordinators of its panels; anyone else is told it does not exist (404)."""

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from agencies.access import Action, RestrictedObjectFormView, RestrictedViewMixin
from audit.reads import note_read

from . import services
from .agreement_forms import AgreementForm
from .models import SharingAgreement
from .models.agreements import SharingAgreementQuerySet

__all__ = [
    "AgreementCreateView",
    "AgreementDocumentView",
    "AgreementEditView",
    "AgreementListView",
    "AgreementView",
    "ProtocolView",
]


def _agreements() -> Any:
    return SharingAgreement.objects.prefetch_related("parties", "panels")


class AgreementListView(RestrictedViewMixin, ListView[SharingAgreement]):
    """The agreements the user's agencies are party to, and those of the panels they coordinate."""

    queryset = _agreements()
    template_name = "cases/agreements/agreement_list.html"
    context_object_name = "agreements"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "may_register": services.may_register_agreements(self.actor)}


class AgreementView(RestrictedViewMixin, DetailView[SharingAgreement]):
    """One agreement: its parties, purpose, data, rules, signatories, dates and document."""

    queryset = _agreements().select_related("created_by")
    template_name = "cases/agreements/agreement_detail.html"
    context_object_name = "agreement"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        changeable = SharingAgreement.objects.restrict(self.actor, Action.CHANGE)
        context["may_change"] = changeable.filter(pk=self.object.pk).exists()
        return context


class AgreementCreateView(RestrictedViewMixin, FormView[AgreementForm]):
    """A coordinator or an agency administrator records an agreement."""

    queryset = SharingAgreement.objects.all()
    action = Action.CHANGE
    form_class = AgreementForm
    template_name = "cases/agreements/agreement_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not services.may_register_agreements(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: AgreementForm) -> HttpResponse:
        try:
            agreement = services.record_agreement(actor=self.actor, **form.service_fields())
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The agreement is recorded."))
        return HttpResponseRedirect(agreement.get_absolute_url())


class AgreementEditView(RestrictedObjectFormView):
    """Change, renew (a new review date) or end an agreement."""

    queryset = _agreements()
    action = Action.CHANGE
    form_class = AgreementForm
    template_name = "cases/agreements/agreement_form.html"
    context_object_name = "agreement"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.object}

    def perform(self, form: AgreementForm) -> HttpResponse:
        agreement = services.change_agreement(self.object, actor=self.actor, **form.service_fields())
        messages.success(self.request, _("The agreement is changed."))
        return HttpResponseRedirect(agreement.get_absolute_url())


class AgreementDocumentView(RestrictedViewMixin, View):
    """The signed document, to those who read the agreement."""

    queryset = SharingAgreement.objects.all()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:
        agreement = self.get_object()
        if not agreement.document:
            raise Http404
        note_read(request, agreement, file=True)
        response = FileResponse(
            agreement.document.open("rb"),
            as_attachment=True,
            filename=agreement.document_name,
            content_type=agreement.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class ProtocolView(RestrictedViewMixin, ListView[SharingAgreement]):
    """The information-sharing protocol in the user's language (seed 001, step 3), linked from the
    share form, with the current agreements the user's agencies work under."""

    queryset = _agreements()
    template_name = "cases/agreements/protocol.html"
    context_object_name = "agreements"

    def get_queryset(self) -> Any:
        return cast(SharingAgreementQuerySet, super().get_queryset()).current()
