"""Who may see what: the one place that decides it (design.md §2).

Every model holding case data has a `RestrictedQuerySet` as its default manager, and every view,
viewset, form, export and task reaches rows through `Model.objects.restrict(user, action)`.

Access to a case comes in two kinds, composed here:

- implicit, from the case's own indexed columns (owning agency, owner, panel) matched against the
  user's memberships, which are resolved once per request (`UserAccess`);
- explicit grants (a share to an agency, an individual grant) stored as django-guardian object
  permissions in the direct foreign-key tables `CaseGroupObjectPermission` and
  `CaseUserObjectPermission`; and, for supervisors and superusers, a current break-the-glass
  access (`audit.BreakGlassAccess`), read like the shares as one small subquery.

A list query filters on one OR of indexed branches (PostgreSQL runs it as a BitmapOr of index
scans); guardian's grant tables are read through an InitPlan, never joined across the whole
table. Measured at a million cases in docs/decisions.md and `make bench`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import reduce
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, Lookup, OuterRef, Q, Value
from django.http import Http404
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

__all__ = [
    "READ_ORDER",
    "Action",
    "RestrictedQuerySet",
    "UserAccess",
    "as_flag",
    "case_condition",
    "entry_content_condition",
    "forget_access",
    "get_restricted_object",
    "information_request_condition",
    "is_data_protection_officer",
    "reach",
    "referral_condition",
    "sees_reporter",
    "sits_on",
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
# The permission a share of each scope stands for.
SHARE_SCOPES = {"full": "view_case", "summary": "view_case_summary"}
# How much of a case each action lets the user read: the "reach" a change must not take away.
READ_ORDER = {None: 0, Action.VIEW_SUMMARY: 1, Action.VIEW: 2}


@dataclass(frozen=True)
class UserAccess:
    """A user's memberships, reduced to the id sets the access rules match against."""

    user_id: int | None
    casework_agency_ids: frozenset[int] = field(default_factory=frozenset)
    supervised_agency_ids: frozenset[int] = field(default_factory=frozenset)
    group_ids: frozenset[int] = field(default_factory=frozenset)
    share_agency_ids: frozenset[int] = field(default_factory=frozenset)
    panel_ids: frozenset[int] = field(default_factory=frozenset)
    coordinated_panel_ids: frozenset[int] = field(default_factory=frozenset)
    breaks_glass: bool = False

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
        roles = {role for _, role, _ in rows}
        panels: list[tuple[int, int]] = []
        # A panel seat comes with a panel role: whoever loses the role loses the panel, even if a
        # panel still names them as its coordinator or chair.
        if roles & Membership.PANEL_ROLES:
            panel_agencies = {agency for agency, role, _ in rows if role in Membership.PANEL_ROLES}
            panels = list(
                Panel.objects.filter(Q(coordinator=user) | Q(chair=user) | Q(agencies__in=panel_agencies))
                .values_list("pk", "coordinator_id")
                .distinct()
                .order_by()
            )
        # Agency administrators and data protection officers read no case through their agency.
        sharing = [(agency, group) for agency, role, group in rows if role not in Membership.NO_CASE_ROLES]
        coordinates = Membership.Role.COORDINATOR in roles
        return cls(
            user_id=user.pk,
            casework_agency_ids=frozenset(a for a, role, _ in rows if role in Membership.CASEWORK_ROLES),
            supervised_agency_ids=frozenset(a for a, role, _ in rows if role == Membership.Role.SUPERVISOR),
            group_ids=frozenset(group for _, group in sharing),
            share_agency_ids=frozenset(agency for agency, _ in sharing),
            panel_ids=frozenset(pk for pk, _ in panels),
            coordinated_panel_ids=frozenset(pk for pk, c in panels if coordinates and c == user.pk),
            # Who may break the glass (decision 35); only their queries carry that branch.
            breaks_glass=getattr(user, "is_superuser", False) or Membership.Role.SUPERVISOR in roles,
        )

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None


