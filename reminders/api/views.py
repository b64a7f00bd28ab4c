from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import Action, RestrictedViewSet
from agencies.models import Panel, PanelReminderSettings

from .. import services
from ..models import Reminder
from .serializers import MarkedSerializer, PanelReminderSettingsSerializer, ReminderSerializer

__all__ = ["PanelReminderSettingsViewSet", "ReminderViewSet"]


class ReminderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """The caller's reminders; mark one read, or all."""

    queryset = Reminder.objects.all()
    serializer_class = ReminderSerializer
    # Marking one's own reminders read is reading them, not changing a case.
    action_access = {"read": Action.VIEW, "read_all": Action.VIEW}

    @extend_schema(request=None, responses=ReminderSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: Any = None) -> Response:
        reminder = self.get_object()
        services.mark_read(reminder, actor=self.actor)
        reminder.refresh_from_db()
        return Response(self.get_serializer(reminder).data)

    @extend_schema(request=None, responses=MarkedSerializer, filters=False)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response(MarkedSerializer({"marked": services.mark_all_read(actor=self.actor)}).data)


class PanelReminderSettingsViewSet(RestrictedViewSet):
    """A panel's deadlines and "no contact for N days" by risk level (decision 132), read and set by
    the panel's coordinator alone, as on its page: 403 for others who sit on the panel, 404 for
    anyone else. Each change is recorded with what changed (decision 143)."""

    queryset = Panel.objects.all()
    serializer_class = PanelReminderSettingsSerializer
    http_method_names = ["get", "patch", "head", "options"]
    action_access: ClassVar[dict[str, Action]] = {"retrieve": Action.CHANGE, "partial_update": Action.CHANGE}

    def _settings_of(self, panel: Panel) -> PanelReminderSettings:
        found = PanelReminderSettings.objects.restrict(self.actor, Action.CHANGE).filter(panel=panel).first()
        return found or PanelReminderSettings(panel=panel)

    def retrieve(self, request: Request, pk: int | None = None) -> Response:
        return Response(self.get_serializer(self._settings_of(self.get_object())).data)

    def partial_update(self, request: Request, pk: int | None = None) -> Response:
        panel = self.get_object()
        serializer = self.get_serializer(self._settings_of(panel), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        panel_settings = services.save_panel_settings(panel, dict(serializer.validated_data), actor=self.actor)
        return Response(self.get_serializer(panel_settings).data)
