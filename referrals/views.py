"""Browser views of referrals: intake, the list, matching, triage, repeat concerns, feedback."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case as When_Case
from django.db.models import Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView

from agencies.access import Action, CaseAccess, RestrictedObjectFormView, RestrictedViewMixin, sees_reporter
from audit.reads import note_matches
from cases.choosers import answer_suggestions, suggestions_of, typed_in
from cases.models import Case
from cases.owners import LIMIT, chosen_owner_id
from cases.services import casework_agencies
from families.models import Family

from . import services
from .filtersets import ReferralFilterSet
from .forms import FeedbackForm, MatchQueryForm, ReferralForm, TriageForm, family_label
from .models import DeconflictionCheck, Referral, ServiceReferral, TriageDecision

__all__ = [
    "AddToEarlierView",
    "FamilySuggestionsView",
    "FeedbackView",
    "MatchesView",
    "ReferralCreateView",
    "ReferralListView",
    "ReferralView",
    "TriageView",
]


class ReferralListView(RestrictedViewMixin, FilterView):
    """Referrals the user may know of: open ones and crises first, overdue triage marked."""

    # Open referrals first (crises at the top), then the decided ones.
    queryset = Referral.objects.select_related("received_by", "routed_to", "panel", "front_door").order_by(
        When_Case(When(status__in=Referral.OPEN_STATUSES, then=Value(0)), default=Value(1)),
        "-is_crisis",
        "-received_at",
        "-pk",
    )
    action = Action.VIEW
    permission_required = "referrals.view_referral"
    filterset_class = ReferralFilterSet
    template_name = "referrals/referral_list.html"
    context_object_name = "referrals"
    paginate_by = 50


class ReferralCreateView(RestrictedViewMixin, FormView[ReferralForm]):
    """Intake: record a concern from any channel. The user's agency receives it."""

    queryset = Referral.objects.all()
    action = Action.CHANGE
    permission_required = "referrals.add_referral"
    form_class = ReferralForm
    template_name = "referrals/referral_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "agencies": casework_agencies(self.actor)}

    def form_valid(self, form: ReferralForm) -> HttpResponse:
        if not form.agencies:
            form.add_error(None, _("You work cases for no agency, so you cannot receive a referral."))
            return self.form_invalid(form)
        data = dict(form.cleaned_data)
        indicators = data.pop("indicators", [])
        data.pop("received_by", None)
        try:
            referral = services.record_referral(
                actor=self.actor, received_by=form.receiving_agency(), indicators=indicators, **data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        if referral.routed_to is not None:
            messages.warning(
                self.request,
                _("Crisis: the referral was routed to %(agency)s at once.") % {"agency": referral.routed_to},
            )
        else:
            messages.success(self.request, _("The referral is recorded. Triage it within 24 hours."))
        return HttpResponseRedirect(referral.get_absolute_url())


class MatchesView(RestrictedViewMixin, TemplateView):
    """Earlier referrals and cases that may be about the same person (an htmx fragment)."""

    queryset = Referral.objects.all()
    action = Action.VIEW
    permission_required = "referrals.view_referral"
    template_name = "referrals/_matches.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = MatchQueryForm(self.request.GET)
        matches = None
        if form.is_valid() and form.cleaned_data["subject_family_name"]:
            matches = services.find_matches(
                self.actor,
                given_name=form.cleaned_data["subject_given_name"],
                family_name=form.cleaned_data["subject_family_name"],
                date_of_birth=form.cleaned_data["subject_date_of_birth"],
            )
        context = {**super().get_context_data(**kwargs), "matches": matches}
        note_matches(self.request, matches)
        return context


class ReferralView(RestrictedViewMixin, DetailView[Referral]):
    queryset = Referral.objects.select_related(
        "received_by", "routed_to", "panel", "case", "primary", "family", "recorded_by", "front_door"
    )
    action = Action.VIEW
    permission_required = "referrals.view_referral"
    template_name = "referrals/referral_detail.html"
    context_object_name = "referral"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, referral = self.actor, self.object
        can_manage = Referral.objects.restrict(user, Action.MANAGE).filter(pk=referral.pk).exists()
        context.update(
            sees_reporter=sees_reporter(user, referral),
            can_manage=can_manage,
            indicators=list(referral.indicators.all()),
            decisions=referral.decisions.select_related("decided_by"),
            repeats=Referral.objects.restrict(user, Action.VIEW).filter(primary=referral),
            case_visible=referral.case is not None and CaseAccess.fetch(referral.case, user).knows,
            primary_visible=referral.primary_id is not None
            and Referral.objects.restrict(user, Action.VIEW).filter(pk=referral.primary_id).exists(),
            # The police's answer is for those who triage the referral alone (decision 127).
            deconfliction=DeconflictionCheck.objects.restrict(user, Action.MANAGE)
            .select_related("police_agency", "answered_by")
            .filter(referral=referral)
            .first(),
        )
        decided = context["decisions"]
        context["signposted"] = any(d.decision == TriageDecision.Decision.SIGNPOSTED for d in decided)
        if context["signposted"]:
            sent = ServiceReferral.objects.restrict(user, Action.VIEW).filter(referral=referral)
            context["service_referrals"] = sent.select_related("service")
        if referral.is_open and referral.subject_family_name:
            context["matches"] = services.find_matches(
                user,
                given_name=referral.subject_given_name,
                family_name=referral.subject_family_name,
                date_of_birth=referral.subject_date_of_birth,
                exclude=referral,
            )
        return context


class TriageView(RestrictedObjectFormView):
    queryset = Referral.objects.select_related("received_by")
    action = Action.MANAGE
    permission_required = "referrals.change_referral"
    form_class = TriageForm
    template_name = "referrals/referral_triage.html"
    context_object_name = "referral"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "referral": self.object, "user": self.request.user}

    def perform(self, form: TriageForm) -> HttpResponse:
        data = form.cleaned_data
        new_case = None
        if data["decision"] == TriageDecision.Decision.OPEN_CASE and form.owner_choice:
            owner, agency = form.owner_choice
            new_case = services.NewCase(owner=owner, owner_agency=agency, panel=data["panel"], family=data["family"])
        taken = services.triage_referral(
            self.object,
            decision=data["decision"],
            reason=data["reason"],
            notes=data["notes"],
            signposted_to=data["signposted_to"],
            panel=data["panel"],
            new_case=new_case,
            to_service=form.to_service,
            actor=self.actor,
        )
        messages.success(self.request, _("Triage recorded: %(decision)s.") % {"decision": taken.get_decision_display()})
        if form.to_service is not None:
            messages.success(self.request, _("The referral is sent to the service."))
        referral = Referral.objects.get(pk=self.object.pk)
        case = referral.case
        if case is not None and data["decision"] == TriageDecision.Decision.OPEN_CASE:
            return HttpResponseRedirect(case.get_absolute_url())
        return HttpResponseRedirect(referral.get_absolute_url())


