"""Browser views of cases. Thin: fetch through `restrict()`, call one service, redirect."""

from functools import cached_property
from typing import Any, cast

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from agencies.access import Action, CaseAccess, RestrictedObjectFormView, RestrictedViewMixin, get_restricted_object
from agencies.directory import team_diversity
from agencies.models import Agency, Panel, User
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
from .models import Case, CaseEvent, CaseShare, DisclosureCheck, InformationRequest, RiskRecord
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
    """The case page: the summary for everyone who may know the case; the file for full access.

    What the reader may do here is asked of one `CaseAccess`, fetched with the case."""

    queryset = Case.objects.with_summary()
    action = Action.VIEW_SUMMARY
    permission_required = "cases.view_case_summary"
    template_name = "cases/case_detail.html"
    context_object_name = "case"

    def get_queryset(self) -> Any:
        return self.queryset.with_access(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, case = cast(User, self.request.user), self.object
        access = CaseAccess.of(case, user)
        context["access"] = access
        context["shares"] = None
        # Everyone who knows the case sees which agencies are involved; the particulars of each
        # share are for full readers only.
        shares = list(
            CaseShare.objects.restrict(user, Action.VIEW_SUMMARY)
            .filter(case=case)
            .current()
            .select_related("agency", "granted_by", "consent")
        )
        if access.sees_shares:
            context["shares"] = shares
        context["involvement"] = involvement(case, shares, with_reasons=access.reads_share_particulars)
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
        if not access.full:
            context["restrictions_apply"] = active.restrict(user, Action.VIEW_SUMMARY).exists()
        else:
            context["restrictions"] = active.restrict(user, Action.VIEW).select_related("person")
            members = list(Person.objects.restrict(user, Action.VIEW).filter(family_id=case.family_id))
            context["members"] = members
            context["children"] = children_of(members, case, user)
            # The next contact agreed at a visit the user reads in full.
            context["next_contact"] = services.next_contact(case, user)
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
            context.update(interventions_context(case, user))
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

    def get_queryset(self) -> Any:
        return self.queryset.with_access(self.request.user)

    def allowed(self) -> bool:
        return CaseAccess.of(self.object, self.request.user).records_checks

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
    """Record that a consent was withdrawn; the shares resting on it are flagged on the case. The
    case owner or a supervisor does it: the coordinator, who manages the case from its summary,
    does not read consent (decision 42)."""

    queryset = Case.objects.select_related("family")
    action = Action.CHANGE
    permission_required = "cases.change_case"
    form_class = WithdrawConsentForm
    template_name = "cases/case_change_form.html"

    def get_object(self, queryset: Any = None) -> Any:
        case = super().get_object(queryset)
        # The consent is fetched for the change made to it, through restrict() like the case: a
        # consent the user does not read is not found, one they read but may not change is refused.
        user = self.request.user
        lookup = {"pk": self.kwargs["consent"], "family_id": case.family_id, "withdrawn_at__isnull": True}
        self.consent = get_restricted_object(
            Consent.objects.restrict(user, Action.CHANGE), user, Action.CHANGE, **lookup
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
