"""A request id on every response, in every log line, and carried into the Celery tasks it queues."""

import io
import json
import logging
import logging.config
from types import SimpleNamespace

import pytest
from django.test import Client

from operations import requests as request_ids
from settings.base import logging_config

pytestmark = pytest.mark.django_db


def test_every_response_names_its_request() -> None:
    first, second = Client().get("/healthz"), Client().get("/healthz")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]


def test_the_proxys_request_id_is_kept_when_it_is_a_plain_token() -> None:
    assert Client().get("/healthz", HTTP_X_REQUEST_ID="abc12345-proxy").headers["X-Request-ID"] == "abc12345-proxy"
    assert Client().get("/healthz", HTTP_X_REQUEST_ID="<script>").headers["X-Request-ID"] != "<script>"


def _json_logger(stream: io.StringIO) -> logging.Logger:
    config = logging_config("json")
    config["handlers"]["console"]["stream"] = stream
    config["root"] = {"handlers": [], "level": "INFO"}
    config["loggers"] = {"ura.test": {"handlers": ["console"], "level": "INFO", "propagate": False}}
    config["disable_existing_loggers"] = False
    logging.config.dictConfig(config)
    return logging.getLogger("ura.test")


def test_a_log_line_is_one_json_object_with_the_request_id() -> None:
    stream = io.StringIO()
    logger = _json_logger(stream)
    token = request_ids._request_id.set("req-0001abcd")
    try:
        logger.info("case list served")
    finally:
        request_ids._request_id.reset(token)
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["message"] == "case list served" and line["request_id"] == "req-0001abcd"
    assert {"time", "level", "logger"} <= set(line)


def test_a_task_queued_by_a_request_runs_with_its_request_id() -> None:
    # given: a request queues a task (the id goes into the message's headers)
    headers: dict[str, str] = {}
    token = request_ids._request_id.set("req-0002abcd")
    request_ids._send_request_id(headers=headers)
    request_ids._request_id.reset(token)
    assert headers == {"ura_request_id": "req-0002abcd"}
    # when: a worker runs it
    before = request_ids.current_request_id()
    task = SimpleNamespace(request=SimpleNamespace(**headers))
    request_ids._take_request_id(task_id="t1", task=task)
    # then: its log lines carry the id, and not after it ends
    assert request_ids.current_request_id() == "req-0002abcd"
    request_ids._drop_request_id(task_id="t1")
    assert request_ids.current_request_id() == before
