from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.models import PanelReminderSettings

from ..models import Reminder
from ..services import PANEL_SETTINGS_FIELDS

__all__ = ["MarkedSerializer", "PanelReminderSettingsSerializer", "ReminderSerializer"]


class MarkedSerializer(serializers.Serializer[dict[str, int]]):
    """The answer of `read-all`: how many reminders it marked read."""

    marked = serializers.IntegerField(read_only=True)


class ReminderSerializer(serializers.ModelSerializer[Reminder]):
    """A reminder names what is due and links to it; never a family or a person."""

    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Reminder
        fields = ["id", "kind", "stage", "role", "case", "due_at", "created_at", "read_at", "url"]
        read_only_fields = fields


# DRF has no Albanian: the messages of these numbers are the project's, in the caller's language.
NUMBER_MESSAGES = {
    "invalid": _("Give a whole number."),
    "null": _("Give a whole number."),
    "min_value": _("Give a number of at least {min_value}."),
    "max_value": _("Give a number of at most {max_value}."),
    "max_string_length": format_lazy(_("Give a number of at most {max_value}."), max_value=32767),
}
# The deadlines that are at least one hour or day away (the model's constraint); the others may be 0.
AT_LEAST_ONE = {
    "triage_hours",
    "first_contact_days",
    "review_months",
    "silence_days",
    "no_contact_days_critical",
    "no_contact_days_high",
    "no_contact_days_moderate",
    "no_contact_days_low",
}


class PanelReminderSettingsSerializer(serializers.ModelSerializer[PanelReminderSettings]):
    """A panel's deadlines, set by its coordinator: the panel's page "Deadlines and reminders".
    A panel that set none answers the defaults; `PATCH` any of them (the others stay)."""

    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Null while the panel has set none: these are the defaults."
    )

    class Meta:
        model = PanelReminderSettings
        fields = ["panel", *PANEL_SETTINGS_FIELDS, "updated_at"]
        read_only_fields = ["panel", "updated_at"]
        extra_kwargs = {
            name: {
                "min_value": 1 if name in AT_LEAST_ONE else 0,
                "max_value": 32767,
                "error_messages": NUMBER_MESSAGES,
            }
            for name in PANEL_SETTINGS_FIELDS
        }