def forget_access(user: AnyUser) -> None:
    """Drop a user's cached access, after their memberships changed within the same request."""
    if hasattr(user, UserAccess.CACHE_ATTR):
        delattr(user, UserAccess.CACHE_ATTR)


# --- Cases ----------------------------------------------------------------------------------


class AnyOf(Lookup):  # type: ignore[type-arg]
    """`id = ANY(ARRAY(subquery))` on PostgreSQL, `id IN (subquery)` elsewhere.

    Inside an OR, `id IN (subquery)` stops PostgreSQL from using an index for any branch; the
    array form is an InitPlan evaluated once, so each branch stays an index scan and the OR a
    BitmapOr (docs/decisions.md, "restrict() as one OR of indexed branches").
    """

    lookup_name = "any_of"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} IN {rhs}", [*lhs_params, *rhs_params]

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]


models.BigAutoField.register_lookup(AnyOf)


def _grants(access: UserAccess, codenames: tuple[str, ...], prefix: str, glass: bool = True) -> list[Q]:
    """Cases granted explicitly to the user (guardian's user grants) or shared with their agencies.

    Shares are read from the share table, which knows when each one ends, so an ended share
    grants nothing from that moment (its guardian row, the mirror `has_perm` and the admin use,
    is removed by the expiry sweep). Docs: decisions.md, "Share end dates".
    """
    user_perm = apps.get_model("cases", "CaseUserObjectPermission")
    grants = [
        user_perm.objects.filter(user_id=access.user_id, permission__codename__in=codenames).values("content_object_id")
    ]
    if access.share_agency_ids:
        share = apps.get_model("cases", "CaseShare")
        scopes = [scope for scope, codename in SHARE_SCOPES.items() if codename in codenames]
        grants.append(
            share.objects.filter(agency_id__in=access.share_agency_ids, scope__in=scopes, revoked_at__isnull=True)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now()))
            .values("case_id")
        )
    if access.breaks_glass and glass:
        # A break-the-glass access reads the full file until it ends (decision 35).
        now = timezone.now()
        broken = apps.get_model("audit", "BreakGlassAccess")
        grants.append(
            broken.objects.filter(user_id=access.user_id, starts_at__lte=now, ends_at__gt=now).values("case_id")
        )
    return [Q(**{f"{prefix}pk__any_of": grant.order_by()}) for grant in grants]


def _case_branches(access: UserAccess, action: Action, prefix: str, glass: bool = True) -> list[Q]:
    def on(**lookups: Any) -> Q:
        return Q(**{prefix + name: value for name, value in lookups.items()})

    branches: list[Q] = []
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        if access.casework_agency_ids:
            branches.append(on(owning_agency_id__in=access.casework_agency_ids))
        branches += _grants(access, FULL_PERMS if action == Action.VIEW else SUMMARY_PERMS, prefix, glass)
        if action == Action.VIEW_SUMMARY and access.panel_ids:
            branches.append(on(panel_id__in=access.panel_ids))
    elif action in (Action.CHANGE, Action.MANAGE):
        if access.supervised_agency_ids:
            branches.append(on(owning_agency_id__in=access.supervised_agency_ids))
        if access.casework_agency_ids:
            branches.append(on(owner_id=access.user_id, owning_agency_id__in=access.casework_agency_ids))
        if action == Action.MANAGE and access.coordinated_panel_ids:
            branches.append(on(panel_id__in=access.coordinated_panel_ids))
    else:
        raise ValueError(f"Unknown action for cases: {action!r}")
    return branches


def case_condition(user: AnyUser, action: Action | str, prefix: str = "", *, glass: bool = True) -> Q | None:
    """The cases `user` may act on with `action`, as one condition; None when there are none.

    Each branch is an indexed lookup on the case (owning agency, owner, panel) or a guardian
    grant; `prefix` ("case__") applies it through a relation. `glass=False` leaves out a
    break-the-glass access: it reads a file, it never writes in it (decision 35), so a write that
    only needs the full file (an entry, a contact) asks for the file without it.
    """
    access = UserAccess.of(user)
    if access.is_anonymous:
        return None
    branches = _case_branches(access, Action(action), prefix, glass)
    return reduce(operator.or_, branches) if branches else None


