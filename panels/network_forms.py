"""Forms of the partnership's structure (decisions 121-124). They check input; services decide."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.access import Action
from agencies.forms import choice_field, model_choice_field
from agencies.models import Agency, Expert, NetworkOrganisation, Panel, User
from agencies.widgets import DateTimeInput
from cases.models import SharingAgreement

from .models import MeetingTopic

__all__ = [
    "AgencyProfileForm",
    "DutyShiftForm",
    "EmergencyPlanForm",
    "ExpertForm",
    "NetworkOrganisationForm",
    "TopicForm",
    "TopicOutcomeForm",
    "UrgentMeetingForm",
]


class AgencyProfileForm(forms.ModelForm[Agency]):
    class Meta:
        model = Agency
        fields = ["mandate", "contribution", "secrecy_limits", "contact_person", "contact_details"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in ("mandate", "contribution", "secrecy_limits")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = User.objects.filter(memberships__agency=self.instance, is_active=True).distinct()
        model_choice_field(self, "contact_person").queryset = people


class NetworkOrganisationForm(forms.ModelForm[NetworkOrganisation]):
    class Meta:
        model = NetworkOrganisation
        fields = ["name", "sector", "status", "agency", "contact", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self) -> None:
        # The panel is set by the service, which checks the model.
        pass


class ExpertForm(forms.ModelForm[Expert]):
    class Meta:
        model = Expert
        fields = [
            "name",
            "field",
            "languages",
            "email",
            "phone",
            "agencies",
            "agreement",
            "agreement_reference",
            "notes",
            "is_active",
        ]
        widgets = {"agencies": forms.CheckboxSelectMultiple, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The agreements of the register the coordinator reads.
        agreements = SharingAgreement.objects.restrict(user, Action.VIEW) if user is not None else None
        model_choice_field(self, "agreement").queryset = (
            agreements if agreements is not None else SharingAgreement.objects.none()
        )


class EmergencyPlanForm(forms.ModelForm[Panel]):
    class Meta:
        model = Panel
        fields = ["terms_of_reference", "emergency_steps"]
        widgets = {
            "terms_of_reference": forms.Textarea(attrs={"rows": 5}),
            "emergency_steps": forms.Textarea(attrs={"rows": 6}),
        }


class DutyShiftForm(forms.Form):
    person = forms.ChoiceField(label=_("On call"))
    starts_at = forms.DateTimeField(label=_("From"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Until"), widget=DateTimeInput())
    phone = forms.CharField(label=_("Telephone on call"), max_length=50, required=False)

    def __init__(self, *args: Any, panel: Panel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from agencies.models import Membership

        rows = Membership.objects.filter(agency__in=panel.agencies.all(), user__is_active=True)
        rows = rows.select_related("user", "agency").order_by("agency__name", "user__last_name", "pk")
        self.people = {f"{m.user_id}:{m.agency_id}": (m.user, m.agency) for m in rows}
        choice_field(self, "person").choices = [
            ("", "---------"),
            *((key, f"{user} — {agency}") for key, (user, agency) in self.people.items()),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("A shift ends after it starts."))
        return data


class UrgentMeetingForm(forms.Form):
    scheduled_for = forms.DateTimeField(label=_("Date and time"), widget=DateTimeInput())
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    reason = forms.CharField(label=_("Why it is urgent"), widget=forms.Textarea(attrs={"rows": 3}))


class TopicForm(forms.ModelForm[MeetingTopic]):
    class Meta:
        model = MeetingTopic
        fields = ["kind", "title"]

    def _post_clean(self) -> None:
        pass


class TopicOutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("What was concluded"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    discussion = forms.CharField(label=_("Discussion"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args: Any, topic: MeetingTopic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not topic.meeting.keeps_minutes:
            del self.fields["discussion"]
        if not topic.meeting.keeps_decisions:
            del self.fields["outcome"]
