"""Browser views under /panels/: panels, their meetings and agendas, and the partner directory
(choosing case owners, moving a caseload)."""

import re
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from agencies.access import (
    Action,
    RestrictedObjectFormView,
    RestrictedViewMixin,
    UserAccess,
    get_restricted_object,
    sits_on,
)
from agencies.exports import file_response
from agencies.models import Agency, Panel, User
from agencies.pdf import PDF_TYPE
from audit.models import AuditEvent
from audit.reads import note_read
from audit.services import record
from cases.choosers import CANDIDATE_AMBIGUOUS, CANDIDATE_REFUSED, answer_suggestions, suggestions_of, typed_in
from cases.directory import (
    Candidate,
    candidate_label,
    casework_agencies_listed,
    chosen_candidate_key,
    find_candidate,
    owner_candidates,
    suggest_candidates,
    team_diversity,
)
from cases.filtersets import CaseFilterSet
from cases.models import Case, ReassignmentJob
from cases.owners import LIMIT
from cases.services import start_reassignment
from cases.summaries import made_by_line
from cases.views import KeysetListMixin
from families.models import SafetyWarning
from referrals.models import Referral

from . import services
from .forms import (
    AgendaCaseForm,
    AttendanceForm,
    CloseMeetingForm,
    DecisionForm,
    DeclineForm,
    MeetingForm,
    PanelSettingsForm,
    RegisterForm,
    agenda_case_label,
    not_on_agenda,
)
from .models import AgendaItem, MeetingAttendance, MeetingTopic, PanelMeeting
from .packs import pack_items, pack_pdf, pack_title, record_case_reads

__all__ = [
    "AcknowledgeView",
    "AgendaCaseView",
    "AttendanceView",
    "CloseMeetingView",
    "DecideView",
    "DeclineView",
    "DirectoryView",
    "MeetingAgendaView",
    "MeetingCaseSuggestionsView",
    "MeetingCreateView",
    "MeetingPackView",
    "MeetingView",
    "PanelCaseListView",
    "PanelListView",
    "PanelSettingsView",
    "ReassignCaseloadView",
    "ReassignmentJobView",
    "RebuildAgendaView",
    "RegisterView",
]


class PanelListView(RestrictedViewMixin, ListView[Panel]):
    queryset = Panel.objects.select_related("coordinator", "chair").prefetch_related("agencies")
    action = Action.VIEW
    permission_required = "agencies.view_panel"
    template_name = "panels/panel_list.html"
    context_object_name = "panels"


class PanelCaseFilterSet(CaseFilterSet):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters.pop("panel", None)


