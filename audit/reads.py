"""Recording reads: views note what they showed; `AuditMiddleware` writes one record per request.

A view (through the access bases in agencies/access) calls `note_read()` once it knows what the
user was shown; nothing is written until the response is ready, and only for a successful read,
so a list is one INSERT with the ids shown, never one per row.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse

from agencies.access import acting_agency_id
from agencies.addresses import client_ip
from agencies.middleware import REFUSED_ATTR
from agencies.security import signed_in_user

from .models import AuditEvent
from .services import record

__all__ = ["AuditMiddleware", "client_ip", "note_list", "note_matches", "note_read", "read_action_for"]

NOTE_ATTR = "_ura_audit_read"
SAFE_METHODS = ("GET", "HEAD")


def read_action_for(obj: models.Model) -> str:
    if obj._meta.label_lower == "cases.case":
        return AuditEvent.Action.CASE_READ
    # Entries say so themselves (cases.Entry.is_case_entry): the audit app names no kind of them.
    if hasattr(obj, "content_visible") or getattr(obj, "is_case_entry", False):
        return AuditEvent.Action.ENTRY_READ
    return AuditEvent.Action.RECORD_READ


def _underlying(request: Any) -> HttpRequest:
    inner: HttpRequest = getattr(request, "_request", request)  # a DRF Request wraps Django's
    return inner


def note_read(
    request: Any, obj: models.Model | None = None, *, action: str = "", case_id: int | None = None, **details: Any
) -> None:
    """Note that `request` showed `obj` (or, with `ids=`, a list; or, with `case_id`, something of that
    case's that is not a row); written by the middleware."""
    request = _underlying(request)
    if request.method not in SAFE_METHODS:
        return  # a write is recorded by its service
    note: dict[str, Any] = {"action": action or (read_action_for(obj) if obj is not None else "")}
    note["case_id"] = case_id
    if obj is not None:
        note["obj"] = obj
        is_case = obj._meta.label_lower == "cases.case"
        note["case_id"] = obj.pk if is_case else getattr(obj, "case_id", None)
        # The case itself, when it was read: fetched with the reader's access, it names the agency
        # they act for without a query.
        note["case"] = obj if is_case else note["case_id"]
        if note["action"] == AuditEvent.Action.CASE_READ and hasattr(obj, "access_full"):
            details.setdefault("level", "full" if obj.access_full else "summary")
        if hasattr(obj, "content_visible"):
            details.setdefault("content", bool(obj.content_visible))
    note["details"] = details
    setattr(request, NOTE_ATTR, note)


def note_list(request: Any, rows: Iterable[models.Model], *, case: Any = None, **details: Any) -> None:
    """Note that `request` showed `rows`; `case` (a case, or its id) when they are one case's."""
    rows = list(rows)
    model = type(rows[0]) if rows else None
    note_read(
        request,
        action=AuditEvent.Action.LIST_READ,
        ids=[row.pk for row in rows],
        model=model._meta.label_lower if model is not None else "",
        **details,
    )
    if case is not None:
        note = getattr(_underlying(request), NOTE_ATTR)
        note["case_id"] = case if isinstance(case, int) else case.pk
        note["case"] = case


def note_matches(request: Any, found: Any) -> None:
    """A name search at intake: which cases and referrals it showed (ids only)."""
    if found is None:
        return
    note_read(
        request,
        action=AuditEvent.Action.LIST_READ,
        model="referrals.matches",
        ids=[match.obj.pk for match in found.cases],
        referral_ids=[match.obj.pk for match in found.referrals],
    )


class AuditMiddleware:
    """Writes what a signed-in request read (one record) or was refused (403/404, with the path).

    The write is synchronous, after the view and before the response leaves: if it fails, the
    request fails, so no read goes unrecorded (decision 33).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)  # DRF sets it on the request after token sign-in
        refused = response.status_code in (403, 404) or getattr(request, REFUSED_ATTR, False)
        if refused and (user is None or not user.is_authenticated):
            # Refused before any view read the API token (a NUL byte, an address no route takes):
            # the token's holder is recorded as for any other refusal.
            user = signed_in_user(request)
        if user is None or not user.is_authenticated:
            return response
        if refused:
            record(
                AuditEvent.Action.ACCESS_DENIED,
                actor=user,
                agency_id=acting_agency_id(user),
                ip_address=client_ip(request),
                path=request.path[:500],
                method=request.method or "",
                status=response.status_code,
            )
            return response
        note = getattr(request, NOTE_ATTR, None)
        if note is not None and note["action"] and 200 <= response.status_code < 300:
            record(
                note["action"],
                actor=user,
                obj=note.get("obj"),
                case_id=note.get("case_id"),
                agency_id=acting_agency_id(user, note.get("case")),
                reason=note["details"].pop("reason", ""),
                ip_address=client_ip(request),
                path=request.path[:500],
                **note["details"],
            )
        return response
