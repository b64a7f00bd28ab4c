"""Browser views of plans, reviews, withdrawal and closure. Thin: fetch through `restrict()`,
call one service, redirect; a refusal is shown on the form with everything typed kept."""

from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from agencies.access import (
    Action,
    CaseAccess,
    RestrictedObjectFormView,
    RestrictedQuerySet,
    RestrictedViewMixin,
    get_restricted_object,
)
from cases.models import Case
from referrals.directory_forms import ReferToServiceForm
from referrals.models import ServiceReferral, SupportService

from . import forms as iv_forms
from . import services
from .models import (
    Closure,
    ClosureAgreement,
    FollowUp,
    Goal,
    GoalOutcome,
    GoalProgress,
    InterventionPlan,
    PlanAction,
    Review,
    Withdrawal,
)

__all__ = [
    "ActionReferView",
    "ActionStatusView",
    "ClosureCreateView",
    "EntryView",
    "FollowUpDoneView",
    "PlanCreateView",
    "ReopenView",
    "ReviewCreateView",
    "StartPlanView",
    "WithdrawalCreateView",
]


class _FormView(RestrictedObjectFormView):
    """A form page about one case, with the case's breadcrumb header."""

    template_name = "interventions/form.html"
    title: Any = ""
    intro: Any = ""
    submit: Any = gettext_lazy("Save")

    def case(self) -> Case:
        """The case the form is about (for its header and where it leads back to)."""
        raise NotImplementedError

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        return {**context, "case": self.case(), "title": self.title, "intro": self.intro, "submit": self.submit}

    def invalid(self, form: forms.Form) -> HttpResponse:
        """The form again, bound: everything typed is kept."""
        return self.form_invalid(form)

    def done(self, message: str, url: str | None = None) -> HttpResponse:
        messages.success(self.request, message)
        return HttpResponseRedirect(url or self.case().get_absolute_url() + "#interventions-heading")


class _CaseFormView(_FormView):
    """A change to a case's plan or closure, by those who may change the case (its owner, the
    owning agency's supervisors)."""

    queryset = Case.objects.select_related("family", "owning_agency", "panel")
    object: Case
    action = Action.CHANGE
    permission_required = "cases.change_case"
    form_takes_case = True

    def case(self) -> Case:
        return self.object

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        return {**kwargs, "case": self.object} if self.form_takes_case else kwargs


class PlanCreateView(_CaseFormView):
    """Write a plan: its goals, and the actions of three kinds that serve them (step 7)."""

    form_class = iv_forms.PlanForm
    form_takes_case = False
    template_name = "interventions/plan_form.html"
    title = gettext_lazy("Intervention plan")

    @cached_property
    def goal_forms(self) -> Any:
        return iv_forms.GoalFormSet(self.request.POST or None, prefix="goals")

    @cached_property
    def action_forms(self) -> Any:
        return iv_forms.ActionFormSet(self.request.POST or None, prefix="actions", form_kwargs={"case": self.object})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        current = InterventionPlan.objects.restrict(self.actor, Action.VIEW).active().filter(case=self.object)
        return {
            **super().get_context_data(**kwargs),
            "goal_forms": self.goal_forms,
            "action_forms": self.action_forms,
            "current": current.prefetch_related("goals").first(),
        }

    def _goals(self) -> list[dict[str, Any]] | None:
        """The goals typed, each with its actions; None when an action points to an empty goal."""
        goals = {
            n: {"text": row["text"], "actions": []}
            for n, row in enumerate(self.goal_forms.cleaned_data, start=1)
            if (row.get("text") or "").strip()
        }
        complete = True
        for form in self.action_forms.forms:
            if not form.has_changed():
                continue
            if form.cleaned_data["goal"] not in goals:
                form.add_error("goal", _("This goal is empty: write it above, or choose another."))
                complete = False
            else:
                goals[form.cleaned_data["goal"]]["actions"].append(form.cleaned_data)
        return list(goals.values()) if complete else None

    def form_valid(self, form: forms.Form) -> HttpResponse:
        # Both formsets are validated, so that every error shows at once.
        if not all([self.goal_forms.is_valid(), self.action_forms.is_valid()]):
            return self.invalid(form)
        goals = self._goals()
        if goals is None:
            return self.invalid(form)
        self.goals = goals
        return super().form_valid(form)

    def perform(self, form: forms.Form) -> HttpResponse:
        data = form.cleaned_data
        plan = services.create_plan(
            self.object,
            goals=self.goals,
            summary=data["summary"],
            agreed_by_family=data["agreed_by_family"],
            agreed_by=data["agreed_by"],
            agreed_on=data["agreed_on"],
            actor=self.actor,
        )
        if plan.is_active:
            return self.done(_("The plan is running."), plan.get_absolute_url())
        return self.done(_("The plan is kept as a draft until the family agrees."), plan.get_absolute_url())


