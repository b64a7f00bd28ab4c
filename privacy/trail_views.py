"""The audit trail's pages: a case's access log, the DPO's search and report, break-the-glass."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from agencies.access import Action, CaseAccess, RestrictedViewMixin, is_data_protection_officer
from agencies.exports import csv_response
from agencies.models import Agency
from audit.models import AuditEvent, BreakGlassAccess
from audit.reads import client_ip, note_read
from audit.services import record
from cases.models import Case

from . import breakglass, trail_text
from .trail_forms import AuditSearchForm, BreakGlassForm

__all__ = ["AuditSearchView", "BreakGlassReportView", "BreakGlassView", "CaseAccessLogView"]


def _name_agencies(events: list[Any]) -> None:
    """Give each event of a page its agency's name, in one query (the ids carry no constraint)."""
    ids = {event.agency_id for event in events if event.agency_id}
    names = dict(Agency.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    for event in events:
        event.agency_name = names.get(event.agency_id, "")


class CaseAccessLogView(RestrictedViewMixin, ListView[AuditEvent]):
    """Who looked at one case and when, break-the-glass openings flagged: for the case owner and
    the coordinator of the case's panel only; everyone else gets 404."""

    queryset = Case.objects.select_related("family")
    action = Action.VIEW_SUMMARY
    template_name = "privacy/case_access_log.html"
    context_object_name = "events"
    paginate_by = 50

    def get_queryset(self) -> Any:
        # Among the cases the user may know of, those whose log CaseAccess opens to them.
        user = self.request.user
        case = get_object_or_404(self.queryset.restrict(user, self.action).with_access(user), pk=self.kwargs["pk"])
        if not CaseAccess.of(case, user).sees_access_log:
            raise Http404
        self.case = case
        return AuditEvent.objects.reads_of_case(case.pk).select_related("actor")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        events = list(context["events"])
        note_read(self.request, self.case, action=AuditEvent.Action.ACCESS_LOG_READ)
        glass = BreakGlassAccess.objects.filter(case=self.case).select_related("user")[:20]
        _name_agencies(events)
        return {**context, "case": self.case, "break_glass": glass}


class DataProtectionOfficerRequired(LoginRequiredMixin):
    """The whole trail, subject access and retention are for the data protection officer; to
    everyone else they do not exist (404)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_data_protection_officer(request.user):
            raise Http404
        return self.dispatch_for_officer(request, *args, **kwargs)

    def dispatch_for_officer(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """The view itself, once the user is known to be the data protection officer."""
        return super().dispatch(request, *args, **kwargs)


class AuditSearchView(DataProtectionOfficerRequired, ListView[AuditEvent]):
    """Search the whole trail by user, agency, case reference, action and dates; `?export=csv`
    downloads the matches (both recorded)."""

    template_name = "privacy/auditevent_list.html"
    context_object_name = "events"
    paginate_by = 50
    EXPORT_LIMIT = 100_000

    def get_queryset(self) -> Any:
        self.form = AuditSearchForm(self.request.GET or None)
        events = AuditEvent.objects.all()
        return self.form.filter(events) if self.request.GET else events

    def dispatch_for_officer(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # The export streams its rows: a response of another kind than the list page.
        if request.method in ("GET", "HEAD") and request.GET.get("export") == "csv":
            return self.export()
        return super().dispatch_for_officer(request, *args, **kwargs)

    def _search(self) -> dict[str, Any]:
        return {k: v for k, v in self.request.GET.items() if k not in ("page", "export") and v}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        events = list(context["events"])
        record(
            AuditEvent.Action.AUDIT_SEARCHED,
            actor=self.request.user,
            ip_address=client_ip(self.request),
            search=self._search(),
            ids=[event.pk for event in events],
        )
        trail_text.name_events(events)
        for event in events:
            event.about = trail_text.object_label(event.object_type)
            event.details = trail_text.details(event.data, event.object_type)
        return {**context, "form": self.form}

    def export(self) -> StreamingHttpResponse:
        events = self.get_queryset().order_by("pk")[: self.EXPORT_LIMIT]
        record(
            AuditEvent.Action.AUDIT_EXPORTED,
            actor=self.request.user,
            ip_address=client_ip(self.request),
            search=self._search(),
        )

        # In the officer's words and local time, as on the page (issue 17).
        rows = trail_text.csv_rows(events.iterator(chunk_size=2000))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return csv_response(f"ura-audit-{stamp}.csv", trail_text.csv_header(), rows)


class BreakGlassReportView(DataProtectionOfficerRequired, ListView[BreakGlassAccess]):
    """Every break-the-glass access, newest first: the DPO reviews each reason."""

    template_name = "privacy/breakglass_report.html"
    context_object_name = "accesses"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return BreakGlassAccess.objects.select_related("user", "case")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        note_read(
            self.request,
            action=AuditEvent.Action.AUDIT_SEARCHED,
            report="break_glass",
            ids=[access.pk for access in context["accesses"]],
        )
        return context


class BreakGlassView(LoginRequiredMixin, FormView[BreakGlassForm]):
    """A supervisor types a case reference and a reason to open a case beyond their reach."""

    form_class = BreakGlassForm
    template_name = "privacy/break_glass.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.has_perm("audit.add_breakglassaccess") or not breakglass.can_break_glass(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {"reference": self.request.GET.get("reference", "")}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "hours": settings.URA_BREAK_GLASS_HOURS}

    def form_valid(self, form: BreakGlassForm) -> HttpResponse:
        user = self.request.user
        case = breakglass.find_breakable_case(user, form.cleaned_data["reference"])
        if case is None:
            # The same words for a reference that does not exist and a case not to be opened, and
            # the same record in the trail: the refusal, with the reference typed (decision 61).
            record(
                AuditEvent.Action.ACCESS_DENIED,
                actor=user,
                ip_address=client_ip(self.request),
                path=self.request.path,
                method="POST",
                status=200,
                break_glass_reference=form.cleaned_data["reference"],
            )
            form.add_error(
                "reference",
                _("No case can be opened with this reference. Check it, or call the agency that holds the case."),
            )
            return self.form_invalid(form)
        if CaseAccess.of(case, user).full:
            messages.info(self.request, _("You can already read this case: no need to break the glass."))
            return redirect(case)
        try:
            access = breakglass.break_glass(
                case, actor=user, reason=form.cleaned_data["reason"], ip_address=client_ip(self.request)
            )
        except ValidationError as error:
            form.add_error("reason", error)
            return self.form_invalid(form)
        end = timezone.localtime(access.ends_at).strftime("%H:%M")
        messages.warning(self.request, _("You opened this case by breaking the glass until %(end)s.") % {"end": end})
        return redirect(case)
