"""Who may see what: the one place that decides it (design.md §2).

Every model holding case data has a `RestrictedQuerySet` as its default manager, and every view,
viewset, form, export and task reaches rows through `Model.objects.restrict(user, action)`.

Access to a case comes in two kinds, composed here:

- implicit, from the case's own indexed columns (owning agency, owner, panel) matched against the
  user's memberships, which are resolved once per request (`UserAccess`);
- explicit grants: a share to an agency (`CaseShare`), an individual grant to one user (guardian's
  direct foreign-key table `CaseUserObjectPermission`, with its end date: decision 96); and, for
  supervisors and superusers, a current break-the-glass access (`audit.BreakGlassAccess`), read
  as ids with the user's memberships (one query, `held`) and written into each query as one
  constant array; as small subqueries for a user holding more than `held.LITERAL_CAP` by name.

Each model names the rule that applies these to its rows by reference (`access_rule =
rules.case_child`, `agencies/access/rules.py`); `restrict()` calls it.

A list query filters on one OR of indexed branches (PostgreSQL runs it as a BitmapOr of index
scans); the grant tables are never joined across the whole table.
Measured at a million cases in docs/decisions.md and `make bench`.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from enum import StrEnum
from functools import reduce
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self, TypeGuard, TypeVar

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Lookup, Q, Value
from django.http import Http404
from django.utils import timezone

from . import held
from .held import Held, read_held
from .held import generation as held_generation

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

__all__ = [
    "Action",
    "RestrictedQuerySet",
    "Rule",
    "UserAccess",
    "as_flag",
    "case_condition",
    "entry_content_condition",
    "forget_access",
    "get_restricted_object",
    "information_request_condition",
    "is_data_protection_officer",
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
    # The panels whose front door the user receives: as coordinator or single point of contact.
    front_door_panel_ids: frozenset[int] = field(default_factory=frozenset)
    breaks_glass: bool = False
    # Whether the user holds a current individual grant: only then do their queries read the table.
    holds_grants: bool = False
    # The user's agencies by name, each with its sector: who they act for on a case (CaseAccess).
    casework_by_name: tuple[int, ...] = ()
    agencies_by_name: tuple[int, ...] = ()
    sectors: tuple[tuple[int, str], ...] = ()

    CACHE_ATTR: ClassVar[str] = "_ura_access"

    @classmethod
    def of(cls, user: AnyUser) -> UserAccess:
        """Return the user's access, resolving it once per user object (so once per request)."""
        cached = getattr(user, cls.CACHE_ATTR, None)
        if cached is None:
            cached = cls._resolve(user)
            setattr(user, cls.CACHE_ATTR, cached)
        return cached

    def fingerprint(self) -> str:
        """A short digest of everything the user may reach, in a fixed order: a cache key that is
        another key once a membership, role, panel seat, grant or break-the-glass changes."""
        canonical = [
            (item.name, sorted(value) if isinstance(value, frozenset) else value)
            for item in fields(self)
            for value in [getattr(self, item.name)]
        ]
        return hashlib.sha256(repr(canonical).encode()).hexdigest()[:24]

    @classmethod
    def _resolve(cls, user: AnyUser) -> UserAccess:
        if not user.is_authenticated or not user.is_active:
            return cls(user_id=None)
        Membership = apps.get_model("agencies", "Membership")
        Panel = apps.get_model("agencies", "Panel")
        memberships = Membership.objects.filter(user=user).order_by("agency__name", "agency_id")
        # In the same query, what the user holds by name (decision 160): the shares to each agency,
        # their current individual grants (decision 96) and break-the-glass accesses. A grant is
        # given only to someone with a membership, so no membership means no grant.
        now = timezone.now()
        held_columns = held.columns(now)
        fetched = list(
            memberships.annotate(**held_columns).values_list(
                "agency_id", "role", "agency__group_id", "agency__sector", *held_columns
            )
        )
        grants = fetched[0][5] if fetched else None
        if fetched:
            shares = [row[4] for row in fetched if row[1] not in Membership.NO_CASE_ROLES]
            _remember_held(user, now.timestamp(), held.from_columns(shares, grants, fetched[0][6]))
        named = [row[:4] for row in fetched]
        rows = [(agency, role, group) for agency, role, group, _sector in named]
        roles = {role for _, role, _ in rows}
        panels: list[tuple[int, int, int | None]] = []
        # A panel seat comes with a panel role: whoever loses the role loses the panel, even if a
        # panel still names them as its coordinator or chair.
        if roles & Membership.PANEL_ROLES:
            panel_agencies = {agency for agency, role, _ in rows if role in Membership.PANEL_ROLES}
            panels = list(
                Panel.objects.filter(
                    Q(coordinator=user)
                    | Q(chair=user)
                    | Q(single_point_of_contact=user)
                    | Q(agencies__in=panel_agencies)
                )
                .values_list("pk", "coordinator_id", "single_point_of_contact_id")
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
            panel_ids=frozenset(pk for pk, _, _ in panels),
            coordinated_panel_ids=frozenset(pk for pk, c, _ in panels if coordinates and c == user.pk),
            front_door_panel_ids=frozenset(
                pk for pk, c, spoc in panels if (coordinates and c == user.pk) or spoc == user.pk
            ),
            # Who may break the glass (decision 35); only their queries carry that branch.
            breaks_glass=getattr(user, "is_superuser", False) or Membership.Role.SUPERVISOR in roles,
            casework_by_name=_unique(a for a, role, _ in rows if role in Membership.CASEWORK_ROLES),
            agencies_by_name=_unique(a for a, _, _ in rows),
            sectors=tuple(dict((agency, sector) for agency, _, _, sector in named).items()),
            holds_grants=bool(grants),
        )

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    def sector_of(self, agency_id: int | None) -> str | None:
        """The sector of one of the user's agencies (None for an agency not theirs)."""
        return dict(self.sectors).get(agency_id) if agency_id is not None else None


