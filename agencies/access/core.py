"""Who may see what: the one place that decides it (design.md §2).

Every model holding case data has a `RestrictedQuerySet` as its default manager, and every view,
viewset, form, export and task reaches rows through `Model.objects.restrict(user, action)`.

Access to a case comes in two kinds, composed here:

- implicit, from the case's own indexed columns (owning agency, owner, panel) matched against the
  user's memberships, which are resolved once per request (`UserAccess`);
- explicit grants (a share to an agency, an individual grant) stored as django-guardian object
  permissions in the direct foreign-key tables `CaseGroupObjectPermission` and
  `CaseUserObjectPermission`.

A list query is `id IN (branch UNION branch ...)`, each branch an indexed lookup. A whole-table
guardian join as the list filter was 100x slower at a million cases (docs/decisions.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q, Value

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

__all__ = [
    "READ_ORDER",
    "Action",
    "RestrictedQuerySet",
    "UserAccess",
    "case_ids",
    "forget_access",
    "get_restricted_object",
    "reach",
]


class Action(StrEnum):
    """What a user wants to do with a row; `restrict()` returns the rows that allow it."""

    VIEW_SUMMARY = "view_summary"  # a case's summary: who, stage, risk, owner, next step
    VIEW = "view"  # the full case file
    CHANGE = "change"  # edit the file
    MANAGE = "manage"  # share, revoke a share, assign the owner


# Object permissions (codenames on cases.Case) that grant each read level.
FULL_PERMS = ("view_case",)
SUMMARY_PERMS = ("view_case", "view_case_summary")
# How much of a case each action lets the user read: the "reach" a change must not take away.
READ_ORDER = {None: 0, Action.VIEW_SUMMARY: 1, Action.VIEW: 2}


@dataclass(frozen=True)
class UserAccess:
    """A user's memberships, reduced to the id sets the access rules match against."""

    user_id: int | None
    casework_agency_ids: frozenset[int] = field(default_factory=frozenset)
    supervised_agency_ids: frozenset[int] = field(default_factory=frozenset)
    group_ids: frozenset[int] = field(default_factory=frozenset)
    panel_ids: frozenset[int] = field(default_factory=frozenset)
    coordinated_panel_ids: frozenset[int] = field(default_factory=frozenset)

    CACHE_ATTR: ClassVar[str] = "_ura_access"

    @classmethod
    def of(cls, user: AnyUser) -> UserAccess:
        """Return the user's access, resolving it once per user object (so once per request)."""
        cached = getattr(user, cls.CACHE_ATTR, None)
        if cached is None:
            cached = cls._resolve(user)
            setattr(user, cls.CACHE_ATTR, cached)
        return cached

    @classmethod
    def _resolve(cls, user: AnyUser) -> UserAccess:
        if not user.is_authenticated or not user.is_active:
            return cls(user_id=None)
        Membership = apps.get_model("agencies", "Membership")
        Panel = apps.get_model("agencies", "Panel")
        rows = list(Membership.objects.filter(user=user).values_list("agency_id", "role", "agency__group_id"))
        panel_agencies = {agency for agency, role, _ in rows if role in Membership.PANEL_ROLES}
        panels = list(
            Panel.objects.filter(Q(coordinator=user) | Q(chair=user) | Q(agencies__in=panel_agencies))
            .values_list("pk", "coordinator_id")
            .distinct()
            .order_by()
        )
        return cls(
            user_id=user.pk,
            casework_agency_ids=frozenset(a for a, role, _ in rows if role in Membership.CASEWORK_ROLES),
            supervised_agency_ids=frozenset(a for a, role, _ in rows if role == Membership.Role.SUPERVISOR),
            # Agency administrators manage memberships; they read no case through their agency.
            group_ids=frozenset(g for _, role, g in rows if role != Membership.Role.AGENCY_ADMIN),
            panel_ids=frozenset(pk for pk, _ in panels),
            coordinated_panel_ids=frozenset(pk for pk, coordinator in panels if coordinator == user.pk),
        )

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None


