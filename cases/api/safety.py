"""The API of safety in the field (decisions 133-134): staff-safety warnings on families and
planned visits with their check-in."""

from typing import Any, ClassVar

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions as api_exceptions
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import Action, RestrictedViewSet
from agencies.access.api import RestrictedPrimaryKeyRelatedField
from agencies.api.serializers import UserRefSerializer
from families.models import SafetyWarning

from .. import services
from ..models import Case, PlannedVisit

__all__ = ["PlannedVisitViewSet", "SafetyWarningViewSet"]

CASE_FILE: dict[Action, str] = {
    Action.VIEW: "cases.view_case",
    Action.VIEW_SUMMARY: "cases.view_case_summary",
    Action.CHANGE: "cases.view_case",
}


class SafetyWarningSerializer(serializers.ModelSerializer[SafetyWarning]):
    """A danger to visitors of a family. Every reader of one of the family's cases sees its kind;
    `address` and `detail` are empty for a reader of the summary only. Record one with the `case`
    it is recorded on (anyone in the case team)."""

    case = RestrictedPrimaryKeyRelatedField(queryset=Case.objects.all(), action=Action.VIEW, write_only=True)
    recorded_by = UserRefSerializer(read_only=True)
    review_on = serializers.DateField()

    class Meta:
        model = SafetyWarning
        fields = [
            "id",
            "case",
            "family",
            "kind",
            "address",
            "detail",
            "review_on",
            "recorded_by",
            "created_at",
            "ended_at",
        ]
        read_only_fields = ["family", "recorded_by", "created_at", "ended_at"]

    def to_representation(self, instance: SafetyWarning) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not getattr(instance, "read_in_full", True):
            for name in SafetyWarning.FULL_ONLY:
                data[name] = ""
        return data


class SafetyReviewSerializer(serializers.Serializer[Any]):
    review_on = serializers.DateField(help_text="The next date to review the warning by.")


class SafetyWarningViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Dangers to those who visit a family: visit in pairs only, police protection, a dog,
    weapons, a hostile relative. `?case=` lists those of the case's family, `?current=true` those
    not ended. `review` sets the next review date and `end` ends one (the case owner or a
    supervisor)."""

    queryset = SafetyWarning.objects.select_related("recorded_by")
    serializer_class = SafetyWarningSerializer
    # Reading needs only the summary: the kind is for every reader (the detail is blanked).
    action_access: ClassVar[dict[str, Action]] = {
        "list": Action.VIEW_SUMMARY,
        "retrieve": Action.VIEW_SUMMARY,
        "review": Action.CHANGE,
        "end": Action.CHANGE,
    }
    permission_required: ClassVar[dict[Action, str]] = CASE_FILE

    def get_queryset(self) -> QuerySet[SafetyWarning]:
        user = self.request.user
        full = Case.objects.restrict(user, Action.VIEW).filter(family_id=OuterRef("family_id"))
        rows: QuerySet[SafetyWarning] = super().get_queryset().annotate(read_in_full=Exists(full))
        case = self.request.query_params.get("case")
        if case is not None:
            if not case.isdigit():
                raise api_exceptions.ValidationError({"case": _("Give a case number.")})
            family = Case.objects.restrict(user, Action.VIEW_SUMMARY).filter(pk=int(case)).values("family_id")
            rows = rows.filter(family_id__in=family)
        current = self.request.query_params.get("current")
        if current in ("true", "1"):
            rows = rows.filter(ended_at__isnull=True)
        return rows

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        warning = services.add_safety_warning(
            data["case"],
            kind=data["kind"],
            address=data.get("address", ""),
            detail=data.get("detail", ""),
            review_on=data["review_on"],
            actor=self.actor,
        )
        return Response(self.get_serializer(warning).data, status=201)

    @extend_schema(request=SafetyReviewSerializer, responses=SafetyWarningSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        body = SafetyReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        warning = services.review_safety_warning(
            self.get_object(), review_on=body.validated_data["review_on"], actor=self.actor
        )
        return Response(self.get_serializer(warning).data)

    @extend_schema(request=None, responses=SafetyWarningSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        warning = services.end_safety_warning(self.get_object(), actor=self.actor)
        return Response(self.get_serializer(warning).data)


class PlannedVisitSerializer(serializers.ModelSerializer[PlannedVisit]):
    """A visit with the time the visitor expects to be back: no check-in by then alerts the
    visitor, then their supervisor. The visitor is whoever plans it."""

    case = RestrictedPrimaryKeyRelatedField(queryset=Case.objects.all(), action=Action.VIEW)
    visitor = UserRefSerializer(read_only=True)

    class Meta:
        model = PlannedVisit
        fields = [
            "id",
            "case",
            "visitor",
            "leaves_at",
            "expected_back_at",
            "with_colleague",
            "checked_in_at",
            "created_at",
        ]
        read_only_fields = ["visitor", "checked_in_at", "created_at"]
        extra_kwargs = {"leaves_at": {"required": False}}


class PlannedVisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Visits planned on the cases whose files you read; `?mine=true` your own, `?out=true` those
    not checked in. `check-in` says the visitor is back safe (the visitor only)."""

    queryset = PlannedVisit.objects.select_related("visitor")
    serializer_class = PlannedVisitSerializer
    action_access: ClassVar[dict[str, Action]] = {"check_in": Action.VIEW}
    permission_required: ClassVar[dict[Action, str]] = CASE_FILE

    def get_queryset(self) -> QuerySet[PlannedVisit]:
        rows = super().get_queryset()
        if self.request.query_params.get("mine") in ("true", "1"):
            rows = rows.filter(visitor_id=self.request.user.pk)
        if self.request.query_params.get("out") in ("true", "1"):
            rows = rows.filter(checked_in_at__isnull=True)
        return rows

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        visit = services.plan_visit(
            data["case"],
            expected_back_at=data["expected_back_at"],
            leaves_at=data.get("leaves_at"),
            with_colleague=data.get("with_colleague", ""),
            actor=self.actor,
        )
        return Response(self.get_serializer(visit).data, status=201)

    @extend_schema(request=None, responses=PlannedVisitSerializer)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request: Request, pk: str | None = None) -> Response:
        visit = self.get_object()
        if visit.visitor_id != self.actor.pk:
            raise api_exceptions.PermissionDenied(_("Only the visitor checks in from their own visit."))
        return Response(self.get_serializer(services.check_in(visit, actor=self.actor)).data)
