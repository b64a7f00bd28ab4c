"""Browser views of cases. Thin: fetch through `restrict()`, call one service, redirect."""

from functools import cached_property
from typing import Any, cast

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from agencies.access import Action, RestrictedObjectFormView, RestrictedViewMixin, UserAccess
from agencies.directory import team_diversity
from agencies.models import Agency, Panel, User
from audit.models import BreakGlassAccess
from families.models import Consent, DisclosureRestriction, Person
from interventions.context import interventions_context
from panels.models import AgendaItem
from referrals.models import Referral
from reminders.dashboard import due_lists

from . import services
from .children import children_of, drafts_of
from .filtersets import CaseFilterSet
from .forms import (
    AssignOwnerForm,
    ConsentForm,
    DisclosureCheckForm,
    RevokeShareForm,
    ShareCaseForm,
    WithdrawConsentForm,
)
from .involvement import involvement
from .models import Case, CaseEvent, CaseShare, Contact, DisclosureCheck, InformationRequest, RiskRecord
from .services import disclosing_agencies

__all__ = [
    "AssignOwnerView",
    "CaseListView",
    "CaseShareView",
    "CaseView",
    "ConsentCreateView",
    "ConsentWithdrawView",
    "DisclosureCheckView",
    "HomeView",
    "RevokeShareView",
]


class HomeView(RestrictedViewMixin, ListView):  # type: ignore[type-arg]
    """My cases: the open cases the user sees in full (closed ones a click away), and the panels
    they sit on."""

    queryset = Case.objects.open().with_summary()
    action = Action.VIEW
    template_name = "cases/home.html"
    context_object_name = "cases"
    paginate_by = 25

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["panels"] = Panel.objects.restrict(user, Action.VIEW)
        context["closed_count"] = Case.objects.restrict(user, Action.VIEW).closed().count()
        context["due_lists"] = due_lists(user)
        # Questions put to the user's agency, to answer within 24 hours.
        context["information_requests"] = (
            InformationRequest.objects.restrict(user, Action.CHANGE)
            .open()
            .select_related("case__family", "to_agency")
            .order_by("due_at")[:20]
        )
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
        user, case = cast(User, self.request.user), self.object
        can_manage = Case.objects.restrict(user, Action.MANAGE).filter(pk=case.pk).exists()
        context["can_manage"] = can_manage
        # Who looked at the case is for its owner and its panel's coordinator (decision 34).
        access = UserAccess.of(user)
        context["sees_access_log"] = case.owner_id == user.pk or case.panel_id in access.coordinated_panel_ids
        if access.breaks_glass:  # reading through a break-the-glass access: say so, and until when
            context["break_glass"] = BreakGlassAccess.objects.current().filter(user=user, case=case).first()
        context["shares"] = None
        # Everyone who knows the case sees which agencies are involved; the particulars of each
        # share are for full readers and managers only.
        shares = list(
            CaseShare.objects.restrict(user, Action.VIEW_SUMMARY)
            .filter(case=case)
            .current()
            .select_related("agency", "granted_by", "consent")
        )
        if case.access_full or can_manage:
            context["shares"] = shares
        context["involvement"] = involvement(case, shares, with_reasons=case.access_full or can_manage)
        context["referrals"] = Referral.objects.restrict(user, Action.VIEW).filter(case=case)
        context["decisions"] = (
            AgendaItem.objects.restrict(user, Action.VIEW)
            .filter(case=case, decided_at__isnull=False)
            .select_related("meeting", "first_contact_agency", "owner")
            .prefetch_related("involved__agency")
            .order_by("-decided_at")[:3]
        )
        # Who must not be told what would name the person who asked for help: full readers read
        # it; summary readers are told that restrictions exist (decision 26).
        active = DisclosureRestriction.objects.filter(family_id=case.family_id, lifted_at__isnull=True)
        if case.access_full:
            context["restrictions"] = active.restrict(user, Action.VIEW).select_related("person")
        else:
            context["restrictions_apply"] = active.restrict(user, Action.VIEW_SUMMARY).exists()
        context["can_change"] = Case.objects.restrict(user, Action.CHANGE).filter(pk=case.pk).exists()
        # Who runs the case asks a partner (services.may_ask, without a query of its own).
        runs = context["can_change"] or (case.panel_id is not None and case.panel_id in access.coordinated_panel_ids)
        context["may_ask"] = not case.is_closed and runs
        if case.access_full:
            members = list(Person.objects.restrict(user, Action.VIEW).filter(family_id=case.family_id))
            context["members"] = members
            context["children"] = children_of(members, case, user)
            # The next contact agreed at a visit the user reads in full.
            context["next_contact"] = (
                Contact.objects.restrict(user, Action.VIEW)
                .final()
                .annotate_content(user)
                .filter(case=case, content_visible=True, next_contact_on__gte=timezone.localdate())
                .order_by("next_contact_on")
                .first()
            )
            context["events"] = (
                CaseEvent.objects.restrict(user, Action.VIEW)
                .filter(case=case)
                .select_related("actor", "author_agency")
                .annotate_content(user)[:15]
            )
            context["risk_history"] = (
                RiskRecord.objects.restrict(user, Action.VIEW)
                .filter(case=case)
                .select_related("recorded_by", "agency")[:5]
            )
            context["refusals"] = services.refusals(case, user)
            context["drafts"] = drafts_of(user, case)
            context["information_requests"] = (
                InformationRequest.objects.restrict(user, Action.VIEW)
                .filter(case=case)
                .select_related("to_agency", "asked_by", "answered_by")[:20]
            )
            # Which kinds of entry the user records here (the police's security assessment).
            context["acting_sector"] = services.acting_agency(user, case).sector
            context["checks"] = (
                DisclosureCheck.objects.restrict(user, Action.VIEW)
                .filter(case=case)
                .select_related("agency", "recorded_by")
                .prefetch_related("shared_with")
            )
            context["consents"] = (
                Consent.objects.restrict(user, Action.VIEW)
                .filter(family_id=case.family_id)
                .select_related("person", "given_by", "recorded_by", "withdrawn_by")
                .prefetch_related("agencies")
            )
            context["can_check"] = bool(disclosing_agencies(user)) and user.has_perm("cases.add_disclosurecheck")
            context.update(interventions_context(case, user, can_change=context["can_change"]))
        return context


