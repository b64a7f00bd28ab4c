from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import Action, RestrictedViewSet
from cases.models import Case

from ..evaluation import PERIODS, evaluation
from ..figures import boards_for
from .serializers import BoardSerializer, EvaluationSerializer

__all__ = ["StatsViewSet"]


class StatsViewSet(RestrictedViewSet):
    """The dashboards' figures and the anonymised evaluation, as the pages show them: counted over
    what the caller may know of (decisions 105-107)."""

    queryset = Case.objects.all()
    action_access = {"dashboard": Action.VIEW_SUMMARY, "evaluation": Action.VIEW_SUMMARY}
    pagination_class = None

    @extend_schema(responses=BoardSerializer(many=True), filters=False)
    @action(detail=False, methods=["get"])
    def dashboard(self, request: Request) -> Response:
        """The caller's boards (their work, their agency's, their panels'), each a list of figures."""
        return Response(BoardSerializer(boards_for(self.actor), many=True).data)

    @extend_schema(
        responses=EvaluationSerializer,
        filters=False,
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, enum=list(PERIODS), description="year (default) or quarter")
        ],
    )
    @action(detail=False, methods=["get"])
    def evaluation(self, request: Request) -> Response:
        """The anonymised evaluation: cohorts of cases, small cells shown as "<5". For panel seats."""
        if not request.user.has_perm("agencies.view_panel"):
            raise exceptions.PermissionDenied
        period = request.query_params.get("period", "year")
        if period not in PERIODS:
            raise exceptions.ValidationError({"period": [_("Choose year or quarter.")]})
        table = evaluation(self.actor, period)
        cohorts: list[dict[str, Any]] = [{"cohort": label, "cells": cells} for label, *cells in table.table()]
        return Response(EvaluationSerializer({"period": period, "columns": table.columns, "cohorts": cohorts}).data)
