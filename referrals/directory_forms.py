"""The forms of the services directory and of referrals to services (issue 14)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.forms import choice_field, model_choice_field
from agencies.models import Agency

from .directory import SERVICE_FIELDS
from .models import ServiceReferral, SupportService

__all__ = ["ReferToServiceForm", "ServiceForm", "ServiceReferralUpdateForm"]

Status = ServiceReferral.Status


class ServiceForm(forms.ModelForm[SupportService]):
    """A service of the directory, listed by a panel the coordinator runs."""

    class Meta:
        model = SupportService
        fields = ["panel", *SERVICE_FIELDS]

    def __init__(self, *args: Any, panels: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "panel").queryset = panels
        model_choice_field(self, "agency").queryset = Agency.objects.order_by("name")
        if self.instance.pk is not None:
            del self.fields["panel"]
        elif len(panels) == 1:
            self.fields["panel"].initial = panels[0]


class ReferToServiceForm(forms.Form):
    """Refer the family to a listed service: whom it is for and what is asked, written for the
    service, which reads this and nothing of the file."""

    service = forms.ModelChoiceField(label=_("Service"), queryset=SupportService.objects.none())
    for_whom = forms.CharField(
        label=_("For whom"), max_length=200, help_text=_("The name the service needs to reach the person.")
    )
    request = forms.CharField(
        label=_("What the service is asked"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Written for the service: it reads this, never the case file."),
    )

    def __init__(self, *args: Any, services: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "service").queryset = services


class ServiceReferralUpdateForm(forms.Form):
    """The service's answer or its part, or the referrer's withdrawal."""

    status = forms.ChoiceField(label=_("What happened"), widget=forms.RadioSelect)
    on = forms.DateField(
        label=_("On"), required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text=_("Today if empty.")
    )
    expected_start_on = forms.DateField(
        label=_("Expected to start on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("When accepting: the first appointment the service can give."),
    )
    reason = forms.CharField(label=_("Why it was declined"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, referral: ServiceReferral, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(code, Status(code).label) for code in ServiceReferral.MOVES[referral.status]]
        choice_field(self, "status").choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == Status.DECLINED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the service declined."))
        return data
