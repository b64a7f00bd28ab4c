"""Referral endpoints: intake, matching, triage, repeat concerns, feedback."""

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions as api_exceptions
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import Action, RestrictedViewSet, as_flag, case_condition, referral_condition, sees_reporter
from audit.reads import note_matches
from cases.services import casework_agencies

from .. import services
from ..filtersets import ReferralFilterSet
from ..models import Referral
from .serializers import (
    AddToSerializer,
    FeedbackSerializer,
    MatchesSerializer,
    MatchQuerySerializer,
    ReferralCreateSerializer,
    ReferralSerializer,
    TriageSerializer,
)

__all__ = ["ReferralViewSet"]


class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RestrictedViewSet):
    """Referrals you may know of: received by or routed to your agency, or put to your panel."""

    queryset = Referral.objects.select_related("received_by", "routed_to", "panel").prefetch_related(
        "indicators", "decisions__decided_by"
    )
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilterSet
    action_access: ClassVar[dict[str, Action]] = {
        "create": Action.CHANGE,
        "matches": Action.VIEW,
        "triage": Action.MANAGE,
        "add_to": Action.MANAGE,
        "feedback": Action.MANAGE,
    }
    permission_required: ClassVar[dict[Action, str]] = {
        Action.VIEW: "referrals.view_referral",
        Action.CHANGE: "referrals.add_referral",
        Action.MANAGE: "referrals.change_referral",
    }

    def get_queryset(self) -> Any:
        user = self.request.user
        # What a referral points to is given only when the user may see that too.
        return self.queryset.annotate(
            case_visible=as_flag(case_condition(user, Action.VIEW_SUMMARY, prefix="case__")),
            primary_visible=as_flag(referral_condition(user, Action.VIEW, prefix="primary__")),
        )

    def _answer(self, referral: Referral, code: int = status.HTTP_200_OK) -> Response:
        fresh = Referral.objects.restrict(self.request.user, Action.VIEW).filter(pk=referral.pk)
        self.queryset = fresh.select_related("received_by", "routed_to", "panel")
        return Response(
            ReferralSerializer(self.get_queryset().get(), context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ReferralCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        agencies = casework_agencies(self.actor)
        received_by = fields.pop("received_by", None) or (agencies[0] if len(agencies) == 1 else None)
        if received_by not in agencies:
            raise ValidationError({"received_by": ["Choose the agency of yours that received the referral."]})
        referral = services.record_referral(
            actor=self.actor, received_by=received_by, indicators=fields.pop("indicators"), **fields
        )
        return self._answer(referral, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("subject_family_name", str, required=True),
            OpenApiParameter("subject_given_name", str),
            OpenApiParameter("subject_date_of_birth", str, description="YYYY-MM-DD"),
        ],
        responses=MatchesSerializer,
        filters=False,
    )
    @action(detail=False, methods=["get"])
    def matches(self, request: Request) -> Response:
        """Earlier referrals and cases that may be about the same person, among those you may see."""
        query = MatchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = services.find_matches(
            self.actor,
            given_name=query.validated_data["subject_given_name"],
            family_name=query.validated_data["subject_family_name"],
            date_of_birth=query.validated_data["subject_date_of_birth"],
        )
        note_matches(request, found)
        return Response(MatchesSerializer(found).data)

    @extend_schema(request=TriageSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def triage(self, request: Request, pk: str | None = None) -> Response:
        """Decide what happens to the referral. Signposting may refer the person to a service of the
        directory at once (`service`, `service_request`): both are saved, or neither (decision 142);
        the referral to the service is then listed at `service-referrals/`."""
        referral = self.get_object()
        data = TriageSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        new_case = None
        if values["owner"] is not None:
            new_case = services.NewCase(
                owner=values["owner"],
                owner_agency=values["owner_agency"],
                panel=values["panel"],
                family=values["family"],
            )
        to_service = None
        if values["service"] is not None:
            to_service = services.ToService(
                service=values["service"], request=values["service_request"], for_whom=values["service_for_whom"]
            )
        services.triage_referral(
            referral,
            decision=values["decision"],
            reason=values.get("reason", ""),
            notes=values["notes"],
            signposted_to=values["signposted_to"],
            panel=values["panel"],
            new_case=new_case,
            to_service=to_service,
            actor=self.actor,
        )
        return self._answer(referral)

    @extend_schema(request=AddToSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"], url_path="add-to")
    def add_to(self, request: Request, pk: str | None = None) -> Response:
        """Add this concern to an earlier referral or a case about the same people."""
        referral = self.get_object()
        data = AddToSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        services.add_to_earlier(
            referral,
            primary=data.validated_data["primary"],
            case=data.validated_data["case"],
            actor=self.actor,
        )
        return self._answer(referral)

    @extend_schema(request=FeedbackSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request: Request, pk: str | None = None) -> Response:
        referral = self.get_object()
        if not sees_reporter(request.user, referral):
            raise api_exceptions.PermissionDenied
        data = FeedbackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.record_feedback(referral, feedback=data.validated_data["feedback"], actor=self.actor)
        return self._answer(referral)
