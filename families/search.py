"""Finding people by name the way matching does (decision 69).

A search first narrows to the rows the user may see (the caller passes a restricted queryset),
then compares spelling-insensitive keys (families.matching) over those rows only: a key equal to,
or starting with, the one typed; and, for slips in the first letters ("Karsniqi", "Grasniqi"),
trigram similarity on PostgreSQL (the pg_trgm extension, a GIN index per key: migration 0010), or
on other databases the same `similar()` ratio matching uses, in Python over the visible keys.
Nothing about a row the user may not see takes part, so the work and the answer are the same
whatever is hidden.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.db.models import Lookup, Q

from agencies.access import Action

from .matching import name_key, similar
from .models import Person

__all__ = ["KnownPerson", "alias_match", "key_search", "known_people", "trigram_search"]

# Rows compared in Python when the database has no trigram index: a bound no real install's
# visible names reach, so that a search never reads without end.
PYTHON_LIMIT = 20000


class Similar(Lookup[str]):
    """`key % 'typed'`: pg_trgm's similarity operator, served by the GIN trigram index."""

    lookup_name = "ura_similar"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        raise NotImplementedError("trigram similarity needs PostgreSQL")

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} %% {rhs}", [*lhs_params, *rhs_params]


models.CharField.register_lookup(Similar)


def trigram_search() -> bool:
    """Whether the database compares names by trigrams (PostgreSQL with pg_trgm)."""
    return connection.vendor == "postgresql"


def alias_match(field: str, key: str) -> Q:
    """A row whose alias keys (`field`: the keys of a person's other names, one word each, space
    between) hold `key`. Anywhere in them once the key has three letters, a trigram of its own; a
    shorter key only at the start of an alias, as the names' own keys are matched. `LIKE '%ab%'`
    has no trigram to look up: the index hands back every row, and at a million people or cases
    each was read (0.6-1.7 s); `ab%` and `% ab%` mark a word's start, which the index does know."""
    if len(key) >= 3:
        return Q(**{f"{field}__contains": key})
    return Q(**{f"{field}__startswith": key}) | Q(**{f"{field}__contains": f" {key}"})


def key_search(queryset: models.QuerySet[Any], text: str, fields: Sequence[str], *, also: Q | None = None) -> Any:
    """Rows of `queryset` (already restricted) whose name keys (`fields`) meet `text`: equal to or
    starting with its key, or similar to it; `also` adds other conditions (a reference)."""
    key = name_key(text)
    condition = also if also is not None else Q(pk__in=[])
    if not key:
        return queryset.filter(condition)
    for field in fields:
        condition |= Q(**{f"{field}__startswith": key})
    if len(key) >= 3:
        if trigram_search():
            for field in fields:
                condition |= Q(**{f"{field}__ura_similar": key})
        else:
            rows = queryset.order_by().values_list("pk", *fields)[:PYTHON_LIMIT]
            near = [row[0] for row in rows if any(similar(found or "", key) for found in row[1:])]
            if near:
                condition |= Q(pk__in=near)
    return queryset.filter(condition)


@dataclass
class KnownPerson:
    """Someone a new member may be: a person in a register the user reads in full, or the subject
    of an earlier referral the user may read (then `person` is None)."""

    person: Person | None
    reason: str
    score: int
    referral: Any = None

    @property
    def name(self) -> str:
        return str(self.person) if self.person is not None else self.referral.subject

    @property
    def date_of_birth(self) -> datetime.date | None:
        return self.person.date_of_birth if self.person is not None else self.referral.subject_date_of_birth


def _reason(given_a: str, given_b: str, aliases: str, born_a: Any, born_b: Any) -> tuple[int, str] | None:
    from django.utils.translation import gettext as _

    same_birth = born_a is not None and born_a == born_b
    if given_a and (given_a == given_b or given_a in aliases.split()):
        return (3, _("same names and date of birth")) if same_birth else (2, _("same names"))
    if same_birth:
        return 2, _("same family name and date of birth")
    if similar(given_a, given_b):
        return 1, _("similar names")
    return None


def _known_members(user: Any, typed: str, given_key: str, born: Any, exclude: Sequence[int]) -> list[KnownPerson]:
    family_key = name_key(typed)
    visible = Person.objects.restrict(user, Action.VIEW).current().exclude(pk__in=exclude)
    fields = ("family_name_key", "other_name_keys")
    found = key_search(visible, typed, fields, also=alias_match("other_name_keys", family_key))
    known = []
    for person in found.select_related("family")[:200]:
        if not (similar(person.family_name_key, family_key) or family_key in person.other_name_keys.split()):
            continue
        reason = _reason(given_key, person.given_name_key, person.other_name_keys, born, person.date_of_birth)
        if reason:
            known.append(KnownPerson(person, reason[1], reason[0]))
    return known


def _known_referrals(user: Any, typed: str, given_key: str, born: Any, members: list[KnownPerson]) -> list[Any]:
    """Subjects of earlier referrals the user may read (restrict() with the read action first, as
    the referral list does), across spellings. A referral whose person is already offered from a
    register (the same family record and given name) is not offered twice."""
    family_key = name_key(typed)
    referral_model = apps.get_model("referrals", "Referral")
    visible = referral_model.objects.restrict(user, Action.VIEW)
    found = key_search(visible, typed, ("subject_family_name_key",))
    offered = {(k.person.family_id, k.person.given_name_key) for k in members if k.person is not None}
    known = []
    for referral in found.order_by("-received_at", "-pk")[:200]:
        if not similar(referral.subject_family_name_key, family_key):
            continue
        if (referral.family_id, referral.subject_given_name_key) in offered:
            continue
        given, born_b = referral.subject_given_name_key, referral.subject_date_of_birth
        reason = _reason(given_key, given, "", born, born_b)
        if reason:
            known.append(KnownPerson(None, reason[1], reason[0], referral=referral))
    return known


def known_people(
    user: Any,
    *,
    given_name: str,
    family_name: str,
    date_of_birth: datetime.date | None = None,
    exclude: Sequence[int] = (),
    limit: int = 10,
) -> list[KnownPerson]:
    """People already known who may be the one being added: in a register the user reads in full,
    or the subject of an earlier referral the user may read; the family name meets (key, alias or
    a slip of a letter) and the given name or the birth date agrees. Only among what the user may
    already see: both statements run, restricted first, whatever they find (decision 62)."""
    family_key, given_key = name_key(family_name), name_key(given_name)
    if len(family_key) < 2:
        return []
    members = _known_members(user, family_name, given_key, date_of_birth, exclude)
    referrals = _known_referrals(user, family_name, given_key, date_of_birth, members)
    # The registers first at the same score: a person recorded in full over a reporter's words.
    known = sorted(members + referrals, key=lambda k: (-k.score, k.person is None))
    return known[:limit]
