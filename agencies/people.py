"""How a practitioner's name is shown to others (practitioners' safety, step 10; decision 40).

Each user chooses how their name appears to people of other agencies: their full name, their
first name and last initial, or only their role and agency. `display_name` is the one place that
applies the choice; `User.__str__` calls it with the viewer of the current request (set by
`ViewerMiddleware` and by the API's views), so templates, serializers and e-mails need nothing
of their own. With no known viewer (e-mails, background tasks) the chosen form is used.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import User

__all__ = [
    "ViewerMiddleware",
    "current_viewer",
    "display_name",
    "forget_person",
    "remember_people",
    "set_viewer",
    "shares_agency",
    "viewing_as",
]

_viewer: ContextVar["User | None"] = ContextVar("ura_viewer", default=None)
# Per request: a user's agencies and role label, by user id, so a list showing one person on every
# row asks once, not once a row.
_known: ContextVar[dict[int, tuple[set[int], str]] | None] = ContextVar("ura_known_people", default=None)


def current_viewer() -> "User | None":
    return _viewer.get()


def set_viewer(user: Any) -> None:
    """Make `user` the viewer until the enclosing `viewing_as` ends (the request)."""
    _viewer.set(user if getattr(user, "is_authenticated", False) else None)


@contextmanager
def viewing_as(user: Any) -> Iterator[None]:
    token = _viewer.set(user if getattr(user, "is_authenticated", False) else None)
    known = _known.set({})
    try:
        yield
    finally:
        _known.reset(known)
        _viewer.reset(token)


def _described(memberships: list[Any]) -> tuple[set[int], str]:
    label = (
        _("%(role)s, %(agency)s") % {"role": memberships[0].get_role_display(), "agency": memberships[0].agency.name}
        if memberships
        else _("A practitioner")
    )
    return {membership.agency_id for membership in memberships}, label


def _person(user: "User") -> tuple[set[int], str]:
    """The user's agencies, and their first role and agency as "Practitioner, Social services"."""
    known = _known.get()
    if known is not None and user.pk in known:
        return known[user.pk]
    found = _described(list(user.memberships.select_related("agency").order_by("pk")))
    if known is not None:
        known[user.pk] = found
    return found


def remember_people(users: Iterable["User"]) -> None:
    """Look up, in one query, the agencies and roles of the people a page is about to name (and of
    its viewer), so that naming each of them costs nothing more in this request."""
    known = _known.get()
    if known is None:
        return
    viewer = _viewer.get()
    wanted = {user.pk for user in users if user.name_shown_to_others != user.NameShown.FULL_NAME}
    if wanted and viewer is not None:
        wanted.add(viewer.pk)
    wanted -= set(known)
    if not wanted:
        return
    from .models import Membership

    rows: dict[int, list[Any]] = {pk: [] for pk in wanted}
    for membership in Membership.objects.filter(user_id__in=wanted).select_related("agency").order_by("pk"):
        rows[membership.user_id].append(membership)
    for pk, memberships in rows.items():
        known[pk] = _described(memberships)


def forget_person(user: "User") -> None:
    """Forget, for this request, the agencies and role remembered of `user` (they just changed)."""
    known = _known.get()
    if known is not None:
        known.pop(user.pk, None)


def shares_agency(user: "User", other: "User") -> bool:
    """Whether two users work for a common agency (colleagues see each other's full names)."""
    return bool(_agency_ids(user) & _agency_ids(other))


def _agency_ids(user: "User") -> set[int]:
    return _person(user)[0]


def display_name(user: "User", viewer: "User | None" = None) -> str:
    """The name of `user` as `viewer` may see it."""
    shown = user.NameShown
    if user.name_shown_to_others == shown.FULL_NAME:
        return user.full_name
    if viewer is not None and (viewer.pk == user.pk or _agency_ids(viewer) & _agency_ids(user)):
        return user.full_name
    if user.name_shown_to_others == shown.FIRST_NAME_INITIAL and user.first_name:
        initial = f" {user.last_name[:1]}." if user.last_name else ""
        return f"{user.first_name}{initial}"
    return _person(user)[1]


class ViewerMiddleware:
    """Make the signed-in user the viewer of every name shown in this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with viewing_as(request.user):
            return self.get_response(request)
