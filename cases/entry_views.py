"""Browser views of what is recorded in a case file: recording, reading and finishing drafts,
attached files, the timeline, and the small changes to the case (stage, risk, key worker, what
must not be told)."""

from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView, View

from agencies.access import (
    Action,
    CaseAccess,
    RestrictedObjectFormView,
    RestrictedQuerySet,
    RestrictedViewMixin,
    get_restricted_object,
)
from audit.reads import note_read
from families.models import DisclosureRestriction, SafetyWarning

from . import services
from .entry_forms import (
    AnswerInformationForm,
    AskInformationForm,
    EntryForm,
    KeyWorkerForm,
    MoveStageForm,
    RestrictionForm,
    RiskLevelForm,
)
from .entry_kinds import EntryKind, entry_kind
from .models import Attachment, Case, CaseEvent, Entry, InformationRequest, RiskRecord, event_choices
from .offline_views import last_event_seen

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

__all__ = [
    "AnswerInformationView",
    "AskInformationView",
    "AttachmentFileView",
    "EntryCreateView",
    "EntryEditView",
    "EntryView",
    "InformationRequestView",
    "KeyWorkerView",
    "LiftRestrictionView",
    "MoveStageView",
    "RestrictionCreateView",
    "RiskLevelView",
    "TimelineView",
]


