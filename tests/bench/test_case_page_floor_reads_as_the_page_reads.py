"""A floor is the page's own reads with no Python around them: the bench divides the page's time by
it to show what the request costs beyond its data. A read the page runs by a statement planned once
per connection must be run so by its floor too; a floor that plans it anew on every run holds work
the page no longer does, and the page looks closer to its floor than it is. PostgreSQL only, as
the bench."""

import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agencies.models import User
from bench.pages import _replayed
from cases.models import Case

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the bench is PostgreSQL's"),
]


def _runs() -> dict[str, int]:
    """How often each statement prepared on this connection has run."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, custom_plans + generic_plans FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def _ran(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {name for name, runs in after.items() if runs != before.get(name, 0)}


def test_the_case_page_floor_runs_its_reads_as_the_page_runs_them(case: Case, caseworker: User) -> None:
    # given: the page read as a worker reads it after its first requests, and its floor captured
    client = Client()
    client.force_login(caseworker)
    url = case.get_absolute_url()
    for _ in range(6):
        assert client.get(url).status_code == 200
    floor = _replayed(client, url)
    # when: the page, then its floor
    before = _runs()
    client.get(url)
    after_page = _runs()
    floor()
    after_floor = _runs()
    # then: the floor runs the statements the page runs
    assert _ran(after_page, after_floor) == _ran(before, after_page)
