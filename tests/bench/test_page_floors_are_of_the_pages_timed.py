"""A floor is the page's own reads replayed: it must be captured from the same data the page is then
timed on. The bench builds its filled case (a case of the practitioner's, with meetings they attend,
questions to them, plans...) once, the first time it runs: a floor captured before that build is a
floor of another page than the one timed, so the first `make bench` on a clean bench database
reports other floors (and ratios) than every later one. PostgreSQL only, as the bench."""

import sys
from pathlib import Path

import pytest
from django.db import connection

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.pages import page_bench
from bench.population import load

pytestmark = [
    pytest.mark.django_db(transaction=False),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="bench/population.sql is PostgreSQL's SQL"),
]


def test_the_first_bench_run_on_a_clean_database_times_the_same_floors_as_the_next(
    capsys: pytest.CaptureFixture[str],
) -> None:
    load(300)
    first = page_bench(1, explain_over_ms=10**9)
    second = page_bench(1, explain_over_ms=10**9)
    capsys.readouterr()
    floors = [key for key in first if " floor " in key[0]]
    assert floors
    changed = {key: (first[key]["queries"], second[key]["queries"]) for key in floors}
    changed = {key: counts for key, counts in changed.items() if counts[0] != counts[1]}
    assert not changed
