from typing import Any

from rest_framework import serializers

from agencies.access import Action
from agencies.access.api import RestrictedPrimaryKeyRelatedField
from agencies.models import Panel
from panels.models import LessonsLearned

__all__ = ["BoardSerializer", "EvaluationSerializer", "LessonsLearnedSerializer", "LessonsTextSerializer"]


class RowSerializer(serializers.Serializer[Any]):
    category = serializers.CharField(
        source="label", help_text="What the line counts: a step, a kind, a worker, a quarter."
    )
    values = serializers.ListField(
        child=serializers.IntegerField(allow_null=True),
        help_text="One count per column; null where a figure is not shown (a median over too few cases).",
    )


class FigureSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    title = serializers.CharField()
    counts = serializers.CharField(help_text="What the figure counts: the level at which the rows are read.")
    columns = serializers.ListField(child=serializers.CharField())
    rows = RowSerializer(many=True)


class BoardSerializer(serializers.Serializer[Any]):
    key = serializers.ChoiceField(choices=["practitioner", "supervisor", "panel"])
    title = serializers.CharField()
    figures = FigureSerializer(many=True)


class CohortSerializer(serializers.Serializer[Any]):
    cohort = serializers.CharField(help_text="The year, or the quarter (2026 Q1), in which the cases were opened.")
    cells = serializers.ListField(
        child=serializers.CharField(),
        help_text=(
            'One cell per column: a number; "<5" for 1 to 4 cases (or an average over fewer than 5); or "[c]" '
            "for a count hidden so that no count under 5 can be worked out from the others (decision 138)."
        ),
    )


class EvaluationSerializer(serializers.Serializer[Any]):
    period = serializers.ChoiceField(choices=["year", "quarter"])
    columns = serializers.ListField(child=serializers.CharField())
    cohorts = CohortSerializer(many=True)


class LessonsLearnedSerializer(serializers.ModelSerializer[LessonsLearned]):
    """A panel's lessons learned in a year (decisions 108, 137)."""

    panel = RestrictedPrimaryKeyRelatedField(
        queryset=Panel.objects.all(),
        action=Action.VIEW,
        help_text="A panel you sit on; you write for those you coordinate.",
    )
    panel_name = serializers.CharField(source="panel.name", read_only=True)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    text = serializers.CharField(
        max_length=20000,
        help_text="What worked, what did not, and what the partners will change. About the work: name no family.",
    )
    written_by_name = serializers.CharField(
        source="written_by", read_only=True, help_text="Who last wrote it, as you may see their name."
    )

    class Meta:
        model = LessonsLearned
        fields = ["id", "panel", "panel_name", "year", "text", "written_by", "written_by_name", "updated_at"]
        read_only_fields = ["id", "written_by", "updated_at"]
        validators: list[Any] = []  # one text per panel and year: the service says so in words


class LessonsTextSerializer(serializers.Serializer[LessonsLearned]):
    """The new text of a panel's lessons of a year, written over the old one."""

    text = serializers.CharField(max_length=20000)
