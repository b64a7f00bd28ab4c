"""The audit trail in the admin: read-only, no add, change or delete (append-only, decision 32);
read by the data protection officer alone, like the trail's own pages, and each read recorded
(decision 34: a superuser holds every permission, so the permission alone would let them in)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from agencies.access import is_data_protection_officer

from .models import AuditEvent
from .reads import note_read


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["created_at", "actor_username", "action", "object_type", "object_id", "case_id", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_username", "object_id"]
    actions = None

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_data_protection_officer(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        ids = [event.pk for event in changelist.result_list] if changelist is not None else []
        search = {key: value for key, value in request.GET.items() if value}
        note_read(request, action=AuditEvent.Action.AUDIT_SEARCHED, report="admin", search=search, ids=ids)
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        note_read(request, action=AuditEvent.Action.AUDIT_SEARCHED, report="admin", ids=[object_id])
        return response
