"""The partnership's structure in the API (decisions 121-124): the network map's organisations, the
duty rota, urgent meetings, non-case topics of a meeting, the register of experts and each
agency's profile. Writes go through `panels.network`."""

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import Action, RestrictedViewSet
from agencies.access.api import RestrictedPrimaryKeyRelatedField
from agencies.models import Agency, DutyShift, Expert, Membership, NetworkOrganisation, Panel, User

from .. import network
from ..models import MeetingTopic, PanelMeeting

__all__ = [
    "AgencyProfileViewSet",
    "DutyShiftViewSet",
    "ExpertViewSet",
    "MeetingTopicViewSet",
    "NetworkOrganisationViewSet",
    "UrgentMeetingViewSet",
]


def _refused(error: DjangoValidationError) -> ValidationError:
    return ValidationError({"detail": error.messages})


class NetworkOrganisationSerializer(serializers.ModelSerializer[NetworkOrganisation]):
    panel = RestrictedPrimaryKeyRelatedField(queryset=Panel.objects.all(), action=Action.MANAGE)

    class Meta:
        model = NetworkOrganisation
        fields = ["id", "panel", "name", "sector", "status", "agency", "contact", "notes", "updated_at"]
        read_only_fields = ["id", "updated_at"]
        validators: list[Any] = []


class NetworkOrganisationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RestrictedViewSet
):
    """Organisations on the network maps of the panels you coordinate: taking part from outside
    Ura, invited, or known to be missing."""

    queryset = NetworkOrganisation.objects.select_related("agency")
    serializer_class = NetworkOrganisationSerializer
    filterset_fields = ["panel", "sector", "status"]
    action_access: ClassVar[dict[str, Action]] = {
        "list": Action.MANAGE,
        "retrieve": Action.MANAGE,
        "create": Action.MANAGE,
    }
    permission_required: ClassVar[dict[Action, str]] = {Action.MANAGE: "agencies.view_networkorganisation"}

    def perform_create(self, serializer: serializers.BaseSerializer[NetworkOrganisation]) -> None:
        data = dict(serializer.validated_data)
        panel = data.pop("panel")
        try:
            serializer.instance = network.save_organisation(panel, actor=self.actor, **data)
        except DjangoValidationError as error:
            raise _refused(error) from None


class DutyShiftSerializer(serializers.ModelSerializer[DutyShift]):
    panel = RestrictedPrimaryKeyRelatedField(queryset=Panel.objects.all(), action=Action.MANAGE)
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    user_name = serializers.CharField(source="user", read_only=True)

    class Meta:
        model = DutyShift
        fields = ["id", "panel", "user", "user_name", "agency", "starts_at", "ends_at", "phone"]
        read_only_fields = ["id", "user_name"]
        validators: list[Any] = []


class DutyShiftViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RestrictedViewSet):
    """The out-of-hours duty rota of your panels: who is on call, for which agency, from when to
    when. The coordinator puts people on call."""

    queryset = DutyShift.objects.select_related("user")
    serializer_class = DutyShiftSerializer
    filterset_fields = ["panel"]
    action_access: ClassVar[dict[str, Action]] = {"create": Action.MANAGE}
    permission_required: ClassVar[dict[Action, str]] = {
        Action.VIEW: "agencies.view_dutyshift",
        Action.MANAGE: "agencies.add_dutyshift",
    }

    def perform_create(self, serializer: serializers.BaseSerializer[DutyShift]) -> None:
        data = dict(serializer.validated_data)
        panel = data.pop("panel")
        try:
            serializer.instance = network.save_duty_shift(panel, actor=self.actor, **data)
        except DjangoValidationError as error:
            raise _refused(error) from None


class UrgentMeetingSerializer(serializers.Serializer[PanelMeeting]):
    panel = RestrictedPrimaryKeyRelatedField(queryset=Panel.objects.all(), action=Action.MANAGE, write_only=True)
    id = serializers.IntegerField(read_only=True)
    scheduled_for = serializers.DateTimeField()
    location = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(source="urgent_reason")


class UrgentMeetingViewSet(mixins.CreateModelMixin, RestrictedViewSet):
    """Call an urgent meeting of a panel you coordinate, with its reason: every member is told at
    once (an e-mail and a notice)."""

    queryset = PanelMeeting.objects.all()
    serializer_class = UrgentMeetingSerializer
    action_access: ClassVar[dict[str, Action]] = {"create": Action.MANAGE}
    permission_required: ClassVar[dict[Action, str]] = {Action.MANAGE: "panels.add_panelmeeting"}

    def perform_create(self, serializer: serializers.BaseSerializer[PanelMeeting]) -> None:
        data = serializer.validated_data
        try:
            serializer.instance = network.call_urgent_meeting(
                data["panel"], actor=self.actor, scheduled_for=data["scheduled_for"],
                reason=data["urgent_reason"], location=data.get("location", ""),
            )  # fmt: skip
        except DjangoValidationError as error:
            raise _refused(error) from None


