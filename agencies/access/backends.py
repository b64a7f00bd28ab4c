"""The permission backends of our own: the user's permissions read in one query, and guardian's
object-permission backend, told that individual grants end (decision 96).

guardian's rows know nothing of end dates; our grant table has one (`ends_at`). This backend asks
guardian's checker with one more filter, so `user.has_perm("cases.view_case", case)` stops
answering yes the second a grant ends, whether or not the sweep has removed it yet. Case shares
are not guardian rows (restrict() reads `CaseShare`), so no group query is made for a case.
"""

from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import IntegerField, Model, Value
from django.utils import timezone
from guardian.backends import ObjectPermissionBackend, check_support
from guardian.core import ObjectPermissionChecker
from guardian.utils import get_user_obj_perms_model

__all__ = ["GrantBackend", "PermissionsInOneQuery"]


class PermissionsInOneQuery:
    """The user's own permissions and their groups' read in one query, where Django's ModelBackend
    reads them in two, once per request (decision 150).

    Listed before ModelBackend, it fills the caches ModelBackend answers from (`_user_perm_cache`,
    `_group_perm_cache`, `_perm_cache`), so ModelBackend asks the database nothing more. It signs
    no one in (its `authenticate` answers None, checking no password; it has no `get_user`: not
    Django's BaseBackend, whose `get_user` would make it the backend `force_login` picks), so the
    sessions ModelBackend opened stay valid. A superuser's permissions (all of them) are left to
    ModelBackend.
    """

    def authenticate(self, request: Any, **credentials: Any) -> None:
        """Signs no one in: Django asks every backend, and goes on to the next."""
        return None

    async def aauthenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def has_perm(self, user_obj: Any, perm: str, obj: Model | None = None) -> bool:
        return bool(user_obj.is_active) and perm in self.get_all_permissions(user_obj, obj)

    def get_all_permissions(self, user_obj: Any, obj: Model | None = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or user_obj.is_superuser or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            fields = ("content_type__app_label", "codename", "via_group")
            own = Permission.objects.filter(user=user_obj).annotate(via_group=Value(0, IntegerField()))
            grouped = Permission.objects.filter(group__user=user_obj).annotate(via_group=Value(1, IntegerField()))
            rows = own.values_list(*fields).order_by().union(grouped.values_list(*fields).order_by(), all=True)
            found: tuple[set[str], set[str]] = (set(), set())
            for app_label, codename, via_group in rows:
                found[via_group].add(f"{app_label}.{codename}")
            user_obj._user_perm_cache, user_obj._group_perm_cache = found
            user_obj._perm_cache = found[0] | found[1]
        perms: set[str] = user_obj._perm_cache
        return perms


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
