"""guardian's object-permission backend, told that individual grants end (decision 96).

guardian's rows know nothing of end dates; our grant table has one (`ends_at`). This backend asks
guardian's checker with one more filter, so `user.has_perm("cases.view_case", case)` stops
answering yes the second a grant ends, whether or not the sweep has removed it yet. Case shares
are not guardian rows (restrict() reads `CaseShare`), so no group query is made for a case.
"""

from typing import Any

from django.db.models import Model
from django.utils import timezone
from guardian.backends import ObjectPermissionBackend, check_support
from guardian.core import ObjectPermissionChecker
from guardian.utils import get_user_obj_perms_model

__all__ = ["GrantBackend"]


class CurrentGrantChecker(ObjectPermissionChecker):
    """guardian's checker, reading only grants that have not ended."""

    def get_user_filters(self, obj: Model) -> dict[str, Any]:
        filters: dict[str, Any] = super().get_user_filters(obj)
        model = get_user_obj_perms_model(obj)
        if any(field.name == "ends_at" for field in model._meta.get_fields()):
            related_name = model.permission.field.related_query_name()  # type: ignore[attr-defined]
            filters[f"{related_name}__ends_at__gt"] = timezone.now()
        return filters

    def get_group_perms(self, obj: Model) -> Any:
        if obj._meta.label_lower == "cases.case":
            # Agencies' shares live in CaseShare, never as guardian group rows (decision 96).
            return super().get_group_perms(obj).none()
        return super().get_group_perms(obj)


class GrantBackend(ObjectPermissionBackend):
    def has_perm(self, user_obj: Any, perm: str, obj: Model | None = None) -> bool:
        if obj is None:
            return False
        support, user_obj = check_support(user_obj, obj)
        if not support:
            return False
        return CurrentGrantChecker(user_obj).has_perm(perm, obj)
