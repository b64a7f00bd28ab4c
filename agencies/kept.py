"""Nothing typed is lost (decision 76): long forms are kept on the server, for their author alone,
while they type; a form an expired session refused is kept before the sign-out; both are given
back on the same page after signing in again, and forgotten once the form went through.

The page's script (static/ura/keep.js) sends and restores the fields; `KeepAliveView` answers the
idle warning's "Stay signed in".
"""

import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.response import HttpResponseBase
from django.views import View

from .access import Action, RestrictedViewMixin
from .models import KeptForm, User

__all__ = ["KeepAliveView", "KeptFormView", "forget", "idle_timeout", "keep", "keep_posted", "keep_sent", "kept"]

# Never kept: the CSRF token, passwords, and the marker the script adds to a kept form.
SKIPPED = ("csrfmiddlewaretoken", "ura_kept")
MAX_CHARS = 200_000  # a long visit note is a few thousand characters
MARKER = "ura_kept"


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
    return {
        "idle_seconds": int(settings.URA_IDLE_TIMEOUT_MINUTES) * 60,
        "offline_hours": int(settings.URA_OFFLINE_HOURS),  # decision 89
    }
