"""The panels' API: panels, their meetings and agenda items, and who may own a case."""

from typing import Any, ClassVar

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions as api_exceptions
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import Action, RestrictedViewSet
from agencies.exports import FileAnswers, file_response
from agencies.models import Agency, Panel
from agencies.pdf import PDF_TYPE, PdfRenderer
from audit.models import AuditEvent
from audit.services import record
from cases.directory import owner_candidates
from cases.models import Case

from .. import network, services
from ..filtersets import AgendaItemFilterSet
from ..models import AgendaItem, PanelMeeting
from ..packs import pack_items, pack_pdf, record_case_reads
from .serializers import (
    AgendaItemSerializer,
    AttendanceInputSerializer,
    CandidateSerializer,
    CloseMeetingSerializer,
    DecisionSerializer,
    DeclineSerializer,
    NetworkMapSerializer,
    PanelMeetingSerializer,
    PanelSerializer,
)

__all__ = ["AgendaItemViewSet", "OwnerCandidateViewSet", "PanelMeetingViewSet", "PanelViewSet"]


class PanelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, RestrictedViewSet):
    """Panels you sit on. The coordinator sets how often it meets and what its meetings keep."""

    queryset = Panel.objects.select_related("coordinator", "chair").prefetch_related("agencies")
    serializer_class = PanelSerializer
    http_method_names = ["get", "patch", "head", "options"]
    action_access: ClassVar[dict[str, Action]] = {"partial_update": Action.MANAGE, "network_map": Action.MANAGE}
    permission_required: ClassVar[dict[Action, str]] = {
        Action.VIEW: "agencies.view_panel",
        Action.MANAGE: "agencies.change_panel",
    }

    @extend_schema(responses=NetworkMapSerializer)
    @action(detail=True, methods=["get"], url_path="network-map")
    def network_map(self, request: Request, pk: int | None = None) -> Response:
        """The coordinator's map of the panel's network (decision 121): the sectors of the
        document's checklist, which take part, are invited or are missing, and the warning when
        health or mental health is missing."""
        panel = self.get_object()
        return Response(NetworkMapSerializer(network.network_map(panel, self.actor)).data)

    def perform_update(self, serializer: serializers.BaseSerializer[Panel]) -> None:
        panel = serializer.instance
        if panel is None:
            raise api_exceptions.NotFound
        data = serializer.validated_data
        services.update_panel(
            panel,
            cadence_days=data.get("cadence_days", panel.cadence_days),
            record_mode=data.get("record_mode", panel.record_mode),
            actor=self.actor,
        )