class StartPlanView(_FormView):
    """Start a draft plan once the family agreed to it."""

    queryset = InterventionPlan.objects.drafts().select_related("case__family")
    object: InterventionPlan
    action = Action.CHANGE
    permission_required = "cases.change_case"
    form_class = iv_forms.StartPlanForm
    title = gettext_lazy("The family agreed to the plan")
    submit = gettext_lazy("Start the plan")

    def get_queryset(self) -> RestrictedQuerySet:
        return self.queryset.filter(case_id=self.kwargs["case_pk"])

    def case(self) -> Case:
        return self.object.case

    def perform(self, form: forms.Form) -> HttpResponse:
        data = form.cleaned_data
        plan = services.start_plan(
            self.object, agreed_by=data["agreed_by"], agreed_on=data["agreed_on"], actor=self.actor
        )
        return self.done(_("The plan is running."), plan.get_absolute_url())


class ActionStatusView(_FormView):
    """How an action stands: for those who change the case and for the agency providing it."""

    queryset = PlanAction.objects.select_related("case__family", "goal__plan", "provider_agency")
    object: PlanAction
    action = Action.CHANGE
    permission_required = "cases.view_case"
    form_class = iv_forms.ActionStatusForm
    title = gettext_lazy("How the action stands")

    def get_queryset(self) -> RestrictedQuerySet:
        return self.queryset.filter(case_id=self.kwargs["case_pk"])

    def get_initial(self) -> dict[str, Any]:
        return {"status": self.object.status}

    def case(self) -> Case:
        return self.object.case

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "intro": str(self.object)}

    def perform(self, form: forms.Form) -> HttpResponse:
        services.update_action_status(self.object, status=form.cleaned_data["status"], actor=self.actor)
        return self.done(_("The action's status is recorded."), self.object.goal.plan.get_absolute_url())


class ActionReferView(_FormView):
    """Refer the family to a listed service for an action of the running plan: those who change the
    case. The service reads the referral, never the file."""

    queryset = PlanAction.objects.select_related("case__family", "goal__plan", "beneficiary")
    object: PlanAction
    action = Action.CHANGE
    permission_required = "cases.change_case"
    form_class = ReferToServiceForm
    title = gettext_lazy("Refer to a service")
    intro = gettext_lazy("The service reads what you write here, and nothing of the case file.")
    submit = gettext_lazy("Send the referral")

    def get_queryset(self) -> RestrictedQuerySet:
        return self.queryset.filter(case_id=self.kwargs["case_pk"])

    def allowed(self) -> bool:
        return CaseAccess.fetch(self.object.case, self.actor).change

    def case(self) -> Case:
        return self.object.case

    def get_form_kwargs(self) -> dict[str, Any]:
        services = SupportService.objects.restrict(self.actor, Action.VIEW).listed()
        return {**super().get_form_kwargs(), "services": services}

    def get_initial(self) -> dict[str, Any]:
        person = self.object.beneficiary or self.object.case.index_person
        return {"for_whom": str(person), "request": self.object.intended_outcome}

    def perform(self, form: forms.Form) -> HttpResponse:
        data = form.cleaned_data
        services.refer_action(
            self.object, service=data["service"], for_whom=data["for_whom"], request=data["request"], actor=self.actor
        )
        return self.done(_("The referral is sent to the service."), self.object.get_absolute_url())


