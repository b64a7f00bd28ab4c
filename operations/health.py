"""`/healthz` and `/readyz` for load balancers and monitors (decision 79).

Answered by the first middleware, before the host check, the HTTPS redirect and the session: a
probe on the private address over plain HTTP gets its answer, and nothing of a user's is touched.

- `/healthz`: the process is up and answering (no dependency is asked).
- `/readyz`: the database answers, the broker answers, the beat heartbeat is fresh, and the audit
  chain's step has run lately whenever records wait for their place (decision 173). 503 and the
  failing checks otherwise; a stale heartbeat or a stalled chain is also logged as an error and
  e-mailed to the administrators (`URA_ALERT_EMAILS`), once an hour while it lasts.
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

from audit.models import AuditEvent

from .models import Heartbeat

__all__ = ["HealthMiddleware", "readiness"]

logger = logging.getLogger("ura.health")
PATHS = ("/healthz", "/readyz")
ALERTED = "ura:beat-stale-alerted"
CHAIN_ALERTED = "ura:audit-chain-stalled-alerted"


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
        _forget(ALERTED)
    else:
        message = f"The beat heartbeat is {age} s old: periodic work (reminders, sweeps) has stopped."
        _tell("beat has stopped", message, ALERTED)
    return {"ok": ok, "age_seconds": age}


def _audit_chain() -> dict[str, Any]:
    """Whether beat's chaining step still runs while audit records wait for their place. The step
    runs every ten seconds on the general queue (decision 170) and notes each run; records waiting
    while no step has run for `URA_AUDIT_CHAIN_STALE_SECONDS` say that queue's workers have stopped
    or are held by long jobs. No record is lost meanwhile, but the trail cannot be verified, and the
    reminders, exports and sweeps on that queue wait as well (decision 173). Measured from the
    step, not from a record's own time: a record a long transaction commits late was not waiting
    for a step that has been running all along."""
    try:
        waiting = AuditEvent.objects.filter(seq__isnull=True).exists()
        at = Heartbeat.objects.filter(name="audit-chain").values_list("at", flat=True).first()
    except DatabaseError:
        return {"ok": False, "error": "database"}
    age = None if at is None else max(0, int((timezone.now() - at).total_seconds()))
    ok = not waiting or (age is not None and age <= settings.URA_AUDIT_CHAIN_STALE_SECONDS)
    if ok:
        _forget(CHAIN_ALERTED)
    else:
        since = "never run" if age is None else f"not run for {age} s"
        message = (
            f"Audit records wait for their place in the chain and its step has {since}: the general "
            "queue's workers have stopped or are held (reminders, exports and sweeps wait too)."
        )
        _tell("the audit chain has stalled", message, CHAIN_ALERTED)
    return {"ok": ok, "waiting": waiting, "last_step_seconds": age}


def _forget(key: str) -> None:
    """The alert may be sent again once it is over; the cache may itself be down (Redis is also the
    broker): the probe still answers its checks."""
    try:
        cache.delete(key)
    except Exception:
        logger.warning("could not clear the alert flag %s", key, exc_info=True)


def _tell(subject: str, message: str, key: str) -> None:
    """Logged as an error at each probe; mailed to the administrators once an hour while it lasts."""
    logger.error(message)
    try:
        if cache.add(key, True, 3600):
            mail_admins(f"Ura: {subject}", message, fail_silently=True)
    except Exception:  # the cache may be the thing that is down; the log line stands
        logger.exception("could not send the alert: %s", subject)


def readiness() -> tuple[bool, dict[str, dict[str, Any]]]:
    checks = {"database": _database(), "broker": _broker()}
    checks["beat"] = _beat() if checks["database"]["ok"] else {"ok": False, "error": "database"}
    checks["audit_chain"] = _audit_chain() if checks["database"]["ok"] else {"ok": False, "error": "database"}
    return all(check["ok"] for check in checks.values()), checks


def _json(status: int, body: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    # Not logged (nor mailed) by Django as a server error on every probe: a stale beat is logged
    # and mailed once by `_tell`, and a monitor reads the status itself.
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
