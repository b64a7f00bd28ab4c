"""One error format for the whole API (issue 16): every 4xx is a JSON object with `detail` (a
sentence in the caller's language) and `code` (a stable word to branch on); a refused request body
adds one key per field, with its messages, as DRF has always given them.

The same shape comes from DRF's exception handler, from the middleware that answers API paths
itself (idempotency, two-factor, lock-outs) and from the 404 of an address no route matches (a
non-numeric id), and the schema declares it on every operation.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions as api_exceptions

__all__ = [
    "ERROR_STATUSES",
    "api_error",
    "bad_request",
    "declare_error_responses",
    "is_api_path",
    "not_found",
    "permission_denied",
    "shape_error",
]

API_PREFIX = "/api/"

# What each documented status means to a caller; every operation declares all of them.
ERROR_STATUSES: dict[int, str] = {
    400: "The request is not valid: `detail` says so, and each refused field has its messages.",
    401: "No valid credentials (sign in for a token).",
    403: "Signed in, but not allowed to do this (e.g. a case you may read but not change).",
    404: "No such object, or not one you may see (the two look the same); also a malformed id.",
    409: "The Idempotency-Key was used by a request that has not finished.",
    429: "Too many requests (or too many failed sign-ins): try again later.",
}
# The code of an error that did not name its own, by status.
_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    415: "unsupported_media_type",
    429: "throttled",
}
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "Every error answer. `detail` is a sentence in the caller's language, `code` a stable word; a "
        "400 also has one key per refused field (or `non_field_errors`) with that field's messages."
    ),
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
    },
    "required": ["detail", "code"],
    "additionalProperties": {},
}


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX)


def api_error(status: int, detail: str, code: str | None = None) -> JsonResponse:
    """An error answer in the API's format, for code that answers before DRF does."""
    return JsonResponse({"detail": str(detail), "code": code or _CODES.get(status, "error")}, status=status)


def _code_of(exc: Exception, status: int) -> str:
    if isinstance(exc, api_exceptions.APIException) and not isinstance(exc, api_exceptions.ValidationError):
        codes = exc.get_codes()
        if isinstance(codes, str):
            return codes
        if isinstance(codes, dict) and isinstance(codes.get("detail"), str):
            return str(codes["detail"])
    return _CODES.get(status, "error")


def shape_error(exc: Exception, data: Any, status: int) -> dict[str, Any]:
    """DRF's error body in the one format: `detail` and `code`, plus the fields of a refused body."""
    if isinstance(exc, api_exceptions.ValidationError):
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        fields = {key: value for key, value in fields.items() if key not in ("detail", "code")}
        return {"detail": str(api_exceptions.ValidationError.default_detail), "code": "invalid", **fields}
    detail = data.get("detail") if isinstance(data, dict) else None
    return {"detail": str(detail or _("Something is wrong with this request.")), "code": _code_of(exc, status)}


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 404 of an address no route matches: JSON under /api/ (a non-numeric id), the page elsewhere."""
    if is_api_path(request.path):
        return api_error(404, _("Not found."), "not_found")
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """What Django refuses before DRF sees the request (too many fields, too big a body, a bad
    Host): JSON under /api/, the page elsewhere."""
    if is_api_path(request.path):
        return api_error(400, _("Something is wrong with this request."), "invalid")
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A 403 raised outside DRF (Django's PermissionDenied, a CSRF-free path's refusal): JSON under /api/."""
    if is_api_path(request.path):
        return api_error(403, _("You may not do this."), "permission_denied")
    return defaults.permission_denied(request, exception)


def declare_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: the `Error` component, and every operation declares
    it for each status in `ERROR_STATUSES` (what an operation documents itself is kept)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in ERROR_STATUSES.items():
                operation["responses"].setdefault(
                    str(status), {"description": description, "content": {"application/json": {"schema": reference}}}
                )
    return result