class ReviewCreateView(_CaseFormView):
    """Review the running plan: how far each goal has come, the actions, the risk level and the
    next review date (step 8)."""

    form_class = iv_forms.ReviewForm
    template_name = "interventions/review_form.html"
    title = gettext_lazy("Review the plan")

    @cached_property
    def plan(self) -> InterventionPlan | None:
        actions = PlanAction.objects.restrict(self.actor, Action.VIEW).select_related("provider_agency")
        goals = Goal.objects.restrict(self.actor, Action.VIEW).prefetch_related(Prefetch("actions", queryset=actions))
        plans = InterventionPlan.objects.restrict(self.actor, Action.VIEW).active().filter(case=self.object)
        return plans.prefetch_related(Prefetch("goals", queryset=goals)).first()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._no_plan() or super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._no_plan() or super().post(request, *args, **kwargs)

    def _no_plan(self) -> HttpResponse | None:
        if self.plan is not None:
            return None
        messages.info(self.request, _("The case has no running plan to review."))
        return HttpResponseRedirect(self.object.get_absolute_url())

    @cached_property
    def progress_forms(self) -> list[tuple[Goal, iv_forms.ProgressForm]]:
        data = self.request.POST or None
        goals = self.plan.goals.all() if self.plan else []
        return [(goal, iv_forms.ProgressForm(data, prefix=f"goal-{goal.pk}")) for goal in goals]

    @cached_property
    def status_forms(self) -> list[tuple[PlanAction, iv_forms.ActionReviewForm]]:
        data = self.request.POST or None
        actions = [action for goal, _form in self.progress_forms for action in goal.actions.all()]
        return [
            (action, iv_forms.ActionReviewForm(data, prefix=f"action-{action.pk}", initial={"status": action.status}))
            for action in actions
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        return {**context, "plan": self.plan, "progress_forms": self.progress_forms, "status_forms": self.status_forms}

    def form_valid(self, form: forms.Form) -> HttpResponse:
        parts = [f for _goal, f in self.progress_forms] + [f for _action, f in self.status_forms]
        if not all([part.is_valid() for part in parts]):  # every part validated, so every error shows
            return self.invalid(form)
        return super().form_valid(form)

    def perform(self, form: forms.Form) -> HttpResponse:
        data = form.cleaned_data
        review = services.record_review(
            self.object,
            held_on=data["held_on"],
            changes_since_last=data["changes_since_last"],
            risk_level=data["risk_level"],
            next_review_on=data["next_review_on"],
            progress=[{"goal": goal, **part.cleaned_data} for goal, part in self.progress_forms],
            action_statuses=[
                {"action": action, "status": part.cleaned_data["status"]}
                for action, part in self.status_forms
                if part.cleaned_data["status"] != action.status
            ],
            actor=self.actor,
        )
        return self.done(_("The review is recorded."), review.get_absolute_url())


class _OutcomesMixin(_CaseFormView):
    """A form that ends the running plan (a withdrawal, a closure) says how far each of its goals
    came, with a note (decision 103): one small form per goal, validated with the main form."""

    template_name = "interventions/ending_form.html"

    @cached_property
    def outcome_forms(self) -> list[tuple[Goal, iv_forms.OutcomeForm]]:
        plans = InterventionPlan.objects.restrict(self.actor, Action.VIEW).active().filter(case=self.object)
        goals = Goal.objects.restrict(self.actor, Action.VIEW).filter(plan__in=plans)
        data = self.request.POST or None
        return [(goal, iv_forms.OutcomeForm(data, prefix=f"outcome-{goal.pk}")) for goal in goals]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "outcome_forms": self.outcome_forms}

    def form_valid(self, form: forms.Form) -> HttpResponse:
        if not all([part.is_valid() for _goal, part in self.outcome_forms]):  # every error shows at once
            return self.invalid(form)
        return super().form_valid(form)

    def outcomes(self) -> list[dict[str, Any]]:
        return [{"goal": goal, **part.cleaned_data} for goal, part in self.outcome_forms]


