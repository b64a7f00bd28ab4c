"""The reminder forms: a user's delivery preference, a panel's deadlines."""

from django import forms

from agencies.models import User

from .models import PanelReminderSettings

__all__ = ["PanelReminderSettingsForm", "ReminderPreferencesForm"]


class ReminderPreferencesForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ["reminder_delivery"]
        widgets = {"reminder_delivery": forms.RadioSelect}


class PanelReminderSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PanelReminderSettings
        fields = [
            "triage_hours",
            "first_contact_days",
            "needs_assessment_working_days",
            "review_months",
            "agenda_notice_days",
            "due_soon_days",
            "escalate_after_days",
        ]
