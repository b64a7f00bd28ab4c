"""A dependency that does not answer (the database, Redis) gives a clear page within seconds, in
the user's language, with status 503 and Retry-After, instead of a 500 or a dropped connection;
the next request tries again, so the site recovers by itself when the dependency is back
(decision 71)."""

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


def _outage_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OperationalError, InterfaceError]
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        errors += [RedisConnectionError, RedisTimeoutError]
    except ImportError:  # pragma: no cover - redis is a dependency; the embedded mode runs without a server
        pass
    return tuple(errors)


OUTAGE_ERRORS = _outage_errors()


def is_outage(error: BaseException | None) -> bool:
    """A dependency that is down or frozen, not a bug: a lost or refused connection, a timeout,
    "database is locked". An integrity or programming error is a bug and stays a 500."""
    return isinstance(error, OUTAGE_ERRORS)


def outage_response(request: HttpRequest) -> HttpResponse:
    """The 503 answer: JSON for the API, a page that needs no database for the browser."""
    message = _("Ura cannot reach its database or services right now. Nothing was lost; try again in a minute.")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=503)
    else:
        html = render_to_string("503.html", {"message": message, "language": get_language()})
        response = HttpResponse(html, status=503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class OutageMiddleware:
    """Turns an outage raised by a view into the 503 answer (`server_error` does it for the rest)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_outage(exception):
            return None
        logger.error("outage: %s %s: %r", request.method, request.path, exception)
        return outage_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 answer when the error was an outage anywhere (a middleware's session or
    user query too), else the plain 500 page."""
    if is_outage(sys.exc_info()[1]):
        return outage_response(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Something went wrong. The error was recorded.")}, status=500)
    return HttpResponse(render_to_string("500.html"), status=500)