class WithdrawalCreateView(_OutcomesMixin):
    """The family withdrew from the plan (step 8): record it, and what they were told."""

    form_class = iv_forms.WithdrawalForm
    title = gettext_lazy("The family withdrew from the plan")
    intro = gettext_lazy(
        "Participation is voluntary. Tell the family the door stays open; the case stays open too. "
        "In high-risk cases the security checks go on."
    )

    def perform(self, form: forms.Form) -> HttpResponse:
        data = form.cleaned_data
        services.record_withdrawal(
            self.object,
            withdrawn_on=data["withdrawn_on"],
            reason=data["reason"],
            open_door_message=data["open_door_message"],
            security_followup=data["security_followup"],
            typology=data["typology"],
            outcomes=self.outcomes(),
            family_feedback=data["family_feedback"],
            actor=self.actor,
        )
        return self.done(_("The withdrawal is recorded. The case stays open."))


class ClosureCreateView(_OutcomesMixin):
    """Close the case on a multi-agency decision (step 9)."""

    form_class = iv_forms.ClosureForm
    title = gettext_lazy("Close the case")
    intro = gettext_lazy(
        "End when the goals are met and the partners trust the family can go on alone. Beware of a "
        "person who says what professionals want to hear. Follow-ups are scheduled 6 and 12 months on."
    )
    submit = gettext_lazy("Close the case")

    def perform(self, form: iv_forms.ClosureForm) -> HttpResponse:
        data = form.cleaned_data
        services.close_case(
            self.object,
            decided_on=data["decided_on"],
            reason=data["reason"],
            agreements=form.agreements(),
            typology=data["typology"],
            outcomes=self.outcomes(),
            family_feedback=data["family_feedback"],
            actor=self.actor,
        )
        return self.done(_("The case is closed. The follow-ups are scheduled."))


class ReopenView(_CaseFormView):
    """Reopen a closed case, saying why: the door stays open."""

    form_class = iv_forms.ReopenForm
    form_takes_case = False
    title = gettext_lazy("Reopen the case")
    submit = gettext_lazy("Reopen the case")

    def perform(self, form: forms.Form) -> HttpResponse:
        services.reopen_case(self.object, reason=form.cleaned_data["reason"], actor=self.actor)
        return self.done(_("The case is open again."))


class FollowUpDoneView(_FormView):
    """Record a post-exit follow-up as made."""

    queryset = FollowUp.objects.select_related("case__family", "closure")
    object: FollowUp
    action = Action.CHANGE
    permission_required = "cases.change_case"
    form_class = iv_forms.FollowUpForm
    title = gettext_lazy("Post-exit follow-up")

    def get_queryset(self) -> RestrictedQuerySet:
        return self.queryset.filter(case_id=self.kwargs["case_pk"])

    def case(self) -> Case:
        return self.object.case

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "intro": str(self.object)}

    def perform(self, form: forms.Form) -> HttpResponse:
        data = form.cleaned_data
        services.record_follow_up(
            self.object,
            done_on=data["done_on"],
            notes=data["notes"],
            with_contact=data["with_contact"],
            actor=self.actor,
        )
        return self.done(_("The follow-up is recorded."))