def forget_access(user: AnyUser) -> None:
    """Drop a user's cached access, after their memberships changed within the same request."""
    if hasattr(user, UserAccess.CACHE_ATTR):
        delattr(user, UserAccess.CACHE_ATTR)


# --- Cases ----------------------------------------------------------------------------------


def _perm_branches(access: UserAccess, codenames: tuple[str, ...]) -> list[models.QuerySet[Any]]:
    """Case ids granted explicitly (guardian object permissions) to the user or their agencies."""
    group_perm = apps.get_model("cases", "CaseGroupObjectPermission")
    user_perm = apps.get_model("cases", "CaseUserObjectPermission")
    branches = [
        user_perm.objects.filter(user_id=access.user_id, permission__codename__in=codenames)
        .order_by()
        .values("content_object_id")
    ]
    if access.group_ids:
        branches.append(
            group_perm.objects.filter(group_id__in=access.group_ids, permission__codename__in=codenames)
            .order_by()
            .values("content_object_id")
        )
    return branches


def _case_branches(access: UserAccess, action: Action) -> list[models.QuerySet[Any]]:
    cases = apps.get_model("cases", "Case")._base_manager.order_by()
    branches: list[models.QuerySet[Any]] = []
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        if access.casework_agency_ids:
            branches.append(cases.filter(owning_agency_id__in=access.casework_agency_ids).values("pk"))
        branches += _perm_branches(access, FULL_PERMS if action == Action.VIEW else SUMMARY_PERMS)
        if action == Action.VIEW_SUMMARY and access.panel_ids:
            branches.append(cases.filter(panel_id__in=access.panel_ids).values("pk"))
    elif action in (Action.CHANGE, Action.MANAGE):
        if access.supervised_agency_ids:
            branches.append(cases.filter(owning_agency_id__in=access.supervised_agency_ids).values("pk"))
        if access.casework_agency_ids:
            branches.append(
                cases.filter(owner_id=access.user_id, owning_agency_id__in=access.casework_agency_ids).values("pk")
            )
        if action == Action.MANAGE and access.coordinated_panel_ids:
            branches.append(cases.filter(panel_id__in=access.coordinated_panel_ids).values("pk"))
    else:
        raise ValueError(f"Unknown action for cases: {action!r}")
    return branches


def case_ids(user: AnyUser, action: Action | str) -> models.QuerySet[Any] | None:
    """The ids of the cases `user` may act on, as one UNION subquery; None when there are none."""
    access = UserAccess.of(user)
    if access.is_anonymous:
        return None
    branches = _case_branches(access, Action(action))
    if not branches:
        return None
    return branches[0].union(*branches[1:]) if len(branches) > 1 else branches[0]


