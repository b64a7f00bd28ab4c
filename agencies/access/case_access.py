"""What one user may do with one case, read with the case row: `CaseAccess` (decision 50).

`Case.objects.with_access(user)` annotates each case with the columns of `case_access_columns`:
boolean expressions built from the very conditions `restrict()` filters on (`case_condition`),
plus who the user acts for and until when a break-the-glass access runs. They come in the same
query as the case, and `CaseAccess.of(case, user)` turns them into one answer, with no query of its
own. Pages, services, serializers and templates ask it; none recomputes a flag, so each rule
exists once and `tests/agencies/test_case_access.py` checks, role by role, that CaseAccess and
`restrict()` never disagree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from .core import CONDITION_SECONDS, Action, UserAccess, as_flag, case_condition, conditions_read_at
from .held import generation as held_generation

if TYPE_CHECKING:
    from .core import AnyUser

__all__ = ["CaseAccess", "Level", "acting_agency_id", "case_access_columns", "case_saved", "reads_in_full"]


class Level(IntEnum):
    """How much of a case a user reads, weakest first (a change must not lower it: decision 3)."""

    NONE = 0
    SUMMARY = 1
    FULL = 2


def _owns_or_coordinates(access: UserAccess) -> Q | None:
    """Who reads a case's access log, among those who know the case: its owner and the coordinator
    of its panel (decision 34). `CaseAccess.sees_access_log` adds "knows the case"."""
    if access.is_anonymous:
        return None
    theirs = Q(owner_id=access.user_id)
    if access.coordinated_panel_ids:
        theirs |= Q(panel_id__in=access.coordinated_panel_ids)
    return theirs


def _acting_candidates(access: UserAccess) -> tuple[int, ...]:
    """The agencies the user may act for, in the order they are chosen: those they work cases for
    come before those where they hold another role, each by name."""
    return access.casework_by_name or access.agencies_by_name


def _acting_agency(access: UserAccess) -> Any:
    """The agency the user acts for on each case: the owning agency when they work cases there;
    else the first (by name) of their agencies holding a current share of it; else their first
    agency (`_acting_candidates`)."""
    candidates = _acting_candidates(access)
    if not candidates:
        return Value(None, output_field=IntegerField())
    shared = (
        apps.get_model("cases", "CaseShare")
        ._default_manager.current()
        .filter(case_id=OuterRef("pk"), agency_id__in=candidates)
        .order_by("agency__name")
        .values("agency_id")[:1]
    )
    return models.Case(
        When(owning_agency_id__in=candidates, then=F("owning_agency_id")),
        default=Coalesce(Subquery(shared), Value(candidates[0])),
        output_field=IntegerField(),
    )


def acting_agency_id(user: AnyUser, case: Any = None) -> int | None:
    """The agency `user` acts for, the one rule for the trail and for what they write (decision 50).

    On a case (a case, or its id) it is `CaseAccess.acting_agency_id`: free for a case fetched with
    `with_access(user)`, else one query, and none for someone who may act for one agency only (the
    rule then has one answer, whatever the case). Without a case (a list, a refusal, a sign-in):
    the first of the agencies they work cases for, else the first of theirs, by name, as on a case
    that is neither theirs nor shared with them; None for someone who works for none."""
    access = UserAccess.of(user)
    candidates = _acting_candidates(access)
    fallback = candidates[0] if candidates else None
    if case is None or len(candidates) <= 1:
        return fallback
    if isinstance(case, int):
        case_id = case
    else:
        cached: CaseAccess | None = getattr(case, CACHE_ATTR, None)
        if cached is not None and cached.user_id == access.user_id:
            return cached.acting_agency_id
        if vars(case).get("access_user") == access.user_id:
            acting: int | None = case.access_agency
            return acting
        case_id = case.pk
    found = (
        apps.get_model("cases", "Case")
        ._default_manager.filter(pk=case_id)
        .annotate(acting=_acting_agency(access))
        .values_list("acting", flat=True)
        .first()
    )
    return found if found is not None else fallback


def _glass_until(access: UserAccess) -> Any:
    """When the user's current break-the-glass access to each case ends (None: there is none).
    Only the queries of those who may break the glass carry the subquery (decision 35)."""
    if not access.breaks_glass:
        return Value(None, output_field=DateTimeField())
    now = timezone.now()
    current = (
        apps.get_model("audit", "BreakGlassAccess")
        ._default_manager.filter(user_id=access.user_id, case_id=OuterRef("pk"), starts_at__lte=now, ends_at__gt=now)
        .order_by("-ends_at")
        .values("ends_at")[:1]
    )
    return Subquery(current, output_field=DateTimeField())


def case_access_columns(user: AnyUser) -> dict[str, Any]:
    """The annotations `CaseAccess.of` reads, for cases (not for rows hanging off a case).

    Each column costs its subqueries in building, compiling and planning the query, so none is
    asked twice: `access_writes` differs from `access_full` only for those who may break the
    glass (NULL, "as full", for everyone else)."""
    access = UserAccess.of(user)
    writes = as_flag(case_condition(user, Action.VIEW, glass=False)) if access.breaks_glass else _NULL_FLAG
    columns = {
        "access_user": Value(access.user_id or 0, output_field=IntegerField()),
        "access_summary": as_flag(case_condition(user, Action.VIEW_SUMMARY)),
        "access_full": as_flag(case_condition(user, Action.VIEW)),
        "access_change": as_flag(case_condition(user, Action.CHANGE)),
        "access_manage": as_flag(case_condition(user, Action.MANAGE)),
        # The full file, but not through a break-the-glass access: that one reads, never writes.
        "access_writes": writes,
        "access_log": as_flag(_owns_or_coordinates(access)),
        "access_agency": _acting_agency(access),
        "access_glass_until": _glass_until(access),
    }
    # The conditions these were written from (when they were read, and the count of changes in this
    # process then): as long as the user object keeps those very conditions, the answers may stand
    # for them (`CaseAccess.stands_for`, decision 164).
    read_at = conditions_read_at(user)
    stamp = "" if read_at is None else f"{read_at!r} {_generation()}"
    return {
        **columns,
        "access_read": Value(stamp, output_field=CharField()),
        # The case as these were read of it: a case object changed since no longer matches them.
        "access_read_owner": F("owner_id"),
        "access_read_agency": F("owning_agency_id"),
        "access_read_panel": F("panel_id"),
    }


_NULL_FLAG = Value(None, output_field=BooleanField())


def reads_in_full(row: models.Model) -> bool:
    """Whether `row` (a case, or a row hanging off one) was fetched as read in full by its user
    (annotated by `with_access` or `annotate_access`)."""
    if "access_full" not in vars(row):
        raise ImproperlyConfigured(
            f"{type(row).__name__} was fetched without its access: use with_access() or annotate_access()"
        )
    return bool(vars(row)["access_full"])


CACHE_ATTR = "_ura_case_access"


@dataclass(frozen=True)
class CaseAccess:
    """What one user may do with one case. Built by `of()` from the columns `with_access` adds.

    Attributes:
        level: none, summary or full (what `restrict()` gives for VIEW_SUMMARY and VIEW).
        change: edit the file: stage, risk, key worker (`restrict(CHANGE)`).
        manage: share, revoke, assign the owner, record consent (`restrict(MANAGE)`).
        writes: write in the file (entries, contacts, restrictions, the six checks): the full
            file, not read through a break-the-glass access (decision 35).
        sees_access_log: who looked at the case (decision 34).
        acting_agency_id: the agency the user acts for on this case (None: they work for none).
        acting_sector: the sector of that agency (a kind of entry may be one sector's: `records`).
        works_for_disclosing_agency: the user works cases for a health or social-care agency.
        glass_until: when the user's current break-the-glass access to the case ends.
        is_open: the case is not closed.
    """

    case_id: int
    user_id: int | None
    level: Level
    change: bool
    manage: bool
    writes: bool
    sees_access_log: bool
    acting_agency_id: int | None
    acting_sector: str | None
    works_for_disclosing_agency: bool
    glass_until: datetime.datetime | None
    is_open: bool
    # The user, for the one capability that also needs a global permission (`records_checks`):
    # asked only there, so no other answer costs the permissions' read.
    user: Any = field(default=None, repr=False, compare=False)
    # When the conditions the columns were written from were read, the count of changes in this
    # process then, and the case's owner, agency and panel as read: whether the answers still
    # stand (`stands_for`).
    read_at: float | None = field(default=None, repr=False, compare=False)
    generation: str | None = field(default=None, repr=False, compare=False)
    read_as: tuple[Any, ...] = field(default=(), repr=False, compare=False)

    @property
    def full(self) -> bool:
        return self.level == Level.FULL

    @property
    def knows(self) -> bool:
        """The case exists for the user: they read at least its summary."""
        return self.level >= Level.SUMMARY

    @property
    def runs(self) -> bool:
        """Runs the case: its owner, a supervisor of the owning agency, its panel's coordinator.
        These are exactly the managers (decision 2), so the rule is `manage`'s, not one more."""
        return self.manage

    @property
    def asks_partners(self) -> bool:
        """Asks a partner agency a question (information requests): who runs an open case."""
        return self.runs and self.is_open

    @property
    def asks_owner(self) -> bool:
        """Asks the case's owner a question or for fuller access (decision 91): who knows the case
        by its summary only (a full reader asks in the file itself), while it is open."""
        return self.knows and not self.full and self.is_open

    @property
    def plans(self) -> bool:
        """Writes and starts plans, reviews, withdrawals: who changes the case, while it is open."""
        return self.change and self.is_open

    @property
    def reads_through_glass(self) -> bool:
        """The full file is open to the user only by a break-the-glass access."""
        return self.full and not self.writes

    @property
    def sees_shares(self) -> bool:
        """The list of shares: full readers, and managers (who revoke shares from the summary)."""
        return self.full or self.manage

    @property
    def reads_share_particulars(self) -> bool:
        """Why and on what a share rests (justification, consent, purpose) is case content: full
        readers only, never a summary-level manager (decision 15)."""
        return self.full

    def records(self, sector: str | None = None) -> bool:
        """Records an entry in the file: who writes in it; for a kind one sector keeps (the police's
        security assessment, `cases.entry_kinds`), who acts for an agency of that sector."""
        return self.writes and (sector is None or self.acting_sector == sector)

    @property
    def records_checks(self) -> bool:
        """Records the six checks of a health or social-care agency before it shares: writes in the
        file, works cases for such an agency, and holds the permission to add checks (a role's,
        `agencies/roles.py`; the page, the form and the API each refuse without it). The
        permission is asked last, once the rest holds: Django reads a user's permissions once."""
        return (
            self.writes
            and self.works_for_disclosing_agency
            and self.user is not None
            and self.user.has_perm("cases.add_disclosurecheck")
        )

    def stands_for(self, case: Any, user: AnyUser) -> bool:
        """Whether these answers may stand for `user`'s conditions on `case` now (`restrict_to`):
        written from the very conditions the user object still keeps (not forgotten, not read
        again), within their lifetime (two seconds from when they were read), with no share, grant,
        glass or case saved in this process since, of the case as it still is here (owner, agency,
        panel). Otherwise the rows are restricted the long way."""
        if self.read_at is None or self.generation != _generation() or self.case_id != case.pk:
            return False
        if conditions_read_at(user) != self.read_at:
            return False
        if self.read_as != (case.owner_id, case.owning_agency_id, case.panel_id):
            return False
        return 0 <= timezone.now().timestamp() - self.read_at < CONDITION_SECONDS

    def answers(self, action: Action, glass: bool) -> bool | None:
        """What `case_condition(user, action, glass=glass)` answers for this case, as read with it;
        None for a question the case's columns do not answer (the summary without the glass)."""
        if action in (Action.CHANGE, Action.MANAGE):  # no break-the-glass branch: the glass reads
            return self.change if action == Action.CHANGE else self.manage
        if action == Action.VIEW:
            return self.full if glass else self.writes
        return self.knows if glass else None

    def allows(self, action: Action | str) -> bool:
        """What `restrict(user, action)` answers for this case."""
        return {
            Action.VIEW_SUMMARY: self.knows,
            Action.VIEW: self.full,
            Action.CHANGE: self.change,
            Action.MANAGE: self.manage,
        }[Action(action)]

    @classmethod
    def of(cls, case: Any, user: AnyUser) -> CaseAccess:
        """The access of `user` to `case`, a case fetched with `Case.objects.with_access(user)`."""
        access = UserAccess.of(user)
        cached: CaseAccess | None = getattr(case, CACHE_ATTR, None)
        if cached is not None and cached.user_id == access.user_id:
            return cached
        try:
            annotated_for = case.access_user
        except AttributeError:
            raise ImproperlyConfigured("Fetch the case with Case.objects.with_access(user).") from None
        if annotated_for != (access.user_id or 0):
            raise ImproperlyConfigured("The case was fetched with another user's access.")
        level = Level.FULL if case.access_full else Level.SUMMARY if case.access_summary else Level.NONE
        Agency = apps.get_model("agencies", "Agency")
        casework_sectors = {access.sector_of(agency) for agency in access.casework_by_name}
        built = cls(
            case_id=case.pk,
            user_id=access.user_id,
            level=level,
            change=bool(case.access_change),
            manage=bool(case.access_manage),
            writes=bool(case.access_full if case.access_writes is None else case.access_writes),
            sees_access_log=level >= Level.SUMMARY and bool(case.access_log),
            acting_agency_id=case.access_agency,
            acting_sector=access.sector_of(case.access_agency),
            works_for_disclosing_agency=bool(casework_sectors & Agency.DISCLOSING_SECTORS),
            glass_until=case.access_glass_until,
            is_open=case.closed_at is None,
            user=user,
            **_read_stamp(case),
        )
        setattr(case, CACHE_ATTR, built)
        return built

    @classmethod
    def fetch(cls, case: Any, user: AnyUser) -> CaseAccess:
        """The access of `user` to `case` in one query, for a case that came without it (from a
        form or a serializer field); none when it already carries it. Prefer fetching the case
        with `with_access(user)` in the first place."""
        cached: CaseAccess | None = getattr(case, CACHE_ATTR, None)
        if cached is not None and cached.user_id == UserAccess.of(user).user_id:
            return cached
        if hasattr(case, "access_user"):
            return cls.of(case, user)
        fetched = type(case)._default_manager.with_access(user).get(pk=case.pk)
        built = cls.of(fetched, user)
        setattr(case, CACHE_ATTR, built)
        return built


_cases_saved = 0


def case_saved(**_: Any) -> None:
    """A case was saved or deleted in this process: answers read before stand for nothing."""
    global _cases_saved  # one counter for the process, read with each case's access
    _cases_saved += 1


def _generation() -> str:
    """Changes in this process that may change what a user may do with a case: shares, grants
    and glass (`held.generation`), and cases saved."""
    return f"{held_generation()}.{_cases_saved}"


def _read_stamp(case: Any) -> dict[str, Any]:
    """`access_read` ("<timestamp> <generation>") and what the case was as read."""
    stamp = vars(case).get("access_read")
    if not stamp:
        return {}
    read_at, generation = stamp.split()
    return {
        "read_at": float(read_at),
        "generation": generation,
        "read_as": (case.access_read_owner, case.access_read_agency, case.access_read_panel),
    }
