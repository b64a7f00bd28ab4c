"""Reading the case timeline (decision 55): an event stores the ids of the people and agencies it
is about, and they are named when it is read, as each person chose to be shown to the reader's
agency (agencies.people.display_name, decision 40), in the reader's language.

The events of one query are named together: the first event read loads every person and agency
its batch refers to (a constant number of queries, whatever the page's length), and the people's
agencies are remembered for the request.
"""

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Value
from django.utils.translation import gettext as _

from agencies.access import Action
from agencies.models import Agency, User
from agencies.people import current_viewer, display_name, remember_people, shares_agency
from families.models import Person

if TYPE_CHECKING:
    from .models import CaseEvent

__all__ = ["REFERENCES", "NamesBatch", "named_values"]

# The particulars an event may name, and what the id stored under `<name>_id` refers to. Events
# written before decision 55 hold the name itself under `<name>` (see `_legacy`).
REFERENCES: Mapping[str, str] = {
    "owner": "user",
    "previous_owner": "user",
    "agency": "agency",
    "first_contact": "agency",
    "child": "person",
    "person": "person",
}


class NamesBatch:
    """The people and agencies the events of one query refer to, loaded once for all of them."""

    def __init__(self, events: Iterable["CaseEvent"]) -> None:
        self.events = list(events)
        self.users: dict[int, User] | None = None
        self.agencies: dict[int, str] = {}
        self.people: dict[int, str] = {}

    def load(self) -> None:
        if self.users is not None:
            return
        ids: dict[str, set[int]] = {"user": set(), "agency": set(), "person": set()}
        for event in self.events:
            for name, kind in REFERENCES.items():
                value = event.data.get(f"{name}_id")
                if isinstance(value, int):
                    ids[kind].add(value)
        # Actors come with their events (select_related) on every page; others are loaded here.
        unread = {e.actor_id for e in self.events if e.actor_id is not None and not _actor_cached(e)}
        wanted = ids["user"] | unread
        self.users = User.objects.in_bulk(wanted) if wanted else {}
        for event in self.events:
            if event.actor_id in unread:
                event.actor = self.users[event.actor_id]
        actors = [event.actor for event in self.events if event.actor is not None]
        # Whose names and which agencies the page shows: one query for all, remembered per request.
        remember_people([*self.users.values(), *actors])
        # The agencies and the family's members named, in one query (a UNION: decision 149).
        named: list[models.QuerySet[Any, Any]] = []
        if ids["agency"]:
            agencies = Agency.objects.filter(pk__in=ids["agency"]).order_by()
            named.append(agencies.values_list(Value("agency"), "pk", "name", Value("")))
        if ids["person"]:
            people = _people(ids["person"], self.events).order_by()
            named.append(people.values_list(Value("person"), "pk", "given_name", "family_name"))
        if named:
            for kind, pk, name, family_name in named[0].union(*named[1:]):
                if kind == "agency":
                    self.agencies[pk] = name
                else:
                    self.people[pk] = str(Person(given_name=name, family_name=family_name))


def _actor_cached(event: "CaseEvent") -> bool:
    return type(event).actor.is_cached(event)


def _people(ids: set[int], events: list["CaseEvent"]) -> models.QuerySet[Person]:
    """Family members named by the events, as the reader may read them (those of the events'
    families: the reader reads the events' full files)."""
    people = Person.objects.filter(pk__in=ids, family__cases__in={event.case_id for event in events})
    viewer = current_viewer()
    return people.restrict(viewer, Action.VIEW).distinct() if viewer is not None else people.distinct()


def _legacy(event: "CaseEvent", name: str, kind: str) -> str:
    """A name an event written before decision 55 stored as its actor saw it. A person's name is
    shown only to readers who share an agency with the actor (who saw that form of it); to the
    others, as what the person is."""
    value = str(event.data.get(name, ""))
    if kind != "user" or not value:
        return value
    viewer = current_viewer()
    if viewer is None or event.actor is None or viewer.pk == event.actor_id or shares_agency(viewer, event.actor):
        return value
    return _("a practitioner")


def named_values(event: "CaseEvent", batch: NamesBatch | None) -> dict[str, str]:
    """The names an event's text refers to, as its reader may see them."""
    if batch is None:
        batch = NamesBatch([event])
    batch.load()
    users = batch.users or {}
    values: dict[str, str] = {}
    for name, kind in REFERENCES.items():
        key = f"{name}_id"
        if key not in event.data:
            values[name] = _legacy(event, name, kind)
            continue
        pk = event.data[key]
        if kind == "user":
            user = users.get(pk) if isinstance(pk, int) else None
            values[name] = display_name(user, current_viewer()) if user is not None else ""
        elif kind == "agency":
            values[name] = batch.agencies.get(pk, "") if isinstance(pk, int) else ""
        else:
            values[name] = batch.people.get(pk, "") if isinstance(pk, int) else ""
    return values


def attach_batch(events: list[Any]) -> None:
    """Give the events of one query a shared batch: named together when the first is read."""
    batch = NamesBatch(events)
    for event in events:
        event._names = batch
