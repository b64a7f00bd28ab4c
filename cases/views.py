"""Browser views of cases. Thin: fetch through `restrict()`, call one service, redirect.

The case page itself is composed of sections in `pages.views.CaseView` (decision 56)."""

from functools import cached_property
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django_filters.views import FilterView

from agencies.access import (
    Action,
    CaseAccess,
    RestrictedObjectFormView,
    RestrictedViewMixin,
    get_restricted_object,
)
from agencies.access.rules import chooses_people
from agencies.models import Agency, Membership
from families.models import Consent

from . import services
from .choosers import AGENCY, PANEL, Chooser, answer_suggestions, restricted_in_chosen_agency, typed_in
from .directory import ATTENDING_ROLES, candidate_label, suggest_candidates, team_diversity
from .filtersets import CaseFilterSet
from .forms import (
    AssignOwnerForm,
    ConsentForm,
    DisclosureCheckForm,
    GrantAccessForm,
    RevokeGrantForm,
    RevokeShareForm,
    ShareCaseForm,
    WithdrawConsentForm,
)
from .keyset import KeysetPage, keyset_page
from .models import Case, CaseShare, CaseUserObjectPermission
from .owners import suggest_owners
from .pagination import CAP, CappedPaginator
from .services import disclosing_agencies

__all__ = [
    "AgencySuggestionsView",
    "AssignOwnerView",
    "CandidateSuggestionsView",
    "CaseListView",
    "CaseShareView",
    "ConsentCreateView",
    "ConsentWithdrawView",
    "DisclosureCheckView",
    "KeysetListMixin",
    "OwnerSuggestionsView",
    "PanelSuggestionsView",
    "RevokeShareView",
]


class KeysetListMixin:
    """A list that can reach 100,000 rows (issue 19): keyset pages (decision 151) — `?after=`/
    `?before=` name the row a page follows or precedes, so no page skips rows with an OFFSET — and
    a count capped at CAP unless `?count=exact` asks for it (`cases.pagination`)."""

    request: HttpRequest
    paginator_class = CappedPaginator

    def get_paginator(self, *args: Any, **kwargs: Any) -> CappedPaginator:
        return CappedPaginator(*args, exact=self.request.GET.get("count") == "exact", **kwargs)

    def paginate_queryset(self, queryset: Any, page_size: int) -> tuple[CappedPaginator, KeysetPage, list[Any], bool]:
        paginator = self.get_paginator(queryset, page_size)
        params = self.request.GET
        page = keyset_page(queryset, size=page_size, after=params.get("after", ""), before=params.get("before", ""))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # The page links carry the filters and the count asked for, never another page's position.
        paging = self.request.GET.copy()
        for name in ("page", "after", "before", "count", "format"):
            paging.pop(name, None)
        if self.request.GET.get("count") == "exact":
            paging["count"] = "exact"
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        return {**context, "count_cap": CAP, "paging_query": paging.urlencode()}


class CaseListView(KeysetListMixin, RestrictedViewMixin, FilterView):
    """Every case the user may know of, full or summary, filterable."""

    queryset = Case.objects.with_summary()
    action = Action.VIEW_SUMMARY
    permission_required = "cases.view_case_summary"
    filterset_class = CaseFilterSet
    template_name = "cases/case_list.html"
    context_object_name = "cases"
    paginate_by = 50

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().get(request, *args, **kwargs)
        if self.filterset.is_bound and not self.filterset.is_valid():
            response.status_code = 400  # a filter refused (a panel the user may not see): said on the form
        return response

    def restricted(self, queryset: Any, user: Any, action: Action) -> Any:
        return restricted_in_chosen_agency(queryset, user, action, self.request.GET)

    def get_queryset(self) -> Any:
        return self.queryset.annotate_access(self.actor)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # The export links carry the list's filters as on the screen (decision 109).
        query = self.request.GET.copy()
        for name in ("page", "after", "before", "count", "format"):
            query.pop(name, None)
        return {**super().get_context_data(**kwargs), "export_query": query.urlencode()}


