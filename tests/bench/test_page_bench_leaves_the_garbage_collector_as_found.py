"""The page bench times its pages in a process settled as a web worker is (gc frozen, a higher
first threshold, decision 165), and must give the process back as it found it however the timing
ends: it runs inside the test session (tests/bench/test_pages_smoke.py), and a page that fails
mid-run must not leave every later test with a frozen collector. PostgreSQL only, as the bench."""

import gc
import sys
from pathlib import Path

import pytest
from django.db import connection

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import bench.pages
from bench.population import load

pytestmark = [
    pytest.mark.django_db(transaction=False),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="bench/population.sql is PostgreSQL's SQL"),
]


def test_a_page_bench_that_fails_mid_run_leaves_the_collector_as_it_found_it(monkeypatch: pytest.MonkeyPatch) -> None:
    load(300)
    threshold = gc.get_threshold()

    def machine_unreadable() -> tuple[float, float, float]:  # read right after the process is settled
        raise OSError("load average unavailable")

    monkeypatch.setattr(bench.pages.os, "getloadavg", machine_unreadable)
    try:
        with pytest.raises(OSError):
            bench.pages.page_bench(1, explain_over_ms=10**9)
        left = (gc.get_freeze_count(), gc.get_threshold())
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
    assert left == (0, threshold)
