"""Per-user interface language; NUL bytes refused before anything reads them."""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import translation
from django.utils.translation import gettext as _

from .api.errors import api_error, is_api_path


class UserLanguageMiddleware:
    """Use the signed-in user's chosen language over the browser's (after LocaleMiddleware).

    The language is set for this request only: a worker thread goes back to what it had, so the
    next request (another user's) cannot inherit it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = getattr(request.user, "language", "")
        if not language:
            return self.get_response(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        response.headers["Content-Language"] = language
        return response


# Set on a request refused here, so the audit trail records it like any other refusal.
REFUSED_ATTR = "_ura_refused"
_NUL = ("\x00", "%00")
_TEXT_BODIES = ("application/x-www-form-urlencoded", "application/json", "text/")


class NulByteMiddleware:
    """Refuse a NUL byte in the path (404: no such page), the query string or a text body (400),
    before any view or query sees it: PostgreSQL cannot store or compare it, so it would end as
    a server error, and the refusal unrecorded (decision 60). Files in a multipart body are the
    upload checks' business (a PDF holds NUL bytes)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info:
            setattr(request, REFUSED_ATTR, True)
            raise Http404
        if any(nul in request.META.get("QUERY_STRING", "") for nul in _NUL) or self._in_body(request):
            setattr(request, REFUSED_ATTR, True)
            message = _("This request holds a character that is not allowed.")
            if is_api_path(request.path):
                return api_error(400, message, "invalid")  # the API's one error format
            return HttpResponseBadRequest(message)
        return self.get_response(request)

    @staticmethod
    def _in_body(request: HttpRequest) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS") or not (request.content_type or "").startswith(_TEXT_BODIES):
            return False
        body = request.body  # kept on the request: the view reads it again
        return b"\x00" in body or b"%00" in body or b"\\u0000" in body
