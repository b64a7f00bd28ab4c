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


def test_a_template_that_cannot_be_read_is_left_to_its_page_and_the_rest_are_compiled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backend = engines["django"]
    real = backend.get_template

    def unreadable(name: str) -> Any:
        if name == "cases/case_list.html":  # as an editor's Latin-1 save reads
            raise UnicodeDecodeError("utf-8", b"\xeb", 0, 1, "invalid continuation byte")
        return real(name)

    monkeypatch.setattr(backend, "get_template", unreadable)
    backend.engine.template_loaders[0].reset()
    assert warm_up() >= 0
    assert "base.html" in _compiled() and "cases/case_list.html" not in _compiled()


def test_a_worker_whose_warm_up_fails_still_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    import operations.warm

    def broken() -> float:
        raise RuntimeError("a tag library's compile function raised")

    monkeypatch.setattr(operations.warm, "warm_up", broken)
    config: dict[str, Any] = {}
    source = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"
    exec(compile(source.read_text(), str(source), "exec"), config)  # noqa: S102 - our own configuration file
    logged: list[str] = []

    class Log:
        def info(self, message: str, *args: object) -> None:
            logged.append(message)

        def exception(self, message: str, *args: object) -> None:
            logged.append(message)

    class Worker:
        log = Log()

    config["post_worker_init"](Worker())  # gunicorn would stop the server if this raised
    assert logged and "not warmed up" in logged[0]


def test_the_url_names_are_read_for_each_language() -> None:
    from django.conf import settings
    from django.urls import get_resolver

    warm_up()
    assert {code for code, _name in settings.LANGUAGES} <= set(get_resolver()._reverse_dict)


def test_a_warmed_worker_leaves_what_it_built_out_of_the_garbage_collectors_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    from operations.warm import settle

    before = gc.get_threshold()
    monkeypatch.setenv("URA_GC_YOUNG_OBJECTS", "12345")
    try:
        settle()
        assert gc.get_freeze_count() > 0  # the worker's modules, templates and patterns
        assert gc.get_threshold() == (12345, before[1], before[2])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_the_deployed_web_server_settles_each_worker_even_when_its_warm_up_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pathlib import Path

    import operations.warm

    settled: list[bool] = []
    monkeypatch.setattr(operations.warm, "warm_up", lambda: 1 / 0)
    monkeypatch.setattr(operations.warm, "settle", lambda: settled.append(True))
    config: dict[str, Any] = {}
    source = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"
    exec(compile(source.read_text(), str(source), "exec"), config)  # noqa: S102 - our own configuration file

    class Worker:
        class log:  # gunicorn's worker.log
            @staticmethod
            def exception(*args: object) -> None: ...

            @staticmethod
            def info(*args: object) -> None: ...

    config["post_worker_init"](Worker())
    assert settled == [True]
