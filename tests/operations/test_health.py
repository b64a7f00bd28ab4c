"""/healthz and /readyz for load balancers: the process, then the database, the broker and beat."""

import datetime
import threading
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection, connections, transaction
from django.test import Client, override_settings
from django.utils import timezone

from agencies.models import User
from audit.models import AuditEvent
from audit.services import record
from operations.models import Heartbeat
from operations.tasks import beat_heartbeat_task, chain_waiting_audit_task

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def _beat(seconds_ago: int) -> None:
    Heartbeat.objects.update_or_create(
        name="beat", defaults={"at": timezone.now() - datetime.timedelta(seconds=seconds_ago)}
    )


def test_healthz_answers_without_asking_anything() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_is_green_with_a_fresh_heartbeat(tmp_path: Path) -> None:
    # given: beat's task has just run (and the embedded broker's folder is there)
    beat_heartbeat_task()
    # when
    with override_settings(BROKER_DIR=tmp_path):
        response = Client().get("/readyz")
    # then
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok" and set(body["checks"]) == {"database", "broker", "beat", "audit_chain"}
    assert body["checks"]["beat"]["age_seconds"] < 60


@override_settings(URA_BEAT_STALE_SECONDS=60, ADMINS=[("ops", "ops@example.org")])
def test_readyz_turns_red_within_a_minute_of_beat_stopping_and_tells_the_administrators(caplog: Any) -> None:
    # given: the last heartbeat is 61 seconds old
    _beat(61)
    # when: the load balancer asks, twice
    first = Client().get("/readyz")
    second = Client().get("/readyz")
    # then: red, logged as an error, and one e-mail to the administrators
    assert first.status_code == second.status_code == 503
    beat = first.json()["checks"]["beat"]
    assert beat["ok"] is False and beat["age_seconds"] >= 61
    assert any(record.levelname == "ERROR" and "beat heartbeat" in record.getMessage() for record in caplog.records)
    assert [message.to for message in mail.outbox] == [["ops@example.org"]]


def test_as_configured_readyz_is_red_within_a_minute_of_beat_stopping() -> None:
    """The worst case: beat stops just after a heartbeat was sent; the next would have come a period
    later, and the probe turns red once the last is older than the limit (decision 159)."""
    period, limit = settings.URA_BEAT_HEARTBEAT_SECONDS, settings.URA_BEAT_STALE_SECONDS
    assert period + limit <= 60
    assert limit >= 2 * period  # one heartbeat late, or dropped, is not an alarm
    _beat(limit - 1)
    assert Client().get("/readyz").json()["checks"]["beat"]["ok"] is True
    _beat(limit + 1)
    assert Client().get("/readyz").json()["checks"]["beat"]["ok"] is False


def test_the_heartbeat_goes_on_the_crisis_queue_which_no_long_job_holds() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["beat-heartbeat"]
    assert entry["task"] == "operations.tasks.beat_heartbeat_task"
    assert entry["options"]["queue"] == settings.URA_CRISIS_QUEUE
    assert entry["options"]["expires"] <= settings.URA_BEAT_HEARTBEAT_SECONDS  # a late one is dropped, not piled up
    # and a worker for the crisis queue alone runs wherever Ura runs
    for procfile in ("deploy/Procfile", "Procfile.local"):
        crisis = [line for line in (ROOT / procfile).read_text().splitlines() if line.startswith("crisis:")]
        assert crisis and f"-Q {settings.URA_CRISIS_QUEUE} " in crisis[0], procfile
    # and the long jobs and the sweeps go elsewhere
    long_jobs = {name: entry for name, entry in settings.CELERY_BEAT_SCHEDULE.items() if name != "beat-heartbeat"}
    assert not [
        name
        for name, entry in long_jobs.items()
        if entry.get("options", {}).get("queue") == settings.URA_CRISIS_QUEUE and name != "sweep-outbox-urgent"
    ]