class _EntryFormView(RestrictedObjectFormView):
    """Record or finish an entry of the kind named in the URL (cases.entry_kinds); "Save as
    draft" keeps it the author's alone."""

    template_name = "cases/entry_form.html"

    @cached_property
    def kind(self) -> EntryKind:
        return entry_kind(self.kwargs["kind"])

    def case(self) -> Case:
        raise NotImplementedError

    def get_form_class(self) -> type[EntryForm]:
        return self.kind.form

    def existing(self) -> dict[str, Any]:
        """What the entry already holds besides its fields (a draft being finished)."""
        return {}

    @cached_property
    def formsets(self) -> dict[str, Any]:
        existing = self.existing()
        return {
            name: formset(self.request.POST or None, prefix=name, initial=existing.get(name, []))
            for name, formset in self.kind.formsets.items()
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case = self.case()
        restrictions = DisclosureRestriction.objects.restrict(self.request.user, Action.VIEW).filter(
            family_id=case.family_id, lifted_at__isnull=True
        )
        context.update(
            case=case,
            kind=self.kind.slug,
            entry_kind=self.kind,
            title=self.kind.title,
            formsets=self.formsets,
            case_restrictions=restrictions.select_related("person"),
            # Whoever records a visit is reminded of the dangers at the door (decision 133).
            case_warnings=SafetyWarning.objects.restrict(self.request.user, Action.VIEW).filter(
                family_id=case.family_id, ended_at__isnull=True
            ),
            # Typed offline, the form asks what others recorded since (decision 89).
            last_event_seen=last_event_seen(self.actor, case),
        )
        return context

    def form_valid(self, form: EntryForm) -> HttpResponse:
        if not all(formset.is_valid() for formset in self.formsets.values()):
            return self.form_invalid(form)
        return super().form_valid(form)

    def save_entry(self, form: EntryForm, entry: Entry) -> HttpResponse:
        finalise = "draft" not in self.request.POST or not self.kind.drafts
        extra = {name: form.cleaned_data[name] for name in self.kind.extra if name in form.cleaned_data}
        for name, formset in self.formsets.items():
            extra[name] = [row for row in formset.cleaned_data if row.get("name")]
        saved = self.kind.record(entry, actor=self.actor, finalise=finalise, **extra)
        if finalise:
            messages.success(self.request, _("Recorded."))
            return HttpResponseRedirect(saved.get_absolute_url())
        messages.info(self.request, _("Saved as a draft: only you see it until you record it."))
        return HttpResponseRedirect(saved.get_absolute_url())


class EntryCreateView(_EntryFormView):
    """Record an entry in a case file the user reads in full."""

    queryset = Case.objects.select_related("family", "owning_agency")
    object: Case
    action = Action.VIEW
    permission_required = "cases.view_case"

    def get_queryset(self) -> Any:
        return self.queryset.with_access(self.request.user)

    def case(self) -> Case:
        return self.object

    def allowed(self) -> bool:
        # Who writes in the file (never through a break-the-glass access), for a kind one sector
        # keeps acting for that sector: asked of the CaseAccess the case came with.
        return self.kind.allows(self.actor, self.object)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        user = self.actor
        kwargs["initial"] = {
            **kwargs.get("initial", {}),
            "visibility": services.default_visibility(self.kind.model, user, self.object),
        }
        if self.request.GET.get("child", "").isdigit():
            kwargs["initial"]["child"] = int(self.request.GET["child"])
        return {**kwargs, "case": self.object, "user": user}

    def perform(self, form: EntryForm) -> HttpResponse:
        entry = form.save(commit=False)
        entry.case = self.object
        return self.save_entry(form, entry)


class EntryEditView(_EntryFormView):
    """Finish one's own draft (a final entry is not edited: it is added to)."""

    object: Entry
    action = Action.CHANGE
    permission_required = "cases.view_case"

    def setup(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        model = entry_kind(kwargs["kind"]).model
        self.queryset = model._default_manager.select_related("case__family", "case__owning_agency").filter(
            case_id=kwargs["pk"]
        )

    def scope(self) -> dict[str, Any]:
        return {"case_id": self.kwargs["pk"]}

    def get_object(self, queryset: Any = None) -> Any:
        lookup = {"pk": self.kwargs["entry"], **self.scope()}
        return get_restricted_object(self.get_queryset(), self.request.user, self.action, **lookup)

    def case(self) -> Case:
        return self.object.case

    def existing(self) -> dict[str, Any]:
        # Finishing a draft replaces its rows (the network overview): show what is there, or it
        # would be lost.
        return self.kind.existing(self.object)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "instance": self.object,
            "case": self.object.case,
            "user": self.request.user,
        }

    def perform(self, form: EntryForm) -> HttpResponse:
        return self.save_entry(form, form.save(commit=False))


class EntryView(RestrictedViewMixin, DetailView[Entry]):
    """One entry: its content for the case team (or its agency), else its abstract."""

    queryset: RestrictedQuerySet
    action = Action.VIEW
    permission_required = "cases.view_case"
    template_name = "cases/entry_detail.html"
    context_object_name = "entry"

    def setup(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.kind = entry_kind(kwargs["kind"])
        self.queryset = self.kind.model._default_manager.select_related(
            "case__family", "author", "author_agency"
        ).filter(case_id=kwargs["pk"])

    def get_queryset(self) -> Any:
        return self.queryset.annotate_content(self.request.user)

    def scope(self) -> dict[str, Any]:
        return {"case_id": self.kwargs["pk"]}

    def get_object(self, queryset: Any = None) -> Any:
        lookup = {"pk": self.kwargs["entry"], **self.scope()}
        return get_restricted_object(self.get_queryset(), self.request.user, self.action, **lookup)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        entry = self.object
        # What an entry is called can be content (an attachment's file name): partners reading
        # the abstract see only the kind of entry and its date.
        title = str(entry)
        if not entry.content_visible:
            day = date_format(timezone.localtime(entry.created_at).date(), "SHORT_DATE_FORMAT")
            title = f"{entry._meta.verbose_name} · {day}"
        context = super().get_context_data(**kwargs)
        return {**context, "kind": self.kind.slug, "entry_kind": self.kind, "case": entry.case, "title": title}


class AttachmentFileView(RestrictedViewMixin, View):
    """The attached file itself, only to those who may read the entry's content."""

    queryset = Attachment.objects.all()
    action = Action.VIEW
    permission_required = "cases.view_case"

    def get_object(self, queryset: Any = None) -> Any:
        attachments = self.queryset.annotate_content(self.request.user)
        lookup = {"pk": self.kwargs["entry"], "case_id": self.kwargs["pk"]}
        return get_restricted_object(attachments, self.request.user, self.action, **lookup)

    def get(self, request: Any, *args: Any, **kwargs: Any) -> FileResponse:
        attachment = self.get_object()
        if not attachment.content_visible:
            raise PermissionDenied
        note_read(request, attachment, file=True)
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class TimelineView(RestrictedViewMixin, ListView[CaseEvent]):
    """Everything that happened on a case, newest first, filterable by kind; entries kept by one
    agency show their abstract to the others."""

    queryset = CaseEvent.objects.select_related("actor", "author_agency")
    action = Action.VIEW
    permission_required = "cases.view_case"
    template_name = "cases/case_timeline.html"
    context_object_name = "events"
    paginate_by = 50

    @cached_property
    def case(self) -> Case:
        # The timeline is part of the full file: to a summary reader it does not exist (a read,
        # so 404, like every entry in it).
        cases = Case.objects.restrict(self.request.user, Action.VIEW).select_related("family")
        case: Case = get_object_or_404(cases, pk=self.kwargs["pk"])
        return case

    def get_queryset(self) -> Any:
        events = self.queryset.filter(case=self.case).annotate_content(self.request.user)
        kind = self.request.GET.get("kind", "")
        return events.filter(kind=kind) if kind in dict(event_choices()) else events

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "case": self.case,
            "kinds": event_choices(),
            "kind": self.request.GET.get("kind", ""),
        }


class _CaseChangeView(RestrictedObjectFormView):
    """A small change to a case by its owner or a supervisor of the owning agency."""

    queryset = Case.objects.select_related("family", "owning_agency")
    action = Action.CHANGE
    permission_required = "cases.change_case"
    template_name = "cases/case_change_form.html"
    title: "StrOrPromise" = ""

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "title": self.title, "case": self.object}

    def done(self, message: str) -> HttpResponse:
        messages.success(self.request, message)
        return HttpResponseRedirect(self.object.get_absolute_url())