def as_flag(condition: Q | None) -> Any:
    """A condition as a boolean column (False when the user has no access at all), to annotate
    rows with what the user may see of what they point to."""
    if condition is None:
        return Value(False, output_field=BooleanField())
    return ExpressionWrapper(condition, output_field=BooleanField())


def _case_exists(condition: Q, field: str, outer: str) -> Exists:
    """A case matching `condition` whose `field` is the outer row's `outer`.

    Correlated, so that a handful of rows (a name search) costs a handful of index probes instead
    of materialising every case the user may see.
    """
    cases = apps.get_model("cases", "Case")._base_manager.filter(condition, **{field: OuterRef(outer)})
    return Exists(cases.order_by().values("pk"))


def _through_cases(qs: models.QuerySet[Any], condition: Q, field: str, lookup: str = "pk") -> models.QuerySet[Any]:
    """Rows of `qs` whose `lookup` is the `field` of a case matching `condition`."""
    return qs.filter(_case_exists(condition, field, lookup))


# --- Rules per kind of model ----------------------------------------------------------------

Rule = Callable[[models.QuerySet[Any], "AnyUser", Action], models.QuerySet[Any]]


def _case_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    condition = case_condition(user, action)
    return qs.none() if condition is None else qs.filter(condition)


def _through_case(user: AnyUser, action: Action, prefix: str = "") -> Q | None:
    """What hangs off a case is read through the case's full file; changing it needs both the
    change right and the file (a coordinator manages a case without reading its entries)."""
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        return case_condition(user, action, prefix)
    change, read = case_condition(user, action, prefix), case_condition(user, Action.VIEW, prefix)
    return None if change is None or read is None else change & read


def _case_child_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    """Anything hanging off a case is visible through its case's full file, never by its own id
    alone: asked for at summary level (as a panel sees a case), it answers as for the full file."""
    if action == Action.VIEW_SUMMARY:
        action = Action.VIEW
    condition = _through_case(user, action, prefix="case__")
    return qs.none() if condition is None else qs.filter(condition)


def _share_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    """Shares are read (with their particulars) by those who see the full file and by those who
    manage the case: a coordinator revokes shares without reading the file. At summary level,
    anyone who knows the case sees which agencies are involved and at which level."""
    if action == Action.VIEW_SUMMARY:
        condition = case_condition(user, action, prefix="case__")
        return qs.none() if condition is None else qs.filter(condition)
    if action != Action.VIEW:
        condition = case_condition(user, action, prefix="case__")
        return qs.none() if condition is None else qs.filter(condition)
    conditions = [case_condition(user, a, prefix="case__") for a in (Action.VIEW, Action.MANAGE)]
    present = [c for c in conditions if c is not None]
    return qs.filter(reduce(operator.or_, present)) if present else qs.none()


def _family_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    condition = _through_case(user, action)
    return qs.none() if condition is None else _through_cases(qs, condition, "family_id")


def _person_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    """The full file shows the whole family; a summary shows only the index person."""
    condition = _through_case(user, action)
    if condition is None:
        return qs.none()
    if action == Action.VIEW_SUMMARY:
        full = case_condition(user, Action.VIEW)
        reach: Q = Q(_case_exists(condition, "index_person_id", "pk"))
        if full is not None:
            reach |= Q(_case_exists(full, "family_id", "family_id"))
        return qs.filter(reach)
    return _through_cases(qs, condition, "family_id", "family_id")


def entry_content_condition(user: AnyUser, prefix: str = "") -> Q | None:
    """Entries whose content `user` may read (not only the abstract): those written for the case
    team, and those of an agency of theirs. Row visibility is the rule's business; this is the
    second layer, for entries kept by one agency (design.md §2, "Entries carry their own
    confidentiality")."""
    access = UserAccess.of(user)
    if access.is_anonymous:
        return None
    condition = Q(**{f"{prefix}visibility": "case_team"})
    if access.share_agency_ids:
        condition |= Q(**{f"{prefix}author_agency_id__in": access.share_agency_ids})
    return condition