class PanelCaseListView(KeysetListMixin, RestrictedViewMixin, FilterView):
    """A panel's page: the summary of every case on it (steps 2 and 6), its meetings, and the
    referrals put to it."""

    queryset = Case.objects.with_summary()
    action = Action.VIEW_SUMMARY
    permission_required = "agencies.view_panel"
    filterset_class = PanelCaseFilterSet
    template_name = "panels/panel_detail.html"
    context_object_name = "cases"
    paginate_by = 50

    @cached_property
    def panel(self) -> Panel:
        panels = Panel.objects.restrict(self.request.user, Action.VIEW).select_related("coordinator", "chair")
        panel: Panel = get_restricted_object(panels, self.request.user, Action.VIEW, pk=self.kwargs["pk"])
        return panel

    def get_queryset(self) -> Any:
        return self.queryset.filter(panel=self.panel).annotate_access(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        upcoming, past = upcoming_and_past(PanelMeeting.objects.restrict(user, Action.VIEW).filter(panel=self.panel))
        return {
            **super().get_context_data(**kwargs),
            "panel": self.panel,
            "is_coordinator": self.panel.coordinator_id == user.pk,
            "upcoming": upcoming,
            "past": past,
            "agenda_referrals": Referral.objects.restrict(user, Action.VIEW)
            .filter(panel=self.panel, status=Referral.Status.ON_AGENDA)
            .order_by("-is_crisis", "received_at")[:20],
        }


def upcoming_and_past(
    meetings: QuerySet[PanelMeeting], upcoming: int = 3, past: int = 5
) -> tuple[list[PanelMeeting], list[PanelMeeting]]:
    """The next meetings planned (soonest first) and the last of the others (latest first), in one
    query: each list's few ids are a subquery of `meetings` (restricted already), the rows read
    together and told apart here (decision 150)."""
    planned = meetings.filter(status=PanelMeeting.Status.SCHEDULED).order_by("scheduled_for", "pk")
    others = meetings.exclude(status=PanelMeeting.Status.SCHEDULED).order_by("-scheduled_for", "-pk")
    rows = list(meetings.filter(Q(pk__in=planned.values("pk")[:upcoming]) | Q(pk__in=others.values("pk")[:past])))
    soonest = sorted(
        (meeting for meeting in rows if meeting.status == PanelMeeting.Status.SCHEDULED),
        key=lambda meeting: (meeting.scheduled_for, meeting.pk),
    )
    latest = sorted(
        (meeting for meeting in rows if meeting.status != PanelMeeting.Status.SCHEDULED),
        key=lambda meeting: (meeting.scheduled_for, meeting.pk),
        reverse=True,
    )
    return soonest, latest


class PanelSettingsView(RestrictedObjectFormView):
    """The coordinator sets how often the panel meets and what its meetings keep."""

    queryset = Panel.objects.all()
    action = Action.MANAGE
    permission_required = "agencies.change_panel"
    form_class = PanelSettingsForm
    template_name = "panels/panel_settings.html"
    context_object_name = "panel"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.object}

    def perform(self, form: PanelSettingsForm) -> HttpResponse:
        data = form.cleaned_data
        services.update_panel(
            self.object,
            cadence_days=data["cadence_days"],
            record_mode=data["record_mode"],
            actor=self.actor,
        )
        messages.success(self.request, _("The panel's settings are saved."))
        return HttpResponseRedirect(self.object.get_absolute_url())


class MeetingCreateView(RestrictedObjectFormView):
    queryset = Panel.objects.all()
    action = Action.MANAGE
    permission_required = "panels.add_panelmeeting"
    form_class = MeetingForm
    template_name = "panels/panelmeeting_form.html"
    context_object_name = "panel"

    def perform(self, form: MeetingForm) -> HttpResponse:
        meeting = services.schedule_meeting(
            self.object,
            scheduled_for=form.cleaned_data["scheduled_for"],
            location=form.cleaned_data["location"],
            actor=self.actor,
        )
        messages.success(self.request, _("The meeting is planned and its agenda built."))
        return HttpResponseRedirect(meeting.get_absolute_url())


def _warning_kind(user: Any) -> Any:
    """The kind of the latest current staff-safety warning on each item's family, as its reader may
    know it (decision 133): the panel sends people to the door."""
    current = SafetyWarning.objects.restrict(user, Action.VIEW_SUMMARY).filter(
        family_id=OuterRef("case__family_id"), ended_at__isnull=True
    )
    return current.order_by("-created_at").values("kind")[:1]


class MeetingView(RestrictedViewMixin, DetailView[PanelMeeting]):
    """A meeting: its agenda with the decisions, attendance, and each participant's acknowledgement."""

    queryset = PanelMeeting.objects.select_related("panel", "panel__coordinator")
    action = Action.VIEW
    permission_required = "panels.view_panelmeeting"
    template_name = "panels/panelmeeting_detail.html"
    context_object_name = "meeting"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, meeting = self.request.user, self.object
        items = (
            AgendaItem.objects.restrict(user, Action.VIEW)
            .filter(meeting=meeting)
            .select_related(
                "case__family", "case__index_person", "case__owner", "case__owning_agency", "referral",
                "first_contact_agency", "owner", "decided_by",
            )
            .prefetch_related("involved__agency", "declines__agency")
            .annotate(safety_warning=Subquery(_warning_kind(user)))
        )  # fmt: skip
        attendance = MeetingAttendance.objects.restrict(user, Action.VIEW).filter(meeting=meeting)
        attendance = attendance.select_related("user", "agency")
        mine = next((row for row in attendance if row.user_id == user.pk), None)
        is_coordinator = PanelMeeting.objects.restrict(user, Action.MANAGE).filter(pk=meeting.pk).exists()
        context.update(
            topics=MeetingTopic.objects.restrict(user, Action.VIEW).filter(meeting=meeting),
            items=items,
            attendance=attendance,
            acknowledged=mine is not None and mine.confidentiality_acknowledged_at is not None,
            is_coordinator=is_coordinator,
            # The minutes cover every case discussed: for the panel's members, not for a guest.
            minutes=meeting.minutes if sits_on(user, meeting.panel_id) else "",
            # The breadcrumb links to the panel only for those who may open it (a social worker or a
            # partner invited for one case may not: the link would lead to "Not allowed").
            panel_readable=user.has_perm("agencies.view_panel")
            and Panel.objects.restrict(user, Action.VIEW).filter(pk=meeting.panel_id).exists(),
        )
        if is_coordinator and meeting.status == PanelMeeting.Status.SCHEDULED:
            context.update(
                attendance_form=AttendanceForm(user=user), agenda_case_form=AgendaCaseForm(meeting=meeting, user=user)
            )
        return context


