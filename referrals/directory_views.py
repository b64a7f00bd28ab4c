"""Browser views of the services directory and of referrals to services (issue 14). Thin: fetch
through `restrict()`, call one service, redirect."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView

from agencies.access import Action, RestrictedObjectFormView, RestrictedViewMixin
from agencies.models import Panel
from cases.models import Case

from . import directory
from .directory_forms import ReferToServiceForm, ServiceForm, ServiceReferralUpdateForm
from .models import Referral, ServiceReferral, SupportService

__all__ = [
    "ServiceCreateView",
    "ServiceEditView",
    "ServiceListView",
    "ServiceReferralListView",
    "ServiceReferralUpdateView",
    "ServiceReferralView",
    "ServiceView",
    "TriageReferView",
]

# Who works cases or sits on a panel reads the directory; a panel's coordinator keeps it.
READS = "referrals.view_referral"
KEEPS = "agencies.change_panel"


class ServiceListView(RestrictedViewMixin, ListView[SupportService]):
    """The directory: every service, with its waiting time (the median days from sent to started,
    computed by the database) and how many families wait now."""

    queryset = SupportService.objects.with_waiting().select_related("agency", "panel")
    permission_required = READS
    template_name = "referrals/services/service_list.html"
    context_object_name = "services"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        keeps = Panel.objects.restrict(self.actor, Action.CHANGE).exists()
        return {**super().get_context_data(**kwargs), "keeps_directory": keeps}


class ServiceView(RestrictedViewMixin, DetailView[SupportService]):
    """One service of the directory."""

    queryset = SupportService.objects.with_waiting().select_related("agency", "panel")
    permission_required = READS
    template_name = "referrals/services/service_detail.html"
    context_object_name = "service"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        changes = SupportService.objects.restrict(self.actor, Action.CHANGE).filter(pk=self.object.pk).exists()
        return {**context, "changes": changes}


class ServiceCreateView(RestrictedViewMixin, FormView[ServiceForm]):
    """List a service: the coordinator of a panel, for that panel's directory."""

    queryset = Panel.objects.all()
    action = Action.CHANGE
    permission_required = KEEPS
    form_class = ServiceForm
    template_name = "referrals/services/service_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "panels": self.queryset.order_by("name")}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "title": _("List a service")}

    def form_valid(self, form: ServiceForm) -> HttpResponse:
        try:
            service = directory.save_service(form.instance, actor=self.actor)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The service is listed."))
        return HttpResponseRedirect(service.get_absolute_url())


class ServiceEditView(RestrictedObjectFormView):
    """Change a service: the coordinator of the panel that lists it."""

    queryset = SupportService.objects.all()
    action = Action.CHANGE
    permission_required = KEEPS
    form_class = ServiceForm
    template_name = "referrals/services/service_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.object, "panels": Panel.objects.none()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "title": _("Change the service")}

    def perform(self, form: ServiceForm) -> HttpResponse:
        service = directory.save_service(form.instance, actor=self.actor)
        messages.success(self.request, _("The service is saved."))
        return HttpResponseRedirect(service.get_absolute_url())


class ServiceReferralListView(RestrictedViewMixin, ListView[ServiceReferral]):
    """Referrals to services the user may read: to a service of their agency (what it is asked to
    do), or from the cases and referrals they read."""

    queryset = ServiceReferral.objects.select_related("service")
    permission_required = READS
    template_name = "referrals/services/servicereferral_list.html"
    context_object_name = "service_referrals"
    paginate_by = 50


class ServiceReferralView(RestrictedViewMixin, DetailView[ServiceReferral]):
    """One referral to a service. The service's agency reads this and nothing of the case; a full
    reader of the case is led to it and to the plan's action."""

    queryset = ServiceReferral.objects.select_related("service__agency", "sent_by", "updated_by")
    permission_required = READS
    template_name = "referrals/services/servicereferral_detail.html"
    context_object_name = "sent"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        sent = self.object
        updates = ServiceReferral.objects.restrict(self.actor, Action.CHANGE).filter(pk=sent.pk).exists()
        # Whether the reader reads the case in full, asked by its id: the case row itself stays out
        # of the page, whose reader may be the service's agency, which knows nothing of the case.
        reads_case = (
            sent.case_id is not None and Case.objects.restrict(self.actor, Action.VIEW).filter(pk=sent.case_id).exists()
        )
        referral_visible = (
            sent.referral_id is not None
            and Referral.objects.restrict(self.actor, Action.VIEW).filter(pk=sent.referral_id).exists()
        )
        return {
            **context,
            "updates": updates and bool(ServiceReferral.MOVES[sent.status]),
            "reads_case": reads_case,
            "referral_visible": referral_visible,
        }


class ServiceReferralUpdateView(RestrictedObjectFormView):
    """The service's answer or its part (accepted, declined, started, done), or a withdrawal."""

    queryset = ServiceReferral.objects.select_related("service")
    action = Action.CHANGE
    permission_required = READS
    form_class = ServiceReferralUpdateForm
    template_name = "referrals/services/servicereferral_update.html"
    object: ServiceReferral

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "referral": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "sent": self.object}

    def perform(self, form: ServiceReferralUpdateForm) -> HttpResponse:
        data = form.cleaned_data
        directory.update_service_referral(
            self.object,
            status=data["status"],
            on=data.get("on"),
            reason=data.get("reason", ""),
            expected_start_on=data.get("expected_start_on"),
            note=data.get("note", ""),
            actor=self.actor,
        )
        messages.success(self.request, _("The referral is updated."))
        return HttpResponseRedirect(self.object.get_absolute_url())


class TriageReferView(RestrictedObjectFormView):
    """A referral the triage signposted is referred to a listed service, which then follows it."""

    queryset = Referral.objects.all()
    action = Action.MANAGE
    permission_required = "referrals.change_referral"
    form_class = ReferToServiceForm
    template_name = "referrals/services/refer_form.html"
    object: Referral
    title = gettext_lazy("Refer to a service")

    def get_form_kwargs(self) -> dict[str, Any]:
        services = SupportService.objects.restrict(self.actor, Action.VIEW).listed()
        return {**super().get_form_kwargs(), "services": services}

    def get_initial(self) -> dict[str, Any]:
        return {"for_whom": self.object.subject}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        back = reverse("referrals:referral", args=[self.object.pk])
        return {**super().get_context_data(**kwargs), "title": self.title, "back": back}

    def perform(self, form: ReferToServiceForm) -> HttpResponse:
        data = form.cleaned_data
        sent = directory.refer_from_triage(
            self.object, service=data["service"], for_whom=data["for_whom"], request=data["request"], actor=self.actor
        )
        messages.success(self.request, _("The referral is sent to the service."))
        return HttpResponseRedirect(sent.get_absolute_url())
