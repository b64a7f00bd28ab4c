"""A request id for every request, in every log line it causes and in the Celery tasks it starts.

`RequestIdMiddleware` takes the proxy's `X-Request-ID` when it is a plain token, or makes one, and
answers with it; `RequestIdFilter` puts it (or "-") on every log record; the Celery signals below
carry it in a task's headers and set it while the task runs, so the worker's lines name the request
that queued them.
"""

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.http import HttpRequest, HttpResponse

__all__ = ["HEADER", "RequestIdFilter", "RequestIdMiddleware", "current_request_id"]

HEADER = "X-Request-ID"
TASK_HEADER = "ura_request_id"
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_request_id: ContextVar[str] = ContextVar("ura_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "")
        value = given if _VALID.match(given) else uuid.uuid4().hex
        # Set, not reset after: Django logs a failed request's line after the middleware returns,
        # and that line must carry the id too. The next request on this thread sets its own.
        _request_id.set(value)
        response = self.get_response(request)
        response[HEADER] = value
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        return True


@before_task_publish.connect(dispatch_uid="operations.request_id.publish")
def _send_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    if headers is not None and _request_id.get():
        headers[TASK_HEADER] = _request_id.get()


_tokens: dict[str, Any] = {}  # task id -> what to restore when it ends (a worker runs one task a thread)


@task_prerun.connect(dispatch_uid="operations.request_id.prerun")
def _take_request_id(task_id: str = "", task: Any = None, **_: Any) -> None:
    value = getattr(getattr(task, "request", None), TASK_HEADER, None)
    if value:  # absent when run eagerly: the caller's id is still set
        _tokens[task_id] = _request_id.set(str(value))


@task_postrun.connect(dispatch_uid="operations.request_id.postrun")
def _drop_request_id(task_id: str = "", **_: Any) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        _request_id.reset(token)
