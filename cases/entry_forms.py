"""Forms for what is recorded in a case file. Tablet-first: big choices, few fields to type,
nothing lost when a form is refused (the bound form is shown again, as typed)."""

import datetime
from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.access import Action
from agencies.forms import choice_field, model_choice_field
from agencies.models import Expert, User
from agencies.widgets import DateInput, DateTimeInput
from families.models import Person

from .models import (
    Attachment,
    Case,
    ChildNeeds,
    Contact,
    Entry,
    ExpertConsultation,
    NeedsAssessment,
    NetworkLink,
    OwnerQuestion,
    Visibility,
)
from .risk import RiskLevel
from .services import case_workers

__all__ = [
    "ENTRY_FIELDS",
    "AnswerOwnerQuestionForm",
    "AskOwnerForm",
    "AttachmentForm",
    "ChildNeedsForm",
    "ContactForm",
    "EntryForm",
    "ExpertConsultationForm",
    "KeyWorkerForm",
    "MoveStageForm",
    "NeedsAssessmentForm",
    "NetworkFormSet",
    "RestrictionForm",
    "RiskLevelForm",
]


ENTRY_FIELDS = ["visibility", "abstract"]


class EntryForm(forms.ModelForm[Entry]):
    """What every entry form shares: who may read it, and the abstract for the others.

    The forms of plain kinds are made from their declaration (cases.entry_kinds); a kind that needs
    more subclasses this."""

    # Fields shown only while another has a value (the page's script reads `data-show-when`).
    SHOW_WHEN: ClassVar[dict[str, str]] = {"abstract": "visibility=own_agency"}

    def __init__(self, *args: Any, case: Case, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case, self.user = case, user
        if "visibility" in self.fields:
            self.fields["visibility"].widget = forms.RadioSelect(choices=Visibility.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("visibility") == Visibility.OWN_AGENCY and not data.get("abstract", "").strip():
            self.add_error("abstract", _("Write the abstract the other agencies will read."))
        return data

    def rows(self) -> list[tuple[Any, str]]:
        """Each field, with the condition for showing it ("" for always)."""
        return [(field, self.SHOW_WHEN.get(field.name, "")) for field in self]

    def _post_clean(self) -> None:
        # The model is checked by the service, once author, agency and case are set; here the
        # instance only takes what was typed (ModelForm does this in the _post_clean skipped here).
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)

    def family(self) -> QuerySet[Person]:
        """The family's current members, offered the moment they are added to the register."""
        return Person.objects.restrict(self.user, Action.VIEW).current().filter(family_id=self.case.family_id)


class ContactForm(EntryForm):
    SHOW_WHEN = {**EntryForm.SHOW_WHEN, "outside_school_hours": "minor_present=checked"}
    # A tick box, not the yes/no/unknown list of a nullable field: shown only when a minor took
    # part (the service stores no answer without one).
    outside_school_hours = forms.BooleanField(label=_("outside school hours"), required=False, initial=True)

    class Meta:
        model = Contact
        fields = [*Contact.RECORDED_FIELDS, *ENTRY_FIELDS]
        widgets = {
            "kind": forms.RadioSelect,
            "outcome": forms.RadioSelect,
            "cooperation": forms.RadioSelect,
            "occurred_at": DateTimeInput(),
            "next_contact_on": DateInput(),
            "visitors": forms.CheckboxSelectMultiple,
            "present": forms.CheckboxSelectMultiple,
            "discussed": forms.Textarea(attrs={"rows": 4}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
            "abstract": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "present").queryset = self.family()
        model_choice_field(self, "visitors").queryset = case_workers(self.case)
        self.fields["visitors"].help_text = _("Often a pair: a plain-clothes police officer and a social worker.")
        self.fields["cooperation"].required = False
        choice_field(self, "cooperation").choices = list(Contact.Cooperation.choices)
        if not self.is_bound:
            self.initial.setdefault("occurred_at", timezone.localtime().replace(second=0, microsecond=0))
            self.initial.setdefault("visitors", [self.user.pk])

    def clean_occurred_at(self) -> datetime.datetime:
        value: datetime.datetime = self.cleaned_data["occurred_at"]
        if value > timezone.now():
            raise forms.ValidationError(_("A contact cannot be recorded before it happens."))
        return value


class ExpertConsultationForm(EntryForm):
    """An expert's consultation: only the experts the user's agencies may consult are offered."""

    class Meta:
        model = ExpertConsultation
        fields = ["expert", "consulted_on", "shared", "basis", "advice", "agreement_override", *ENTRY_FIELDS]
        widgets = {
            "consulted_on": DateInput(),
            "shared": forms.Textarea(attrs={"rows": 4}),
            "advice": forms.Textarea(attrs={"rows": 3}),
            "agreement_override": forms.Textarea(attrs={"rows": 2}),
            "abstract": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        experts = Expert.objects.filter(is_active=True, agencies__memberships__user=self.user).distinct()
        model_choice_field(self, "expert").queryset = experts


class NeedsAssessmentForm(EntryForm):
    practical_problems = forms.MultipleChoiceField(
        label=_("Practical problems the family wants help with"),
        choices=NeedsAssessment.Problem.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = NeedsAssessment
        fields = [
            "personal_history",
            "practical_problems",
            "practical_notes",
            "trigger_events",
            "concern_nature",
            "concern_level",
            "protective_factors",
            "summary",
            "recommendation",
            *ENTRY_FIELDS,
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "personal_history",
                "practical_notes",
                "trigger_events",
                "concern_nature",
                "protective_factors",
                "summary",
                "recommendation",
                "abstract",
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["concern_level"].help_text = _("The common scale: %(levels)s.") % {
            "levels": ", ".join(str(level.label) for level in RiskLevel)
        }


class NetworkLinkForm(forms.ModelForm[NetworkLink]):
    class Meta:
        model = NetworkLink
        fields = ["kind", "name", "influence", "notes"]


class RowsFormSet(forms.BaseFormSet[forms.BaseForm]):
    """Rows typed beside an entry's form, under a legend saying what they are."""

    legend = _("Network overview: school, sports club, religious circle, online contacts, friends")


NetworkFormSet = forms.formset_factory(NetworkLinkForm, formset=RowsFormSet, extra=3, can_delete=False)


class ChildNeedsForm(EntryForm):
    exposures = forms.MultipleChoiceField(
        label=_("Exposure"), choices=ChildNeeds.Exposure.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ChildNeeds
        fields = [
            "child",
            "age_band",
            "exposures",
            "conflict_zone",
            "schooling",
            "schooling_notes",
            "child_protection",
            "child_protection_notes",
            "needs",
            "decisions",
            *ENTRY_FIELDS,
        ]
        widgets = {
            "age_band": forms.RadioSelect,
            "schooling": forms.RadioSelect,
            "needs": forms.Textarea(attrs={"rows": 3}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
            "abstract": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        children = [person.pk for person in self.family() if (age := person.age()) is None or age <= 18]
        model_choice_field(self, "child").queryset = self.family().filter(pk__in=children)


class AttachmentForm(EntryForm):
    upload = forms.FileField(
        label=_("File"), help_text=_("PDF, images, text (e-mails, chat logs) or office documents.")
    )

    class Meta:
        model = Attachment
        fields = ["kind", "description", "assessment", *ENTRY_FIELDS]
        widgets = {"kind": forms.RadioSelect, "abstract": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "assessment").queryset = (
            NeedsAssessment.objects.restrict(self.user, Action.VIEW).final().filter(case=self.case)
        )


class RiskLevelForm(forms.Form):
    level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}))


class MoveStageForm(forms.Form):
    stage = forms.TypedChoiceField(label=_("Move to"), coerce=int)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        from .services import STAGE_MOVES

        super().__init__(*args, **kwargs)
        field = choice_field(self, "stage")
        field.choices = [(stage, Case.Stage(stage).label) for stage in sorted(STAGE_MOVES[case.stage])]


class KeyWorkerForm(forms.Form):
    person = forms.ModelChoiceField(label=_("In the family"), queryset=Person.objects.none(), required=False)
    note = forms.CharField(
        label=_("Or someone else"),
        max_length=200,
        required=False,
        help_text=_("A teacher, a youth worker, an imam: the person closest to the index person."),
    )

    def __init__(self, *args: Any, case: Case, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "person").queryset = (
            Person.objects.restrict(user, Action.VIEW).current().filter(family_id=case.family_id)
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("person") and not data.get("note", "").strip():
            raise forms.ValidationError(_("Name the key worker: a family member or someone else."))
        return data


class RestrictionForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Family member"), queryset=Person.objects.none())
    knows = forms.CharField(label=_("What they know"), max_length=300, required=False)
    must_not_be_told = forms.CharField(
        label=_("What they must not be told"),
        max_length=300,
        help_text=_("For example: that his mother asked for help."),
    )

    def __init__(self, *args: Any, case: Case, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "person").queryset = (
            Person.objects.restrict(user, Action.VIEW).current().filter(family_id=case.family_id)
        )


class AskInformationForm(forms.Form):
    to_agency: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(label=_("Ask"), queryset=None, empty_label=None)
    question = forms.CharField(
        label=_("Question"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ask only what you need: the agency answers within 24 hours."),
    )

    def __init__(self, *args: Any, agencies: list[Any], **kwargs: Any) -> None:
        from agencies.models import Agency

        super().__init__(*args, **kwargs)
        field = model_choice_field(self, "to_agency")
        field.queryset = Agency.objects.filter(pk__in=[agency.pk for agency in agencies]).order_by("name")


class AskOwnerForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What you ask"), choices=OwnerQuestion.Kind.choices, widget=forms.RadioSelect, initial="question"
    )
    question = forms.CharField(
        label=_("Your question"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ask only what your work needs; for fuller access, say why your agency needs the file."),
    )


class AnswerOwnerQuestionForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}))


class AnswerInformationForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}))
