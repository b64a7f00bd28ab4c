"""Reading the case page's family picture: the children with their latest needs record and the
approach of 18, and the user's own drafts. Constant queries whatever the family's size."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Field, IntegerField, Model, Value
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
    records = ChildNeeds.objects.restrict_to(case, user, Action.VIEW).final().annotate_content(user)
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
    """The user's own unfinished entries on this case, every kind in one query (decision 149): a
    UNION of each kind's drafts the user may change, of the columns its name and link read (its
    `label_fields`), each row then made the entry of its kind, kind by kind in the order of the
    kinds and newest first, as one query per kind gave them."""
    from .entry_kinds import entry_kinds

    kinds = [kind for kind in entry_kinds() if kind.drafts]
    # One column per label field any kind reads: a kind that does not read it gives NULL.
    labels: dict[str, Field[Any, Any]] = {}
    for kind in kinds:
        for path in kind.label_fields:
            labels.setdefault(path, _field(kind.model, path))
    names = [f"label_{i}" for i in range(len(labels))]
    parts = []
    for position, kind in enumerate(kinds):
        own = {
            name: F(path) if path in kind.label_fields else Value(None, output_field=field)
            for name, (path, field) in zip(names, labels.items(), strict=True)
        }
        mine = kind.model.objects.restrict_to(case, user, Action.CHANGE).order_by()
        if mine.query.is_empty():
            continue  # the case has no entry of this kind at all (decision 166)
        part = mine.annotate(
            draft_kind=Value(position, output_field=IntegerField()),
            draft_id=F("pk"),
            draft_case=F("case_id"),
            draft_created=F("created_at"),
            draft_updated=F("updated_at"),
            **own,
        )
        parts.append(part.values_list("draft_kind", "draft_id", "draft_case", "draft_created", "draft_updated", *names))
    if not parts:
        return []
    rows = parts[0].union(*parts[1:], all=True).order_by("draft_kind", "-draft_created", "-draft_id")
    drafts: list[Entry] = []
    for position, pk, case_id, created_at, updated_at, *values in rows:
        kind = kinds[position]
        entry = kind.model(pk=pk, case_id=case_id, created_at=created_at, updated_at=updated_at)
        for path, value in zip(labels, values, strict=True):
            if path in kind.label_fields:
                _set(entry, path, value)
        drafts.append(entry)
    return drafts


def _field(model: type[Model], path: str) -> Field[Any, Any]:
    """The model field at the end of `path` ("kind", "child__given_name")."""
    *related, name = path.split("__")
    for step in related:
        model = model._meta.get_field(step).related_model  # type: ignore[assignment]
    field: Field[Any, Any] = model._meta.get_field(name)  # type: ignore[assignment]
    return field


def _set(entry: Model, path: str, value: Any) -> None:
    """Set `path` on `entry`, making the related row it passes through ("child") as it goes."""
    *related, name = path.split("__")
    target = entry
    for step in related:
        if step not in target._state.fields_cache:
            target._state.fields_cache[step] = target._meta.get_field(step).related_model()  # type: ignore[misc]
        target = target._state.fields_cache[step]
    setattr(target, name, value)