class CaseShareView(RestrictedObjectFormView):
    queryset = Case.objects.select_related("owning_agency")
    action = Action.MANAGE
    permission_required = "cases.manage_case"
    form_class = ShareCaseForm
    template_name = "cases/case_share_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.object, "user": self.request.user}

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
            consent=data["consent"],
            legal_duty=data["legal_duty"],
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
    """Choose the case owner, agency by agency, with caseloads and the team's diversity in view."""

    queryset = Case.objects.select_related("owner", "owning_agency", "panel")
    action = Action.MANAGE
    permission_required = "cases.manage_case"
    form_class = AssignOwnerForm
    template_name = "cases/case_assign_form.html"

    @cached_property
    def agency(self) -> Agency:
        chosen = self.request.GET.get("agency") or self.request.POST.get("agency")
        if chosen and chosen.isdigit():
            found = Agency.objects.filter(pk=int(chosen)).first()
            if found is not None:
                return found
        return self.object.owning_agency  # type: ignore[no-any-return]

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.object, "agency": self.agency}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context["form"]
        candidates = list(form.candidates.values())
        return {
            **context,
            "agencies": Agency.objects.all(),
            "agency": self.agency,
            "candidates": candidates,
            "teams": team_diversity(candidates),
        }

    def perform(self, form: AssignOwnerForm) -> HttpResponse:  # type: ignore[override]
        candidate = form.cleaned_data["owner"]
        case = services.assign_owner(
            self.object, owner=candidate.user, agency=candidate.agency, actor=cast(User, self.request.user)
        )
        messages.success(self.request, _("%(user)s now owns the case.") % {"user": candidate.user})
        return HttpResponseRedirect(case.get_absolute_url())


class DisclosureCheckView(RestrictedObjectFormView):
    """A health or social-care agency records its six checks before information leaves it."""

    queryset = Case.objects.select_related("family")
    action = Action.VIEW
    permission_required = "cases.add_disclosurecheck"
    form_class = DisclosureCheckForm
    template_name = "cases/disclosurecheck_form.html"

    def allowed(self) -> bool:
        return bool(disclosing_agencies(cast(User, self.request.user)))

    def get_form_kwargs(self) -> dict[str, Any]:
        user = cast(User, self.request.user)
        return {**super().get_form_kwargs(), "agencies": disclosing_agencies(user), "case": self.object, "user": user}

    def perform(self, form: DisclosureCheckForm) -> HttpResponse:  # type: ignore[override]
        steps = {name: value for name, value in form.cleaned_data.items() if name not in ("agency", "shared_with")}
        services.record_disclosure_check(
            self.object,
            agency=form.checking_agency(),
            shared_with=list(form.cleaned_data["shared_with"]),
            actor=cast(User, self.request.user),
            **steps,
        )
        messages.success(self.request, _("The checks are recorded. Only your agency sees them."))
        return HttpResponseRedirect(self.object.get_absolute_url() + "#checks-heading")


class ConsentCreateView(RestrictedObjectFormView):
    """The case owner, a supervisor or the coordinator records a family member's consent."""

    queryset = Case.objects.select_related("family")
    action = Action.MANAGE
    permission_required = "cases.manage_case"
    form_class = ConsentForm
    template_name = "cases/case_change_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.object, "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "case": self.object, "title": _("Record consent to support")}

    def perform(self, form: ConsentForm) -> HttpResponse:  # type: ignore[override]
        data = form.cleaned_data
        services.record_consent(
            self.object,
            person=data["person"],
            given_by=data["given_by"],
            given_on=data["given_on"],
            purposes=data["purposes"],
            agencies=data["agencies"],
            purpose_text=data["purpose_text"],
            actor=cast(User, self.request.user),
        )
        messages.success(self.request, _("The consent is recorded."))
        return HttpResponseRedirect(self.object.get_absolute_url() + "#consent-heading")


class ConsentWithdrawView(RestrictedObjectFormView):
    """Record that a consent was withdrawn; the shares resting on it are flagged on the case."""

    queryset = Case.objects.select_related("family")
    action = Action.MANAGE
    permission_required = "cases.manage_case"
    form_class = WithdrawConsentForm
    template_name = "cases/case_change_form.html"

    def get_object(self, queryset: Any = None) -> Any:
        case = super().get_object(queryset)
        # The consent is reached through the case just fetched for MANAGE: one of its family's.
        self.consent = get_object_or_404(
            Consent.objects.filter(family_id=case.family_id, withdrawn_at__isnull=True), pk=self.kwargs["consent"]
        )
        return case

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        title = _("Consent withdrawn")
        return {**super().get_context_data(**kwargs), "case": self.object, "title": title}

    def perform(self, form: WithdrawConsentForm) -> HttpResponse:  # type: ignore[override]
        services.withdraw_consent(
            self.object, self.consent, reason=form.cleaned_data["reason"], actor=cast(User, self.request.user)
        )
        messages.success(self.request, _("The withdrawal is recorded. Check the shares flagged on the case."))
        return HttpResponseRedirect(self.object.get_absolute_url() + "#consent-heading")
