"""Forms of the /audit/ pages: the DPO's search of the trail and the break-the-glass request."""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from agencies.widgets import DateInput
from audit.models import AuditEvent
from cases.models import Case

__all__ = ["AuditSearchForm", "BreakGlassForm"]


class BreakGlassForm(forms.Form):
    reference = forms.CharField(label=_("Case reference"), max_length=20)
    reason = forms.CharField(
        label=_("Why must you open this case now?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=10,
        max_length=2000,
        help_text=_(
            "Recorded, shown to the case owner and the coordinator, and reviewed by the data protection officer."
        ),
    )


class AuditSearchForm(forms.Form):
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.all(), required=False)
    case = forms.CharField(label=_("Case reference"), required=False, max_length=20)
    action = forms.ChoiceField(label=_("Action"), choices=[("", "—"), *AuditEvent.Action.choices], required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def filter(self, events: Any) -> Any:
        """The events matching the search (all of them when the form is empty or invalid)."""
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["user"]:
            events = events.filter(actor_username__iexact=data["user"])
        if data["agency"]:
            events = events.filter(agency_id=data["agency"].pk)
        if data["case"]:
            # The DPO reads the trail, not the case: the reference only finds its id (decision 34).
            ids = Case._base_manager.filter(reference__iexact=data["case"].strip()).values("pk")
            events = events.filter(Q(case_id__in=ids))
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["since"]:
            events = events.filter(created_at__date__gte=data["since"])
        if data["until"]:
            events = events.filter(created_at__date__lte=data["until"])
        return events