class FamilySuggestionsView(RestrictedViewMixin, View):
    """Triage's "add to this family" suggestions: up to 20 families the user may read in full (the
    only ones a new case may join) whose name begins with what was typed. JSON, or `<option>`s for
    the field's htmx datalist."""

    queryset = Family.objects.all()
    action = Action.VIEW
    permission_required = "referrals.change_referral"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        typed = typed_in(request).strip()
        found: list[Family] = []
        if len(typed) >= 2 and chosen_owner_id(typed) is None:
            found = list(self.queryset.filter(name__istartswith=typed).order_by("name", "pk")[:LIMIT])
        return answer_suggestions(request, suggestions_of(found, family_label))


class AddToEarlierView(RestrictedObjectFormView):
    """Add this concern to an earlier referral or a case about the same people (a POST from the
    matches list). The target is fetched through restrict(): an id the user may not see is a 404."""

    queryset = Referral.objects.all()
    action = Action.MANAGE
    permission_required = "referrals.change_referral"
    http_method_names = ["post"]

    def get_form_class(self) -> Any:
        from django import forms

        class TargetForm(forms.Form):
            primary = forms.IntegerField(required=False)
            case = forms.IntegerField(required=False)

        return TargetForm

    def form_invalid(self, form: Any) -> HttpResponse:
        for error in form.non_field_errors():
            messages.error(self.request, error)
        return HttpResponseRedirect(self.object.get_absolute_url())

    def perform(self, form: Any) -> HttpResponse:
        user = self.actor
        primary = case = None
        if form.cleaned_data["primary"]:
            primary = Referral.objects.restrict(user, Action.VIEW).filter(pk=form.cleaned_data["primary"]).first()
            if primary is None:
                raise Http404
        elif form.cleaned_data["case"]:
            case = Case.objects.restrict(user, Action.VIEW_SUMMARY).filter(pk=form.cleaned_data["case"]).first()
            if case is None:
                raise Http404
        services.add_to_earlier(self.object, primary=primary, case=case, actor=user)
        messages.success(self.request, _("The concern was added to the earlier record."))
        return HttpResponseRedirect(self.object.get_absolute_url())


class FeedbackView(RestrictedObjectFormView):
    queryset = Referral.objects.all()
    action = Action.MANAGE
    permission_required = "referrals.change_referral"
    form_class = FeedbackForm
    template_name = "referrals/referral_feedback.html"
    context_object_name = "referral"

    def allowed(self) -> bool:
        return sees_reporter(self.request.user, self.object)

    def perform(self, form: FeedbackForm) -> HttpResponse:
        services.record_feedback(self.object, feedback=form.cleaned_data["feedback"], actor=self.actor)
        messages.success(self.request, _("The feedback to the reporter is recorded."))
        return HttpResponseRedirect(self.object.get_absolute_url())
