"""Nothing typed is lost (decision 76): long forms are kept on the server, for their author alone,
while they type; a form an expired session refused is kept before the sign-out; both are given
back on the same page after signing in again, and forgotten once the form went through.

The page's script (static/ura/keep.js) sends and restores the fields; `KeepAliveView` answers the
idle warning's "Stay signed in".
"""

import json
import time
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.response import HttpResponseBase
from django.views import View

from .access import Action, RestrictedViewMixin
from .models import KeptForm, User

__all__ = [
    "AUTHOR_COOKIE",
    "KeepAliveView",
    "KeptFormView",
    "author_of",
    "forget",
    "idle_timeout",
    "keep",
    "keep_posted",
    "keep_sent",
    "kept",
    "remember_author",
]

# Never kept: the CSRF token, passwords, and the marker the script adds to a kept form.
SKIPPED = ("csrfmiddlewaretoken", "ura_kept")
MAX_CHARS = 200_000  # a long visit note is a few thousand characters
MARKER = "ura_kept"


# Names the signed-in user for a while after their session ended on its own (the 8-hour limit),
# so that a form they send then is kept for them, as after the idle time-out. Signed (it cannot be
# made up), HttpOnly, and ended by signing out and by `revoke_sign_ins` (the user's sign-in
# generation is part of it; an ordinary sign-in elsewhere does not raise it, so it does not end it).
AUTHOR_COOKIE = "ura_author"
AUTHOR_SALT = "agencies.kept.author"
# How long after it was given the cookie still names its user: the session's age and a night.
AUTHOR_HOURS_AFTER_SESSION = 16


def _author_value(user: User) -> str:
    return f"{user.pk}:{user.sign_in_generation}"


def remember_author(request: HttpRequest, response: HttpResponse, user: User) -> None:
    """Give the browser the cookie naming `user` (only when it does not already name them)."""
    value = _author_value(user)
    try:
        current = signing.loads(request.COOKIES.get(AUTHOR_COOKIE, ""), salt=AUTHOR_SALT, max_age=_author_age())
    except signing.BadSignature:
        current = None
    if current == value:
        return
    response.set_cookie(
        AUTHOR_COOKIE,
        signing.dumps(value, salt=AUTHOR_SALT),
        max_age=_author_age(),
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def _author_age() -> int:
    return int(settings.SESSION_COOKIE_AGE) + AUTHOR_HOURS_AFTER_SESSION * 3600


def author_of(request: HttpRequest) -> User | None:
    """The user the browser's cookie names, if it is genuine, recent and of their current sign-ins."""
    try:
        value = signing.loads(request.COOKIES.get(AUTHOR_COOKIE, ""), salt=AUTHOR_SALT, max_age=_author_age())
        pk, generation = (int(part) for part in str(value).split(":"))
    except (signing.BadSignature, ValueError):
        return None
    user: User | None = User.objects.filter(pk=pk, is_active=True, sign_in_generation=generation).first()
    return user


def _clean(fields: dict[str, Any]) -> dict[str, list[str]]:
    cleaned: dict[str, list[str]] = {}
    for name, values in fields.items():
        if not isinstance(name, str) or name in SKIPPED or "password" in name.lower():
            continue
        values = values if isinstance(values, list) else [values]
        cleaned[name[:200]] = [str(value) for value in values if isinstance(value, str | int | float | bool)]
    return cleaned


def keep(user: User, path: str, fields: dict[str, Any]) -> KeptForm | None:
    """Keep what `user` typed on `path` (replacing what was kept there); None if it is too large."""
    cleaned = _clean(fields)
    if len(json.dumps(cleaned)) > MAX_CHARS:
        return None
    with transaction.atomic():
        kept_form: KeptForm
        kept_form, _created = KeptForm.objects.restrict(user, Action.CHANGE).update_or_create(
            user=user, path=path[:300], defaults={"fields": cleaned}
        )
    return kept_form


def keep_posted(user: User, path: str, post: QueryDict) -> None:
    """Keep a form refused because the session ended (its files cannot be kept)."""
    keep(user, path, {name: post.getlist(name) for name in post})


def keep_sent(user: User, body: bytes) -> KeptForm | None:
    """Keep what the page's script sent (`{"path": ..., "fields": {...}}`); ValueError if malformed."""
    try:
        sent = json.loads(body or b"{}")
        path, fields = str(sent["path"]), sent["fields"]
    except (KeyError, TypeError) as error:
        raise ValueError(error) from error
    if not path.startswith("/") or not isinstance(fields, dict):
        raise ValueError(path)
    return keep(user, path, fields)


def kept(user: User, path: str) -> KeptForm | None:
    found: KeptForm | None = KeptForm.objects.restrict(user, Action.VIEW).filter(path=path).first()
    return found


def forget(user: User, path: str) -> None:
    KeptForm.objects.restrict(user, Action.CHANGE).filter(path=path).delete()


class _SignedInJson(RestrictedViewMixin, View):
    """Answers the page's script: 401 in JSON (not the sign-in page) once the session has ended."""

    queryset = KeptForm.objects.all()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return JsonResponse({"detail": "signed out"}, status=401)
        return super().dispatch(request, *args, **kwargs)


class KeptFormView(_SignedInJson):
    """GET ?path=: what the user kept on that page. POST {path, fields}: keep it. DELETE ?path=."""

    action = Action.CHANGE

    def get(self, request: HttpRequest) -> HttpResponse:
        found = kept(self.actor, request.GET.get("path", ""))
        if found is None:
            return JsonResponse({"fields": None})
        return JsonResponse({"fields": found.fields, "kept_at": found.updated_at.isoformat()})

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            kept_form = keep_sent(self.actor, request.body)
        except ValueError:
            return JsonResponse({"detail": "path and fields"}, status=400)
        if kept_form is None:
            return JsonResponse({"detail": "too large"}, status=413)
        return JsonResponse({"kept_at": kept_form.updated_at.isoformat()})

    def delete(self, request: HttpRequest) -> HttpResponse:
        forget(self.actor, request.GET.get("path", ""))
        return HttpResponse(status=204)


class KeepAliveView(_SignedInJson):
    """The idle warning's "Stay signed in": any signed-in request counts as activity
    (agencies.security.IdleTimeoutMiddleware); this one does nothing else."""

    action = Action.VIEW

    def post(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse(status=204)


def idle_timeout(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the idle time-out the page's script announces a minute ahead."""
    from .security import LAST_SEEN

    timeout = int(settings.URA_IDLE_TIMEOUT_MINUTES) * 60
    # The server signs out `timeout` after the last-seen time it stored, which it writes at most
    # once a minute: the page's clock starts from what is actually left, or the warning comes late.
    session = getattr(request, "session", None)
    last_seen = session.get(LAST_SEEN) if session is not None else None
    left = timeout if last_seen is None else max(0, timeout - (int(time.time()) - int(last_seen)))
    # Given to the second: rounding it down to the minute would sign the page out up to a minute
    # before the server does. Two pages drawn a second apart differ here as they already do in
    # their masked CSRF tokens; the probes that compare a hidden record's page with a missing
    # one's normalise both.
    return {
        "idle_seconds": timeout,
        "idle_seconds_left": left,
        "offline_hours": int(settings.URA_OFFLINE_HOURS),  # decision 89
    }
