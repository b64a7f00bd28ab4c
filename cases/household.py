"""Reading the family register for a page: each member with their age, the flags the guidance asks
for (early intervention under 12, the hand-over at 18) and their relations. Three queries whatever
the family's size: the members, their current relations, and the changes or whereabouts asked for.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from agencies.access import Action
from families.models import Person, Relation

from .children import TRANSITION_WINDOW
from .models import Case

__all__ = ["EARLY_YEARS", "Member", "household"]

# The guidance: early intervention is vital under 12.
EARLY_YEARS = 12


@dataclass
class Member:
    person: Person
    is_index: bool = False
    is_key_worker: bool = False
    relations: list[Relation] = field(default_factory=list)

    @property
    def age(self) -> int | None:
        return self.person.estimated_age()

    @property
    def age_estimated(self) -> bool:
        return self.person.date_of_birth is None and self.person.birth_year is not None

    @property
    def under_12(self) -> bool:
        age = self.age
        return age is not None and age < EARLY_YEARS

    @property
    def turns_18(self) -> datetime.date | None:
        return self.person.eighteenth_birthday()

    @property
    def nearing_18(self) -> bool:
        """Within six months of 18 (design.md §4): time to plan the hand-over to adults' services."""
        turns = self.turns_18
        today = timezone.localdate()
        return turns is not None and today < turns <= today + TRANSITION_WINDOW


def _order(member: Member) -> tuple[bool, bool, datetime.date]:
    born = member.person.date_of_birth
    if born is None and member.person.birth_year is not None:
        born = datetime.date(member.person.birth_year, 7, 1)
    return (not member.is_index, born is None, born or datetime.date.max)


def household(case: Case, user: Any) -> tuple[list[Member], list[Person]]:
    """The current members of the case's family (the index person first, then the eldest), and the
    former ones (removed or merged), as `user` reads them: full readers only (restrict)."""
    people = list(Person.objects.restrict(user, Action.VIEW).filter(family_id=case.family_id))
    relations = (
        Relation.objects.restrict(user, Action.VIEW)
        .filter(family_id=case.family_id, ended_at__isnull=True)
        .select_related("person", "other")
    )
    by_person: dict[int, list[Relation]] = {}
    for relation in relations:
        by_person.setdefault(relation.person_id, []).append(relation)
    members = [
        Member(
            person,
            is_index=person.pk == case.index_person_id,
            is_key_worker=person.pk == case.key_worker_person_id,
            relations=by_person.get(person.pk, []),
        )
        for person in people
        if person.ended_at is None
    ]
    former = [person for person in people if person.ended_at is not None]
    return sorted(members, key=_order), former