def _entry_querysets(user: Any) -> dict[str, RestrictedQuerySet]:
    """Each record's page, with what it shows fetched at once."""
    progress = GoalProgress.objects.restrict(user, Action.VIEW).select_related("goal")
    actions = PlanAction.objects.restrict(user, Action.VIEW).select_related(
        "provider_agency", "provider_person", "provider_expert", "beneficiary"
    )
    goals = Goal.objects.restrict(user, Action.VIEW).prefetch_related(Prefetch("actions", queryset=actions))
    reviews = Review.objects.restrict(user, Action.VIEW).select_related("author")
    agreements = ClosureAgreement.objects.restrict(user, Action.VIEW).select_related("agency", "user")
    follow_ups = FollowUp.objects.restrict(user, Action.VIEW).select_related("done_by", "contact")
    outcomes = Prefetch("outcomes", queryset=GoalOutcome.objects.restrict(user, Action.VIEW).select_related("goal"))
    return {
        "interventionplan": InterventionPlan.objects.select_related("created_by", "replaced_by").prefetch_related(
            Prefetch("goals", queryset=goals),
            Prefetch("reviews", queryset=reviews),
            Prefetch("withdrawals", queryset=Withdrawal.objects.restrict(user, Action.VIEW)),
        ),
        "planaction": PlanAction.objects.select_related(
            "goal__plan", "provider_agency", "provider_person", "provider_expert", "beneficiary"
        ),
        "review": Review.objects.select_related("plan", "author").prefetch_related(
            Prefetch("progress", queryset=progress)
        ),
        "withdrawal": Withdrawal.objects.select_related("plan", "recorded_by").prefetch_related(outcomes),
        "closure": Closure.objects.select_related("recorded_by", "reopened_by").prefetch_related(
            Prefetch("agreements", queryset=agreements), Prefetch("follow_ups", queryset=follow_ups), outcomes
        ),
        "followup": FollowUp.objects.select_related("closure", "done_by", "contact"),
    }


# The records that have a page of their own (EntryView).
_RECORD_KINDS = ("interventionplan", "planaction", "review", "withdrawal", "closure", "followup")
Record = InterventionPlan | PlanAction | Review | Withdrawal | Closure | FollowUp


class EntryView(RestrictedViewMixin, DetailView[Record]):
    """The page of one record (the timeline links here): a plan, an action, a review, a
    withdrawal, a closure, a follow-up. Read through the case's full file."""

    queryset: RestrictedQuerySet
    action = Action.VIEW
    permission_required = "cases.view_case"
    context_object_name = "entry"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        progress = self._progress_instead(request.user, kwargs["case_pk"], kwargs["model_name"])
        return progress or super().dispatch(request, *args, **kwargs)

    @staticmethod
    def _progress_instead(user: Any, case_pk: int, model_name: str) -> HttpResponse | None:
        """A reader who knows the case by its summary only (the coordinator, a panel member) is
        shown how the plan is going, on the case page, instead of a refusal (decision 101). The
        answer is the same for every record id under the case, so it says nothing of the records."""
        if not user.is_authenticated or model_name not in _RECORD_KINDS:
            return None
        cases = Case.objects.filter(pk=case_pk)
        if cases.restrict(user, Action.VIEW).exists() or not cases.restrict(user, Action.VIEW_SUMMARY).exists():
            return None
        return HttpResponseRedirect(reverse("cases:case", args=[case_pk]) + "#plan-progress")

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        # An unknown kind of record finds nothing: a 404, like a record that does not exist.
        queryset = _entry_querysets(request.user).get(kwargs["model_name"], InterventionPlan.objects.none())
        self.queryset = queryset.select_related("case__family").filter(case_id=kwargs["case_pk"])

    def get_template_names(self) -> list[str]:
        return [f"interventions/{self.kwargs['model_name']}_detail.html"]

    def get_object(self, queryset: Any = None) -> Any:
        lookup = {"pk": self.kwargs["pk"], **self.scope()}
        return get_restricted_object(self.get_queryset(), self.request.user, self.action, **lookup)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, case = self.request.user, self.object.case
        changeable = PlanAction.objects.restrict(user, Action.CHANGE).filter(case=case).values_list("pk", flat=True)
        extra: dict[str, Any] = {}
        if isinstance(self.object, PlanAction):
            sent = ServiceReferral.objects.restrict(user, Action.VIEW).filter(plan_action=self.object)
            extra["service_referrals"] = sent.select_related("service")
        return {
            **context,
            **extra,
            "case": case,
            "access": CaseAccess.fetch(case, user),
            "changeable_actions": set(changeable),
        }
