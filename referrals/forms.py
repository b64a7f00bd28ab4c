"""Referral forms: intake, triage, adding to an earlier record, feedback. They check input; the
services decide."""

import datetime
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.access import Action
from agencies.forms import form_field, model_choice_field
from agencies.models import Agency, Panel, User
from agencies.widgets import DateInput, DateTimeInput
from cases.choosers import CandidateField, SuggestedChoiceField, SuggestedInput
from families.models import Family

from .models import DeconflictionCheck, Referral, ReferralIndicator, SupportService, TriageDecision

if TYPE_CHECKING:
    from .services import ToService

__all__ = [
    "DeconflictionForm",
    "FeedbackForm",
    "FollowUpCodeForm",
    "FrontDoorForm",
    "MatchQueryForm",
    "PublicConcernForm",
    "ReferralForm",
    "TriageForm",
    "family_label",
]


def _not_future(value: Any, message: Any) -> None:
    if value is None:
        return
    now = timezone.now() if isinstance(value, datetime.datetime) else timezone.localdate()
    if value > now:
        raise forms.ValidationError(message)


class ReferralForm(forms.ModelForm[Referral]):
    """Intake: who reported, about whom, what was seen, how urgent."""

    indicators = forms.MultipleChoiceField(
        label=_("Signs seen (tick all that apply)"),
        choices=ReferralIndicator.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Referral
        fields = [
            "channel",
            "received_at",
            "reporter_anonymous",
            "reporter_name",
            "reporter_contact",
            "reporter_relationship",
            "reporter_is_professional",
            "subject_given_name",
            "subject_family_name",
            "subject_date_of_birth",
            "subject_age",
            "subject_area",
            "child_involved",
            "person_told",
            "observed_on",
            "concern",
            "indicators",
            "ideology",
            "urgency",
            "is_crisis",
            "crisis_reason",
        ]
        widgets = {
            "received_at": DateTimeInput(),
            "subject_date_of_birth": DateInput(),
            "observed_on": DateInput(),
            "concern": forms.Textarea(attrs={"rows": 5}),
            "channel": forms.Select(),
            "person_told": forms.RadioSelect(),
        }
        help_texts = {
            "is_crisis": _(
                "An attack may be planned, the person may travel, or professionals may be at risk: "
                "the police are alerted at once."
            ),
            "subject_age": _("If the date of birth is not known."),
        }

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agencies = agencies
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["concern"].help_text = _("In the reporter's words, as far as possible.")
        if len(agencies) > 1:
            # Someone working for several agencies says which one received the concern.
            self.fields = {
                "received_by": forms.ModelChoiceField(
                    label=_("Received by"), queryset=Agency.objects.filter(pk__in=[a.pk for a in agencies])
                ),
                **self.fields,
            }

    @property
    def received_by_field(self) -> Any:
        """The agency choice, for someone working for several agencies (else None)."""
        return self["received_by"] if "received_by" in self.fields else None

    def receiving_agency(self) -> Agency:
        return self.cleaned_data.get("received_by") or self.agencies[0]

    def clean_received_at(self) -> datetime.datetime:
        value: datetime.datetime = self.cleaned_data["received_at"]
        _not_future(value, _("A referral cannot be received in the future."))
        return value

    def clean_observed_on(self) -> datetime.date | None:
        value = self.cleaned_data.get("observed_on")
        _not_future(value, _("What was observed cannot lie in the future."))
        return value

    def clean_subject_date_of_birth(self) -> datetime.date | None:
        value = self.cleaned_data.get("subject_date_of_birth")
        _not_future(value, _("A date of birth cannot lie in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reporter_anonymous") and (data.get("reporter_name") or data.get("reporter_contact")):
            self.add_error("reporter_name", _("An anonymous reporter has no name or contact on record."))
        if data.get("is_crisis") and not data.get("crisis_reason"):
            self.add_error("crisis_reason", _("Say why this is a crisis."))
        return data


class MatchQueryForm(forms.Form):
    """The names and date of birth to look for among earlier records."""

    subject_given_name = forms.CharField(required=False, max_length=100)
    subject_family_name = forms.CharField(required=False, max_length=100)
    subject_date_of_birth = forms.DateField(required=False)


def family_label(family: Family) -> str:
    """A family as a suggestion names it: many share a name, so its area too."""
    return f"{family.name} ({family.area})" if family.area else family.name


class TriageForm(forms.Form):
    """A triage decision; the fields of the other decisions are ignored."""

    decision = forms.ChoiceField(label=_("Decision"), choices=TriageDecision.Decision.choices, widget=forms.RadioSelect)
    reason = forms.ChoiceField(
        label=_("Why no further action"), choices=[("", "---------"), *TriageDecision.Reason.choices], required=False
    )
    signposted_to = forms.CharField(
        label=_("Signposted to"),
        max_length=200,
        required=False,
        help_text=_("A service outside the directory, or leave empty when you choose one below."),
    )
    # Signposting to a service of the directory refers the person to it in the same step (decision 142).
    service = forms.ModelChoiceField(
        label=_("Refer to a service of the directory (optional)"),
        queryset=SupportService.objects.none(),
        required=False,
        help_text=_("The service then follows the person: it reads what you write for it here, never the concern."),
        error_messages={"invalid_choice": _("Choose a service the directory lists and that takes referrals.")},
    )
    service_for_whom = forms.CharField(
        label=_("For whom"),
        max_length=200,
        required=False,
        help_text=_("The name the service needs to reach the person."),
    )
    service_request = forms.CharField(
        label=_("What the service is asked"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
        help_text=_("Written for the service: it reads this, never the referral."),
    )
    panel = forms.ModelChoiceField(label=_("Panel"), queryset=Panel.objects.none(), required=False)
    # Typed with suggestions, never a list of every caseworker or family (issue 19, decision 153).
    owner = CandidateField(label=_("Owner of the new case"), required=False)
    family = SuggestedChoiceField(
        label=_("Add to this family (optional)"),
        required=False,
        widget=SuggestedInput(reverse_lazy("referrals:family_suggestions"), "family-suggestions"),
        help_text=_(
            "A family Ura already knows: type its name and choose a suggestion. Otherwise a new family "
            "is recorded from the referral."
        ),
        named=lambda families, typed: families.filter(name__iexact=typed),
        refusal=cast(str, _("Choose one of the suggested families, which you may read in full.")),
        ambiguous=cast(str, _("Several families have that name: choose one of the suggestions.")),
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, referral: Referral, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.referral = referral
        from .services import panels_for

        model_choice_field(self, "panel").queryset = Panel.objects.filter(
            pk__in=[p.pk for p in panels_for(referral, user)]
        )
        form_field(self, "owner", CandidateField).viewer = user
        # Only families the user may see in full can receive a new case: the suggestions offer
        # them, and the field takes no other (an id outside them is refused as if missing).
        form_field(self, "family", SuggestedChoiceField).queryset = Family.objects.restrict(user, Action.VIEW)
        # The services the directory lists for the user, and that take referrals.
        model_choice_field(self, "service").queryset = SupportService.objects.restrict(user, Action.VIEW).listed()
        self.fields["service_for_whom"].initial = referral.subject

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision == TriageDecision.Decision.NO_FURTHER_ACTION and not data.get("reason"):
            self.add_error("reason", _("Say why no further action is needed."))
        if decision == TriageDecision.Decision.SIGNPOSTED:
            self._clean_signpost(data)
        else:
            # The fields of the other decisions are ignored, a service no longer listed too.
            data["service"] = None
            self.errors.pop("service", None)
        if decision == TriageDecision.Decision.PANEL_AGENDA and not data.get("panel"):
            self.add_error("panel", _("Choose the panel whose agenda the referral goes on."))
        if decision == TriageDecision.Decision.OPEN_CASE:
            # A typed choice already refused says so once.
            if not data.get("owner") and "owner" not in self.errors:
                self.add_error("owner", _("Choose who owns the new case."))
            if not data.get("family") and not self.referral.subject_family_name and "family" not in self.errors:
                self.add_error("family", _("The referral names no family: choose one, or record the name first."))
        return data

    def _clean_signpost(self, data: dict[str, Any]) -> None:
        if data.get("service") is None:
            if not data.get("signposted_to", "").strip() and "service" not in self.errors:
                self.add_error(
                    "signposted_to",
                    _("Say which service the reporter was signposted to, or choose one from the directory."),
                )
            return
        if not data.get("service_request", "").strip():
            self.add_error("service_request", _("Write what the service is asked to do."))
        if not data.get("service_for_whom", "").strip() and not self.referral.subject:
            self.add_error("service_for_whom", _("Say whom the service is for: the name it needs to reach the person."))

    @property
    def to_service(self) -> "ToService | None":
        """The referral to a service the triage makes with its decision, if one was chosen."""
        from .services import ToService

        data = self.cleaned_data
        if data.get("service") is None:
            return None
        return ToService(service=data["service"], request=data["service_request"], for_whom=data["service_for_whom"])

    @property
    def owner_choice(self) -> tuple[User, Agency] | None:
        candidate = self.cleaned_data.get("owner")
        return (candidate.user, candidate.agency) if candidate else None


class FeedbackForm(forms.Form):
    feedback = forms.CharField(
        label=_("What was the reporter told?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class FrontDoorForm(forms.ModelForm[Referral]):
    """A partner sends a concern to a panel's front door: about whom, what was seen, how urgent."""

    panel = forms.ModelChoiceField(
        label=_("Front door"),
        queryset=Panel.objects.none(),
        help_text=_("The panel whose coordinator and single point of contact receive the concern."),
    )
    indicators = forms.MultipleChoiceField(
        label=_("Signs seen (tick all that apply)"),
        choices=ReferralIndicator.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    label = forms.CharField(
        label=_("Your label for this concern"),
        max_length=80,
        required=False,
        help_text=_("A few words of your own to know this concern by among those you sent; avoid the full name."),
    )

    class Meta:
        model = Referral
        fields = [
            "reporter_relationship",
            "subject_given_name",
            "subject_family_name",
            "subject_date_of_birth",
            "subject_age",
            "subject_area",
            "child_involved",
            "person_told",
            "observed_on",
            "concern",
            "indicators",
            "ideology",
            "urgency",
            "is_crisis",
            "crisis_reason",
        ]
        widgets = {
            "subject_date_of_birth": DateInput(),
            "observed_on": DateInput(),
            "concern": forms.Textarea(attrs={"rows": 5}),
            "person_told": forms.RadioSelect(),
        }
        labels = {"reporter_relationship": _("Who you are to the person")}
        help_texts = {
            "reporter_relationship": _("For example: class teacher, youth worker."),
            "is_crisis": _(
                "An attack may be planned, the person may travel, or professionals may be at risk: "
                "the police are alerted at once."
            ),
            "subject_age": _("If the date of birth is not known."),
        }

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agencies = agencies
        # A front door's name is no case data: every partner may send to any panel's door.
        model_choice_field(self, "panel").queryset = Panel.objects.order_by("name")
        self.fields["concern"].help_text = _("What you saw or heard, as far as possible in the words used.")
        if len(agencies) > 1:
            self.fields = {
                "sent_by_agency": forms.ModelChoiceField(
                    label=_("Sent for"), queryset=Agency.objects.filter(pk__in=[a.pk for a in agencies])
                ),
                **self.fields,
            }

    def sending_agency(self) -> Agency:
        return self.cleaned_data.get("sent_by_agency") or self.agencies[0]

    def clean_observed_on(self) -> datetime.date | None:
        value = self.cleaned_data.get("observed_on")
        _not_future(value, _("What was observed cannot lie in the future."))
        return value

    def clean_subject_date_of_birth(self) -> datetime.date | None:
        value = self.cleaned_data.get("subject_date_of_birth")
        _not_future(value, _("A date of birth cannot lie in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("is_crisis") and not data.get("crisis_reason"):
            self.add_error("crisis_reason", _("Say why this is a crisis."))
        return data


PUBLIC_CHANNEL_CHOICES = [
    (Referral.Channel.FAMILY_OR_FRIEND, _("I am family or a friend")),
    (Referral.Channel.NEIGHBOUR, _("I am a neighbour")),
    (Referral.Channel.SELF, _("It is about me")),
]


class PublicConcernForm(forms.Form):
    """The public page's form: few fields, plain words, everything but the concern optional."""

    panel = forms.ModelChoiceField(
        label=_("Your town or area"), queryset=Panel.objects.none(), empty_label=None, required=True
    )
    channel = forms.ChoiceField(
        label=_("Who are you?"), choices=PUBLIC_CHANNEL_CHOICES, widget=forms.RadioSelect, initial="family_or_friend"
    )
    reporter_anonymous = forms.BooleanField(
        label=_("I want to stay anonymous"),
        required=False,
        help_text=_("Then leave your name and contact empty. Nobody will be able to call you back."),
    )
    reporter_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    reporter_contact = forms.CharField(
        label=_("How we can reach you"),
        max_length=200,
        required=False,
        help_text=_("A phone number or an e-mail address, if you want to be called back."),
    )
    reporter_relationship = forms.CharField(
        label=_("Who you are to the person"),
        max_length=200,
        required=False,
        help_text=_("For example: mother, uncle, friend."),
    )
    subject_given_name = forms.CharField(label=_("Their first name"), max_length=100, required=False)
    subject_family_name = forms.CharField(label=_("Their family name"), max_length=100, required=False)
    subject_age = forms.IntegerField(label=_("Their age, roughly"), min_value=0, max_value=120, required=False)
    subject_area = forms.CharField(label=_("Where they live (town or area)"), max_length=200, required=False)
    child_involved = forms.BooleanField(label=_("A child is involved"), required=False)
    person_told = forms.ChoiceField(
        label=_("Does the person know you are writing to us?"),
        choices=Referral.Told.choices,
        widget=forms.RadioSelect,
        initial=Referral.Told.UNKNOWN,
    )
    concern = forms.CharField(
        label=_("What worries you?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What you saw or heard, and since when. Write as much or as little as you like."),
    )
    # The honeypot (`front_door.HONEYPOT`) and the page's stamp, rendered by hand in the template.
    homepage = forms.CharField(required=False, max_length=200)
    started = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every panel's front door is open to the public; the names of towns are no case data.
        model_choice_field(self, "panel").queryset = Panel.objects.order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reporter_anonymous") and (data.get("reporter_name") or data.get("reporter_contact")):
            self.add_error("reporter_name", _("You chose to stay anonymous: leave your name and contact empty."))
        return data

    def referral_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = [
            "channel",
            "reporter_anonymous",
            "reporter_name",
            "reporter_contact",
            "reporter_relationship",
            "subject_given_name",
            "subject_family_name",
            "subject_age",
            "subject_area",
            "child_involved",
            "person_told",
            "concern",
        ]
        return {name: data[name] for name in names}


class FollowUpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your follow-up code"),
        max_length=40,
        help_text=_("The code you were given when you sent your concern, for example ABCD-EFGH-JKMN-PQRS."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class DeconflictionForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Is the person already under investigation?"),
        choices=DeconflictionCheck.Answer.choices,
        widget=forms.RadioSelect,
    )
