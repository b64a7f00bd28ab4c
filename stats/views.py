"""The dashboards, the anonymised evaluation with its CSV, and the yearly report (decisions 105-108).

Every page reads through `restrict()` inside `stats.figures` and `stats.evaluation`: the view's own
queryset (the cases) is never listed. The evaluation and the report are for panel seats (the
coordinator and the partners at the table: `agencies.view_panel`)."""

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from agencies.access import Action, RestrictedViewMixin
from agencies.exports import csv_response
from audit.models import AuditEvent
from audit.services import record
from cases.models import Case

from .evaluation import PERIODS, evaluation
from .figures import boards_for, panel_board, quarters_of

__all__ = ["DashboardView", "EvaluationExportView", "EvaluationView", "YearReportView"]


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Cohorts by"), choices=list(PERIODS.items()), required=False)

    def chosen(self) -> str:
        return str(self.cleaned_data.get("period") or "year") if self.is_valid() else "year"


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class DashboardView(RestrictedViewMixin, TemplateView):
    """The viewer's dashboards: their work, their agency's, their panels' (what applies)."""

    queryset = Case.objects.all()
    action = Action.VIEW_SUMMARY
    template_name = "stats/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "boards": boards_for(self.actor),
            "this_year": timezone.localdate().year,
        }


class EvaluationView(RestrictedViewMixin, TemplateView):
    """The anonymised evaluation: cohorts by year or quarter, small cells suppressed."""

    queryset = Case.objects.all()
    action = Action.VIEW_SUMMARY
    permission_required = "agencies.view_panel"
    template_name = "stats/evaluation.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = PeriodForm(self.request.GET or None)
        period = form.chosen()
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "period": period,
            "evaluation": evaluation(self.actor, period),
            "this_year": timezone.localdate().year,
        }


class EvaluationExportView(RestrictedViewMixin, View):
    """The same table as CSV; its first line says who made it and when, and the export is recorded
    with its row count."""

    queryset = Case.objects.all()
    action = Action.VIEW_SUMMARY
    permission_required = "agencies.view_panel"

    def get(self, request: HttpRequest) -> HttpResponseBase:
        period = PeriodForm(request.GET or None).chosen()
        table = evaluation(self.actor, period)
        now = timezone.localtime()
        record(AuditEvent.Action.STATISTICS_EXPORTED, actor=self.actor, rows=len(table.rows), period=period)
        made = _("Anonymised evaluation statistics made by %(user)s on %(when)s; cells under 5 shown as <5.") % {
            "user": self.actor.username,
            "when": now.strftime("%Y-%m-%d %H:%M"),
        }
        rows: list[list[str]] = [[str(_("Cohort")), *table.columns], *table.table()]
        return csv_response(f"ura-evaluation-{period}-{now:%Y%m%d}.csv", [made], rows)


class YearReportView(RestrictedViewMixin, TemplateView):
    """The year's results and lessons learned, to print for the partners (A4)."""

    queryset = Case.objects.all()
    action = Action.VIEW_SUMMARY
    permission_required = "agencies.view_panel"
    template_name = "stats/year_report.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = YearForm(self.request.GET or None)
        year = form.cleaned_data["year"] if form.is_valid() else timezone.localdate().year
        board = panel_board(self.actor, timezone.localdate(), quarters_of(year))
        return {
            **super().get_context_data(**kwargs),
            "year": year,
            "form": form,
            "board": board,
            "evaluation": evaluation(self.actor, "quarter", year=year),
            "made_at": timezone.now(),
        }
