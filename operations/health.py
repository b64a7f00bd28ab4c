"""`/healthz` and `/readyz` for load balancers and monitors (decision 79).

Answered by the first middleware, before the host check, the HTTPS redirect and the session: a
probe on the private address over plain HTTP gets its answer, and nothing of a user's is touched.

- `/healthz`: the process is up and answering (no dependency is asked).
- `/readyz`: the database answers, the broker answers, and the beat heartbeat is fresh. 503 and
  the failing checks otherwise; a stale heartbeat is also logged as an error and e-mailed to the
  administrators (`URA_ALERT_EMAILS`), once an hour while it lasts.
"""

import json
import logging
import os
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import mail_admins
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .models import Heartbeat

__all__ = ["HealthMiddleware", "readiness"]

logger = logging.getLogger("ura.health")
PATHS = ("/healthz", "/readyz")
ALERTED = "ura:beat-stale-alerted"


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}


def _broker() -> dict[str, Any]:
    url = settings.REDIS_URL
    if not url:  # the file-system broker of the embedded default
        folder = str(settings.BROKER_DIR)
        return {"ok": os.path.isdir(folder) and os.access(folder, os.W_OK)}
    import redis

    timeout = settings.URA_HEALTH_TIMEOUT_SECONDS
    try:
        redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout).ping()
    except redis.RedisError as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}


def _beat() -> dict[str, Any]:
    try:
        at = Heartbeat.objects.filter(name="beat").values_list("at", flat=True).first()
    except DatabaseError:
        return {"ok": False, "error": "database"}
    if at is None:
        return {"ok": False, "age_seconds": None}
    age = int((timezone.now() - at).total_seconds())
    ok = age <= settings.URA_BEAT_STALE_SECONDS
    if ok:
        cache.delete(ALERTED)
    else:
        _alert(age)
    return {"ok": ok, "age_seconds": age}


def _alert(age: int) -> None:
    message = f"The beat heartbeat is {age} s old: periodic work (reminders, sweeps) has stopped."
    logger.error(message)
    try:
        if cache.add(ALERTED, True, 3600):
            mail_admins("Ura: beat has stopped", message, fail_silently=True)
    except Exception:  # the cache may be the thing that is down; the log line stands
        logger.exception("could not send the beat alert")


def readiness() -> tuple[bool, dict[str, dict[str, Any]]]:
    checks = {"database": _database(), "broker": _broker()}
    checks["beat"] = _beat() if checks["database"]["ok"] else {"ok": False, "error": "database"}
    return all(check["ok"] for check in checks.values()), checks


def _json(status: int, body: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    # Not logged (nor mailed) by Django as a server error on every probe: a stale beat is logged
    # and mailed once by `_alert`, and a monitor reads the status itself.
    vars(response)["_has_been_logged"] = True  # Django's own flag; HttpResponse does not declare it
    return response


class HealthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.rstrip("/")
        if path not in PATHS or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if path == "/healthz":
            return _json(200, {"status": "ok"})
        ok, checks = readiness()
        return _json(200 if ok else 503, {"status": "ok" if ok else "failing", "checks": checks})
