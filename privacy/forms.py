"""Forms of the data protection officer's pages."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.widgets import DateInput
from audit.models import RetentionReview

__all__ = ["RetentionDecisionForm", "SubjectAccessRequestForm"]


class SubjectAccessRequestForm(forms.Form):
    requested_by = forms.CharField(
        label=_("Who asked"),
        max_length=200,
        help_text=_("The person, a parent for a child, or a representative (say whom they represent)."),
    )
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_received_on(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("A request cannot be received in the future."))
        return value


class RetentionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=RetentionReview.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_review_on = forms.DateField(
        label=_("Next review"), required=False, widget=DateInput, help_text=_("When the record is kept.")
    )
    confirm = forms.BooleanField(label=_("I understand that anonymising or deleting cannot be undone."), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision == RetentionReview.Decision.KEEP:
            if not data.get("reason", "").strip():
                self.add_error("reason", _("Say why the record is kept."))
            if not data.get("next_review_on"):
                self.add_error("next_review_on", _("Set the next review."))
        elif decision and not data.get("confirm"):
            self.add_error("confirm", _("Confirm that this cannot be undone."))
        return data
