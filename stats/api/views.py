from typing import Any, ClassVar

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import Action, RestrictedViewSet
from agencies.models import Panel
from agencies.people import remember_people
from cases.models import Case
from panels import services as panel_services
from panels.models import LessonsLearned

from ..evaluation import PERIODS, evaluation
from ..figures import boards_for
from ..filtersets import LessonsLearnedFilterSet
from .serializers import BoardSerializer, EvaluationSerializer, LessonsLearnedSerializer, LessonsTextSerializer

__all__ = ["LessonsLearnedViewSet", "StatsViewSet"]


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
        """The anonymised evaluation: cohorts of cases, small cells shown as "<5", and as "[c]" the
        cells hidden so that no count under 5 can be worked out from the others. For panel seats."""
        if not request.user.has_perm("agencies.view_panel"):
            raise exceptions.PermissionDenied
        period = request.query_params.get("period", "year")
        if period not in PERIODS:
            raise exceptions.ValidationError({"period": [_("Choose year or quarter.")]})
        table = evaluation(self.actor, period)
        cohorts: list[dict[str, Any]] = [{"cohort": label, "cells": cells} for label, *cells in table.table()]
        return Response(EvaluationSerializer({"period": period, "columns": table.columns, "cohorts": cohorts}).data)


class LessonsLearnedViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    RestrictedViewSet,
):
    """The lessons each panel's partners learned in a year, as the yearly report prints them
    (decisions 108, 137): read by the panel's seats, written by its coordinator, one text per
    panel and year (a new year is created, a written one is changed)."""

    queryset = LessonsLearned.objects.select_related("panel", "written_by")
    serializer_class = LessonsLearnedSerializer
    filterset_class = LessonsLearnedFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    # As the pages: the report is for panel seats, the lessons' form for coordinators.
    permission_required: ClassVar[dict[Action, str]] = {
        Action.VIEW: "agencies.view_panel",
        Action.CHANGE: "agencies.change_panel",
    }

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        if page is not None:
            remember_people(lessons.written_by for lessons in page)  # one query for the page's names
        return page

    def perform_create(self, serializer: serializers.BaseSerializer[LessonsLearned]) -> None:
        data = serializer.validated_data
        # The panel is one the caller sits on (else refused as missing); one they sit on but do not
        # coordinate is refused as the lessons' page refuses it.
        if not Panel.objects.restrict(self.actor, Action.CHANGE).filter(pk=data["panel"].pk).exists():
            raise exceptions.PermissionDenied
        serializer.instance = panel_services.write_lessons(
            data["panel"], year=data["year"], text=data["text"], actor=self.actor, new=True
        )

    @extend_schema(request=LessonsTextSerializer, responses=LessonsLearnedSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Write the year's lessons over (their panel and year stay)."""
        lessons = self.get_object()
        body = LessonsTextSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lessons = panel_services.write_lessons(
            lessons.panel, year=lessons.year, text=body.validated_data["text"], actor=self.actor
        )
        return Response(self.get_serializer(lessons).data)