class MeetingTopicSerializer(serializers.ModelSerializer[MeetingTopic]):
    meeting = RestrictedPrimaryKeyRelatedField(queryset=PanelMeeting.objects.all(), action=Action.MANAGE)

    class Meta:
        model = MeetingTopic
        fields = ["id", "meeting", "kind", "title", "outcome", "discussion", "created_at"]
        read_only_fields = ["id", "created_at"]


class MeetingTopicViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RestrictedViewSet):
    """Topics besides the cases on meetings you may see (a training, an evaluation, a new partner,
    lessons learned), kept under each meeting's record mode."""

    queryset = MeetingTopic.objects.all()
    serializer_class = MeetingTopicSerializer
    filterset_fields = ["meeting", "kind"]
    action_access: ClassVar[dict[str, Action]] = {"create": Action.MANAGE}
    permission_required: ClassVar[dict[Action, str]] = {
        Action.VIEW: "panels.view_panelmeeting",
        Action.MANAGE: "panels.add_panelmeeting",
    }

    def perform_create(self, serializer: serializers.BaseSerializer[MeetingTopic]) -> None:
        data = dict(serializer.validated_data)
        meeting = data.pop("meeting")
        try:
            serializer.instance = network.add_topic(meeting, actor=self.actor, **data)
        except DjangoValidationError as error:
            raise _refused(error) from None


class ExpertSerializer(serializers.ModelSerializer[Expert]):
    agencies = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), many=True, required=False)

    class Meta:
        model = Expert
        fields = [
            "id", "name", "field", "languages", "email", "phone", "agencies", "agreement", "agreement_reference",
            "notes", "is_active",
        ]  # fmt: skip
        read_only_fields = ["id"]


class ExpertViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Expert],
):
    """The register of experts who are not users (no case data): read by every member, kept by
    coordinators and agency administrators."""

    queryset = Expert.objects.prefetch_related("agencies")
    serializer_class = ExpertSerializer
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        user: Any = request.user
        if not user.has_perm("agencies.view_expert"):
            raise ApiPermissionDenied
        if request.method == "POST" and not network.may_keep_experts(user):
            raise ApiPermissionDenied

    def get_queryset(self) -> Any:
        # Changed only by who keeps the register: the others do not find the expert (404).
        queryset = super().get_queryset()
        if self.request.method not in ("GET", "HEAD", "OPTIONS") and not network.may_keep_experts(self.request.user):
            return queryset.none()
        return queryset

    def _save(self, serializer: serializers.BaseSerializer[Expert], expert: Expert | None) -> None:
        data = dict(serializer.validated_data)
        agencies = data.pop("agencies", None)
        if agencies is None:
            agencies = list(expert.agencies.all()) if expert is not None else []
        user: Any = self.request.user
        try:
            serializer.instance = network.save_expert(actor=user, expert=expert, agencies=agencies, **data)
        except DjangoValidationError as error:
            raise _refused(error) from None

    def perform_create(self, serializer: serializers.BaseSerializer[Expert]) -> None:
        self._save(serializer, None)

    def perform_update(self, serializer: serializers.BaseSerializer[Expert]) -> None:
        self._save(serializer, serializer.instance)


class AgencyProfileSerializer(serializers.ModelSerializer[Agency]):
    contact_person = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )
    contact_person_name = serializers.CharField(source="contact_person", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Agency
        fields = [
            "id", "name", "sector", "partner_kind", "mandate", "contribution", "secrecy_limits", "contact_person",
            "contact_person_name", "contact_details",
        ]  # fmt: skip
        read_only_fields = ["id", "name", "sector", "partner_kind", "contact_person_name"]


class AgencyProfileViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet[Agency]
):
    """Each agency's mandate, what it brings, the limits of its professional secrecy and its single
    point of contact: read by every member; changed by its administrators and its panels'
    coordinators."""

    queryset = Agency.objects.select_related("contact_person")
    serializer_class = AgencyProfileSerializer
    lookup_value_converter = "int"
    http_method_names = ["get", "patch", "head", "options"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        user: Any = request.user
        if not Membership.objects.filter(user=user).exists():
            raise ApiPermissionDenied

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Read by every member, changed by few: who may read but not change it is refused (403)
        # before their input is looked at.
        user: Any = request.user
        if not network.may_edit_agency(user, self.get_object()):
            raise ApiPermissionDenied(_("Only the agency's administrator or a coordinator of its panels changes this."))
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer: serializers.BaseSerializer[Agency]) -> None:
        agency = serializer.instance
        if agency is None:
            raise NotFound
        data = serializer.validated_data
        fields = ("mandate", "contribution", "secrecy_limits", "contact_person", "contact_details")
        values = {name: data.get(name, getattr(agency, name)) for name in fields}
        user: Any = self.request.user
        try:
            serializer.instance = network.update_agency_profile(agency, actor=user, **values)
        except DjangoValidationError as error:
            if not network.may_edit_agency(user, agency):
                raise ApiPermissionDenied(error.messages[0]) from None
            raise _refused(error) from None
