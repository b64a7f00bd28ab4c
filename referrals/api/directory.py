"""The services directory and referrals to services in the API (issue 14)."""

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import Action, RestrictedViewSet, as_flag, case_condition, referral_condition
from agencies.access.api import RestrictedPrimaryKeyRelatedField
from agencies.models import Agency, Panel

from .. import directory
from ..models import Referral, ServiceReferral, SupportService

__all__ = [
    "ReferToServiceSerializer",
    "ServiceReferralCreateSerializer",
    "ServiceReferralSerializer",
    "ServiceReferralStatusSerializer",
    "ServiceReferralViewSet",
    "SupportServiceSerializer",
    "SupportServiceViewSet",
    "read_back",
    "with_origin",
]

READS = "referrals.view_referral"


class SupportServiceSerializer(serializers.ModelSerializer[SupportService]):
    """A service of the directory, with its waiting time: the median days its referrals waited from
    sent to started (null until one started), and how many families wait now."""

    panel = serializers.PrimaryKeyRelatedField(queryset=Panel.objects.all())
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), allow_null=True, required=False)
    median_waited_days = serializers.FloatField(read_only=True, allow_null=True)
    waiting_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = SupportService
        fields = [
            "id",
            "panel",
            *directory.SERVICE_FIELDS,
            "median_waited_days",
            "waiting_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list[Any] = []  # the service checks the model, with its own messages


class ServiceReferralSerializer(serializers.ModelSerializer[ServiceReferral]):
    """A referral to a service. `case`, `referral` and `plan_action` are given only to those who
    read them; the service's agency reads this row and nothing of the file."""

    waiting_days = serializers.IntegerField(read_only=True, allow_null=True)
    case = serializers.SerializerMethodField()
    referral = serializers.SerializerMethodField()
    plan_action = serializers.SerializerMethodField()

    class Meta:
        model = ServiceReferral
        fields = [
            "id",
            "service",
            "case",
            "referral",
            "plan_action",
            "for_whom",
            "request",
            "status",
            "sent_on",
            "answered_on",
            "expected_start_on",
            "declined_reason",
            "started_on",
            "waited_days",
            "waiting_days",
            "done_on",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _reads_origin(self, sent: ServiceReferral) -> bool:
        """Whether the reader reads where the referral comes from (its case's file, its referral):
        the `origin_visible` column the viewset reads with the row."""
        return bool(getattr(sent, "origin_visible", False))

    def get_case(self, sent: ServiceReferral) -> int | None:
        return sent.case_id if self._reads_origin(sent) else None

    def get_referral(self, sent: ServiceReferral) -> int | None:
        return sent.referral_id if self._reads_origin(sent) else None

    def get_plan_action(self, sent: ServiceReferral) -> int | None:
        return sent.plan_action_id if self._reads_origin(sent) else None


def with_origin(queryset: Any, user: Any) -> Any:
    """Each row with whether `user` reads its case's file or its referral (one column)."""
    file = case_condition(user, Action.VIEW, prefix="case__")
    triage = referral_condition(user, Action.VIEW, prefix="referral__")
    present = [condition for condition in (file, triage) if condition is not None]
    origin = None
    for condition in present:
        origin = condition if origin is None else origin | condition
    return queryset.annotate(origin_visible=as_flag(origin))


def read_back(sent: ServiceReferral, user: Any) -> ServiceReferral:
    """The referral as `user` now reads it, for the answer to a write."""
    rows = ServiceReferral.objects.restrict(user, Action.VIEW).select_related("service")
    found: ServiceReferral = with_origin(rows, user).get(pk=sent.pk)
    return found


class ServiceReferralCreateSerializer(serializers.Serializer[None]):
    """Refer a referral the triage signposted to a listed service (a plan's action is referred at
    `/api/v1/interventions/plan-actions/{id}/refer/`)."""

    referral = RestrictedPrimaryKeyRelatedField(queryset=Referral.objects.all(), action=Action.MANAGE)
    service = RestrictedPrimaryKeyRelatedField(queryset=SupportService.objects.all(), action=Action.VIEW)
    for_whom = serializers.CharField(max_length=200)
    request = serializers.CharField(max_length=4000)


class ReferToServiceSerializer(serializers.Serializer[None]):
    """Refer the family to a listed service for a plan's action."""

    service = RestrictedPrimaryKeyRelatedField(queryset=SupportService.objects.all(), action=Action.VIEW)
    for_whom = serializers.CharField(max_length=200)
    request = serializers.CharField(max_length=4000)


class ServiceReferralStatusSerializer(serializers.Serializer[None]):
    """The service's answer or its part, or the referrer's withdrawal."""

    status = serializers.ChoiceField(choices=ServiceReferral.Status.choices)
    on = serializers.DateField(required=False, allow_null=True, default=None)
    expected_start_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=300)


class SupportServiceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    RestrictedViewSet,
):
    """The services directory: read by every member of a partner agency; listed and changed by the
    coordinator of the panel that lists a service."""

    queryset = SupportService.objects.with_waiting().select_related("agency", "panel")
    serializer_class = SupportServiceSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    permission_required: ClassVar[dict[Action, str]] = {
        Action.VIEW: READS,
        Action.CHANGE: "agencies.change_panel",
    }

    def _answer(self, service: SupportService, status: int = 200) -> Response:
        fresh = SupportService.objects.with_waiting().restrict(self.actor, Action.VIEW).get(pk=service.pk)
        return Response(self.get_serializer(fresh).data, status=status)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service = directory.save_service(SupportService(**serializer.validated_data), actor=self.actor)
        return self._answer(service, status=201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        service = self.get_object()
        serializer = self.get_serializer(service, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = {k: v for k, v in serializer.validated_data.items() if k != "panel"}
        for name, value in values.items():
            setattr(service, name, value)
        directory.save_service(service, actor=self.actor)
        return self._answer(service)


class ServiceReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Referrals to services: to a service of your agency (what it is asked, never the file), or
    from the cases and referrals you read. The service answers and records its part at `status`."""

    queryset = ServiceReferral.objects.select_related("service")
    serializer_class = ServiceReferralSerializer
    action_access: ClassVar[dict[str, Action]] = {"create": Action.VIEW, "status": Action.CHANGE}
    permission_required: ClassVar[dict[Action, str]] = {Action.VIEW: READS, Action.CHANGE: READS}

    def get_queryset(self) -> Any:
        return with_origin(super().get_queryset(), self.request.user)

    def _answer(self, sent: ServiceReferral, status: int = 200) -> Response:
        return Response(self.get_serializer(read_back(sent, self.actor)).data, status=status)

    @extend_schema(request=ServiceReferralCreateSerializer, responses={201: ServiceReferralSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ServiceReferralCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        sent = directory.refer_from_triage(
            values["referral"],
            service=values["service"],
            for_whom=values["for_whom"],
            request=values["request"],
            actor=self.actor,
        )
        return self._answer(sent, status=201)

    @extend_schema(request=ServiceReferralStatusSerializer, responses=ServiceReferralSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request: Request, pk: str | None = None) -> Response:
        sent = self.get_object()
        data = ServiceReferralStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        directory.update_service_referral(
            sent,
            status=values["status"],
            on=values["on"],
            expected_start_on=values["expected_start_on"],
            reason=values["reason"],
            note=values["note"],
            actor=self.actor,
        )
        return self._answer(sent)
