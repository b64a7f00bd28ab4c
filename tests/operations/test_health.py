"""/healthz and /readyz for load balancers: the process, then the database, the broker and beat."""

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from operations.models import Heartbeat
from operations.tasks import beat_heartbeat_task

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
    assert body["status"] == "ok" and set(body["checks"]) == {"database", "broker", "beat"}
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
