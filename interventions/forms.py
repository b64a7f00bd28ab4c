"""Forms for plans, reviews, withdrawal and closure. Tablet-first: big choices, dates from the
browser's picker, and everything typed kept when a form is refused."""

import datetime
from typing import Any, TypeVar

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies import deadlines
from agencies.forms import choice_field, model_choice_field
from agencies.models import Agency, Expert, Membership, PanelReminderSettings, User
from agencies.widgets import DateInput
from cases.involvement import involved_people
from cases.models import Case
from cases.risk import RiskLevel
from families.models import Person

from .models import MEASURES, GoalOutcome, GoalProgress, InterventionPlan, PlanAction, Review, Typology, Withdrawal
from .services import SECURITY_RISKS

__all__ = [
    "ActionFormSet",
    "ActionReviewForm",
    "ActionStatusForm",
    "ClosureForm",
    "FollowUpForm",
    "GoalFormSet",
    "OutcomeForm",
    "PlanForm",
    "ProgressForm",
    "ReopenForm",
    "ReviewForm",
    "StartPlanForm",
    "WithdrawalForm",
]

GOAL_ROWS = 4
_M = TypeVar("_M", bound=models.Model)


class _ServiceChecked(forms.ModelForm[_M]):
    def _post_clean(self) -> None:
        # The model is checked by the service, once the case and the author are set.
        pass


def _not_in_future(form: forms.BaseForm, name: str, message: object) -> None:
    value = form.cleaned_data.get(name)
    if value is not None and value > timezone.localdate():
        form.add_error(name, str(message))


class PlanForm(_ServiceChecked[InterventionPlan]):
    class Meta:
        model = InterventionPlan
        fields = ["summary", "agreed_by_family", "agreed_by", "agreed_on"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 2}), "agreed_on": DateInput()}
        help_texts = {"agreed_by_family": _("Without the family's agreement the plan is kept as a draft.")}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("agreed_by_family"):
            if not (data.get("agreed_by") or "").strip():
                self.add_error("agreed_by", _("Say who in the family agreed."))
            if not data.get("agreed_on"):
                self.add_error("agreed_on", _("Say when the family agreed."))
        _not_in_future(self, "agreed_on", _("The family's agreement cannot be dated in the future."))
        return data


class StartPlanForm(_ServiceChecked[InterventionPlan]):
    class Meta:
        model = InterventionPlan
        fields = ["agreed_by", "agreed_on"]
        widgets = {"agreed_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreed_by"].required = self.fields["agreed_on"].required = True
        self.initial.setdefault("agreed_on", timezone.localdate())


class GoalForm(forms.Form):
    text = forms.CharField(label=_("Goal"), max_length=500, required=False)


GoalFormSet = forms.formset_factory(GoalForm, extra=GOAL_ROWS, max_num=GOAL_ROWS)


def measure_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The measures grouped by kind, as the select's option groups."""
    return [
        (str(PlanAction.Type(kind).label), [(m, str(PlanAction.Measure(m).label)) for m in measures])
        for kind, measures in MEASURES.items()
    ]


class ActionForm(_ServiceChecked[PlanAction]):
    goal = forms.TypedChoiceField(label=_("For goal"), coerce=int)

    class Meta:
        model = PlanAction
        fields = [
            "type",
            "measure",
            "provider_agency",
            "provider_person",
            "provider_note",
            "provider_expert",
            "beneficiary",
            "starts_on",
            "due_on",
            "intended_outcome",
        ]
        widgets = {
            "type": forms.RadioSelect,
            "starts_on": DateInput(),
            "due_on": DateInput(),
            "intended_outcome": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        goal = choice_field(self, "goal")
        goal.choices = [(n, _("Goal %(n)s") % {"n": n}) for n in range(1, GOAL_ROWS + 1)]
        goal.initial = 1
        choice_field(self, "type").choices = list(PlanAction.Type.choices)
        choice_field(self, "measure").choices = [("", "—"), *measure_choices()]
        model_choice_field(self, "provider_agency").queryset = Agency.objects.order_by("name")
        model_choice_field(self, "provider_person").queryset = involved_people(case)
        model_choice_field(self, "provider_expert").queryset = Expert.objects.filter(is_active=True)
        # The family's current members: one added to the register today is offered at once.
        model_choice_field(self, "beneficiary").queryset = Person.objects.filter(
            family_id=case.family_id, ended_at__isnull=True
        )
        self.fields["starts_on"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, measure = data.get("type"), data.get("measure")
        if kind and measure and measure not in MEASURES[kind]:
            self.add_error("measure", _("This measure is not of the kind chosen."))
        starts, due = data.get("starts_on"), data.get("due_on")
        if starts and due and due < starts:
            self.add_error("due_on", _("An action is due on or after the day it starts."))
        return data


ActionFormSet = forms.formset_factory(ActionForm, extra=5, max_num=30)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=PlanAction.Status.choices, widget=forms.RadioSelect)


class ReviewForm(_ServiceChecked[Review]):
    class Meta:
        model = Review
        fields = ["held_on", "changes_since_last", "risk_level", "next_review_on"]
        widgets = {
            "held_on": DateInput(),
            "next_review_on": DateInput(),
            "risk_level": forms.RadioSelect,
            "changes_since_last": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "risk_level").choices = [c for c in RiskLevel.choices if c[0] != RiskLevel.NOT_ASSESSED]
        today = timezone.localdate()
        self.initial.setdefault("held_on", today)
        self.initial.setdefault(
            "next_review_on", deadlines.review_due(today, PanelReminderSettings.timing_for(case.panel_id))
        )
        if case.risk_level != RiskLevel.NOT_ASSESSED:
            self.initial.setdefault("risk_level", case.risk_level)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _not_in_future(
            self, "held_on", _("A review is recorded once it has been held: its date cannot be in the future.")
        )
        held, following = data.get("held_on"), data.get("next_review_on")
        if held and following and following <= held:
            self.add_error("next_review_on", _("The next review comes after this one."))
        return data


class ProgressForm(forms.Form):
    progress = forms.ChoiceField(label=_("Progress"), choices=GoalProgress.Progress.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)


class ActionReviewForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=PlanAction.Status.choices, widget=forms.RadioSelect)


