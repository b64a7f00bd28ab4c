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
    (on any of the family's cases): one aggregate query and one for the people, whatever their number.

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
    faces = (
        through.filter(contact__in=contacts)
        .values("user_id")
        .annotate(first=Min("contact__occurred_at"), last=Max("contact__occurred_at"), times=Count("contact"))
        .filter(last__gte=since)
        .order_by("-last", "user_id")
    )
    rows = list(faces[:SHOWN])
    users = {person.pk: person for person in User.objects.filter(pk__in=[row["user_id"] for row in rows])}
    remember_people(users.values())
    people = [
        PersonMet(user=users[row["user_id"]], first=row["first"], last=row["last"], times=row["times"],
                  new=row["first"] >= new_since)
        for row in rows
        if row["user_id"] in users
    ]  # fmt: skip
    return PeopleMet(people=people, since=since, new_face_days=new_face_days)
