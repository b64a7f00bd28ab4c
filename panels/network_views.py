"""Browser views of the partnership's structure (decisions 121-124): the network map, the emergency
plan and its duty rota, urgent meetings, non-case topics, the register of experts and each
agency's mandate."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView

from agencies.access import Action, RestrictedObjectFormView, RestrictedViewMixin
from agencies.models import Agency, DutyShift, Expert, NetworkOrganisation, Panel
from cases.models import SharingAgreement

from . import network
from .models import MeetingTopic, PanelMeeting
from .network_forms import (
    AgencyProfileForm,
    DutyShiftForm,
    EmergencyPlanForm,
    ExpertForm,
    NetworkOrganisationForm,
    TopicForm,
    TopicOutcomeForm,
    UrgentMeetingForm,
)

__all__ = [
    "AgencyProfileEditView",
    "AgencyProfileView",
    "DutyShiftCreateView",
    "DutyShiftRemoveView",
    "EmergencyPlanEditView",
    "EmergencyPlanView",
    "ExpertCreateView",
    "ExpertEditView",
    "ExpertListView",
    "NetworkMapView",
    "NetworkOrganisationCreateView",
    "NetworkOrganisationRemoveView",
    "TopicCreateView",
    "TopicOutcomeView",
    "UrgentMeetingView",
]


class _Form:
    """The shared form page: its heading and where it leads back to."""

    heading: Any = ""
    template_name: Any = "panels/_structure_form.html"

    def back(self) -> tuple[str, Any]:
        obj: Any = getattr(self, "object", None)
        return obj.get_absolute_url(), obj

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        url, label = self.back()
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        return {**context, "heading": self.heading, "back_url": url, "back_label": label}


class NetworkMapView(RestrictedViewMixin, DetailView[Panel]):
    """The coordinator's map of the panel's network, by the document's checklist of sectors."""

    queryset = Panel.objects.prefetch_related("agencies")
    action = Action.MANAGE
    permission_required = "agencies.view_networkorganisation"
    template_name = "panels/network_map.html"
    context_object_name = "panel"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "map": network.network_map(self.object, self.actor),
            "form": NetworkOrganisationForm(),
        }


class NetworkOrganisationCreateView(_Form, RestrictedObjectFormView):
    heading = gettext_lazy("Add an organisation to the network map")

    def back(self) -> tuple[str, Any]:
        return reverse("panels:network", args=[self.object.pk]), self.object

    queryset = Panel.objects.all()
    action = Action.MANAGE
    permission_required = "agencies.add_networkorganisation"
    form_class = NetworkOrganisationForm
    context_object_name = "panel"

    def perform(self, form: NetworkOrganisationForm) -> HttpResponse:
        network.save_organisation(self.object, actor=self.actor, **form.cleaned_data)
        messages.success(self.request, _("The organisation is on the network map."))
        return HttpResponseRedirect(reverse("panels:network", args=[self.object.pk]))


class NetworkOrganisationRemoveView(RestrictedObjectFormView):
    queryset = NetworkOrganisation.objects.all()
    action = Action.MANAGE
    permission_required = "agencies.add_networkorganisation"
    http_method_names = ["post"]

    def get_form_class(self) -> Any:
        from django import forms

        return forms.Form

    def perform(self, form: Any) -> HttpResponse:
        panel_id = self.object.panel_id
        network.remove_organisation(self.object, actor=self.actor)
        messages.success(self.request, _("The organisation is off the network map."))
        return HttpResponseRedirect(reverse("panels:network", args=[panel_id]))


class EmergencyPlanView(RestrictedViewMixin, DetailView[Panel]):
    """The panel's terms of reference, the steps of its emergency plan and its duty rota: who is on
    call now and next. The coordinator keeps them and calls urgent meetings from here."""

    queryset = Panel.objects.select_related("coordinator")
    action = Action.VIEW
    permission_required = "agencies.view_panel"
    template_name = "panels/emergency_plan.html"
    context_object_name = "panel"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        now = timezone.now()
        rows = DutyShift.objects.restrict(self.actor, Action.VIEW).filter(panel=self.object, ends_at__gt=now)
        shifts = list(rows.select_related("user", "agency").order_by("starts_at", "pk")[:50])
        coordinates = Panel.objects.restrict(self.actor, Action.MANAGE).filter(pk=self.object.pk).exists()
        context = {
            **super().get_context_data(**kwargs),
            "shifts": shifts,
            "on_duty": [shift for shift in shifts if shift.starts_at <= now],
            "is_coordinator": coordinates,
        }
        if coordinates:
            context.update(shift_form=DutyShiftForm(panel=self.object), urgent_form=UrgentMeetingForm())
        return context


