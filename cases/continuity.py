"""Continuity of contact persons (decision 136): the people a family has met, and the new faces.

The guidance asks to keep the same contact persons. The case page's "In the field" section and the
API (`cases/{id}/people-met/`, decision 144) read the same rows from `people_met`, for full readers
of the case only."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min
from django.utils import timezone

from agencies.access import Action
from agencies.models import User
from agencies.people import remember_people

from .models import Case, Contact

__all__ = ["LOOK_BACK_DAYS", "SHOWN", "PeopleMet", "PersonMet", "people_met"]

LOOK_BACK_DAYS = 365  # "this year": the people met within the last year
SHOWN = 12  # the most recently met, as many as the section shows


@dataclass(frozen=True)
class PersonMet:
    """A person the family met: when first and last, at how many contacts, and whether a new face."""

    user: User
    first: datetime.datetime
    last: datetime.datetime
    times: int
    new: bool


@dataclass(frozen=True)
class PeopleMet:
    """The people a family met since `since`, the most recent first, and how many are new faces
    (first met within `new_face_days`)."""

    people: list[PersonMet]
    since: datetime.datetime
    new_face_days: int

    @property
    def new_faces(self) -> int:
        return sum(1 for person in self.people if person.new)


def people_met(case: Case, user: User) -> PeopleMet:
    """Who visited the family of `case` in the last year, over the contacts `user` may read in full
    (on any of the family's cases): one aggregate query, whatever their number.

    The caller has checked that `user` reads `case` in full; names are shown as each person chose
    (`agencies.people`), looked up together."""
    now = timezone.now()
    since = now - datetime.timedelta(days=LOOK_BACK_DAYS)
    new_face_days = settings.URA_NEW_FACE_DAYS
    new_since = now - datetime.timedelta(days=new_face_days)
    # Only visits that took place: "nobody at home" or a cancelled visit met nobody.
    contacts = (
        Contact.objects.restrict(user, Action.VIEW)
        .final()
        .filter(case__family_id=case.family_id, outcome=Contact.Outcome.HELD)
    )
    through: Any = Contact.visitors.through.objects
    # Each person with their contacts counted, in one query: the person's columns are grouped on
    # (one row per person) and made a user again, not fetched by a second query.
    columns = [field.attname for field in User._meta.concrete_fields]
    faces = (
        through.filter(contact__in=contacts)
        .values(*(f"user__{column}" for column in columns))
        .annotate(first=Min("contact__occurred_at"), last=Max("contact__occurred_at"), times=Count("contact"))
        .filter(last__gte=since)
        .order_by("-last", "user__id")
    )
    people = []
    for row in faces[:SHOWN]:
        person = User.from_db(through.db, columns, [row[f"user__{column}"] for column in columns])
        people.append(PersonMet(person, row["first"], row["last"], row["times"], new=row["first"] >= new_since))
    remember_people([person.user for person in people])
    return PeopleMet(people=people, since=since, new_face_days=new_face_days)