def _entry_condition(user: AnyUser, action: Action, prefix: str = "") -> Q | None:
    """An entry is reached through its case's full file; a draft only by its author, who alone
    may change it (a final entry is not edited: it is added to)."""
    access = UserAccess.of(user)
    file = case_condition(user, Action.VIEW, prefix=f"{prefix}case__")
    if file is None:
        return None
    mine = Q(**{f"{prefix}author_id": access.user_id})
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        return file & (Q(**{f"{prefix}is_draft": False}) | mine)
    return file & mine & Q(**{f"{prefix}is_draft": True})


def _entry_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    condition = _entry_condition(user, action)
    return qs.none() if condition is None else qs.filter(condition)


def _entry_child_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    """Parts of an entry (a network link of an assessment) are content: read with the entry's
    content, never through its abstract."""
    condition = _entry_condition(user, action, prefix="assessment__")
    content = entry_content_condition(user, prefix="assessment__")
    return qs.none() if condition is None or content is None else qs.filter(condition, content)


def _family_child_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    """What is recorded about a family's members (who must not be told what) is read with one of
    the family's case files; at summary level, only that restrictions exist (the case page warns
    every reader: speak to the owner first). Only full readers change it."""
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        condition = case_condition(user, action)
    else:
        condition = _through_case(user, Action.CHANGE)
    return qs.none() if condition is None else qs.filter(_case_exists(condition, "family_id", "family_id"))


def _plan_action_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    """A plan's actions are read through the file; besides those who change the case, the agency
    providing an action (a school, an NGO) updates its progress."""
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        return _case_child_rule(qs, user, action)
    read = case_condition(user, Action.VIEW, prefix="case__")
    change = case_condition(user, Action.CHANGE, prefix="case__")
    agencies = UserAccess.of(user).casework_agency_ids
    if read is None:
        return qs.none()
    provider = Q(provider_agency_id__in=agencies) if agencies else Q(pk__in=[])
    return qs.filter(read & ((change or Q(pk__in=[])) | provider))


def information_request_condition(user: AnyUser, action: Action, prefix: str = "") -> Q | None:
    """Information requests (design.md §4): read by the case's full readers, and by the members
    (with a case role) of the agency asked who know the case at least by its summary, who alone
    answer it. Two indexed branches; nobody else learns that a question was asked."""
    access = UserAccess.of(user)
    if access.is_anonymous:
        return None
    branches: list[Q] = []
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        full = case_condition(user, Action.VIEW, prefix=f"{prefix}case__")
        if full is not None:
            branches.append(full)
    elif action != Action.CHANGE:
        return None
    summary = case_condition(user, Action.VIEW_SUMMARY, prefix=f"{prefix}case__")
    if access.share_agency_ids and summary is not None:
        branches.append(Q(**{f"{prefix}to_agency_id__in": access.share_agency_ids}) & summary)
    return reduce(operator.or_, branches) if branches else None


def _information_request_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    condition = information_request_condition(user, action)
    return qs.none() if condition is None else qs.filter(condition)


def _own_referral_branches(access: UserAccess, action: Action, prefix: str) -> list[Q]:
    branches = []
    if access.casework_agency_ids:
        branches += [
            Q(**{f"{prefix}received_by_id__in": access.casework_agency_ids}),
            Q(**{f"{prefix}routed_to_id__in": access.casework_agency_ids}),
        ]
    panels = access.panel_ids if action in (Action.VIEW, Action.VIEW_SUMMARY) else access.coordinated_panel_ids
    if panels and action != Action.CHANGE:
        branches.append(Q(**{f"{prefix}panel_id__in": panels}))
    return branches


