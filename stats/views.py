"""The dashboards, the anonymised evaluation with its CSV, and the yearly report (decisions 105-108).

Every page reads through `restrict()` inside `stats.figures` and `stats.evaluation`: the view's own
queryset (the cases) is never listed. The evaluation and the report are for panel seats (the
coordinator and the partners at the table: `agencies.view_panel`)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from agencies.access import Action, RestrictedObjectFormView, RestrictedViewMixin
from agencies.exports import CSV_TYPE, csv_bytes, file_response
from agencies.models import Panel
from audit.models import AuditEvent
from audit.services import record
from cases.models import Case
from panels import services as panel_services
from panels.models import LessonsLearned

from .evaluation import PERIODS, evaluation
from .figures import boards_for, panel_board, protected, quarters_of

__all__ = ["DashboardView", "EvaluationExportView", "EvaluationView", "LessonsView", "YearReportView"]


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Cohorts by"), choices=list(PERIODS.items()), required=False)

    def chosen(self) -> str:
        return str(self.cleaned_data.get("period") or "year") if self.is_valid() else "year"


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class LessonsForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Lessons learned"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What worked, what did not, and what the partners will change. About the work: name no family."),
    )


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
        made = _(
            "Anonymised evaluation statistics made by %(user)s on %(when)s; cells under 5 shown as <5, "
            "and as [c] a cell hidden so that no count under 5 can be worked out from the others."
        ) % {"user": self.actor.full_name or self.actor.username, "when": date_format(now, "DATETIME_FORMAT")}
        rows: list[list[str]] = [[made], [str(_("Cohort")), *table.columns], *table.table()]
        return file_response(csv_bytes(rows), CSV_TYPE, f"ura-evaluation-{period}-{now:%Y%m%d}.csv")


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
        # The panel's open cases by step are today's, not the year's: the report leaves them out.
        figures = protected(figure for figure in board.figures if figure.key != "panel_stages")
        written = {
            lessons.panel_id: lessons
            for lessons in LessonsLearned.objects.restrict(self.actor, Action.VIEW)
            .filter(year=year)
            .select_related("panel", "written_by")
        }
        coordinated = {panel.pk for panel in Panel.objects.restrict(self.actor, Action.CHANGE)}
        lessons = [
            {
                "panel": panel,
                "lessons": written.get(panel.pk),
                "form": LessonsForm(
                    initial={"year": year, "text": getattr(written.get(panel.pk), "text", "")},
                    auto_id=f"id_lessons_{panel.pk}_%s",
                )
                if panel.pk in coordinated
                else None,
            }
            for panel in Panel.objects.restrict(self.actor, Action.VIEW).order_by("name")
        ]
        return {
            **super().get_context_data(**kwargs),
            "year": year,
            "form": form,
            "figures": figures,
            "lessons": lessons,
            "evaluation": evaluation(self.actor, "quarter", year=year),
            "made_at": timezone.now(),
        }


class LessonsView(RestrictedObjectFormView):
    """The panel's coordinator writes the lessons the partners learned in a year, printed in the
    yearly report (decision 108)."""

    queryset = Panel.objects.all()
    action = Action.CHANGE
    permission_required = "agencies.change_panel"
    form_class = LessonsForm
    template_name = "stats/lessons_form.html"
    context_object_name = "panel"

    def get_initial(self) -> dict[str, Any]:
        year = YearForm(self.request.GET or None)
        chosen = year.cleaned_data["year"] if year.is_valid() else timezone.localdate().year
        written = LessonsLearned.objects.restrict(self.actor, Action.VIEW).filter(panel=self.object, year=chosen)
        return {"year": chosen, "text": getattr(written.first(), "text", "")}

    def perform(self, form: LessonsForm) -> HttpResponse:
        year = form.cleaned_data["year"]
        panel_services.write_lessons(self.object, year=year, text=form.cleaned_data["text"], actor=self.actor)
        messages.success(self.request, _("The lessons learned are saved."))
        return HttpResponseRedirect(f"{reverse('stats:year_report')}?year={year}#report-lessons")
