"""Forms of the family register. Tablet-first: choices as big radios and checkboxes, dates from
the browser's picker; a refused form is shown again as typed."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.access import Action
from agencies.forms import choice_field, model_choice_field
from agencies.models import User
from agencies.widgets import DateInput
from families.models import CivilDocument, Person, Relation

from .models import Case

__all__ = ["MemberForm", "MergeForm", "RemoveMemberForm"]


class MemberForm(forms.ModelForm[Person]):
    civil_documents = forms.MultipleChoiceField(
        label=_("Civil documents held"),
        choices=CivilDocument.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Children born abroad often have none."),
    )
    relation_kind = forms.ChoiceField(
        label=_("Related as"), choices=[("", "—"), *Relation.Kind.choices], required=False
    )
    relation_to = forms.ModelChoiceField(label=_("To"), queryset=Person.objects.none(), required=False)
    # Set once the known people the names meet have been shown (decision 68).
    confirm_new = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Person
        fields = list(Person.REGISTER_FIELDS)
        widgets = {
            "date_of_birth": DateInput(),
            "whereabouts_since": DateInput(),
            "gender": forms.RadioSelect,
            "whereabouts": forms.RadioSelect,
        }

    def __init__(self, *args: Any, case: Case, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case, self.user = case, user
        members = Person.objects.restrict(user, Action.VIEW).current().filter(family_id=case.family_id)
        if self.instance.pk:
            members = members.exclude(pk=self.instance.pk)
        model_choice_field(self, "relation_to").queryset = members
        relationship = choice_field(self, "relationship")
        if self.instance.relationship != Person.Relationship.INDEX:
            choices = [c for c in Person.Relationship.choices if c[0] != Person.Relationship.INDEX]
            relationship.choices = [("", "—"), *choices]
        else:
            relationship.disabled = True
        for name, labelled in (("gender", Person.Gender.choices), ("whereabouts", Person.Place.choices)):
            field = choice_field(self, name)
            field.required = False
            field.choices = [("", _("Not known")), *labelled]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("relation_kind")) != bool(data.get("relation_to")):
            self.add_error("relation_to", _("Say how the member is related, and to whom."))
        if not data.get("contact_agreed") and (data.get("phone") or data.get("address")):
            self.add_error("contact_agreed", _("Contact details are kept only where the family agreed."))
        if data.get("whereabouts_since") and not data.get("whereabouts"):
            self.add_error("whereabouts", _("Say where the member is, from the date given."))
        return data

    def _post_clean(self) -> None:
        # The service checks the model, once the family is set; the instance is not touched here
        # (the service compares it with what was typed, for the history).
        pass

    def particulars(self) -> dict[str, Any]:
        """The member's fields as typed, for the services."""
        data = self.cleaned_data
        return {name: data[name] for name in Person.REGISTER_FIELDS if name in data and name in self.changed_or_new()}

    def changed_or_new(self) -> set[str]:
        if not self.instance.pk:
            return set(Person.REGISTER_FIELDS)
        return {name for name in Person.REGISTER_FIELDS if not self.fields[name].disabled}


class RemoveMemberForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this member removed?"),
        max_length=300,
        help_text=_("For example: recorded in error; the same person as another member (ask a supervisor to merge)."),
    )


class MergeForm(forms.Form):
    other = forms.ModelChoiceField(
        label=_("The other record of the same person"),
        queryset=Person.objects.none(),
        widget=forms.RadioSelect,
        help_text=_("Its entries, consents and restrictions move to this record; it is kept, marked as merged."),
    )
    reason = forms.CharField(label=_("Why are these one person?"), max_length=300)

    def __init__(self, *args: Any, case: Case, person: Person, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "other").queryset = (
            Person.objects.restrict(user, Action.CHANGE)
            .current()
            .filter(family_id=case.family_id)
            .exclude(pk=person.pk)
        )