class PanelMeetingViewSet(
    FileAnswers, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, RestrictedViewSet
):
    """Meetings of your panels. The coordinator plans them (the agenda is built at once)."""

    queryset = PanelMeeting.objects.select_related("panel").prefetch_related("attendance__user", "attendance__agency")
    serializer_class = PanelMeetingSerializer
    filterset_fields = ["status"]
    action_access: ClassVar[dict[str, Action]] = {
        "create": Action.MANAGE,
        "acknowledge": Action.VIEW,
        "attendance": Action.MANAGE,
        "rebuild_agenda": Action.MANAGE,
        "close": Action.MANAGE,
    }
    permission_required: ClassVar[dict[Action, str]] = {
        Action.VIEW: "panels.view_panelmeeting",
        Action.MANAGE: "panels.add_panelmeeting",
    }

    def perform_create(self, serializer: serializers.BaseSerializer[PanelMeeting]) -> None:
        data = serializer.validated_data
        serializer.instance = services.schedule_meeting(
            data["panel"], scheduled_for=data["scheduled_for"], location=data.get("location", ""), actor=self.actor
        )

    @extend_schema(responses={(200, PDF_TYPE): OpenApiTypes.BINARY}, filters=False)
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pack(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The panel pack as a PDF (A4): the agenda you may see, each case with its summary (never
        the file's content) and what the panel is asked to decide; the first line says who made it
        and when. Recorded as an export with its count of items."""
        meeting = self.get_object()
        user = self.actor
        items = pack_items(meeting, user)
        ids = [item.case_id for item in items if item.case_id]
        record(AuditEvent.Action.PANEL_PACK_EXPORTED, actor=user, obj=meeting, format="pdf", count=len(items), ids=ids)
        record_case_reads(meeting, user, items, fmt="pdf")
        content = pack_pdf(meeting, user, items, language=request.LANGUAGE_CODE)
        return file_response(content, PDF_TYPE, f"ura-panel-pack-{meeting.scheduled_for:%Y%m%d}.pdf")

    def _answer(self, meeting: PanelMeeting) -> Response:
        return Response(
            PanelMeetingSerializer(self.get_queryset().get(pk=meeting.pk), context=self.get_serializer_context()).data
        )

    @extend_schema(request=None, responses=PanelMeetingSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        """Acknowledge, for yourself, the confidentiality of what is said at this meeting."""
        meeting = self.get_object()
        services.acknowledge_confidentiality(meeting, user=self.actor)
        return self._answer(meeting)

    @extend_schema(request=AttendanceInputSerializer, responses=PanelMeetingSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        data = AttendanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.record_attendance(meeting, actor=self.actor, **data.validated_data)
        return self._answer(meeting)

    @extend_schema(request=None, responses=PanelMeetingSerializer)
    @action(detail=True, methods=["post"], url_path="rebuild-agenda")
    def rebuild_agenda(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        services.build_agenda(meeting)
        return self._answer(meeting)

    @extend_schema(request=CloseMeetingSerializer, responses=PanelMeetingSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        data = CloseMeetingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.close_meeting(meeting, actor=self.actor, **data.validated_data)
        return self._answer(meeting)


class AgendaItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """Agenda items of meetings you may see, about cases and referrals you may know of."""

    queryset = AgendaItem.objects.select_related("first_contact_agency", "owner").prefetch_related(
        "involved__agency", "declines__agency"
    )
    serializer_class = AgendaItemSerializer
    filterset_class = AgendaItemFilterSet
    action_access: ClassVar[dict[str, Action]] = {"decide": Action.MANAGE, "decline": Action.VIEW}
    permission_required: ClassVar[dict[Action, str]] = {
        Action.VIEW: "panels.view_panelmeeting",
        Action.MANAGE: "panels.add_panelmeeting",
    }

    def _answer(self, item: AgendaItem) -> Response:
        return Response(
            AgendaItemSerializer(self.get_queryset().get(pk=item.pk), context=self.get_serializer_context()).data
        )

    @extend_schema(request=DecisionSerializer, responses=AgendaItemSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Record the panel's decision on a case and apply it (owner, urgency, first contact,
        next review, agencies involved)."""
        item = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["involved"] = [(row["agency"], row["reason"]) for row in values["involved"]]
        services.record_decision(item, services.PanelDecision(**values), actor=self.actor)
        return self._answer(item)

    @extend_schema(request=DeclineSerializer, responses=AgendaItemSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        """Record that an agency declined to share what it knows about this case."""
        item = self.get_object()
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.decline_to_share(item, actor=self.actor, **data.validated_data)
        return self._answer(item)


class OwnerCandidateViewSet(mixins.ListModelMixin, RestrictedViewSet):
    """People who may own the case named by `?case=` (one you may assign: its owner, a supervisor,
    the panel's coordinator), with their open caseload, languages and gender; `?agency=` narrows to
    one agency. Caseloads are for whoever chooses an owner, never a list for everyone (decision 60)."""

    queryset = Case.objects.all()
    serializer_class = CandidateSerializer
    pagination_class = None
    action_access: ClassVar[dict[str, Action]] = {"list": Action.MANAGE}
    permission_required: ClassVar[dict[Action, str]] = {Action.MANAGE: "cases.manage_case"}

    @extend_schema(
        parameters=[OpenApiParameter("case", int, required=True), OpenApiParameter("agency", int)],
        responses=CandidateSerializer(many=True),
        filters=False,
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = request.query_params.get("case", "")
        if not case.isdigit():
            raise ValidationError({"case": [_("Name the case whose owner you are choosing.")]})
        # The case for the assignment itself: not known is 404, known but not yours to assign 403.
        self.kwargs["pk"] = int(case)
        self.get_object()
        agency = request.query_params.get("agency", "")
        agencies = Agency.objects.filter(pk=int(agency)) if agency.isdigit() else None
        candidates = serializers.ListSerializer(owner_candidates(agencies=agencies), child=CandidateSerializer())
        return Response(candidates.data)