class OutcomeForm(forms.Form):
    """How far one goal of the ending plan was reached (decision 103)."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=GoalOutcome.Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


def _typology_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("What the case turned out to be"),
        choices=Typology.choices,
        widget=forms.RadioSelect,
        help_text=_("Counted for the evaluation; many concerns turn out not to be radicalisation."),
    )


def _feedback_field() -> forms.CharField:
    return forms.CharField(
        label=_("The family's own feedback"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In the family's words, if they gave any."),
    )


class WithdrawalForm(_ServiceChecked[Withdrawal]):
    class Meta:
        model = Withdrawal
        fields = ["withdrawn_on", "reason", "open_door_message", "security_followup", "typology", "family_feedback"]
        widgets = {
            "withdrawn_on": DateInput(),
            "reason": forms.Textarea(attrs={"rows": 3}),
            "open_door_message": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["typology"] = _typology_field()
        self.fields["family_feedback"] = _feedback_field()
        self.case = case
        self.initial.setdefault("withdrawn_on", timezone.localdate())
        if case.risk_level in SECURITY_RISKS:
            self.initial.setdefault("security_followup", True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _not_in_future(self, "withdrawn_on", _("A withdrawal cannot be dated in the future."))
        if self.case.risk_level in SECURITY_RISKS and not data.get("security_followup"):
            self.add_error(
                "security_followup",
                _("The risk is %(level)s: security checks go on after a withdrawal.")
                % {"level": RiskLevel(self.case.risk_level).label.lower()},
            )
        return data


class ClosureForm(forms.Form):
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    reason = forms.CharField(
        label=_("Why the case closes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The goals met; why the family can go on alone; what stays in place."),
    )
    agreed = forms.MultipleChoiceField(
        label=_("Who agreed, for which agency"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A multi-agency decision: at least two agencies, the owning agency among them."),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["typology"] = _typology_field()
        self.fields["family_feedback"] = _feedback_field()
        people = involved_people(case)
        memberships = (
            Membership.objects.filter(user__in=people)
            .exclude(role=Membership.Role.AGENCY_ADMIN)
            .select_related("user", "agency")
            .order_by("agency__name", "user__last_name", "user__first_name")
        )
        self.people: dict[str, tuple[Agency, User]] = {}
        for membership in memberships:
            self.people.setdefault(f"{membership.agency_id}:{membership.user_id}", (membership.agency, membership.user))
        field = choice_field(self, "agreed")
        field.choices = [(key, f"{user} · {agency}") for key, (agency, user) in self.people.items()]
        self.initial.setdefault("decided_on", timezone.localdate())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _not_in_future(self, "decided_on", _("A closure cannot be decided in the future."))
        return data

    def agreements(self) -> list[dict[str, Any]]:
        decided_on: datetime.date = self.cleaned_data["decided_on"]
        return [
            {"agency": self.people[key][0], "user": self.people[key][1], "agreed_on": decided_on}
            for key in self.cleaned_data["agreed"]
        ]


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the case is reopened"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A new concern, the family asking for help again, a follow-up that found a change."),
    )


class FollowUpForm(forms.Form):
    done_on = forms.DateField(label=_("Made on"), widget=DateInput())
    notes = forms.CharField(
        label=_("How the family is doing"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    with_contact = forms.BooleanField(
        label=_("Also record it in the file as a contact with the family"), required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("done_on", timezone.localdate())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _not_in_future(self, "done_on", _("A follow-up is recorded once it is made: its date cannot be in the future."))
        return data