def test_the_minutely_sweep_chains_audit_records_a_crash_left_waiting(caseworker: User) -> None:
    # given: a record written in a transaction, left unchained (the test's transaction never commits,
    # as a crash between the commit and the chaining would leave it)
    with transaction.atomic():
        record(AuditEvent.Action.SIGNED_IN, actor=caseworker)
    assert AuditEvent.objects.filter(seq__isnull=True).exists()
    # when the sweep runs, then it takes its place
    assert chain_waiting_audit_task() >= 1
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()


def _chain_step(seconds_ago: int) -> None:
    Heartbeat.objects.update_or_create(
        name="audit-chain", defaults={"at": timezone.now() - datetime.timedelta(seconds=seconds_ago)}
    )


@override_settings(URA_AUDIT_CHAIN_STALE_SECONDS=600, ADMINS=[("ops", "ops@example.org")])
def test_readyz_turns_red_while_records_wait_and_the_chaining_step_has_stopped_and_green_once_it_runs(
    caseworker: User, caplog: Any
) -> None:
    # given: beat is alive, the chaining step ran a moment ago, and a record waits for its place, as
    # every record does a while
    beat_heartbeat_task()
    _chain_step(5)
    record(AuditEvent.Action.SIGNED_IN, actor=caseworker)
    assert Client().get("/readyz").json()["checks"]["audit_chain"] == {
        "ok": True,
        "waiting": True,
        "last_step_seconds": 5,
    }
    # and then the step stops (the general queue's workers are down): its last run 601 s ago
    _chain_step(601)

    # when the monitor asks, twice
    first, second = Client().get("/readyz"), Client().get("/readyz")

    # then: red, logged as an error, and one e-mail to the administrators
    assert first.status_code == second.status_code == 503
    assert first.json()["checks"]["audit_chain"] == {"ok": False, "waiting": True, "last_step_seconds": 601}
    assert any(entry.levelname == "ERROR" and "not run for 601 s" in entry.getMessage() for entry in caplog.records)
    assert [message.subject for message in mail.outbox] == ["[Django] Ura: the audit chain has stalled"]
    # and once a worker runs the step, green again
    chain_waiting_audit_task()
    assert Client().get("/readyz").json()["checks"]["audit_chain"] == {
        "ok": True,
        "waiting": False,
        "last_step_seconds": 0,
    }


def test_a_stopped_chaining_step_with_nothing_waiting_is_no_alarm() -> None:
    # given a quiet night: the step last ran an hour ago and no record waits
    beat_heartbeat_task()
    _chain_step(3600)
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
    # then the chain is not what is failing
    assert Client().get("/readyz").json()["checks"]["audit_chain"]["ok"] is True


def test_records_waiting_before_the_chaining_step_ever_ran_are_red(caseworker: User) -> None:
    beat_heartbeat_task()
    record(AuditEvent.Action.SIGNED_IN, actor=caseworker)
    assert Client().get("/readyz").json()["checks"]["audit_chain"] == {
        "ok": False,
        "waiting": True,
        "last_step_seconds": None,
    }


