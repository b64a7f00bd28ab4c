"""The cases a user holds by name: a share to an agency of theirs, an individual grant, a current
break-the-glass access. Read once per request as ids and written into the case condition as one
constant array (decision 160).

Why not a subquery, as before: a condition of `restrict()` is compiled into every query of a page
(a case page asks for it in some thirty), and `id = ANY(ARRAY(SELECT ...))` is an array PostgreSQL
searches row by row: a supervisor of ten agencies with 2,200 shared cases waited 68 ms for a
count of 1,001 of them. A constant array is hashed by the planner (4 ms) and is one parameter to
compile. A user who holds more than `LITERAL_CAP` cases by name keeps the subqueries (`None`).

The ids are as fresh as the case conditions built from them: read at the request's start (a
request's user object is new), kept two seconds at most on a longer-lived user object, and read
again at once after any share, grant or break-the-glass access is saved or deleted in this process
(`grants_changed`, connected in agencies.signals).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Lookup, Q, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.fields import BigAutoField
from django.utils import timezone

if TYPE_CHECKING:
    from .core import UserAccess

__all__ = ["LITERAL_CAP", "Held", "Ids", "columns", "from_columns", "generation", "grants_changed", "read_held"]

# More ids than this and a branch reads its table as a subquery (a municipality's agency holding
# thousands of shared cases): the array would cost more to send than the subquery to run.
LITERAL_CAP = 5000
GLASS = "glass"
# The two permissions a share or grant reads a case by (agencies.access.core.SUMMARY_PERMS), and
# the scope of a share each stands for (core.SHARE_SCOPES).
SUMMARY_CODENAMES = ("view_case", "view_case_summary")
_KINDS = {"full": "view_case", "summary": "view_case_summary"}

_generation = 0


def generation() -> int:
    return _generation


def grants_changed(**_: Any) -> None:
    """A share, grant or break-the-glass access was saved or deleted: conditions built before it
    are built again (in this process; another process's request read them at its own start)."""
    global _generation  # one counter for the process, read by case_condition
    _generation += 1


class Ids:
    """Case ids as one value (a list would be walked element by element by the ORM), written out
    once: as PostgreSQL's array literal, one constant the server reads in one go (an `ARRAY[...]`
    of 2,000 parameters was parsed element by element in every query: +10 ms a page)."""

    __slots__ = ("ids", "literal")

    def __init__(self, ids: frozenset[int]) -> None:
        self.ids = tuple(sorted(ids))
        self.literal = "{" + ",".join(str(int(pk)) for pk in self.ids) + "}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ids) and other.ids == self.ids

    def __hash__(self) -> int:
        return hash(self.ids)


class Held:
    """What a user holds by name, by the permission it stands for (`view_case`,
    `view_case_summary`, `glass`); `by_codename` is `None` when there were too many to write out."""

    __slots__ = ("_written", "by_codename")

    def __init__(self, by_codename: dict[str, frozenset[int]] | None) -> None:
        self.by_codename = by_codename
        self._written: dict[tuple[tuple[str, ...], bool], Ids] = {}

    def ids(self, codenames: tuple[str, ...], glass: bool) -> Ids | None:
        """The ids held for any of `codenames` (and by breaking the glass), written out once."""
        if self.by_codename is None:
            return None
        key = (codenames, glass)
        if key not in self._written:
            wanted = (*codenames, GLASS) if glass else codenames
            self._written[key] = Ids(frozenset().union(*(self.by_codename.get(name, frozenset()) for name in wanted)))
        return self._written[key]


class AmongIds(Lookup[int]):
    """`id = ANY(%s::bigint[])`, the ids one array parameter, on PostgreSQL (a constant array the
    planner hashes; an index scan inside an OR stays one, so the OR stays a BitmapOr); `id IN
    (1, 2, ...)` elsewhere, the ids written out (integers read from the database)."""

    lookup_name = "among_ids"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, self.rhs.literal]
        return f"{lhs} IN ({self.rhs.literal[1:-1]})", list(lhs_params)


BigAutoField.register_lookup(AmongIds)


def _agg(connection: Any, value: str) -> str:
    if connection.vendor == "postgresql":
        return f"string_agg({value}, ',')"
    return f"group_concat({value}, ',')"


