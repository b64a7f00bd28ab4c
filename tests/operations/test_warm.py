"""A web worker is made ready before its first request (decision 163): the templates compiled, the
URL resolver filled, each language read, and nothing asked of the database."""

from typing import Any

import pytest
from django.template import engines
from django.test.utils import CaptureQueriesContext

from operations.warm import warm_up


def _compiled() -> set[str]:
    loader = engines["django"].engine.template_loaders[0]  # the cached loader (DEBUG is off)
    return {key.split("-")[0] for key in loader.get_template_cache}


@pytest.mark.django_db
def test_a_worker_compiles_every_template_of_the_project_and_asks_the_database_nothing() -> None:
    from django.db import connection

    engines["django"].engine.template_loaders[0].reset()
    assert "cases/case_list.html" not in _compiled()
    with CaptureQueriesContext(connection) as queries:
        assert warm_up() >= 0
    assert len(queries) == 0
    assert {"base.html", "cases/case_list.html", "pages/case_detail.html", "panels/panel_detail.html"} <= _compiled()


def test_the_deployed_web_server_warms_each_worker_before_it_serves() -> None:
    from pathlib import Path

    config: dict[str, Any] = {}
    source = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"
    exec(compile(source.read_text(), str(source), "exec"), config)  # noqa: S102 - our own configuration file
    assert callable(config.get("post_worker_init"))