def case_ids_of(qs: models.QuerySet[Any], lookup: str, ids: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """Rows of `qs` reached from a visible case through `lookup` (a path to the case's pk)."""
    Case = apps.get_model("cases", "Case")
    return qs.filter(pk__in=Case._base_manager.filter(pk__in=ids).order_by().values(lookup))


# --- Rules per kind of model ----------------------------------------------------------------

Rule = Callable[[models.QuerySet[Any], "AnyUser", Action], models.QuerySet[Any]]


def _case_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    ids = case_ids(user, action)
    return qs.none() if ids is None else qs.filter(pk__in=ids)


def _case_child_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    """Anything hanging off a case is visible through its case, never by its own id alone."""
    ids = case_ids(user, action)
    return qs.none() if ids is None else qs.filter(case_id__in=ids)


def _share_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    """Shares are read by those who see the full file and by those who manage the case (a
    coordinator revokes shares without reading the file)."""
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        full, manage = case_ids(user, Action.VIEW), case_ids(user, Action.MANAGE)
        if full is None and manage is None:
            return qs.none()
        condition = Q(pk__in=[])
        if full is not None:
            condition |= Q(case_id__in=full)
        if manage is not None:
            condition |= Q(case_id__in=manage)
        return qs.filter(condition)
    return _case_child_rule(qs, user, action)


def _family_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    ids = case_ids(user, action)
    return qs.none() if ids is None else case_ids_of(qs, "family_id", ids)


def _person_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    """The full file shows the whole family; a summary shows only the index person."""
    if action == Action.VIEW_SUMMARY:
        ids = case_ids(user, action)
        return qs.none() if ids is None else case_ids_of(qs, "index_person_id", ids)
    ids = case_ids(user, Action.VIEW if action == Action.VIEW else action)
    if ids is None:
        return qs.none()
    Case = apps.get_model("cases", "Case")
    return qs.filter(family_id__in=Case._base_manager.filter(pk__in=ids).order_by().values("family_id"))


def _referral_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    """A referral is seen by its receiving agency's caseworkers, and by the panel it was put to."""
    access = UserAccess.of(user)
    if access.is_anonymous:
        return qs.none()
    condition = Q(received_by_id__in=access.casework_agency_ids)
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        condition |= Q(panel_id__in=access.panel_ids)
    elif action == Action.MANAGE:
        condition |= Q(panel_id__in=access.coordinated_panel_ids)
    return qs.filter(condition)


def _panel_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    access = UserAccess.of(user)
    ids = access.coordinated_panel_ids if action in (Action.CHANGE, Action.MANAGE) else access.panel_ids
    return qs.filter(pk__in=ids) if ids else qs.none()


RULES: dict[str, Rule] = {
    "case": _case_rule,
    "case_child": _case_child_rule,
    "case_share": _share_rule,
    "family": _family_rule,
    "person": _person_rule,
    "referral": _referral_rule,
    "panel": _panel_rule,
}


class RestrictedQuerySet(models.QuerySet[Any]):
    """A queryset that can narrow itself to what one user may do (`restrict`).

    Models name their rule in `access_rule` (a key of `RULES`) and the weakest action that still
    lets a user know the row exists in `read_action`.
    """

    def restrict(self, user: AnyUser, action: Action | str = Action.VIEW) -> Self:
        """Return only the rows `user` may act on with `action`."""
        rule = RULES.get(getattr(self.model, "access_rule", ""))
        if rule is None:
            raise ImproperlyConfigured(f"{self.model.__name__} declares no access_rule")
        return rule(self, user, Action(action))  # type: ignore[return-value]

    def annotate_access(self, user: AnyUser) -> Self:
        """Annotate `access_full`: whether `user` sees the case (of each row) in full.

        For cases and for rows hanging off a case; one subquery, whatever the number of rows.
        """
        ids = case_ids(user, Action.VIEW)
        if ids is None:
            return self.annotate(access_full=Value(False, output_field=BooleanField()))
        field = "pk" if getattr(self.model, "access_rule", "") == "case" else "case_id"
        return self.annotate(access_full=ExpressionWrapper(Q(**{f"{field}__in": ids}), output_field=BooleanField()))


def read_action_of(model: type[models.Model]) -> Action:
    return Action(getattr(model, "read_action", Action.VIEW))


def reach(obj: models.Model, user: AnyUser) -> Action | None:
    """The strongest read action `user` has on `obj` (None: the object does not exist for them)."""
    manager = type(obj)._default_manager
    for action in (Action.VIEW, Action.VIEW_SUMMARY):
        if READ_ORDER[action] < READ_ORDER[read_action_of(type(obj))]:
            break
        if manager.restrict(user, action).filter(pk=obj.pk).exists():  # type: ignore[attr-defined]
            return action
    return None


def get_restricted_object(queryset: models.QuerySet[Any], user: AnyUser, action: Action | str, **lookup: Any) -> Any:
    """Fetch one object for `action`: 404 when the user cannot know it exists, 403 when they may
    read it but not do `action` with it.

    `queryset` must already be restricted for `action`.
    """
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        pass
    read = read_action_of(queryset.model)
    if Action(action) != read:
        visible = queryset.model._default_manager.restrict(user, read)
        if visible.filter(**lookup).exists():
            raise PermissionDenied
    raise Http404