def referral_condition(user: AnyUser, action: Action | str, prefix: str = "") -> Q | None:
    """The referrals `user` may act on: those received by or routed to (a crisis, to the police)
    an agency they work cases for; and, to read, those put to a panel they sit on (to manage, a
    panel they coordinate). A repeat concern added to an earlier record is also read by that
    record's readers, who triage it: concerns add up on one record."""
    access = UserAccess.of(user)
    if access.is_anonymous:
        return None
    action = Action(action)
    branches = _own_referral_branches(access, action, prefix)
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        branches += _own_referral_branches(access, action, f"{prefix}primary__")
    return reduce(operator.or_, branches) if branches else None


def sits_on(user: AnyUser, panel_id: int) -> bool:
    """Whether `user` holds a seat on the panel (its minutes are for its members only)."""
    return panel_id in UserAccess.of(user).panel_ids


def sees_reporter(user: AnyUser, referral: Any) -> bool:
    """Who reported a concern is known to the agency that received it and, in a crisis, to the
    police agency it was routed to (who may need to reach the reporter at once); to no one else."""
    agencies = UserAccess.of(user).casework_agency_ids
    return referral.received_by_id in agencies or (
        referral.routed_to_id is not None and referral.routed_to_id in agencies
    )


def _referral_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    condition = referral_condition(user, action)
    return qs.none() if condition is None else qs.filter(condition)


def _referral_child_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    condition = referral_condition(user, action, prefix="referral__")
    return qs.none() if condition is None else qs.filter(condition)


def _meeting_condition(user: AnyUser, action: Action, prefix: str) -> Q | None:
    """Meetings are seen by the panel's members and by those who attended (a case owner invited
    to the table), and run by the panel's coordinator."""
    access = UserAccess.of(user)
    if access.is_anonymous:
        return None
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        # A subquery, not a join: a join on attendance would repeat the meeting once per attendee.
        attended = apps.get_model("panels", "MeetingAttendance").objects.filter(user_id=access.user_id)
        condition = Q(**{f"{prefix}pk__in": attended.order_by().values("meeting_id")})
        if access.panel_ids:
            condition |= Q(**{f"{prefix}panel_id__in": access.panel_ids})
        return condition
    panels = access.coordinated_panel_ids
    return Q(**{f"{prefix}panel_id__in": panels}) if panels else None


def _meeting_rule(prefix: str) -> Rule:
    def rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
        condition = _meeting_condition(user, action, prefix)
        return qs.none() if condition is None else qs.filter(condition)

    return rule


def _agenda_rule(prefix: str) -> Rule:
    """An agenda item (and what hangs off it) is seen through its meeting, and only when its case
    or referral is one the user may know of: someone invited to the table for one case does not
    learn the others from the agenda."""

    def rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
        meeting = _meeting_condition(user, action, f"{prefix}meeting__")
        subjects = [
            case_condition(user, Action.VIEW_SUMMARY, prefix=f"{prefix}case__"),
            referral_condition(user, Action.VIEW, prefix=f"{prefix}referral__"),
        ]
        known = [condition for condition in subjects if condition is not None]
        if meeting is None or not known:
            return qs.none()
        return qs.filter(meeting, reduce(operator.or_, known))

    return rule


def _own_agency_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    """Records an agency keeps for itself about a case: its own members who see the file."""
    condition = case_condition(user, Action.VIEW if action == Action.VIEW_SUMMARY else action, prefix="case__")
    agencies = UserAccess.of(user).casework_agency_ids
    if condition is None or not agencies:
        return qs.none()
    return qs.filter(condition, agency_id__in=agencies)


def _panel_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    access = UserAccess.of(user)
    ids = access.coordinated_panel_ids if action in (Action.CHANGE, Action.MANAGE) else access.panel_ids
    return qs.filter(pk__in=ids) if ids else qs.none()


