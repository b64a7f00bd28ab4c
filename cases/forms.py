"""Forms for sharing a case and assigning its owner. They validate input; services decide."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.access import Action
from agencies.forms import choice_field, model_choice_field
from agencies.models import Agency, User
from agencies.widgets import DateInput
from families.models import Consent, Person

from .directory import Candidate, owner_candidates
from .models import Case, CaseShare, CaseUserObjectPermission, DisclosureCheck, SharingAgreement
from .services.ownership import MIN_JUSTIFICATION

__all__ = [
    "AssignOwnerForm",
    "ConsentForm",
    "DisclosureCheckForm",
    "RevokeShareForm",
    "ShareCaseForm",
    "WithdrawConsentForm",
]


def agreements_of(user: Any, agency_id: int | None) -> Any:
    """The current agreements `user` reads to which the agency is a party, offered on a disclosure
    without consent (the service checks that one covers both agencies: decision 113)."""
    if user is None or agency_id is None:
        return SharingAgreement.objects.none()
    return SharingAgreement.objects.restrict(user, Action.VIEW).current().filter(parties=agency_id)


class ShareCaseForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Share with"), queryset=Agency.objects.none())
    scope = forms.ChoiceField(label=_("Level"), choices=CaseShare.Scope.choices, widget=forms.RadioSelect)
    basis = forms.ChoiceField(label=_("Lawful basis"), choices=CaseShare.Basis.choices, widget=forms.RadioSelect)
    consent = forms.ModelChoiceField(
        label=_("Consent record"),
        queryset=Consent.objects.none(),
        required=False,
        help_text=_("The family's current consent that covers sharing. Without one, say who gave consent and when."),
    )
    consent_given_by = forms.CharField(
        label=_("Consent given by"),
        required=False,
        max_length=200,
        help_text=_("The person, or a parent for a child. Needed when the basis is consent."),
    )
    consent_given_on = forms.DateField(label=_("Consent given on"), required=False, widget=DateInput)
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed for an override or a legal duty: why sharing is necessary and proportionate."),
    )
    legal_duty = forms.CharField(
        label=_("Legal duty"),
        required=False,
        max_length=300,
        help_text=_("For a legal duty: the law or order that requires the disclosure."),
    )
    agreement = forms.ModelChoiceField(
        label=_("Information-sharing agreement"),
        queryset=SharingAgreement.objects.none(),
        required=False,
        help_text=_("Chosen for you when exactly one current agreement covers both agencies."),
    )
    agreement_override = forms.CharField(
        label=_("Emergency override: why share before an agreement covers both agencies?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when no agreement can be named. The data protection officer is told."),
    )
    ends_on = forms.DateField(
        label=_("Share until (optional)"),
        required=False,
        widget=DateInput,
        help_text=_("The share ends at the close of this day."),
    )

    def __init__(self, *args: Any, case: Case, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "agency").queryset = Agency.objects.exclude(pk=case.owning_agency_id)
        model_choice_field(self, "agreement").queryset = agreements_of(user, case.owning_agency_id)
        # Consents are case content: offered to those who read the file (restrict decides).
        if user is not None:
            model_choice_field(self, "consent").queryset = (
                Consent.objects.restrict(user, Action.VIEW)
                .filter(family_id=case.family_id, withdrawn_at__isnull=True)
                .select_related("person")
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        if data.get("basis") == CaseShare.Basis.CONSENT:
            if data.get("consent"):
                pass
            elif not data.get("consent_given_by"):
                self.add_error("consent_given_by", _("Choose a consent record, or say who gave consent."))
            elif not data.get("consent_given_on"):
                self.add_error("consent_given_on", _("Say when consent was given."))
            elif data["consent_given_on"] > today:
                self.add_error("consent_given_on", _("Consent cannot be given in the future."))
        elif data.get("basis"):
            if len(data.get("justification", "").strip()) < MIN_JUSTIFICATION:
                self.add_error(
                    "justification",
                    _("Explain in at least %(count)d characters why sharing is justified without consent.")
                    % {"count": MIN_JUSTIFICATION},
                )
            if data["basis"] == CaseShare.Basis.LEGAL_DUTY and not data.get("legal_duty", "").strip():
                self.add_error("legal_duty", _("Name the legal duty."))
        if data.get("ends_on") and data["ends_on"] < today:
            self.add_error("ends_on", _("The end date cannot be in the past."))
        return data

    @property
    def ends_at(self) -> datetime.datetime | None:
        """The share's end: midnight after the chosen day, in Ura's time zone."""
        ends_on = self.cleaned_data.get("ends_on")
        if ends_on is None:
            return None
        midnight = datetime.datetime.combine(ends_on + datetime.timedelta(days=1), datetime.time.min)
        return timezone.make_aware(midnight)


class GrantAccessForm(forms.Form):
    """Give one named person access to this case, for a reason, until a date (decision 96)."""

    username = forms.CharField(
        label=_("Username of the person"),
        max_length=150,
        help_text=_("A named consultant, an expert, a seconded worker: someone who works cases for an agency."),
    )
    scope = forms.ChoiceField(label=_("They may read"), choices=CaseUserObjectPermission.Scope.choices)
    reason = forms.CharField(
        label=_("Why do they need the case?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    ends_on = forms.DateField(
        label=_("Access until"), widget=DateInput, help_text=_("The access ends at the close of this day.")
    )

    def clean_username(self) -> User:
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("Nobody active has this username."))
        return user

    @property
    def ends_at(self) -> datetime.datetime:
        """Midnight after the chosen day, in Ura's time zone."""
        midnight = datetime.datetime.combine(
            self.cleaned_data["ends_on"] + datetime.timedelta(days=1), datetime.time.min
        )
        return timezone.make_aware(midnight)


class RevokeGrantForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the access revoked?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class RevokeShareForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the share revoked?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class AssignOwnerForm(forms.Form):
    """Choose the new owner among the people who work cases in one partner agency, seeing each
    one's open caseload, languages and gender (step 6)."""

    owner = forms.ChoiceField(label=_("New case owner"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, case: Case, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.candidates = {c.key: c for c in owner_candidates(agencies=[agency])}
        owner = choice_field(self, "owner")
        owner.choices = [(key, str(c.user)) for key, c in self.candidates.items()]

    def clean_owner(self) -> Candidate:
        return self.candidates[self.cleaned_data["owner"]]


class DisclosureCheckForm(forms.ModelForm[DisclosureCheck]):
    """The six checks of seed 001 before information leaves a health or social-care agency."""

    class Meta:
        model = DisclosureCheck
        fields = [
            "concern_verified_on",
            "discussed_with_client_on",
            "not_discussed_because",
            "colleagues_consulted_on",
            "managers_consulted_on",
            "risk_assessed_on",
            "shared_on",
            "shared_with",
            "basis",
            "consent",
            "basis_detail",
            "agreement",
            "agreement_override",
            "notes",
        ]
        widgets = {
            "concern_verified_on": DateInput(),
            "discussed_with_client_on": DateInput(),
            "colleagues_consulted_on": DateInput(),
            "managers_consulted_on": DateInput(),
            "risk_assessed_on": DateInput(),
            "shared_on": DateInput(),
            "shared_with": forms.CheckboxSelectMultiple,
            "basis": forms.RadioSelect,
            "basis_detail": forms.Textarea(attrs={"rows": 3}),
            "agreement_override": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self, *args: Any, agencies: list[Agency], case: Case | None = None, user: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.agencies = agencies
        consents = Consent.objects.none()
        if case is not None and user is not None:
            consents = Consent.objects.restrict(user, Action.VIEW).filter(
                family_id=case.family_id, withdrawn_at__isnull=True
            )
        model_choice_field(self, "consent").queryset = consents
        model_choice_field(self, "shared_with").queryset = Agency.objects.exclude(pk__in=[a.pk for a in agencies])
        agreements = SharingAgreement.objects.none()
        if user is not None and agencies:
            agreements = SharingAgreement.objects.restrict(user, Action.VIEW).current()
            agreements = agreements.filter(parties__in=[a.pk for a in agencies]).distinct()
        model_choice_field(self, "agreement").queryset = agreements
        self.fields["agreement"].help_text = _("Chosen for you when exactly one current agreement covers the agencies.")
        if len(agencies) > 1:
            self.fields = {
                "agency": forms.ModelChoiceField(
                    label=_("For agency"), queryset=Agency.objects.filter(pk__in=[a.pk for a in agencies])
                ),
                **self.fields,
            }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        for name, value in list(data.items()):
            if isinstance(value, datetime.date) and value > today:
                self.add_error(name, _("A check cannot be dated in the future."))
        if data.get("shared_with") and not data.get("shared_on"):
            self.add_error("shared_on", _("Say when the information was shared with the partners named."))
        if data.get("shared_on") and not data.get("basis"):
            self.add_error("basis", _("Name the lawful basis on which the information was shared."))
        return data

    def _post_clean(self) -> None:
        # The model's checks run in the service, once the case and agency are known.
        pass

    def checking_agency(self) -> Agency:
        return self.cleaned_data.get("agency") or self.agencies[0]


class ConsentForm(forms.Form):
    """Consent to support: who it is for, who gave it, when, and for what."""

    person = forms.ModelChoiceField(label=_("Consent for"), queryset=Person.objects.none())
    given_by = forms.ModelChoiceField(
        label=_("Given by"),
        queryset=Person.objects.none(),
        help_text=_("The person themself, or a parent or guardian for a child."),
    )
    given_on = forms.DateField(label=_("Given on"), widget=DateInput)
    purposes = forms.MultipleChoiceField(
        label=_("Consent to"), choices=Consent.Purpose.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    agencies = forms.ModelMultipleChoiceField(
        label=_("Agencies information may go to"),
        queryset=Agency.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    purpose_text = forms.CharField(
        label=_("In the family's words"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, case: Case, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A coordinator manages the case from its summary: they see the index person only.
        members = Person.objects.restrict(user, Action.VIEW_SUMMARY).current().filter(family_id=case.family_id)
        model_choice_field(self, "person").queryset = members
        model_choice_field(self, "given_by").queryset = members

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("given_on") and data["given_on"] > timezone.localdate():
            self.add_error("given_on", _("Consent cannot be given in the future."))
        if not data.get("purposes") and not data.get("purpose_text", "").strip():
            self.add_error("purposes", _("Say what the consent is for."))
        return data


class WithdrawConsentForm(forms.Form):
    reason = forms.CharField(
        label=_("Why was consent withdrawn?"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
