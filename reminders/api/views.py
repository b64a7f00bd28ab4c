from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import Action, RestrictedViewSet

from .. import services
from ..models import Reminder
from .serializers import MarkedSerializer, ReminderSerializer

__all__ = ["ReminderViewSet"]


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