def columns(now: Any) -> dict[str, RawSQL]:
    """What a user holds by name, as three columns of each of their memberships (decision 160):
    read with the memberships, in the same query. Each a list `"<case id>:<kind>,..."` of at most
    `LITERAL_CAP + 1` ids; the shares are those to the membership's agency."""
    from django.db import connection

    def table(app: str, model: str) -> str:
        return str(connection.ops.quote_name(apps.get_model(app, model)._meta.db_table))

    share, grant = table("cases", "CaseShare"), table("cases", "CaseUserObjectPermission")
    permission, broken = table("auth", "Permission"), table("audit", "BreakGlassAccess")
    membership = table("agencies", "Membership")  # the outer query's table, by its own name
    text = "::text" if connection.vendor == "postgresql" else ""

    def listed(select: str, params: tuple[Any, ...]) -> RawSQL:
        # Written from the models' table names and fixed words; every value is a parameter.
        pair = f"t.case_id{text} || ':' || t.kind"
        sql = f"(SELECT {_agg(connection, pair)} FROM ({select} LIMIT %s) t)"  # noqa: S608 - no value inside
        return RawSQL(sql, (*params, LITERAL_CAP + 1), output_field=TextField())  # noqa: S611 - as above

    return {
        "held_shares": listed(
            f"SELECT case_id, scope AS kind FROM {share} WHERE agency_id = {membership}.agency_id"  # noqa: S608
            " AND revoked_at IS NULL AND (ends_at IS NULL OR ends_at > %s)",
            (now,),
        ),
        "held_grants": listed(
            f"SELECT g.content_object_id AS case_id, p.codename AS kind FROM {grant} g"  # noqa: S608
            f" JOIN {permission} p ON p.id = g.permission_id WHERE g.user_id = {membership}.user_id"
            " AND g.ends_at > %s AND p.codename IN (%s, %s)",
            (now, *SUMMARY_CODENAMES),
        ),
        "held_glass": listed(
            f"SELECT case_id, %s AS kind FROM {broken}"  # noqa: S608
            f" WHERE user_id = {membership}.user_id AND case_id IS NOT NULL AND starts_at <= %s AND ends_at > %s",
            (GLASS, now, now),
        ),
    }


def from_columns(shares: list[str | None], grants: str | None, glass: str | None) -> Held:
    """Held from `columns()`: the shares listed on each membership that reads cases, the grants
    and break-the-glass accesses (the same on every membership) once."""
    found: dict[str, set[int]] = {}
    total = 0
    for listed in [*shares, grants, glass]:
        pairs = listed.split(",") if listed else []
        total += len(pairs)
        if total > LITERAL_CAP:
            return Held(None)
        for pair in pairs:
            case_id, kind = pair.split(":")
            found.setdefault(_KINDS.get(kind, kind), set()).add(int(case_id))
    return Held({codename: frozenset(ids) for codename, ids in found.items()})


def read_held(access: UserAccess) -> Held:
    """One query for every kind the user can hold (none for a user who can hold none)."""
    now = timezone.now()
    parts = []
    if access.share_agency_ids:
        share = apps.get_model("cases", "CaseShare")
        parts.append(
            share.objects.filter(agency_id__in=access.share_agency_ids, revoked_at__isnull=True)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
            .order_by()
            .values_list("case_id", "scope")
        )
    # A grant made since the memberships were read is read too; a grant is given only to someone
    # with a membership (cases.services.grants), and without one it opens nothing, as before.
    if access.holds_grants or access.agencies_by_name:
        grant = apps.get_model("cases", "CaseUserObjectPermission")
        parts.append(
            grant.objects.filter(user_id=access.user_id, permission__codename__in=SUMMARY_CODENAMES, ends_at__gt=now)
            .order_by()
            .values_list("content_object_id", "permission__codename")
        )
    if access.breaks_glass:
        broken = apps.get_model("audit", "BreakGlassAccess")
        parts.append(
            # A deleted case's break-the-glass record is kept with no case (privacy.retention).
            broken.objects.filter(user_id=access.user_id, case_id__isnull=False, starts_at__lte=now, ends_at__gt=now)
            .order_by()
            .values_list("case_id", Value(GLASS))
        )
    if not parts:
        return Held({})
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    rows = list(query[: LITERAL_CAP + 1])
    if len(rows) > LITERAL_CAP:
        return Held(None)
    found: dict[str, set[int]] = {}
    for case_id, kind in rows:
        found.setdefault(_KINDS.get(kind, kind), set()).add(case_id)
    return Held({codename: frozenset(ids) for codename, ids in found.items()})
