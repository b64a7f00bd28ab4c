"""Reading the case page's family picture: the children with their latest needs record and the
approach of 18, and the user's own drafts. Constant queries whatever the family's size."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from agencies.access import Action
from families.models import Person

from .models import Case, ChildNeeds, Entry

__all__ = ["Child", "children_of", "drafts_of"]

TRANSITION_WINDOW = datetime.timedelta(days=183)  # design.md §4: planning starts 6 months before 18


@dataclass
class Child:
    person: Person
    needs: ChildNeeds | None
    turns_18: datetime.date | None
    conflict_zone: bool = False

    @property
    def approaching_18(self) -> bool:
        """Within six months of 18: time to plan the hand-over from children's to adults' services."""
        if self.turns_18 is None:
            return False
        # Strictly after today: on the birthday itself the child is 18, no longer approaching it.
        return timezone.localdate() < self.turns_18 <= timezone.localdate() + TRANSITION_WINDOW


def children_of(members: list[Person], case: Case, user: Any) -> list[Child]:
    """The family's children and young adults (18 or under), each with their latest needs record
    the user reads in full; a child is flagged when any such record says conflict zone (a record
    kept by another agency neither hides nor reveals it)."""
    latest: dict[int, ChildNeeds] = {}
    flagged: set[int] = set()
    records = ChildNeeds.objects.restrict(user, Action.VIEW).final().filter(case=case).annotate_content(user)
    for record in records.filter(content_visible=True).order_by("child_id", "-created_at"):
        latest.setdefault(record.child_id, record)
        if record.conflict_zone:
            flagged.add(record.child_id)
    children = []
    for person in members:
        age = person.age()
        if person.pk == case.index_person_id and (age is None or age >= 18):
            continue
        if age is not None and age <= 18:
            children.append(Child(person, latest.get(person.pk), person.eighteenth_birthday(), person.pk in flagged))
    return children


def drafts_of(user: Any, case: Case) -> list[Entry]:
    """The user's own unfinished entries on this case: one query per kind that has drafts (a
    child's needs are named after the child: fetched with it, not one query per draft)."""
    from .entry_kinds import entry_kinds

    drafts: list[Entry] = []
    for kind in entry_kinds():
        if kind.drafts:
            mine = kind.model.objects.restrict(user, Action.CHANGE).filter(case=case)
            drafts += list(mine.select_related(*kind.select_related))
    return drafts
