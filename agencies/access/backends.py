"""Django's model-permission backend reading a user's permissions in one query (decision 149), and
guardian's object-permission backend, told that individual grants end (decision 96).

guardian's rows know nothing of end dates; our grant table has one (`ends_at`). This backend asks
guardian's checker with one more filter, so `user.has_perm("cases.view_case", case)` stops
answering yes the second a grant ends, whether or not the sweep has removed it yet. Case shares
are not guardian rows (restrict() reads `CaseShare`), so no group query is made for a case.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Model
from django.utils import timezone
from guardian.backends import ObjectPermissionBackend, check_support
from guardian.core import ObjectPermissionChecker
from guardian.utils import get_user_obj_perms_model

__all__ = ["GrantBackend", "RoleBackend"]


class RoleBackend(ModelBackend):
    """Django's ModelBackend, whose permissions (the user's own and their role groups') are read in
    one query, a UNION of the two reads ModelBackend makes one after the other: every page checks a
    permission, so every page paid both."""

    def get_all_permissions(self, user_obj: Any, obj: Model | None = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            own = Permission.objects.filter(user=user_obj)
            roles = Permission.objects.filter(group__user=user_obj)
            if user_obj.is_superuser:
                own = roles = Permission.objects.all()
            columns = ("content_type__app_label", "codename")
            rows = own.order_by().values_list(*columns).union(roles.order_by().values_list(*columns))
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in rows}
        cached: set[str] = user_obj._perm_cache
        return cached


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