def _unique(ids: Iterable[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(ids))


# What a user object remembers of its memberships for the rest of a request: its access, whether
# it is a data protection officer, and Django's permissions of its role groups (ModelBackend).
_CONDITIONS = "_ura_case_conditions"
CONDITION_SECONDS = 2.0
_HELD = "held"
_REMEMBERED = (
    UserAccess.CACHE_ATTR,
    "_ura_dpo",
    "_perm_cache",
    "_user_perm_cache",
    "_group_perm_cache",
    _CONDITIONS,
)


def forget_access(user: AnyUser) -> None:
    """Drop what a user object remembers of its access, after their memberships changed within the
    same request (their next request reads them afresh anyway)."""
    for attr in _REMEMBERED:
        if hasattr(user, attr):
            delattr(user, attr)


# --- Cases ----------------------------------------------------------------------------------


class AnyOf(Lookup[int]):
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


def _grants(
    access: UserAccess, codenames: tuple[str, ...], prefix: str, glass: bool = True, held: Held | None = None
) -> list[Q]:
    """Cases granted explicitly to the user (an individual grant) or shared with their agencies.

    Each branch is there only for a user who can hold its rows, and reads only rows that have not
    ended: a grant or a share grants nothing from the second it ends, whenever the sweep removes
    or closes it (decisions 14 and 96). Read once as ids (`held`, decision 160); as subqueries
    for a user holding more than `held.LITERAL_CAP` cases by name.
    """
    ids = held.ids(codenames, glass and access.breaks_glass) if held is not None else None
    if ids is not None:
        return [Q(**{f"{prefix}pk__among_ids": ids})] if ids.ids else []
    grants = []
    if access.holds_grants:
        user_perm = apps.get_model("cases", "CaseUserObjectPermission")
        grants.append(
            user_perm.objects.filter(
                user_id=access.user_id, permission__codename__in=codenames, ends_at__gt=timezone.now()
            ).values("content_object_id")
        )
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


def _whole_agency_ids(access: UserAccess, action: Action) -> frozenset[int]:
    """The agencies of which the user may act on every case with `action`: the one agency branch of
    `_case_branches` (it is written from these), which `restrict_to_agency` may stand for alone."""
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        return access.casework_agency_ids
    if action in (Action.CHANGE, Action.MANAGE):
        return access.supervised_agency_ids
    raise ValueError(f"Unknown action for cases: {action!r}")


def _case_branches(
    access: UserAccess, action: Action, prefix: str, glass: bool = True, held: Held | None = None
) -> list[Q]:
    def on(**lookups: Any) -> Q:
        return Q(**{prefix + name: value for name, value in lookups.items()})

    branches: list[Q] = []
    whole = _whole_agency_ids(access, action)  # every case of these agencies, whatever else
    if whole:
        branches.append(on(owning_agency_id__in=whole))
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        branches += _grants(access, FULL_PERMS if action == Action.VIEW else SUMMARY_PERMS, prefix, glass, held)
        if action == Action.VIEW_SUMMARY and access.panel_ids:
            branches.append(on(panel_id__in=access.panel_ids))
    elif action in (Action.CHANGE, Action.MANAGE):
        if access.casework_agency_ids:
            branches.append(on(owner_id=access.user_id, owning_agency_id__in=access.casework_agency_ids))
        if action == Action.MANAGE and access.coordinated_panel_ids:
            branches.append(on(panel_id__in=access.coordinated_panel_ids))
    return branches


# While `restrict_to_agency` runs a rule: the path from the rule's rows to their case and the one
# owning agency asked for. Nothing else sets it.
_KNOWN_AGENCY: ContextVar[tuple[str, int] | None] = ContextVar("ura_known_agency", default=None)


# While `restrict_to` runs a rule for one case: the path from the rule's rows to their case, the
# case's id, and what the reader may do with it (`CaseAccess.answers`). Nothing else sets it.
_KNOWN_CASE: ContextVar[tuple[str, int, Callable[[Action, bool], bool | None]] | None] = ContextVar(
    "ura_known_case", default=None
)


def case_condition(user: AnyUser, action: Action | str, prefix: str = "", *, glass: bool = True) -> Q | None:
    """The cases `user` may act on with `action`, as one condition; None when there are none.

    Each branch is an indexed lookup on the case (owning agency, owner, panel) or a guardian
    grant; `prefix` ("case__") applies it through a relation. `glass=False` leaves out a
    break-the-glass access: it reads a file, it never writes in it (decision 35), so a write that
    only needs the full file (an entry, a contact) asks for the file without it.
    """
    known = _KNOWN_CASE.get()
    if known is not None and known[0] == prefix:
        allowed = known[2](Action(action), glass)
        if allowed is not None:  # this case's answer, read with it (`restrict_to`)
            return Q(**{f"{prefix}pk": known[1]}) if allowed else None
    access = UserAccess.of(user)
    if access.is_anonymous:
        return None
    agency = _KNOWN_AGENCY.get()
    if agency is not None and agency[0] == prefix and agency[1] in _whole_agency_ids(access, Action(action)):
        # Every case of the agency asked for is the user's (`restrict_to_agency`): the agency alone.
        return Q(**{f"{prefix}owning_agency_id": agency[1]})
    # Built once per request, not once per section (issue 19: a case page asked for it some thirty
    # times, building the same subqueries each time). Kept on the user object beside its
    # UserAccess, forgotten with it, and for two seconds at most: a share or grant that ends is
    # read with the time it is checked at, and a long task's user object must not keep an old one.
    remembered = _memo(user)
    key, now = (str(action), prefix, glass), timezone.now().timestamp()  # the clock the conditions read
    kept = remembered.get(key)
    if _fresh(kept, now):
        remembered_condition: Q | None = kept[2]
        return remembered_condition
    branches = _case_branches(access, Action(action), prefix, glass, _held(remembered, access, now))
    condition = reduce(operator.or_, branches) if branches else None
    # As old as the ids it is written from (decision 160): kept no longer than they are.
    remembered[key] = (min(now, remembered[_HELD][0]), held_generation(), condition)
    return condition


def conditions_read_at(user: AnyUser) -> float | None:
    """When the cases the user holds by name were read for the conditions the user object keeps
    now (None: it keeps none). The conditions are as old as those ids (decision 160)."""
    kept = getattr(user, _CONDITIONS, {}).get(_HELD)
    return None if kept is None else float(kept[0])


def _memo(user: AnyUser) -> dict[Any, tuple[float, int, Any]]:
    """What the user object remembers of its conditions and held ids, each with when it was read and
    the counter of changes to shares, grants and glass at that time."""
    remembered: dict[Any, tuple[float, int, Any]] | None = getattr(user, _CONDITIONS, None)
    if remembered is None:  # set through the user (a request's user is a lazy object around it)
        remembered = {}
        setattr(user, _CONDITIONS, remembered)
    return remembered


def _fresh(kept: tuple[float, int, Any] | None, now: float) -> TypeGuard[tuple[float, int, Any]]:
    return kept is not None and 0 <= now - kept[0] < CONDITION_SECONDS and kept[1] == held_generation()


def _remember_held(user: AnyUser, now: float, found: Held) -> None:
    _memo(user)[_HELD] = (now, held_generation(), found)


def _held(remembered: dict[Any, tuple[float, int, Any]], access: UserAccess, now: float) -> Held:
    """The cases the user holds by name: read with their memberships (`UserAccess`), again once
    the conditions' lifetime has passed or a share or grant changed here (decision 160)."""
    kept = remembered.get(_HELD)
    if _fresh(kept, now):
        found: Held = kept[2]
        return found
    found = read_held(access)
    remembered[_HELD] = (now, held_generation(), found)
    return found


def as_flag(condition: Q | None) -> Any:
    """A condition as a boolean column (False when the user has no access at all), to annotate
    rows with what the user may see of what they point to."""
    if condition is None:
        return Value(False, output_field=BooleanField())
    return ExpressionWrapper(condition, output_field=BooleanField())


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
    if access.coordinated_panel_ids and action != Action.CHANGE:
        branches.append(_overdue_for_triage_on_coordinated_panels(access, prefix))
    if access.front_door_panel_ids and action != Action.CHANGE:
        # A concern sent to a panel's front door: its coordinator and single point of contact
        # receive it, read it whole and triage it (decision 125).
        branches.append(Q(**{f"{prefix}front_door_id__in": access.front_door_panel_ids}))
    return branches


def _overdue_for_triage_on_coordinated_panels(access: UserAccess, prefix: str) -> Q:
    """A referral still waiting for triage past its deadline, received by (or routed to) an agency
    of a panel the user coordinates: the coordinator answers for the 24 hours (decision 75), and
    sees it to triage it or chase it; the reporter stays hidden (`sees_reporter`)."""
    through = apps.get_model("agencies", "Panel").agencies.through
    agencies = through.objects.filter(panel_id__in=access.coordinated_panel_ids).values("agency_id")
    overdue = Q(**{f"{prefix}status": "new", f"{prefix}triage_due_at__lt": timezone.now()})  # Referral.Status.NEW
    return overdue & (Q(**{f"{prefix}received_by_id__in": agencies}) | Q(**{f"{prefix}routed_to_id__in": agencies}))


def referral_condition(user: AnyUser, action: Action | str, prefix: str = "") -> Q | None:
    """The referrals `user` may act on: those received by or routed to (a crisis, to the police)
    an agency they work cases for; and, to read, those put to a panel they sit on (to manage, a
    panel they coordinate), and those overdue for triage at an agency of a panel they coordinate.
    A repeat concern added to an earlier record is also read by that record's readers, who triage
    it: concerns add up on one record."""
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
    police agency it was routed to (who may need to reach the reporter at once), and for a concern sent
    to a panel's front door, to those who receive it there; to no one else."""
    access = UserAccess.of(user)
    agencies = access.casework_agency_ids
    return (
        (referral.received_by_id is not None and referral.received_by_id in agencies)
        or (referral.routed_to_id is not None and referral.routed_to_id in agencies)
        or (referral.front_door_id is not None and referral.front_door_id in access.front_door_panel_ids)
    )


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


# --- Rules ------------------------------------------------------------------------------------

_QS = TypeVar("_QS", bound=models.QuerySet[Any])


class RuleRows(Protocol):
    """What a rule does: narrow `qs` to the rows `user` may act on with `action`."""

    __name__: str

    def __call__(self, qs: _QS, user: AnyUser, action: Action, /) -> _QS: ...


class Rule:
    """One access rule, declared in `agencies/access/rules.py` and named by reference on each model
    it guards (`access_rule = rules.case_child`): `restrict()` calls it.

    `case_path` is how a row of the rule reaches its case (`"case__"`, or `""` for the case
    itself): `annotate_access` reads whether the user sees that case in full through it.
    """

    __slots__ = ("case_path", "name", "rows")

    def __init__(self, name: str, rows: RuleRows, *, case_path: str = "case__") -> None:
        self.name, self.rows, self.case_path = name, rows, case_path

    def __call__(self, qs: _QS, user: AnyUser, action: Action) -> _QS:
        return self.rows(qs, user, action)

    def __repr__(self) -> str:
        return f"<Rule {self.name}>"


def rule(rows: RuleRows) -> Rule:
    """Declare a rule under the name of its function."""
    return Rule(rows.__name__, rows)


class RestrictedQuerySet(models.QuerySet[Any]):
    """A queryset that can narrow itself to what one user may do (`restrict`).

    Models declare their rule in `access_rule` (a `Rule` of `agencies/access/rules.py`) and the
    weakest action that still lets a user know the row exists in `read_action`.
    """

    def _fetch_all(self) -> None:
        # Rows known to be none (`none()`: a table without a row of the case, decision 166) are
        # given as none, without compiling the columns of a query that will not be sent.
        if self._result_cache is None and self.query.is_empty():
            self._result_cache = []
        super()._fetch_all()

    def _rule(self) -> Rule:
        access_rule = getattr(self.model, "access_rule", None)
        if not isinstance(access_rule, Rule):
            raise ImproperlyConfigured(f"{self.model.__name__} declares no access_rule")
        return access_rule

    def restrict(self, user: AnyUser, action: Action | str = Action.VIEW) -> Self:
        """Return only the rows `user` may act on with `action`."""
        # A rule that restricts another model inside it speaks of that model's cases, not of the
        # case `restrict_to` knows: the known case never reaches a nested rule.
        token, agency_token = _KNOWN_CASE.set(None), _KNOWN_AGENCY.set(None)
        try:
            return self._rule()(self, user, Action(action))
        finally:
            _KNOWN_AGENCY.reset(agency_token)
            _KNOWN_CASE.reset(token)

    def restrict_to_agency(self, agency_id: int, user: AnyUser, action: Action | str = Action.VIEW) -> Self:
        """The rows of cases owned by one agency that `user` may act on with `action`: the rows of
        `restrict(user, action).filter(<case>owning_agency_id=agency_id)`, written so that
        PostgreSQL can count them (decision 177).

        A user who may act on every case of that agency (it is one of the agency branches of their
        condition) is given the agency alone. Written the long way, the agency's condition meets
        the same agency among the branches of the user's, and PostgreSQL, taking the two for
        independent, expects a hundredth of the rows: a practitioner's own agency at a million
        cases was joined and sorted whole (200 ms) instead of read through its index. Any other
        agency is restricted the long way, then narrowed."""
        action = Action(action)
        rule = self._rule()
        token = _KNOWN_AGENCY.set((rule.case_path, agency_id))
        try:
            rows = rule(self, user, action)
        finally:
            _KNOWN_AGENCY.reset(token)
        return rows.filter(**{f"{rule.case_path}owning_agency_id": agency_id})

    def restrict_to(self, case: Any, user: AnyUser, action: Action | str = Action.VIEW) -> Self:
        """The rows of one case `user` may act on with `action`: the rows of
        `restrict(user, action).filter(case=case)`, with less to build and to plan.

        A case fetched with `with_access(user)` (the case page's) already carries whether the user
        may read it, in full or not, change it or manage it (`CaseAccess`). While the rule runs,
        each condition on the rows' case through the rule's own path (`case__`) is that answer:
        `case_id = <case>` where the user may, nothing where they may not, instead of the user's
        whole set of cases written out for every section (decision 164). Every other condition of
        the rule (an entry's author, its draft state, the agency asked) is built as ever. A case
        without its access for this user is restricted the long way."""
        action = Action(action)
        rule = self._rule()
        if not rule.case_path:
            raise ImproperlyConfigured(f"{self.model.__name__} rows are cases: use restrict().filter(pk=...)")
        if _known_empty(case, self.model):
            return self.none()  # the case has no row here at all (decision 166)
        on_case = {f"{rule.case_path}pk": case.pk}
        known = _access_read_with(case, user)
        if known is None:
            return self.restrict(user, action).filter(**on_case)
        token = _KNOWN_CASE.set((rule.case_path, case.pk, known.answers))
        try:
            rows = rule(self, user, action)
        finally:
            _KNOWN_CASE.reset(token)
        return rows.filter(**on_case)

    def lock(self, *, skip_locked: bool = False) -> Self:
        """Lock these rows until the transaction ends (`SELECT ... FOR UPDATE`), in primary-key order.

        The one way Ura locks rows. A write first reads its row again through `restrict()` for the
        action it performs, then locks it: a row that changed hands since the page was loaded is
        refused, never changed (`refetch`). Taking rows in primary-key order means two
        transactions locking several rows take them in the same order, so neither waits on the
        other in a cycle. `of=("self",)` locks this table's rows only: a joined row
        (`select_related`: the family, the owner, the agency) is read, not locked, and PostgreSQL
        refuses to lock the nullable side of an outer join at all. SQLite has no row locks (one
        writer at a time), so there this is a plain read. `skip_locked`: a sweep takes rows
        nobody else holds, so two sweeps at once never take the same row.
        """
        return self.order_by("pk").select_for_update(of=("self",), skip_locked=skip_locked)

    def refetch(self, obj: models.Model, refusal: str) -> Any:
        """`obj` read again from these rows, or a `ValidationError(refusal)` when it is not among
        them (the user's access changed since the page was loaded, or the object is not theirs)."""
        try:
            return self.get(pk=obj.pk)
        except self.model.DoesNotExist:
            raise ValidationError(refusal) from None

    def annotate_content(self, user: AnyUser) -> Self:
        """Annotate `content_visible`: whether `user` may read each entry (or entry event) past its
        abstract."""
        return self.annotate(content_visible=as_flag(entry_content_condition(user)))

    def annotate_access(self, user: AnyUser) -> Self:
        """Annotate `access_full`: whether `user` sees the case (of each row) in full.

        For cases and for rows hanging off a case; the same columns restrict() reads, no extra
        query per row.
        """
        condition = case_condition(user, Action.VIEW, self._rule().case_path)
        if condition is None:
            return self.annotate(access_full=Value(False, output_field=BooleanField()))
        return self.annotate(access_full=ExpressionWrapper(condition, output_field=BooleanField()))


def _known_empty(case: Any, model: type[models.Model]) -> bool:
    from .present import known_empty  # present stands on this module

    return known_empty(case, model)


def _access_read_with(case: Any, user: AnyUser) -> Any:
    """The `CaseAccess` of `user` read with `case` (fetched with `with_access(user)`) while it
    still stands (`CaseAccess.stands_for`), or None."""
    from .case_access import CACHE_ATTR, CaseAccess

    user_id = UserAccess.of(user).user_id
    if user_id is None:
        return None
    known = getattr(case, CACHE_ATTR, None)
    if known is None and vars(case).get("access_user") == user_id:
        known = CaseAccess.of(case, user)
    if known is None or known.user_id != user_id or not known.stands_for(case, user):
        return None
    return known


def read_action_of(model: type[models.Model]) -> Action:
    return Action(getattr(model, "read_action", Action.VIEW))


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