class OwnerSuggestionsView(RestrictedViewMixin, View):
    """The owner filter's suggestions: owners of the cases the user may know of whose shown name
    begins with what was typed. JSON, or `<option>`s for the filter's htmx datalist."""

    queryset = Case.objects.all()
    action = Action.VIEW_SUMMARY
    permission_required = "cases.view_case_summary"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = suggest_owners(self.actor, request.GET.get("q") or request.GET.get("owner") or "")
        if request.headers.get("HX-Request"):
            return render(request, "cases/_suggestions.html", {"suggestions": found})
        return JsonResponse({"results": found})


class CandidateSuggestionsView(RestrictedViewMixin, View):
    """People who may own a case whose shown name or agency begins with what was typed, with their
    caseload (`cases.directory.suggest_candidates`): for whoever chooses a case owner, the same gate
    as the API's owner candidates. A suggestion carries `#<person>:<agency>`."""

    queryset = Case.objects.all()
    action = Action.MANAGE
    permission_required = "cases.manage_case"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # `?among=attending`: the panels' own people too, for a meeting's attendance.
        attending = request.GET.get("among") == "attending"
        if not chooses_people(self.actor, attending=attending):
            raise PermissionDenied
        roles = ATTENDING_ROLES if attending else Membership.CASEWORK_ROLES
        found = [
            {"value": f"{candidate_label(c)} #{c.key}", "label": candidate_label(c)}
            for c in suggest_candidates(self.actor, typed_in(request, skip=("among",)), roles=roles)
        ]
        return answer_suggestions(request, found)


class ChoiceSuggestionsView(RestrictedViewMixin, View):
    """The agency or panel filter's suggestions (`cases.choosers`): those the user may know of
    whose name holds what was typed. JSON, or `<option>`s for the filter's htmx datalist."""

    queryset = Case.objects.all()
    action = Action.VIEW_SUMMARY
    permission_required = "cases.view_case_summary"
    chooser: Chooser

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = self.chooser.suggest(self.actor, request.GET.get("q") or request.GET.get(self.chooser.name) or "")
        if request.headers.get("HX-Request"):
            return render(request, "cases/_suggestions.html", {"suggestions": found})
        return JsonResponse({"results": found})


class AgencySuggestionsView(ChoiceSuggestionsView):
    chooser = AGENCY


class PanelSuggestionsView(ChoiceSuggestionsView):
    chooser = PANEL


class CaseShareView(RestrictedObjectFormView):
    queryset = Case.objects.select_related("owning_agency")
    action = Action.MANAGE
    permission_required = "cases.manage_case"
    form_class = ShareCaseForm
    template_name = "cases/case_share_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.object, "user": self.actor}

    def perform(self, form: ShareCaseForm) -> HttpResponse:
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
            agreement=data["agreement"],
            agreement_override=data["agreement_override"],
            ends_at=form.ends_at,
            actor=self.actor,
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

    def perform(self, form: RevokeShareForm) -> HttpResponse:
        services.revoke_share(self.object, reason=form.cleaned_data["reason"], actor=self.actor)
        messages.success(self.request, _("The share with %(agency)s is revoked.") % {"agency": self.object.agency})
        return HttpResponseRedirect(self.object.case.get_absolute_url())


class CaseGrantsView(RestrictedObjectFormView):
    """Who holds an individual grant on the case, and a form to give one (decision 96): for who
    manages the case; a reader who may not manage it gets 403, anyone else 404."""

    queryset = Case.objects.select_related("owning_agency")
    action = Action.MANAGE
    permission_required = "cases.manage_case"
    form_class = GrantAccessForm
    template_name = "cases/case_grants.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        grants = self.object.grants.filter(ends_at__gt=timezone.now()).select_related(
            "user", "granted_by", "permission"
        )
        return {**super().get_context_data(**kwargs), "grants": grants}

    def perform(self, form: GrantAccessForm) -> HttpResponse:
        data = form.cleaned_data
        grant = services.grant_access(
            self.object,
            user=data["username"],
            scope=data["scope"],
            reason=data["reason"],
            ends_at=form.ends_at,
            actor=self.actor,
        )
        messages.success(self.request, _("%(user)s now has access to this case.") % {"user": grant.user})
        return HttpResponseRedirect(reverse("cases:case_grants", args=[self.object.pk]))


