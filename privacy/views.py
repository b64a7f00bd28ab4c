"""The data protection officer's pages: subject access requests and retention reviews.

To anyone else these pages do not exist (404): the rows' access rule ("data_protection") returns
nothing, and the mixin below refuses before any lookup (decision 44).
"""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from agencies.access import RestrictedObjectFormView, RestrictedViewMixin
from audit.models import AuditEvent, RetentionReview, SubjectAccessRequest
from audit.reads import note_list, note_read

from . import retention, subject_access
from .forms import RetentionDecisionForm, SubjectAccessRequestForm
from .trail_views import DataProtectionOfficerRequired

__all__ = [
    "RetentionDecideView",
    "RetentionListView",
    "SubjectAccessCompleteView",
    "SubjectAccessCreateView",
    "SubjectAccessExportView",
    "SubjectAccessListView",
    "SubjectAccessView",
]


class DataProtectionMixin(DataProtectionOfficerRequired, RestrictedViewMixin):
    """Pages for the data protection officer alone: 404 for everyone else."""


class SubjectAccessListView(DataProtectionMixin, ListView[SubjectAccessRequest]):
    """Open requests first, by due date (overdue marked); `q` finds a person to open one for."""

    queryset = SubjectAccessRequest.objects.select_related("opened_by")
    template_name = "privacy/sar_list.html"
    context_object_name = "requests"
    paginate_by = 50

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        context["q"] = query
        context["people"] = subject_access.find_people(self.actor, query) if query else []
        # The search reads names across every family: the people it showed are recorded (ids only).
        note_list(self.request, context["requests"], people=[person.pk for person in context["people"]])
        return context


class SubjectAccessCreateView(DataProtectionMixin, RestrictedObjectFormView):
    """Open a request for the person chosen on the list page."""

    queryset = SubjectAccessRequest.objects.all()
    form_class = SubjectAccessRequestForm
    template_name = "privacy/sar_form.html"

    def get_object(self, queryset: Any = None) -> Any:
        pk = self.kwargs["person"]
        try:
            return subject_access.person_for_request(self.actor, pk)
        except ValidationError:
            raise Http404 from None

    def perform(self, form: SubjectAccessRequestForm) -> HttpResponse:
        request = subject_access.open_request(self.object, actor=self.actor, **form.cleaned_data)
        messages.success(self.request, _("The request is open; it is due on %(due)s.") % {"due": request.due_on})
        return HttpResponseRedirect(request.get_absolute_url())


class SubjectAccessView(DataProtectionMixin, DetailView[SubjectAccessRequest]):
    queryset = SubjectAccessRequest.objects.select_related("opened_by", "completed_by")
    template_name = "privacy/sar_detail.html"
    context_object_name = "sar"


class SubjectAccessExportView(DataProtectionMixin, DetailView[SubjectAccessRequest]):
    """The export: JSON (`?format=json`) or a printable page; third-party data marked REDACT."""

    queryset = SubjectAccessRequest.objects.select_related("person")
    template_name = "privacy/sar_export.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        sar = self.get_object()
        fmt = "json" if request.GET.get("format") == "json" else "html"
        try:
            data = subject_access.export_request(sar, actor=self.actor, fmt=fmt)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(sar.get_absolute_url())
        response: HttpResponse
        if fmt == "json":
            for items in data["sections"].values():
                for item in items:
                    item.pop("rows", None)  # the printable page's words; the JSON keeps the values
            response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
            response["Content-Disposition"] = f'attachment; filename="subject-access-{sar.pk}.json"'
        else:
            sections = [
                (subject_access.SECTION_LABELS[key], items, data["withheld_records"].get(key, 0))
                for key, items in data["sections"].items()
            ]
            context = {
                "sar": sar,
                "data": data,
                "sections": sections,
                "produced_at": datetime.datetime.fromisoformat(data["produced_at"]),
                "review_reasons": subject_access.REVIEW_REASONS,
            }
            response = render(request, self.template_name, context)
        response["Cache-Control"] = "private, no-store"
        return response


class SubjectAccessCompleteView(DataProtectionMixin, RestrictedObjectFormView):
    queryset = SubjectAccessRequest.objects.all()
    http_method_names = ["post"]

    def get_form_class(self) -> Any:
        from django import forms

        return forms.Form

    def perform(self, form: Any) -> HttpResponse:
        subject_access.complete_request(self.object, actor=self.actor)
        messages.success(self.request, _("The request is marked complete."))
        return HttpResponseRedirect(self.object.get_absolute_url())


class RetentionListView(DataProtectionMixin, ListView[RetentionReview]):
    """Records due for a retention review, and the decisions taken."""

    queryset = RetentionReview.objects.select_related("decided_by")
    template_name = "privacy/retention_list.html"
    context_object_name = "reviews"
    paginate_by = 50

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "due": retention.due_records(),
            # Named in the reader's language ("Case", not the stored value "case").
            "years": {RetentionReview.RecordClass(name).label: n for name, n in retention.retention_years().items()},
        }


class RetentionDecideView(DataProtectionMixin, RestrictedObjectFormView):
    """Keep, anonymise or delete one due record."""

    queryset = RetentionReview.objects.all()
    form_class = RetentionDecisionForm
    template_name = "privacy/retention_form.html"

    def get_object(self, queryset: Any = None) -> Any:
        for item in retention.due_records():
            if item.record_class == self.kwargs["record_class"] and item.object_id == self.kwargs["pk"]:
                return item
        raise Http404

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # The object is a `retention.Due`, not a model row: the read is recorded as the record it
        # names (the access bases would take it for a model and fail).
        context = super(RestrictedViewMixin, self).get_context_data(**kwargs)
        note_read(
            self.request,
            action=AuditEvent.Action.RECORD_READ,
            record_class=self.object.record_class,
            object_id=self.object.object_id,
            case_id=self.object.object_id if self.object.record_class == RetentionReview.RecordClass.CASE else None,
        )
        return context

    def perform(self, form: RetentionDecisionForm) -> HttpResponse:
        data = form.cleaned_data
        review = retention.decide(
            self.object.record_class,
            self.object.object_id,
            decision=data["decision"],
            reason=data["reason"],
            next_review_on=data["next_review_on"],
            actor=self.actor,
        )
        messages.success(
            self.request,
            _("%(label)s: %(decision)s.") % {"label": review.label, "decision": review.get_decision_display()},
        )
        return HttpResponseRedirect(reverse("privacy:retention_list"))