class MoveStageView(_CaseChangeView):
    form_class = MoveStageForm
    title = gettext_lazy("Move to another step")  # a class attribute: translated per request

    def perform(self, form: MoveStageForm) -> HttpResponse:
        case = services.move_stage(self.object, stage=form.cleaned_data["stage"], actor=self.actor)
        return self.done(_("The case is at %(stage)s.") % {"stage": case.get_stage_display()})


class RiskLevelView(_CaseChangeView):
    form_class = RiskLevelForm
    title = gettext_lazy("Change the risk level")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.pop("case")
        return kwargs

    def perform(self, form: RiskLevelForm) -> HttpResponse:
        services.set_risk_level(
            self.object,
            level=form.cleaned_data["level"],
            rationale=form.cleaned_data["rationale"],
            source=RiskRecord.Source.MANUAL,
            actor=self.actor,
        )
        return self.done(_("The risk level is recorded."))


class KeyWorkerView(_CaseChangeView):
    form_class = KeyWorkerForm
    title = gettext_lazy("The key worker")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform(self, form: KeyWorkerForm) -> HttpResponse:
        services.set_key_worker(
            self.object,
            person=form.cleaned_data["person"],
            note=form.cleaned_data["note"],
            actor=self.actor,
        )
        return self.done(_("The key worker is recorded."))


class RestrictionCreateView(_CaseChangeView):
    """Anyone in the case team records what a family member must not be told."""

    action = Action.VIEW
    permission_required = "cases.view_case"
    form_class = RestrictionForm
    title = gettext_lazy("What a family member must not be told")

    def get_queryset(self) -> Any:
        return self.queryset.with_access(self.request.user)

    def allowed(self) -> bool:
        # Who writes in the file: never through a break-the-glass access, which only reads.
        return CaseAccess.of(self.object, self.request.user).writes

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform(self, form: RestrictionForm) -> HttpResponse:
        data = form.cleaned_data
        services.add_restriction(
            self.object,
            person=data["person"],
            knows=data["knows"],
            must_not_be_told=data["must_not_be_told"],
            actor=self.actor,
        )
        return self.done(_("Recorded: everyone who opens the case will be warned."))