def test_a_chaining_step_that_committed_is_noted_though_a_later_step_of_the_run_fails(
    caseworker: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a backlog of five records after an outage, placed three at a time, and the run's
    # second step failing (the task interrupted, the database gone a moment)
    from audit import services

    monkeypatch.setattr(services, "CHAIN_STEP", 3)
    for _n in range(5):
        record(AuditEvent.Action.SIGNED_IN, actor=caseworker)
    place, calls = services._place, []

    def failing_second(events: list[AuditEvent], alias: str) -> None:
        calls.append(len(events))
        if len(calls) == 2:
            raise RuntimeError("interrupted")
        place(events, alias)

    monkeypatch.setattr(services, "_place", failing_second)
    _chain_step(3600)
    # when beat's task runs
    with pytest.raises(RuntimeError):
        chain_waiting_audit_task()
    # then the first step's three records are placed and the step is noted: the chain moves
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 2
    assert Client().get("/readyz").json()["checks"]["audit_chain"]["last_step_seconds"] == 0


def test_readyz_is_red_before_beat_has_ever_run() -> None:
    assert Client().get("/readyz").status_code == 503


@override_settings(REDIS_URL="redis://127.0.0.1:1/0", URA_HEALTH_TIMEOUT_SECONDS=1)
def test_readyz_is_red_when_the_broker_does_not_answer() -> None:
    beat_heartbeat_task()
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


@override_settings(ALLOWED_HOSTS=["ura.example"], SECURE_SSL_REDIRECT=True)
def test_a_probe_on_the_private_address_over_http_gets_its_answer() -> None:
    # the load balancer asks gunicorn by its address, over plain HTTP
    response = Client(HTTP_HOST="10.0.0.7:8000").get("/healthz")
    assert response.status_code == 200
    # while a page under the same conditions is refused
    assert Client(HTTP_HOST="10.0.0.7:8000").get("/").status_code == 400


def test_the_probes_answer_get_only() -> None:
    assert Client().post("/healthz").status_code != 200


# Production's cache is the Redis the broker uses (settings.base CACHES): when it does not answer,
# neither does the cache.
REDIS_DOWN = "redis://127.0.0.1:1/0"
REDIS_CACHE_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_DOWN,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@override_settings(REDIS_URL=REDIS_DOWN, CACHES=REDIS_CACHE_DOWN, URA_HEALTH_TIMEOUT_SECONDS=1)
def test_with_redis_down_readyz_still_answers_its_checks_while_no_audit_record_waits_long(caplog: Any) -> None:
    """A green check clears its alert flag in the cache: with Redis (the cache) down the probe
    still answers its checks in JSON, the failing broker among them, and Django logs no error for
    it (decision 79: the 503 itself is not logged). A first version let the cache's error escape:
    the outage page, in HTML, and an error at every probe."""
    # given: Redis does not answer, no heartbeat yet, and no audit record waiting
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
    # when the monitor asks
    response = Client(raise_request_exception=False).get("/readyz")
    # then: the readiness answer, in JSON, naming the broker
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json", response.content[:200]
    checks = response.json()["checks"]
    assert checks["broker"]["ok"] is False
    assert checks["audit_chain"] == {"ok": True, "waiting": False, "last_step_seconds": None}
    assert not [entry for entry in caplog.records if entry.name == "django.request"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a transaction of its own beside the probe's")
@override_settings(URA_AUDIT_CHAIN_STALE_SECONDS=300, ADMINS=[("ops", "ops@example.org")])
def test_a_record_committed_by_a_long_transaction_is_not_a_stalled_chain() -> None:
    """A record written early in a long job (a bulk reassignment or a sweep; `make run`'s solo pool
    and the management commands have no time limit) and committed late was not waiting for a
    step: while the step runs, `/readyz` stays green and nobody is told the workers stopped (a
    first version measured the wait from the record's own time)."""
    written, commit = threading.Event(), threading.Event()

    def long_job() -> None:
        try:
            with transaction.atomic():
                record(AuditEvent.Action.SIGNED_IN, username="job")
                written.set()
                assert commit.wait(30)
        finally:
            connections.close_all()

    # given: a job that began 301 s ago wrote its record then, in a transaction still open
    job = threading.Thread(target=long_job)
    with time_machine.travel(timezone.now() - datetime.timedelta(seconds=301), tick=False):
        job.start()
        assert written.wait(30)
    # and meanwhile the chain is kept: beat's step places every record it can see
    beat_heartbeat_task()
    record(AuditEvent.Action.SIGNED_IN, username="page")
    chain_waiting_audit_task()
    assert Client().get("/readyz").json()["checks"]["audit_chain"]["ok"] is True

    # when the job commits and the monitor asks before beat's next step
    commit.set()
    job.join()
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 1
    chain = Client().get("/readyz").json()["checks"]["audit_chain"]

    # then: not red, and nobody told the workers stopped: no step has been missed
    assert chain["ok"] is True, chain
    assert mail.outbox == []
