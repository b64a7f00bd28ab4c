"""The bench's page timings run through the same code `make bench` runs, on a small population, so
the bench cannot rot unseen: every bench user's pages open, each page has its query count,
and the plans of slow floors print. PostgreSQL only: the population's SQL is PostgreSQL's."""

import sys
from pathlib import Path

import pytest
from django.db import connection

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.pages import USERS, page_bench
from bench.population import load

pytestmark = [
    pytest.mark.django_db(transaction=False),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="bench/population.sql is PostgreSQL's SQL"),
]


def test_the_page_bench_times_every_page_of_every_bench_user(capsys: pytest.CaptureFixture[str]) -> None:
    load(300)
    # explain_over_ms=0: every floor's plan is printed, so the EXPLAIN path runs here too
    results = page_bench(2, explain_over_ms=0)
    printed = capsys.readouterr().out
    for label, _username in USERS:
        assert ("case list (whole request)", label) in results
        assert ("home page (whole request)", label) in results
    assert ("panel page (whole request)", "police: panel member + 200 shared cases") in results
    # a name nobody holds: searched in the case list, and asked of the people already known
    assert ("case list, a name nobody holds searched (whole request)", "practitioner, one agency") in results
    assert ("people already known, a name nobody holds (API, whole request)", "practitioner, one agency") in results
    assert ("case list, own agency chosen (whole request)", "practitioner, one agency") in results
    # a case of the population (no rows of its own) and one with every section filled
    empty = results[("case page (whole request)", "practitioner, one agency")]
    filled = results[("case page, every section filled (whole request)", "practitioner, one agency")]
    assert filled["queries"] > empty["queries"]
    whole = [row for (page, _user), row in results.items() if "whole request" in page]
    assert whole and all(row["queries"] > 0 and row["p95"] >= row["p50"] > 0 for row in whole)
    assert "Database size:" in printed
    assert "### Plan of the floor: case list floor" in printed
    assert "Index" in printed or "Seq Scan" in printed