class MeetingAgendaView(MeetingView):
    """The agenda on paper: what a member takes to the table."""

    template_name = "panels/panelmeeting_agenda.html"
    audit_action = "export_read"  # the printable agenda leaves Ura on paper


class MeetingPackView(RestrictedViewMixin, DetailView[PanelMeeting]):
    """The panel pack (decision 110): the agenda with each case's summary and what the panel is
    asked to decide, to print on A4 or, with `?format=pdf`, as a PDF. Recorded as an export."""

    queryset = PanelMeeting.objects.select_related("panel")
    action = Action.VIEW
    permission_required = "panels.view_panelmeeting"
    template_name = "panels/panelmeeting_pack.html"
    context_object_name = "meeting"
    audit_action = AuditEvent.Action.PANEL_PACK_EXPORTED

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = meeting = self.get_object()
        user = self.actor
        items = pack_items(meeting, user)
        ids = [item.case_id for item in items if item.case_id]
        if request.GET.get("format") == "pdf":
            record(
                AuditEvent.Action.PANEL_PACK_EXPORTED, actor=user, obj=meeting, format="pdf", count=len(items), ids=ids
            )
            record_case_reads(meeting, user, items, fmt="pdf")
            content = pack_pdf(meeting, user, items, language=request.LANGUAGE_CODE)
            stamp = meeting.scheduled_for.strftime("%Y%m%d")
            return file_response(content, PDF_TYPE, f"ura-panel-pack-{stamp}.pdf")
        context = self.get_context_data(
            object=meeting, items=items, title=pack_title(meeting), first_line=made_by_line(user, _("Panel pack"))
        )
        # The printable pack is an export as the PDF is: its count and case ids, written with the
        # successful answer (this note replaces the mixin's), and a read in each case's access log.
        note_read(
            request, meeting, action=AuditEvent.Action.PANEL_PACK_EXPORTED, format="html", count=len(items), ids=ids
        )
        record_case_reads(meeting, user, items, fmt="html")
        return self.render_to_response(context)


class AcknowledgeView(RestrictedObjectFormView):
    """A participant acknowledges the meeting's confidentiality (their own record only)."""

    queryset = PanelMeeting.objects.all()
    action = Action.VIEW
    permission_required = "panels.view_panelmeeting"
    http_method_names = ["post"]

    def get_form_class(self) -> Any:
        from django import forms

        return forms.Form

    def perform(self, form: Any) -> HttpResponse:
        services.acknowledge_confidentiality(self.object, user=self.actor)
        messages.success(self.request, _("Your acknowledgement of confidentiality is recorded."))
        return HttpResponseRedirect(self.object.get_absolute_url())


class _MeetingActionView(RestrictedObjectFormView):
    """A coordinator's action on a meeting, posted from the meeting page."""

    queryset = PanelMeeting.objects.select_related("panel")
    action = Action.MANAGE
    permission_required = "panels.add_panelmeeting"
    template_name = "panels/panelmeeting_action.html"
    context_object_name = "meeting"

    def redirect(self) -> HttpResponse:
        return HttpResponseRedirect(self.object.get_absolute_url())


