from rest_framework import serializers

from ..models import Reminder

__all__ = ["MarkedSerializer", "ReminderSerializer"]


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
