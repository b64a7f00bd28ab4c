"""Pages for safety in the field (decisions 133-134): recording and reviewing a staff-safety
warning on the family, planning a visit with the time the visitor expects to be back, and checking
in. Every object is fetched through restrict() for what is done with it."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.access import Action, CaseAccess, RestrictedObjectFormView, get_restricted_object
from families.models import SafetyWarning

from . import services
from .models import Case, PlannedVisit
from .safety_forms import PlanVisitForm, ReviewSafetyWarningForm, SafetyWarningForm

__all__ = ["CheckInView", "PlanVisitView", "ReviewSafetyWarningView", "SafetyWarningCreateView"]


class _CaseTeamView(RestrictedObjectFormView):
    """Something anyone writing in the case file does: never through break-the-glass."""

    queryset = Case.objects.select_related("family")
    action = Action.VIEW
    permission_required = "cases.view_case"
    template_name = "cases/case_change_form.html"
    title: Any = ""
    submit_label: Any = ""

    def get_queryset(self) -> Any:
        return self.queryset.with_access(self.request.user)

    def allowed(self) -> bool:
        return CaseAccess.of(self.object, self.request.user).writes

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        return {**context, "case": self.object, "title": self.title, "submit_label": self.submit_label}


class SafetyWarningCreateView(_CaseTeamView):
    form_class = SafetyWarningForm
    title = gettext_lazy("Warn visitors of a danger")
    submit_label = gettext_lazy("Record the warning")

    def perform(self, form: SafetyWarningForm) -> HttpResponse:
        data = form.cleaned_data
        services.add_safety_warning(
            self.object,
            kind=data["kind"],
            address=data["address"],
            detail=data["detail"],
            review_on=data["review_on"],
            actor=self.actor,
        )
        messages.success(self.request, _("Recorded: everyone who goes to the family will be warned."))
        return HttpResponseRedirect(self.object.get_absolute_url() + "#safety-heading")


class ReviewSafetyWarningView(RestrictedObjectFormView):
    """The case owner or a supervisor reviews a warning: it still applies (a new date), or ends."""

    queryset = Case.objects.select_related("family")
    action = Action.CHANGE
    permission_required = "cases.change_case"
    form_class = ReviewSafetyWarningForm
    template_name = "cases/case_change_form.html"

    def get_object(self, queryset: Any = None) -> Any:
        case = super().get_object(queryset)
        lookup = {"pk": self.kwargs["warning"], "family_id": case.family_id, "ended_at__isnull": True}
        self.warning = get_restricted_object(
            SafetyWarning.objects.restrict(self.actor, Action.CHANGE), self.actor, Action.CHANGE, **lookup
        )
        return case

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        title = _("Review the warning: %(kind)s") % {"kind": self.warning.get_kind_display()}
        return {**super().get_context_data(**kwargs), "case": self.object, "title": title}

    def perform(self, form: ReviewSafetyWarningForm) -> HttpResponse:
        if form.cleaned_data["outcome"] == ReviewSafetyWarningForm.GONE:
            services.end_safety_warning(self.warning, actor=self.actor)
            messages.success(self.request, _("The warning has ended."))
        else:
            services.review_safety_warning(self.warning, review_on=form.cleaned_data["review_on"], actor=self.actor)
            messages.success(self.request, _("Reviewed: the warning still applies."))
        return HttpResponseRedirect(self.object.get_absolute_url() + "#safety-heading")


class PlanVisitView(_CaseTeamView):
    form_class = PlanVisitForm
    title = gettext_lazy("Going out: when will you be back?")
    submit_label = gettext_lazy("I am leaving now")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # Whoever goes to the door reads the dangers first (decision 133).
        warnings = SafetyWarning.objects.restrict(self.request.user, Action.VIEW).filter(
            family_id=self.object.family_id, ended_at__isnull=True
        )
        return {**super().get_context_data(**kwargs), "case_warnings": warnings}

    def perform(self, form: PlanVisitForm) -> HttpResponse:
        data = form.cleaned_data
        services.plan_visit(
            self.object,
            expected_back_at=data["expected_back_at"],
            with_colleague=data["with_colleague"],
            actor=self.actor,
        )
        messages.success(self.request, _("Safe visit. When you are back, tap “I am back safe” on your home page."))
        return HttpResponseRedirect(self.object.get_absolute_url())


class CheckInView(RestrictedObjectFormView):
    """The visitor says they are back safe (one big button on the home page and the case page)."""

    queryset = PlannedVisit.objects.select_related("case")
    action = Action.VIEW
    permission_required = "cases.view_case"
    http_method_names = ["post"]

    def get_form_class(self) -> Any:
        from django import forms

        return forms.Form

    def allowed(self) -> bool:
        return bool(self.object.visitor_id == self.actor.pk)

    def perform(self, form: Any) -> HttpResponse:
        services.check_in(self.object, actor=self.actor)
        messages.success(self.request, _("Welcome back: your check-in is recorded."))
        back = self.request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(back, allowed_hosts={self.request.get_host()}, require_https=False)
        return HttpResponseRedirect(back if back.startswith("/") and safe else self.object.case.get_absolute_url())
