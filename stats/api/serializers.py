from typing import Any

from rest_framework import serializers

__all__ = ["BoardSerializer", "EvaluationSerializer"]


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
        child=serializers.CharField(), help_text='One cell per column: a number, or "<5" for 1 to 4 cases.'
    )


class EvaluationSerializer(serializers.Serializer[Any]):
    period = serializers.ChoiceField(choices=["year", "quarter"])
    columns = serializers.ListField(child=serializers.CharField())
    cohorts = CohortSerializer(many=True)
