"""/healthz and /readyz for load balancers: the process, then the database, the broker and beat."""

import datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import transaction
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


@override_settings(URA_AUDIT_CHAIN_STALE_SECONDS=300, ADMINS=[("ops", "ops@example.org")])
def test_readyz_turns_red_when_an_audit_record_waits_past_the_limit_and_green_once_it_is_chained(
    caseworker: User, caplog: Any
) -> None:
    # given: beat is alive, a record just written waits for its place, as every record does a while
    beat_heartbeat_task()
    record(AuditEvent.Action.SIGNED_IN, actor=caseworker)
    fresh = Client().get("/readyz").json()["checks"]["audit_chain"]
    assert fresh["ok"] is True and fresh["waiting_seconds"] < 300
    chain_waiting_audit_task()
    # and then one written 301 seconds ago that no worker has placed (the general queue's workers
    # stopped), before others
    with time_machine.travel(timezone.now() - datetime.timedelta(seconds=301)):
        record(AuditEvent.Action.SIGNED_IN, actor=caseworker)
    record(AuditEvent.Action.SIGNED_IN, actor=caseworker)

    # when the monitor asks, twice
    first, second = Client().get("/readyz"), Client().get("/readyz")

    # then: red, logged as an error, and one e-mail to the administrators
    assert first.status_code == second.status_code == 503
    stalled = first.json()["checks"]["audit_chain"]
    assert stalled["ok"] is False and stalled["waiting_seconds"] >= 301
    assert any(entry.levelname == "ERROR" and "audit record" in entry.getMessage() for entry in caplog.records)
    assert [message.subject for message in mail.outbox] == ["[Django] Ura: the audit chain has stalled"]
    # and once a worker places the waiting records, green again
    chain_waiting_audit_task()
    assert Client().get("/readyz").json()["checks"]["audit_chain"] == {"ok": True, "waiting_seconds": 0}


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