class AttendanceView(_MeetingActionView):
    form_class = AttendanceForm
    http_method_names = ["post"]

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.actor}

    def form_invalid(self, form: Any) -> HttpResponse:
        messages.error(self.request, " ".join(form.errors.get("user", [])) or _("Choose a participant."))
        return self.redirect()

    def perform(self, form: AttendanceForm) -> HttpResponse:
        candidate = form.cleaned_data["user"]
        services.record_attendance(
            self.object,
            user=candidate.user,
            agency=candidate.agency,
            present=form.cleaned_data["present"],
            actor=self.actor,
        )
        return self.redirect()


class RegisterView(_MeetingActionView):
    """The whole meeting's attendance in one form, saved in one transaction (issue 17)."""

    form_class = RegisterForm
    template_name = "panels/panelmeeting_register.html"

    def allowed(self) -> bool:
        return bool(self.object.status == PanelMeeting.Status.SCHEDULED)

    def get_form_kwargs(self) -> dict[str, Any]:
        people = services.invited(self.object)
        rows = MeetingAttendance.objects.restrict(self.actor, Action.VIEW).filter(meeting=self.object)
        marks = {
            row.user_id: "present" if row.present else "apologies" if row.apologies else "absent"
            for row in rows.only("user_id", "present", "apologies")
        }
        return {**super().get_form_kwargs(), "people": people, "marks": marks}

    def perform(self, form: RegisterForm) -> HttpResponse:
        services.record_register(self.object, marks=form.marks(), actor=self.actor)
        messages.success(self.request, _("The attendance is recorded."))
        return self.redirect()


class RebuildAgendaView(_MeetingActionView):
    http_method_names = ["post"]

    def get_form_class(self) -> Any:
        from django import forms

        return forms.Form

    def perform(self, form: Any) -> HttpResponse:
        added = services.build_agenda(self.object)
        added_text = ngettext("%(count)s item added to the agenda.", "%(count)s items added to the agenda.", len(added))
        messages.success(self.request, added_text % {"count": len(added)})
        return self.redirect()


class AgendaCaseView(_MeetingActionView):
    form_class = AgendaCaseForm
    http_method_names = ["post"]

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "meeting": self.object, "user": self.actor}

    def form_invalid(self, form: Any) -> HttpResponse:
        messages.error(self.request, " ".join(form.errors.get("case", [])) or _("Choose a case of this panel."))
        return self.redirect()

    def perform(self, form: AgendaCaseForm) -> HttpResponse:
        services.add_case_to_agenda(self.object, form.cleaned_data["case"], actor=self.actor)
        return self.redirect()


_CHOSEN = re.compile(r"#[0-9]{1,18}\s*$")  # a suggestion chosen: "2026-0012 · Leka #42"


class MeetingCaseSuggestionsView(RestrictedViewMixin, View):
    """The agenda's case suggestions, for the meeting's coordinator: up to 20 open cases of the
    panel not yet on the agenda, among those she may know of (`restrict(VIEW_SUMMARY)`), whose
    family name or reference begins with what was typed. JSON, or `<option>`s for htmx."""

    queryset = PanelMeeting.objects.all()
    action = Action.MANAGE
    permission_required = "panels.add_panelmeeting"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        meeting = self.get_object()
        typed = typed_in(request).strip()
        found: list[Case] = []
        # Digits alone are the start of a reference ("2026"), not an id: only a chosen suggestion
        # ("… #42") is one.
        if len(typed) >= 2 and not _CHOSEN.search(typed):
            cases = not_on_agenda(Case.objects.restrict(self.actor, Action.VIEW_SUMMARY), meeting)
            named = Q(reference__istartswith=typed) | Q(family__name__istartswith=typed)
            found = list(cases.filter(named).order_by("family__name", "reference", "pk")[:LIMIT])
        return answer_suggestions(request, suggestions_of(found, agenda_case_label))


class CloseMeetingView(_MeetingActionView):
    form_class = CloseMeetingForm
    template_name = "panels/panelmeeting_close.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "meeting": self.object}

    def perform(self, form: CloseMeetingForm) -> HttpResponse:
        services.close_meeting(
            self.object,
            minutes=form.cleaned_data.get("minutes", ""),
            cancelled=form.cleaned_data["outcome"] == "cancelled",
            leave_undecided=form.cleaned_data.get("leave_undecided", False),
            actor=self.actor,
        )
        return self.redirect()


