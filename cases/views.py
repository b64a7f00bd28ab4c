"""Browser views of cases. Thin: fetch through `restrict()`, call one service, redirect."""

from typing import Any

from django.contrib import messages
from django.db.models import F
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from agencies.access import Action, RestrictedObjectFormView, RestrictedViewMixin
from agencies.models import Panel
from families.models import Person

from . import services
from .filtersets import CaseFilterSet
from .forms import AssignOwnerForm, RevokeShareForm, ShareCaseForm
from .models import Case, CaseEvent, CaseShare

__all__ = ["AssignOwnerView", "CaseListView", "CaseShareView", "CaseView", "HomeView", "RevokeShareView"]


class HomeView(RestrictedViewMixin, ListView):  # type: ignore[type-arg]
    """My cases: the cases the user sees in full (open ones first), and the panels they sit on."""

    queryset = Case.objects.with_summary().order_by(F("closed_at").asc(nulls_first=True), "-opened_at", "-pk")
    action = Action.VIEW
    template_name = "cases/home.html"
    context_object_name = "cases"
    paginate_by = 25

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["panels"] = Panel.objects.restrict(self.request.user, Action.VIEW)
        return context


class CaseListView(RestrictedViewMixin, FilterView):
    """Every case the user may know of, full or summary, filterable."""

    queryset = Case.objects.with_summary()
    action = Action.VIEW_SUMMARY
    permission_required = "cases.view_case_summary"
    filterset_class = CaseFilterSet
    template_name = "cases/case_list.html"
    context_object_name = "cases"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return self.queryset.annotate_access(self.request.user)  # type: ignore[attr-defined]


class CaseView(RestrictedViewMixin, DetailView):  # type: ignore[type-arg]
    """The case page: the summary for everyone who may know the case; the file for full access."""

    queryset = Case.objects.with_summary()
    action = Action.VIEW_SUMMARY
    permission_required = "cases.view_case_summary"
    template_name = "cases/case_detail.html"
    context_object_name = "case"

    def get_queryset(self) -> Any:
        return self.queryset.annotate_access(self.request.user)  # type: ignore[attr-defined]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, case = self.request.user, self.object
        can_manage = Case.objects.restrict(user, Action.MANAGE).filter(pk=case.pk).exists()
        context["can_manage"] = can_manage
        context["shares"] = None
        if case.access_full or can_manage:
            context["shares"] = (
                CaseShare.objects.restrict(user, Action.VIEW)
                .filter(case=case)
                .active()
                .select_related("agency", "granted_by")
            )
        if case.access_full:
            context["members"] = Person.objects.restrict(user, Action.VIEW).filter(family_id=case.family_id)
            context["events"] = (
                CaseEvent.objects.restrict(user, Action.VIEW).filter(case=case).select_related("actor")[:20]
            )
        return context


class CaseShareView(RestrictedObjectFormView):
    queryset = Case.objects.select_related("owning_agency")
    action = Action.MANAGE
    permission_required = "cases.manage_case"
    form_class = ShareCaseForm
    template_name = "cases/case_share_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.object}

    def perform(self, form: ShareCaseForm) -> HttpResponse:  # type: ignore[override]
        data = form.cleaned_data
        share = services.share_case(
            self.object,
            agency=data["agency"],
            scope=data["scope"],
            basis=data["basis"],
            justification=data["justification"],
            consent_given_by=data["consent_given_by"],
            consent_given_on=data["consent_given_on"],
            ends_at=form.ends_at,
            actor=self.request.user,
        )
        messages.success(self.request, _("The case is now shared with %(agency)s.") % {"agency": share.agency})
        return HttpResponseRedirect(self.object.get_absolute_url())


class RevokeShareView(RestrictedObjectFormView):
    queryset = CaseShare.objects.active().select_related("case", "agency")
    action = Action.MANAGE
    permission_required = "cases.manage_case"
    form_class = RevokeShareForm
    template_name = "cases/caseshare_revoke_form.html"
    context_object_name = "share"

    def get_queryset(self) -> Any:
        return self.queryset.filter(case_id=self.kwargs["case_pk"])

    def perform(self, form: RevokeShareForm) -> HttpResponse:  # type: ignore[override]
        services.revoke_share(self.object, reason=form.cleaned_data["reason"], actor=self.request.user)
        messages.success(self.request, _("The share with %(agency)s is revoked.") % {"agency": self.object.agency})
        return HttpResponseRedirect(self.object.case.get_absolute_url())


class AssignOwnerView(RestrictedObjectFormView):
    queryset = Case.objects.select_related("owner", "owning_agency")
    action = Action.MANAGE
    permission_required = "cases.manage_case"
    form_class = AssignOwnerForm
    template_name = "cases/case_assign_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.object}

    def perform(self, form: AssignOwnerForm) -> HttpResponse:  # type: ignore[override]
        owner, agency = form.cleaned_data["owner"]
        case = services.assign_owner(self.object, owner=owner, agency=agency, actor=self.request.user)
        messages.success(self.request, _("%(user)s now owns the case.") % {"user": owner})
        return HttpResponseRedirect(case.get_absolute_url())
