"""Exports in the browser: the case list as CSV or XLSX (decision 109), a long one made in the
background with its progress page and expiring download (decision 111), and one case's summary as
a printable page and a PDF (decision 110)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from agencies.access import Action, RestrictedViewMixin
from agencies.addresses import client_ip
from agencies.exports import file_response
from agencies.pdf import PDF_TYPE, PdfDocument
from audit.models import AuditEvent
from audit.services import record

from . import services
from .exports import FORMATS, list_filters, listed_cases
from .models import Case, ExportJob
from .summaries import SUMMARY_RELATED, made_by_line, summary_of

__all__ = ["CaseListExportView", "CaseSummaryView", "ExportFileView", "ExportJobView", "ExportListView"]


class CaseListExportView(RestrictedViewMixin, View):
    """`?format=csv` or `xlsx` with the list's filters: the list as on the screen, as a file. A list
    longer than `URA_EXPORT_BACKGROUND_ROWS` asks to be made in the background (a POST)."""

    queryset = Case.objects.all()
    action = Action.VIEW_SUMMARY
    permission_required = "cases.view_case_summary"
    template_name = "cases/case_export.html"

    def _refused(self, message: str) -> HttpResponse:
        return render(self.request, self.template_name, {"error": message}, status=400)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = request.GET.get("format") or "csv"
        filters = list_filters(request.GET)
        if fmt not in FORMATS:
            return self._refused(_("Choose CSV or XLSX."))
        try:
            total = listed_cases(self.actor, filters)[: settings.URA_EXPORT_BACKGROUND_ROWS + 1].count()
        except ValidationError as error:
            return self._refused(" ".join(error.messages))
        if total > settings.URA_EXPORT_BACKGROUND_ROWS:
            context = {"format": fmt, "filters": filters, "threshold": settings.URA_EXPORT_BACKGROUND_ROWS}
            return render(request, self.template_name, context)
        return self._export(fmt, filters)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._export(request.POST.get("format") or "csv", list_filters(request.POST))

    def _export(self, fmt: str, filters: dict[str, list[str]]) -> HttpResponse:
        try:
            made = services.export_case_list(self.actor, filters=filters, fmt=fmt, ip_address=client_ip(self.request))
        except ValidationError as error:
            return self._refused(" ".join(error.messages))
        if isinstance(made, ExportJob):
            return HttpResponseRedirect(made.get_absolute_url())
        return file_response(made.content, made.content_type, made.filename)


class ExportJobView(LoginRequiredMixin, TemplateView):
    """An export's progress and, once made, its download link: for the person who asked (404 for
    anyone else). While it runs, htmx asks for the progress part again every two seconds."""

    template_name = "cases/export_job.html"

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request"):
            return ["cases/_export_progress.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        job = get_object_or_404(ExportJob, pk=self.kwargs["pk"], requested_by_id=self.request.user.pk)
        return {**super().get_context_data(**kwargs), "job": job}


class ExportListView(LoginRequiredMixin, ListView[ExportJob]):
    """My exports: the background exports I asked for, newest first, each with its download link
    while it works (decision 111). Nobody else's: a job is its requester's alone. No case data: a
    format, a count and dates."""

    template_name = "cases/export_list.html"
    context_object_name = "jobs"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return ExportJob.objects.filter(requested_by_id=self.request.user.pk).order_by("-created_at", "-pk")


class ExportFileView(LoginRequiredMixin, View):
    """The file of an export, for the person who asked, until its link expires (404 for anyone
    else; 410 to them once it has expired)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        job = get_object_or_404(ExportJob, pk=kwargs["pk"], requested_by_id=request.user.pk)
        if not services.may_still_download(request.user):
            raise Http404
        if not job.downloadable:
            if job.status in (ExportJob.Status.DONE, ExportJob.Status.EXPIRED):
                return render(request, "cases/export_job.html", {"job": job, "expired": True}, status=410)
            raise Http404
        record(AuditEvent.Action.EXPORT_READ, actor=request.user, job=job.pk, count=job.done, format=job.format)
        name = job.file.name.rsplit("/", 1)[-1]
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=name)


class CaseSummaryView(RestrictedViewMixin, DetailView[Case]):
    """One case's summary to print (A4) or, with `?format=pdf`, as a PDF: what every reader of the
    case knows, never the file's content. Recorded as an export of that case."""

    queryset = Case.objects.select_related(*SUMMARY_RELATED)
    action = Action.VIEW_SUMMARY
    permission_required = "cases.view_case_summary"
    template_name = "cases/case_summary_print.html"
    context_object_name = "case"
    audit_action = AuditEvent.Action.CASE_SUMMARY_EXPORTED

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = case = self.get_object()
        user = self.actor
        fields = summary_of(case, user)
        first = made_by_line(user, _("Case summary"))
        if request.GET.get("format") == "pdf":
            record(AuditEvent.Action.CASE_SUMMARY_EXPORTED, actor=user, obj=case, case_id=case.pk, format="pdf")
            title = _("Case summary: %(reference)s") % {"reference": case.reference}
            document = PdfDocument(title, first_line=first, footer=_("Confidential"), language=request.LANGUAGE_CODE)
            document.fields(fields)
            return file_response(document.output(), PDF_TYPE, f"ura-summary-{case.reference}.pdf")
        context = self.get_context_data(object=case, fields=fields, first_line=first)
        return self.render_to_response(context)