class RevokeGrantView(RestrictedObjectFormView):
    """End one individual grant now, for a reason (who manages the case)."""

    queryset = Case.objects.all()
    action = Action.MANAGE
    permission_required = "cases.manage_case"
    form_class = RevokeGrantForm
    template_name = "cases/grant_revoke_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "grant": self.grant}

    @cached_property
    def grant(self) -> CaseUserObjectPermission:
        # Looked up within the case the user manages: another case's grant is missing (404).
        current = self.object.grants.filter(ends_at__gt=timezone.now()).select_related("user", "permission")
        grant: CaseUserObjectPermission = get_object_or_404(current, pk=self.kwargs["grant"])
        return grant

    def allowed(self) -> bool:
        return self.grant is not None

    def perform(self, form: RevokeGrantForm) -> HttpResponse:
        services.revoke_grant(self.grant, reason=form.cleaned_data["reason"], actor=self.actor)
        messages.success(self.request, _("%(user)s no longer has access to this case.") % {"user": self.grant.user})
        return HttpResponseRedirect(reverse("cases:case_grants", args=[self.object.pk]))


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
        owning: Agency = self.object.owning_agency
        return owning

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

    def perform(self, form: AssignOwnerForm) -> HttpResponse:
        candidate = form.cleaned_data["owner"]
        case = services.assign_owner(self.object, owner=candidate.user, agency=candidate.agency, actor=self.actor)
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
        return self.queryset.with_access(self.actor)

    def allowed(self) -> bool:
        return CaseAccess.of(self.object, self.actor).records_checks

    def get_form_kwargs(self) -> dict[str, Any]:
        user = self.actor
        return {**super().get_form_kwargs(), "agencies": disclosing_agencies(user), "case": self.object, "user": user}

    def perform(self, form: DisclosureCheckForm) -> HttpResponse:
        steps = {name: value for name, value in form.cleaned_data.items() if name not in ("agency", "shared_with")}
        services.record_disclosure_check(
            self.object,
            agency=form.checking_agency(),
            shared_with=list(form.cleaned_data["shared_with"]),
            actor=self.actor,
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
        return {**super().get_form_kwargs(), "case": self.object, "user": self.actor}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "case": self.object, "title": _("Record consent to support")}

    def perform(self, form: ConsentForm) -> HttpResponse:
        data = form.cleaned_data
        services.record_consent(
            self.object,
            person=data["person"],
            given_by=data["given_by"],
            given_on=data["given_on"],
            purposes=data["purposes"],
            agencies=data["agencies"],
            purpose_text=data["purpose_text"],
            actor=self.actor,
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
        user = self.actor
        lookup = {"pk": self.kwargs["consent"], "family_id": case.family_id, "withdrawn_at__isnull": True}
        self.consent = get_restricted_object(
            Consent.objects.restrict(user, Action.CHANGE), user, Action.CHANGE, **lookup
        )
        return case

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # The page and its button name the action, not the state it leaves (walk-through, issue 17).
        title = _("Withdraw consent")
        return {**super().get_context_data(**kwargs), "case": self.object, "title": title, "submit_label": title}

    def perform(self, form: WithdrawConsentForm) -> HttpResponse:
        services.withdraw_consent(self.object, self.consent, reason=form.cleaned_data["reason"], actor=self.actor)
        messages.success(self.request, _("The withdrawal is recorded. Check the shares flagged on the case."))
        return HttpResponseRedirect(self.object.get_absolute_url() + "#consent-heading")
