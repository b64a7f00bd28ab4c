"""The case lists' owner filter: a typed name, suggested among the owners of the cases the user
may know of, never a list of every one of them (issue 19: 4,000 options rendered per page, one
query per owner who shows a short name).

A suggestion carries the owner's id after a `#` ("Blerina K. #42"), so the filter finds exactly the
person chosen; without a suggestion (no JavaScript) a typed username or full name is accepted.
Names match only where the viewer may see them (decision 40): a full name shown to others or a
colleague's, a first name where that is what is shown; nobody is found by a name they hide."""

import re
from typing import Any

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat

from agencies.access import Action
from agencies.models import Membership, User
from agencies.people import display_name, remember_people

from .models import Case

__all__ = ["LIMIT", "chosen_owner_id", "owner_condition", "shown_name", "suggest_owners"]

LIMIT = 20
# ASCII digits only, and few enough for a database integer: "5³" passes isdigit() but not int().
_CHOSEN = re.compile(r"#([0-9]{1,18})\s*$")
_ID = re.compile(r"[0-9]{1,18}")


def _visible_owners(user: Any) -> QuerySet[User]:
    cases = Case.objects.restrict(user, Action.VIEW_SUMMARY).order_by().values("owner_id")
    return User.objects.filter(pk__in=cases)


def shown_name(user: Any, starts: str = "", exact: str = "") -> Q:
    """Owners found by a name the viewer may see: beginning with `starts`, or equal to `exact`."""
    colleagues = Q(memberships__agency_id__in=Membership.objects.filter(user_id=user.pk).values("agency_id"))
    whole = Q(name_shown_to_others=User.NameShown.FULL_NAME) | colleagues
    if exact:
        # A username only where the name is shown too: a username typed must not say where someone
        # who hides their name works (decision 40).
        return Q(whole, Q(full__iexact=exact) | Q(username__iexact=exact))
    return Q(whole, Q(first_name__istartswith=starts) | Q(last_name__istartswith=starts)) | Q(
        name_shown_to_others=User.NameShown.FIRST_NAME_INITIAL, first_name__istartswith=starts
    )


def suggest_owners(user: Any, typed: str) -> list[dict[str, str]]:
    """Up to LIMIT owners of the user's visible cases whose shown name begins with `typed`."""
    typed = typed.strip()
    if len(typed) < 2 or _CHOSEN.search(typed):
        return []
    found = list(
        _visible_owners(user)
        .filter(shown_name(user, starts=typed))
        .distinct()
        .order_by("first_name", "last_name", "pk")[:LIMIT]
    )
    remember_people(found)
    return [
        {"value": f"{display_name(owner, user)} #{owner.pk}", "label": display_name(owner, user)} for owner in found
    ]


def chosen_owner_id(typed: str) -> int | None:
    """The owner's id, when given as one (`42`) or by a suggestion (`Blerina K. #42`)."""
    typed = typed.strip()
    chosen = _CHOSEN.search(typed)
    if chosen:
        return int(chosen.group(1))
    return int(typed) if _ID.fullmatch(typed) else None


def owner_condition(user: Any, typed: str) -> Q:
    """The cases of the owner typed: an id (the API's `?owner=42`), a chosen suggestion, or a
    username or full name; a name matching nobody matches no case."""
    owner_id = chosen_owner_id(typed)
    if owner_id is not None:
        return Q(owner_id=owner_id)
    typed = typed.strip()
    full = Concat("first_name", Value(" "), "last_name")
    owners = User.objects.annotate(full=full).filter(shown_name(user, exact=typed)).values("pk")
    return Q(owner_id__in=owners)
