"""The reminder forms: a user's delivery preference, a panel's deadlines."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from agencies.models import PanelReminderSettings, User

__all__ = ["PanelReminderSettingsForm", "ReminderPreferencesForm"]


class ReminderPreferencesForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["reminder_delivery"]
        widgets = {"reminder_delivery": forms.RadioSelect}


class PanelReminderSettingsForm(forms.ModelForm[PanelReminderSettings]):
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
            "silence_days",
            "no_contact_days_critical",
            "no_contact_days_high",
            "no_contact_days_moderate",
            "no_contact_days_low",
        ]

    def clean_escalate_after_days(self) -> int:
        # The sweep looks back REMINDERS_CATCH_UP_DAYS: an escalation later than that is never sent.
        days: int = self.cleaned_data["escalate_after_days"]
        if days >= settings.REMINDERS_CATCH_UP_DAYS:
            raise forms.ValidationError(
                _("Escalate within %(days)d days of the deadline.") % {"days": settings.REMINDERS_CATCH_UP_DAYS - 1}
            )
        return days