class EmergencyPlanEditView(_Form, RestrictedObjectFormView):
    heading = gettext_lazy("Terms of reference and emergency plan")

    def back(self) -> tuple[str, Any]:
        return reverse("panels:emergency", args=[self.object.pk]), self.object

    queryset = Panel.objects.all()
    action = Action.MANAGE
    permission_required = "agencies.change_panel"
    form_class = EmergencyPlanForm
    context_object_name = "panel"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.object}

    def perform(self, form: EmergencyPlanForm) -> HttpResponse:
        network.update_emergency_plan(self.object, actor=self.actor, **form.cleaned_data)
        messages.success(self.request, _("The emergency plan is saved."))
        return HttpResponseRedirect(reverse("panels:emergency", args=[self.object.pk]))


class DutyShiftCreateView(_Form, RestrictedObjectFormView):
    heading = gettext_lazy("Put someone on call")

    def back(self) -> tuple[str, Any]:
        return reverse("panels:emergency", args=[self.object.pk]), self.object

    queryset = Panel.objects.all()
    action = Action.MANAGE
    permission_required = "agencies.add_dutyshift"
    form_class = DutyShiftForm
    context_object_name = "panel"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "panel": self.object}

    def perform(self, form: DutyShiftForm) -> HttpResponse:
        user, agency = form.people[form.cleaned_data["person"]]
        data = form.cleaned_data
        network.save_duty_shift(
            self.object, actor=self.actor, user=user, agency=agency, starts_at=data["starts_at"],
            ends_at=data["ends_at"], phone=data["phone"],
        )  # fmt: skip
        messages.success(self.request, _("The shift is on the rota."))
        return HttpResponseRedirect(reverse("panels:emergency", args=[self.object.pk]))


class DutyShiftRemoveView(RestrictedObjectFormView):
    queryset = DutyShift.objects.all()
    action = Action.MANAGE
    permission_required = "agencies.add_dutyshift"
    http_method_names = ["post"]

    def get_form_class(self) -> Any:
        from django import forms

        return forms.Form

    def perform(self, form: Any) -> HttpResponse:
        panel_id = self.object.panel_id
        network.remove_duty_shift(self.object, actor=self.actor)
        messages.success(self.request, _("The shift is off the rota."))
        return HttpResponseRedirect(reverse("panels:emergency", args=[panel_id]))


class UrgentMeetingView(_Form, RestrictedObjectFormView):
    heading = gettext_lazy("Call an urgent meeting")

    def back(self) -> tuple[str, Any]:
        return reverse("panels:emergency", args=[self.object.pk]), self.object

    """The coordinator calls an urgent meeting; the members are told at once."""

    queryset = Panel.objects.all()
    action = Action.MANAGE
    permission_required = "panels.add_panelmeeting"
    form_class = UrgentMeetingForm
    context_object_name = "panel"

    def perform(self, form: UrgentMeetingForm) -> HttpResponse:
        meeting = network.call_urgent_meeting(self.object, actor=self.actor, **form.cleaned_data)
        messages.success(self.request, _("The urgent meeting is called and the members are told."))
        return HttpResponseRedirect(meeting.get_absolute_url())


class TopicCreateView(_Form, RestrictedObjectFormView):
    heading = gettext_lazy("Add a topic to the agenda")
    """A topic that is not a case on a meeting's agenda (a training, an evaluation...)."""

    queryset = PanelMeeting.objects.all()
    action = Action.MANAGE
    permission_required = "panels.add_panelmeeting"
    form_class = TopicForm
    context_object_name = "meeting"

    def perform(self, form: TopicForm) -> HttpResponse:
        data = form.cleaned_data
        network.add_topic(self.object, actor=self.actor, kind=data["kind"], title=data["title"])
        messages.success(self.request, _("The topic is on the agenda."))
        return HttpResponseRedirect(self.object.get_absolute_url())


