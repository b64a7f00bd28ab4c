"""Idempotent writes (decision 73): a write sent twice is stored once.

Every form that posts carries a hidden `idempotency_key`, made when the page is rendered (added
here to each `<form method="post">`, so a new form has one without doing anything); API clients
send an `Idempotency-Key` header. The first request with a key runs in one transaction with a row
keyed on (user, key); its answer (a redirect, or the API's response) is stored in that row, and
every repeat with the same key gets that answer back and changes nothing. An answer that is not a
success (a form with errors, a refusal) is not kept, so the corrected form may be sent again.

The few writes the public may send without signing in (a view with `idempotent_without_sign_in`:
the public concern page and its API) are keyed by the key alone: the row has no user, its key is
a keyed hash of the view and the key, and the answer (the page with the follow-up code, shown
once) is kept sealed with a stream made from the key, which is not stored (decision 159).
"""

import datetime
import hashlib
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .api.errors import api_error, is_api_path
from .models import IdempotentRequest
from .security import signed_in_user

FIELD = "idempotency_key"
HEADER = "Idempotency-Key"
MAX_STORED_BYTES = 256 * 1024
_FORM = re.compile(rb"(<form\b[^>]*\bmethod\s*=\s*[\"']?post\b[^>]*>)", re.IGNORECASE)
_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


_BUSY = _("A request with this Idempotency-Key has not finished yet.")
_BAD_KEY = _("Idempotency-Key: 8 to 64 letters, digits or -_.:")


def _refusal(request: HttpRequest, status: int, detail: Any) -> HttpResponse:
    """A refusal in the API's error format on API paths (issue 16), plain text elsewhere."""
    if is_api_path(request.path):
        return api_error(status, detail)
    return HttpResponse(str(detail), status=status, content_type="text/plain; charset=utf-8")


def _key_of(request: HttpRequest) -> tuple[str, bool]:
    """The request's key and whether it came from the API header (else a form's hidden field)."""
    header = request.headers.get(HEADER, "")
    if header:
        return header, True
    # Never a form field on API paths: reading the body here would leave DRF none to refuse (415).
    if not is_api_path(request.path) and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        return request.POST.get(FIELD, ""), False
    return "", False


def _user_of(request: HttpRequest) -> Any:
    """The signed-in user: the session's, or the API token's (a bad token is left for the view to
    refuse)."""
    return signed_in_user(request)


def _public_view(request: HttpRequest) -> str:
    """The name of the view a request without a user may send idempotently, or ""."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return ""
    view = getattr(match.func, "view_class", None)
    return match.view_name if getattr(view, "idempotent_without_sign_in", False) else ""


def _public_key(view_name: str, key: str) -> str:
    """What the row of an anonymous request is found by: neither the key nor who sent it."""
    return salted_hmac("ura.idempotency.public", f"{view_name}\n{key}", algorithm="sha256").hexdigest()


def _seal(key: str, content: bytes) -> bytes:
    """The answer XOR a stream made from the key (SHAKE-256 of a keyed hash of it): only a request
    with the key opens it again; sealing twice opens."""
    seed = salted_hmac("ura.idempotency.seal", key, algorithm="sha256").digest()
    if not content:
        return b""
    stream = hashlib.shake_256(seed).digest(len(content))
    return (int.from_bytes(content, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(content), "big")


def _kept(response: HttpResponse, from_api: bool) -> bool:
    """Whether the answer is a success worth giving again: the API's 2xx (and the public page's,
    which answers with its page), a form's redirect."""
    if isinstance(response, StreamingHttpResponse):
        return False
    if from_api:
        return 200 <= response.status_code < 300
    return 300 <= response.status_code < 400 or "HX-Redirect" in response.headers


def _replay(stored: IdempotentRequest, seal_key: str = "") -> HttpResponse:
    if stored.location and 300 <= stored.status < 400:
        response: HttpResponse = HttpResponseRedirect(stored.location, status=stored.status)
    else:
        content = bytes(stored.content)
        if seal_key:
            content = _seal(seal_key, content)
        response = HttpResponse(content, status=stored.status, content_type=stored.content_type or None)
        if stored.location:
            response.headers["HX-Redirect"] = stored.location
    response.headers["Idempotent-Replay"] = "true"
    return response


def _with_keys(response: HttpResponse) -> None:
    """Give every form that posts on an HTML page a key of its own."""

    def add(match: re.Match[bytes]) -> bytes:
        return match.group(1) + f'<input type="hidden" name="{FIELD}" value="{uuid.uuid4().hex}">'.encode()

    response.content = _FORM.sub(add, response.content)
    if response.has_header("Content-Length"):
        response.headers["Content-Length"] = str(len(response.content))


class IdempotencyMiddleware:
    """After authentication: dedupes writes by (user, key), or by key alone on a public view, and
    adds keys to the forms of pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._respond(request)
        if (
            not isinstance(response, StreamingHttpResponse)
            and response.get("Content-Type", "").startswith("text/html")
            and b"<form" in response.content
        ):
            _with_keys(response)
        return response

    def _respond(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return self.get_response(request)
        key, from_api = _key_of(request)
        if not key:
            return self.get_response(request)
        # A public view is keyed alike for everyone: it records nobody as its sender.
        public = _public_view(request)
        user = None if public else _user_of(request)
        if user is None and not public:
            return self.get_response(request)
        if not _KEY.match(key):
            return _refusal(request, 400, _BAD_KEY)
        # A request without a user: found by a keyed hash, its answer sealed with the key.
        lookup, seal_key = (_public_key(public, key), key) if public else (key, "")
        stored = IdempotentRequest.objects.filter(user=user, key=lookup).first()
        if stored is not None:
            return _replay(stored, seal_key) if stored.status else _refusal(request, 409, _BUSY)
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(
                    user=user, key=lookup, method=request.method, path=request.path[:255]
                )
                response = self.get_response(request)
                if response.status_code >= 500:
                    transaction.set_rollback(True)  # nothing half-saved
                elif _kept(response, from_api or bool(public)):
                    self._keep(row, response, seal_key)
                else:
                    row.delete()  # the corrected form may be sent again with the same key
        except IntegrityError:  # the same key at the same moment: the other request won
            stored = IdempotentRequest.objects.filter(user=user, key=lookup).first()
            return _replay(stored, seal_key) if stored and stored.status else _refusal(request, 409, _BUSY)
        return response

    @staticmethod
    def _keep(row: IdempotentRequest, response: HttpResponse, seal_key: str = "") -> None:
        row.status = response.status_code
        row.location = (response.get("Location") or response.get("HX-Redirect") or "")[:500]
        row.content_type = response.get("Content-Type", "")[:100]
        content = response.content if len(response.content) <= MAX_STORED_BYTES else b""
        row.content = _seal(seal_key, content) if seal_key else content
        row.save(update_fields=["status", "location", "content_type", "content"])


def forget_old(now: datetime.datetime | None = None) -> int:
    """Delete the kept answers older than `URA_IDEMPOTENCY_HOURS`: a browser or a client retries
    within minutes, and the table must not grow for ever. Returns how many were deleted."""
    since = (now or timezone.now()) - datetime.timedelta(hours=settings.URA_IDEMPOTENCY_HOURS)
    deleted, _kinds = IdempotentRequest.objects.filter(created_at__lt=since).delete()
    return deleted
