"""The audit trail in the API: read-only, for the data protection officer only (404 for others)."""

from typing import Any

import django_filters
from rest_framework import exceptions, pagination, serializers, viewsets
from rest_framework.request import Request

from agencies.access import is_data_protection_officer
from agencies.api.filters import IdFilter
from audit.models import AuditEvent
from audit.reads import note_read

__all__ = ["AuditEventFilterSet", "AuditEventSerializer", "AuditEventViewSet"]


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "actor_username",
            "agency_id",
            "action",
            "object_type",
            "object_id",
            "case_id",
            "reason",
            "ip_address",
            "data",
            "seq",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class AuditEventFilterSet(django_filters.FilterSet):
    # `case` and `agency`, as on every other list (issue 16: `case_id`/`agency_id` before).
    case = IdFilter(field_name="case_id")
    agency = IdFilter(field_name="agency_id")
    user = django_filters.CharFilter(field_name="actor_username", lookup_expr="iexact")
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = AuditEvent
        fields = ["action"]


class AuditEventPagination(pagination.CursorPagination):
    """The trail only grows: a cursor keeps each page where it was while events are appended."""

    page_size = 50
    ordering = ("-id",)  # unique and only growing (`seq` is empty until an event is chained)


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet[AuditEvent]):
    """Search the whole trail (decision 34); each page read is itself recorded."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet
    lookup_value_converter = "int"
    pagination_class = AuditEventPagination
    ordering_fields = ["id"]  # newest first, or `?ordering=id` for the oldest first

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not is_data_protection_officer(request.user):
            raise exceptions.NotFound

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        if page is not None:
            params = {key: value for key, value in self.request.query_params.items() if key != "cursor"}
            note_read(self.request, action=AuditEvent.Action.AUDIT_SEARCHED, ids=[e.pk for e in page], search=params)
        return page

    def get_object(self) -> Any:
        event = super().get_object()
        note_read(self.request, action=AuditEvent.Action.AUDIT_SEARCHED, ids=[event.pk])
        return event