class _AgendaItemView(RestrictedObjectFormView):
    queryset = AgendaItem.objects.select_related("meeting__panel", "case__family", "case__owner", "case__owning_agency")
    permission_required = "panels.view_panelmeeting"
    context_object_name = "item"

    def get_queryset(self) -> Any:
        return self.queryset.filter(meeting_id=self.kwargs["meeting_pk"])

    def redirect(self) -> HttpResponse:
        return HttpResponseRedirect(self.object.meeting.get_absolute_url() + f"#item-{self.object.pk}")


class DecideView(_AgendaItemView):
    """The coordinator records the panel's decision on a case."""

    action = Action.MANAGE
    permission_required = "panels.add_panelmeeting"
    form_class = DecisionForm
    template_name = "panels/agendaitem_decide.html"

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(case__isnull=False)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "item": self.object, "user": self.actor}

    def perform(self, form: DecisionForm) -> HttpResponse:
        data = form.cleaned_data
        candidate = form.owner_candidate
        decision = services.PanelDecision(
            urgency=data["urgency"],
            first_contact_agency=data["first_contact_agency"],
            owner=candidate.user if candidate else None,
            owner_agency=candidate.agency if candidate else None,
            next_review_on=data["next_review_on"],
            involved=form.involved,
            share_basis=data["share_basis"],
            share_justification=data["share_justification"],
            share_consent_given_by=data["share_consent_given_by"],
            share_legal_duty=data["share_legal_duty"],
            share_agreement=data["share_agreement"],
            share_agreement_override=data["share_agreement_override"],
            notes=data.get("notes", ""),
            discussion=data.get("discussion", ""),
        )
        services.record_decision(self.object, decision, actor=self.actor)
        messages.success(self.request, _("The panel's decision is recorded and applied to the case."))
        return self.redirect()


class DeclineView(_AgendaItemView):
    """Record that an agency declined to share what it knows about this case."""

    action = Action.VIEW
    form_class = DeclineForm
    template_name = "panels/agendaitem_decline.html"

    def agencies(self) -> Any:
        user = self.actor
        if self.object.meeting.panel.coordinator_id == user.pk:
            return Agency.objects.all()
        return Agency.objects.filter(memberships__user=user).distinct()

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "agencies": self.agencies()}

    def perform(self, form: DeclineForm) -> HttpResponse:
        services.decline_to_share(
            self.object,
            agency=form.cleaned_data["agency"],
            reason=form.cleaned_data["reason"],
            actor=self.actor,
        )
        messages.success(self.request, _("The refusal to share is recorded."))
        return self.redirect()


class DirectoryView(RestrictedViewMixin, TemplateView):
    """The partner directory: who works cases where, their caseload, and each team's diversity
    (languages, gender), for choosing case owners (step 6) and moving a caseload.

    One agency's team at a time (`?agency=<id>`), or the people found by a name or an agency typed
    (`?q=`, with suggestions), never every partner's people at once: thousands at national scale
    (issue 19, decision 153). Without either, the agencies with people who work cases, to choose."""

    queryset = Case.objects.all()
    action = Action.MANAGE
    permission_required = "agencies.view_user"
    template_name = "panels/directory.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        typed = self.request.GET.get("q", "").strip()
        chosen = chosen_candidate_key(typed)
        agency_id = self.request.GET.get("agency", "")
        if chosen is not None:
            agency_id = chosen.split(":")[1]
        context = {**super().get_context_data(**kwargs), "q": typed, "candidates": [], "teams": []}
        if agency_id.isdigit() and len(agency_id) < 19:
            agency = Agency.objects.filter(pk=int(agency_id)).first()
            if agency is not None:
                candidates = owner_candidates(agencies=[agency])
                context.update(agency=agency, candidates=candidates, teams=team_diversity(candidates))
        elif typed:
            context.update(candidates=suggest_candidates(self.actor, typed), searched=True)
        else:
            context["agencies"] = casework_agencies_listed()
        return context


ALL_FIELD = 0  # the key of the "one new owner for every case" field among the errors; no case has pk 0


