"""Individual grants in the admin: seen, and revoked through the service (decision 96).

Grants are made on the case page by who manages the case, with a reason; the admin lists them all
and revokes them, each revocation recorded in the audit chain like one made on the case page.
"""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import CaseUserObjectPermission


@admin.register(CaseUserObjectPermission)
class CaseGrantAdmin(admin.ModelAdmin[CaseUserObjectPermission]):
    # The case by its reference only (its __str__ names the family), and no reason: staff who may
    # view this list need not read what a grant is for; the case's access log shows it.
    list_display = ("user", "case_reference", "permission", "ends_at", "granted_by")
    fields = ("user", "case_reference", "permission", "ends_at", "granted_by", "granted_at")
    readonly_fields = ("case_reference",)
    list_select_related = ("user", "content_object", "permission", "granted_by")
    search_fields = ("user__username", "content_object__reference")
    list_filter = ("permission",)
    date_hierarchy = "ends_at"
    actions = ["revoke"]

    @admin.display(description=gettext_lazy("case reference"), ordering="content_object__reference")
    def case_reference(self, grant: CaseUserObjectPermission) -> str:
        return grant.content_object.reference

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made on the case page, by who manages the case, with a reason

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the `revoke` action instead: through the service, recorded

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not request.user.has_perm("cases.delete_caseuserobjectpermission"):
            actions.pop("revoke", None)
        return actions

    @admin.action(description=gettext_lazy("Revoke the selected grants"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[CaseUserObjectPermission]) -> None:
        reason = _("Revoked in the administration by %(user)s.") % {"user": request.user}
        revoked = 0
        for grant in queryset:
            try:
                services.revoke_grant(grant, reason=reason, actor=request.user, as_administrator=True)  # type: ignore[arg-type]
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
            else:
                revoked += 1
        self.message_user(request, _("Grants revoked: %(count)d.") % {"count": revoked}, messages.SUCCESS)