class TopicOutcomeView(_Form, RestrictedObjectFormView):
    heading = gettext_lazy("What was concluded")

    def back(self) -> tuple[str, Any]:
        return self.object.meeting.get_absolute_url(), self.object.meeting

    """What the meeting concluded on a topic, as far as its record mode keeps it."""

    queryset = MeetingTopic.objects.select_related("meeting", "meeting__panel")
    action = Action.MANAGE
    permission_required = "panels.add_panelmeeting"
    form_class = TopicOutcomeForm
    context_object_name = "topic"

    def get_form_kwargs(self) -> dict[str, Any]:
        initial = {"outcome": self.object.outcome, "discussion": self.object.discussion}
        return {**super().get_form_kwargs(), "topic": self.object, "initial": initial}

    def perform(self, form: TopicOutcomeForm) -> HttpResponse:
        data = form.cleaned_data
        network.update_topic(
            self.object, actor=self.actor, outcome=data.get("outcome", ""), discussion=data.get("discussion", "")
        )
        messages.success(self.request, _("The topic's outcome is recorded."))
        return HttpResponseRedirect(self.object.meeting.get_absolute_url())


# --- The register of experts and the agencies' profiles: no case data --------------------------


class ExpertListView(LoginRequiredMixin, PermissionRequiredMixin, ListView[Expert]):
    """The register of experts who are not users, readable by every member of the partnership."""

    permission_required = "agencies.view_expert"
    queryset = Expert.objects.prefetch_related("agencies")
    template_name = "panels/expert_list.html"
    context_object_name = "experts"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user: Any = self.request.user
        context = super().get_context_data(**kwargs)
        # An agreement's title only to who reads it in the register (decision 113): the page is
        # given only the agreements the viewer reads, never one through an expert's foreign key.
        readable = {a.pk: a for a in SharingAgreement.objects.restrict(user, Action.VIEW)}
        for expert in context["experts"]:
            expert.readable_agreement = readable.get(expert.agreement_id)
        return {**context, "keeps_register": network.may_keep_experts(user)}


class _ExpertFormView(_Form, LoginRequiredMixin, PermissionRequiredMixin, FormView[ExpertForm]):
    heading = gettext_lazy("An expert")

    def back(self) -> tuple[str, Any]:
        return reverse("panels:experts"), _("Experts")

    permission_required = "agencies.change_expert"
    form_class = ExpertForm
    expert: Expert | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not network.may_keep_experts(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.expert, "user": self.request.user}

    def form_valid(self, form: ExpertForm) -> HttpResponse:
        data = dict(form.cleaned_data)
        agencies = data.pop("agencies")
        try:
            network.save_expert(actor=self.request.user, expert=self.expert, agencies=agencies, **data)  # type: ignore[arg-type]
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The expert is saved in the register."))
        return HttpResponseRedirect(reverse("panels:experts"))


class ExpertCreateView(_ExpertFormView):
    pass


class ExpertEditView(_ExpertFormView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # Only who keeps the register reaches an expert's form (404 for the others: decision 123).
        if not network.may_keep_experts(request.user):
            raise Http404
        self.expert = get_object_or_404(Expert, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class AgencyProfileView(LoginRequiredMixin, DetailView[Agency]):
    """An agency's mandate, what it brings, the limits of its professional secrecy, its single
    point of contact: open to every signed-in member, like the partner directory."""

    queryset = Agency.objects.select_related("contact_person").prefetch_related("panels")
    template_name = "panels/agency_profile.html"
    context_object_name = "agency"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user: Any = self.request.user
        return {**super().get_context_data(**kwargs), "may_edit": network.may_edit_agency(user, self.object)}


class AgencyProfileEditView(_Form, LoginRequiredMixin, FormView[AgencyProfileForm]):
    heading = gettext_lazy("Mandate and point of contact")

    def back(self) -> tuple[str, Any]:
        return reverse("panels:agency", args=[self.agency.pk]), self.agency

    form_class = AgencyProfileForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.agency = get_object_or_404(Agency, pk=kwargs["pk"])
        if request.user.is_authenticated and not network.may_edit_agency(request.user, self.agency):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.agency}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "agency": self.agency}

    def form_valid(self, form: AgencyProfileForm) -> HttpResponse:
        try:
            network.update_agency_profile(self.agency, actor=self.request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The agency's profile is saved."))
        return HttpResponseRedirect(reverse("panels:agency", args=[self.agency.pk]))