class ReassignCaseloadView(RestrictedViewMixin, TemplateView):
    """Move a leaving worker's open cases: choose new owners, review, then confirm.

    Only the cases the actor may manage are offered (a coordinator: the panel's; a supervisor:
    their agency's); all move in one transaction or none. Each new owner is typed with suggestions
    among every partner's caseworkers, never a list of all of them for each case (decision 153).
    """

    queryset = Case.objects.open().with_summary()
    action = Action.MANAGE
    permission_required = "agencies.view_user"
    template_name = "panels/reassign.html"

    @cached_property
    def worker(self) -> User:
        worker: User = get_object_or_404(User, pk=self.kwargs["pk"])
        # Whose caseload the actor may move: a colleague's, or the owner's of a case they manage.
        # Anyone else's does not exist for them, as a case they may not manage.
        colleague = worker.memberships.filter(agency_id__in=UserAccess.of(self.actor).agencies_by_name).exists()
        if not colleague and not self.queryset.filter(owner=worker).exists():
            raise Http404
        return worker

    def cases(self) -> list[Case]:
        return list(self.queryset.filter(owner=self.worker).order_by("reference"))

    def choices(self, cases: list[Case]) -> tuple[dict[int, Candidate], dict[int, str]]:
        """The new owner typed for each case (or for all), found among the candidates: each
        distinct text is looked up once. A text naming nobody who may own a case is refused alike
        whether the person exists or not. A refusal of the text typed for all is said once, under
        that field (key 0), not under every case that took it."""
        default = self.request.POST.get("all", "").strip()
        found: dict[str, Candidate | str] = {}
        chosen: dict[int, Candidate] = {}
        errors: dict[int, str] = {}
        for case in cases:
            own = self.request.POST.get(f"case_{case.pk}", "").strip()
            typed = own or default
            if not typed:
                continue
            if typed not in found:
                try:
                    found[typed] = find_candidate(self.actor, typed, exclude=self.worker) or CANDIDATE_REFUSED
                except ValueError:
                    found[typed] = CANDIDATE_AMBIGUOUS
            result = found[typed]
            if isinstance(result, Candidate):
                chosen[case.pk] = result
            else:
                errors[case.pk if own else ALL_FIELD] = str(result)
        return chosen, errors

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        cases = self.cases()
        chosen, errors = self.choices(cases)
        typed = {case.pk: self.request.POST.get(f"case_{case.pk}", "") for case in cases}
        rows = []
        for case in cases:
            candidate = chosen.get(case.pk)
            label = candidate_label(candidate) if candidate else ""
            rows.append((case, candidate.key if candidate else "", label, typed[case.pk], errors.get(case.pk, "")))
        return {
            **super().get_context_data(**kwargs),
            "worker": self.worker,
            "cases": cases,
            "chosen": chosen,
            "errors": errors,
            "all": self.request.POST.get("all", ""),
            "all_error": errors.get(ALL_FIELD, ""),
            "rows": rows,
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = self.get_context_data(**kwargs)
        cases, chosen = context["cases"], context["chosen"]
        if request.POST.get("step") != "confirm" or len(chosen) != len(cases) or not cases:
            if request.POST.get("step") and len(chosen) != len(cases):
                context["error"] = _("Choose a new owner for every case.")
            context["review"] = bool(cases) and len(chosen) == len(cases)
            return self.render_to_response(context)
        assignments = [(case, chosen[case.pk].user, chosen[case.pk].agency) for case in cases]
        try:
            job = start_reassignment(self.worker, assignments=assignments, actor=self.actor, confirmed=True)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            return self.render_to_response(context)
        return HttpResponseRedirect(job.get_absolute_url())


class ReassignmentJobView(LoginRequiredMixin, TemplateView):
    """A reassignment's progress, for the person who started it (404 for anyone else). While it
    runs, htmx asks for the progress part again every two seconds."""

    template_name = "panels/reassignment.html"

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request"):
            return ["panels/_reassignment_progress.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        job = get_object_or_404(
            ReassignmentJob.objects.select_related("worker"), pk=self.kwargs["pk"], started_by=self.request.user
        )
        return {**super().get_context_data(**kwargs), "job": job}