class LiftRestrictionView(RestrictedObjectFormView):
    queryset = DisclosureRestriction.objects.select_related("person")
    action = Action.CHANGE
    permission_required = "cases.change_case"
    http_method_names = ["post"]

    def get_queryset(self) -> Any:
        case = get_object_or_404(Case.objects.restrict(self.request.user, Action.VIEW), pk=self.kwargs["case_pk"])
        self.case = case
        return self.queryset

    def scope(self) -> dict[str, Any]:
        # A restriction hangs off the family: one of another family is missing here (404).
        return {"family_id": self.case.family_id}

    def get_form_class(self) -> Any:
        from django import forms

        return forms.Form

    def perform(self, form: Any) -> HttpResponse:
        services.lift_restriction(self.object, actor=self.actor)
        messages.success(self.request, _("The restriction is lifted."))
        return HttpResponseRedirect(self.case.get_absolute_url())


class AskInformationView(RestrictedObjectFormView):
    """Ask a partner agency working the case (24 hours): the case owner, a supervisor, or the
    panel's coordinator (who may know the case by its summary only)."""

    queryset = Case.objects.select_related("family")
    action = Action.VIEW_SUMMARY
    form_class = AskInformationForm
    template_name = "cases/case_change_form.html"

    def get_queryset(self) -> Any:
        return self.queryset.with_access(self.request.user)

    def allowed(self) -> bool:
        return CaseAccess.of(self.object, self.request.user).asks_partners

    def get_form_kwargs(self) -> dict[str, Any]:
        agencies = services.askable_agencies(self.object, self.actor)
        return {**super().get_form_kwargs(), "agencies": agencies}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "title": _("Ask a partner"), "case": self.object}

    def perform(self, form: AskInformationForm) -> HttpResponse:
        info = services.ask_information(
            self.object,
            to_agency=form.cleaned_data["to_agency"],
            question=form.cleaned_data["question"],
            actor=self.actor,
        )
        messages.success(self.request, _("Asked: %(agency)s answers within 24 hours.") % {"agency": info.to_agency})
        return HttpResponseRedirect(self.object.get_absolute_url())


class _InformationRequestMixin:
    kwargs: dict[str, Any]
    request: HttpRequest
    queryset: Any
    action: Action

    def get_object(self, queryset: Any = None) -> Any:
        lookup = {"pk": self.kwargs["info"], "case_id": self.kwargs["pk"]}
        return get_restricted_object(self.queryset, self.request.user, self.action, **lookup)


class InformationRequestView(_InformationRequestMixin, RestrictedViewMixin, DetailView[InformationRequest]):
    """One request: the question, the answer, and (for the agency asked) the form to answer."""

    queryset = InformationRequest.objects.select_related("case__family", "to_agency", "asked_by", "answered_by")
    action = Action.VIEW
    template_name = "cases/information_request.html"
    context_object_name = "info"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        info = self.object
        may_answer = (
            not info.is_answered
            and InformationRequest.objects.restrict(self.request.user, Action.CHANGE).filter(pk=info.pk).exists()
        )
        return {**context, "case": info.case, "form": AnswerInformationForm() if may_answer else None}


class AnswerInformationView(_InformationRequestMixin, RestrictedObjectFormView):
    """The agency asked answers, once."""

    queryset = InformationRequest.objects.select_related("case__family", "to_agency", "asked_by")
    action = Action.CHANGE
    form_class = AnswerInformationForm
    template_name = "cases/information_request.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "info": self.object, "case": self.object.case}

    def perform(self, form: AnswerInformationForm) -> HttpResponse:
        services.answer_information(self.object, answer=form.cleaned_data["answer"], actor=self.actor)
        messages.success(self.request, _("Your answer is recorded."))
        return HttpResponseRedirect(self.object.get_absolute_url())
