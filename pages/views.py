"""The case page and the home page, each a declared list of sections (decision 56).

A section lives in the app that owns its data (`<app>/sections.py`, a partial in
`templates/<app>/sections/`); a page lists them in the order they are shown. What a section shows
and whether it applies is its own; the page fetches the case with its `CaseAccess` and the counts
and dates its sections read with it (one query), records the read, and renders each section that
applies (`{% section %}`)."""

from typing import Any

from django.db import router
from django.views.generic import DetailView, TemplateView

from agencies.access import Action, CaseAccess, RestrictedQuerySet, RestrictedViewMixin, presence_columns
from agencies.prepared import planned_once
from agencies.sections import CaseSection, HomeSection
from cases import sections as case_file
from cases.models import Case
from families import sections as family
from interventions.progress import progress_of, with_progress
from interventions.sections import Interventions, PlanProgress
from panels.sections import Decisions, MyPanels
from panels.views import PanelCaseListView
from privacy.sections import GlassNotice
from referrals.sections import Progress, Referrals, ServiceReferrals
from reminders.sections import DueLists

__all__ = ["CaseView", "HomeView", "PanelView"]


class CaseView(RestrictedViewMixin, DetailView[Case]):
    """The case page: the summary for everyone who may know the case; the file for full readers."""

    queryset = Case.objects.with_summary()
    action = Action.VIEW_SUMMARY
    permission_required = "cases.view_case_summary"
    template_name = "pages/case_detail.html"
    context_object_name = "case"
    sections: tuple[CaseSection, ...] = (
        case_file.Header(),
        GlassNotice(),
        family.Restrictions(),
        family.SafetyWarnings(),
        case_file.Refusals(),
        case_file.Summary(),
        Progress(),
        PlanProgress(),
        case_file.OwnerQuestions(),
        case_file.Involvement(),
        Decisions(),
        Referrals(),
        family.Members(),
        case_file.Shares(),
        family.Consents(),
        Interventions(),
        ServiceReferrals(),
        case_file.Children(),
        case_file.RiskHistory(),
        case_file.InformationRequests(),
        case_file.ExpertConsultations(),
        case_file.Drafts(),
        case_file.Checks(),
        case_file.FieldSafety(),
        case_file.History(),
    )

    def get_queryset(self) -> RestrictedQuerySet:
        return self.read_with_sections(self.queryset.with_access(self.actor), self.actor)

    def get_object(self, queryset: Any = None) -> Any:
        # One row by its key, whose plan is the same for every case: planned once per connection
        # (its twenty-five EXISTS took longer to plan than to run: decision 171).
        with planned_once(router.db_for_read(Case)):
            return super().get_object(queryset)

    @classmethod
    def read_with_sections(cls, cases: RestrictedQuerySet, user: Any) -> RestrictedQuerySet:
        """The page's one read of the case, with the columns its sections read with it (counts and
        dates, each a subquery restricted for the reader: decision 149), and whether the case has
        any row of each table the sections read (decision 166)."""
        for section in cls.sections:
            cases = section.read_with_case(cases, user)
        read = [model for section in cls.sections for model in section.reads()]
        present: RestrictedQuerySet = cases.annotate(**presence_columns(cases.model, read))
        return present

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        access = CaseAccess.of(self.object, self.actor)
        shown = (section.show(self.object, self.actor, access) for section in self.sections)
        return {**context, "access": access, "sections": [section for section in shown if section]}


class HomeView(RestrictedViewMixin, TemplateView):
    """My cases: the deadlines, the questions put to my agency, the open cases the user sees in full
    (closed ones a click away), and the panels they sit on."""

    # The view's own queryset is never read: each section restricts its rows for the reader.
    queryset = Case.objects.all()
    action = Action.VIEW
    template_name = "pages/home.html"
    sections: tuple[HomeSection, ...] = (
        case_file.MyVisitsOut(),
        DueLists(),
        case_file.QuestionsForMyAgency(),
        case_file.MyCases(),
        case_file.ClosedCases(),
        MyPanels(),
    )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        shown = (section.show(self.actor, self.request) for section in self.sections)
        return {**super().get_context_data(**kwargs), "sections": [section for section in shown if section]}


class PanelView(PanelCaseListView):
    """A panel's page (panels), its case list showing each case's plan progress: counts and dates
    only, in the list's one query (decision 101)."""

    def get_queryset(self) -> Any:
        return with_progress(super().get_queryset())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for case in context["cases"]:
            case.plan_progress = progress_of(case)
        return {**context, "show_progress": True}