def _reminder_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    """A user's reminders: those addressed to them, and the case owner's on the cases they own now
    (pending reminders follow a new owner); never one about a case they may no longer see."""
    access = UserAccess.of(user)
    if access.is_anonymous:
        return qs.none()
    mine = Q(recipient_id=access.user_id) | Q(recipient__isnull=True, case__owner_id=access.user_id)
    seen = case_condition(user, Action.VIEW_SUMMARY, prefix="case__")
    # A reminder about no case (a referral to triage, a meeting's agenda): only while the user still
    # may know of the referral or the meeting.
    known = Q(pk__in=[])
    referrals, meetings = referral_condition(user, Action.VIEW), _meeting_condition(user, Action.VIEW, "")
    # Correlated (EXISTS on the primary key): the cost follows the user's reminders, not the
    # referrals or meetings they may read.
    if referrals is not None:
        target = apps.get_model("referrals", "Referral").objects.filter(referrals, pk=OuterRef("object_id"))
        known |= Q(Exists(target), kind=qs.model.Kind.TRIAGE)
    if meetings is not None:
        target = apps.get_model("panels", "PanelMeeting").objects.filter(meetings, pk=OuterRef("object_id"))
        known |= Q(Exists(target), kind=qs.model.Kind.AGENDA)
    about = Q(case__isnull=True) & known
    return qs.filter(mine, about | seen if seen is not None else about)


def _panel_child_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    access = UserAccess.of(user)
    ids = access.coordinated_panel_ids if action in (Action.CHANGE, Action.MANAGE) else access.panel_ids
    return qs.filter(panel_id__in=ids) if ids else qs.none()


def is_data_protection_officer(user: AnyUser) -> bool:
    """Whether `user` holds the data protection officer role (resolved once per user object)."""
    cached = getattr(user, "_ura_dpo", None)
    if cached is None:
        Membership = apps.get_model("agencies", "Membership")
        cached = bool(
            user.is_authenticated
            and user.is_active
            and Membership.objects.filter(user=user, role=Membership.Role.DATA_PROTECTION_OFFICER).exists()
        )
        setattr(user, "_ura_dpo", cached)  # noqa: B010
    return cached


def _data_protection_rule(qs: models.QuerySet[Any], user: AnyUser, action: Action) -> models.QuerySet[Any]:
    """Subject access requests and retention reviews: the data protection officer's alone; to
    everyone else they do not exist (decision 44)."""
    return qs if is_data_protection_officer(user) else qs.none()


RULES: dict[str, Rule] = {
    "case": _case_rule,
    "case_child": _case_child_rule,
    "case_share": _share_rule,
    "family": _family_rule,
    "person": _person_rule,
    "referral": _referral_rule,
    "referral_child": _referral_child_rule,
    "panel": _panel_rule,
    "meeting": _meeting_rule(""),
    "meeting_child": _meeting_rule("meeting__"),
    "agenda_item": _agenda_rule(""),
    "agenda_item_child": _agenda_rule("item__"),
    "case_own_agency": _own_agency_rule,
    "case_entry": _entry_rule,
    "case_entry_child": _entry_child_rule,
    "family_child": _family_child_rule,
    "plan_action": _plan_action_rule,
    "information_request": _information_request_rule,
    "reminder": _reminder_rule,
    "panel_child": _panel_child_rule,
    "data_protection": _data_protection_rule,
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

    def annotate_content(self, user: AnyUser) -> Self:
        """Annotate `content_visible`: whether `user` may read each entry (or entry event) past its
        abstract."""
        return self.annotate(content_visible=as_flag(entry_content_condition(user)))

    def annotate_access(self, user: AnyUser) -> Self:
        """Annotate `access_full`: whether `user` sees the case (of each row) in full.

        For cases and for rows hanging off a case; the same columns restrict() reads, no extra
        query per row.
        """
        prefix = "" if getattr(self.model, "access_rule", "") == "case" else "case__"
        condition = case_condition(user, Action.VIEW, prefix)
        if condition is None:
            return self.annotate(access_full=Value(False, output_field=BooleanField()))
        return self.annotate(access_full=ExpressionWrapper(condition, output_field=BooleanField()))


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
