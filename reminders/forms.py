"""The reminder forms: a user's delivery preference, a panel's deadlines."""

from django import forms

from agencies.models import PanelReminderSettings, User

from .services import PANEL_SETTINGS_FIELDS

__all__ = ["PanelReminderSettingsForm", "ReminderPreferencesForm"]


class ReminderPreferencesForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["reminder_delivery"]
        widgets = {"reminder_delivery": forms.RadioSelect}


class PanelReminderSettingsForm(forms.ModelForm[PanelReminderSettings]):
    """A panel's deadlines; the service checks them whole (the escalation the sweep can reach too)."""

    class Meta:
        model = PanelReminderSettings
        fields = PANEL_SETTINGS_FIELDS
