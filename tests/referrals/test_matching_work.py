"""Matching and name search do the same work whether or not records the user may not see share the
name: nothing about a hidden record may show in what the server does, so not in how long it takes.

Two checks. A deterministic one: the statements run (their number and their text, the names aside)
and the rows that reach Python are the same for a name held only by hidden records and for a name
held by none. A statistical one: many interleaved runs of both, compared by rank (Mann-Whitney),
with a bound loose enough never to fail by chance and tight enough to catch a skipped statement.
"""

import math
import random
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.access import forget_access
from agencies.models import User
from cases.models import Case
from families.matching import name_key
from referrals import services
from tests.conftest import api_as
from tests.factories import CaseFactory, PersonFactory, ReferralFactory

pytestmark = pytest.mark.django_db

# A surname held only by records the caseworker may not see, and one held by nobody; the same
# length and no shared letters, so that one can stand for the other in the statements' text.
HIDDEN = "Hoxhaj"
NOWHERE = "Zumbul"


@pytest.fixture
def hidden_namesakes(case: Case) -> None:
    """The caseworker sees `case`; three hidden families and two referrals of other agencies are
    called HIDDEN (as in life: a family, not thousands)."""
    for hidden in CaseFactory.create_batch(3):
        PersonFactory.create_batch(3, family=hidden.family, given_name="Ardit", family_name=HIDDEN)
    ReferralFactory.create_batch(2, subject_given_name="Ardit", subject_family_name=HIDDEN)


def _normalised(sql: str, family: str) -> str:
    key = name_key(family)
    for text in (family.lower(), family, key, key[:3]):
        sql = sql.replace(text, "<name>")
    sql = re.sub(r"'\d{4}-\d\d-\d\d[ T][\d:.+]*'", "<time>", sql)
    # PostgreSQL's server-side cursors (a form's choices read with .iterator()) are named by a
    # process-wide counter: the name says how many came before, not what this request did.
    sql = re.sub(r'"_django_curs_\d+_\w+?_\d+"', "<cursor>", sql)
    return re.sub(r"\s+", " ", sql)


class _Work:
    """The statements run and the model rows built while `run` runs."""

    def __init__(self, run: Callable[[], Any], family: str) -> None:
        self.rows: list[str] = []

        def built(sender: type, instance: Any, **kwargs: Any) -> None:
            self.rows.append(sender.__name__)

        post_init.connect(built, weak=False)
        try:
            with CaptureQueriesContext(connection) as queries:
                run()
        finally:
            post_init.disconnect(built)
        self.statements = [_normalised(query["sql"], family) for query in queries.captured_queries]


def _match(user: User, family: str) -> Callable[[], Any]:
    def run() -> Any:
        forget_access(user)
        return services.find_matches(user, given_name="Ardit", family_name=family)

    return run


def _api(user: User, url: str, family: str) -> Callable[[], Any]:
    client = api_as(user)

    def run() -> Any:
        forget_access(user)
        response = client.get(url, {"subject_family_name": family, "subject_given_name": "Ardit", "q": family})
        assert response.status_code == 200
        return response

    return run


@pytest.mark.usefixtures("hidden_namesakes")
class TestTheSameWork:
    def test_matching_runs_the_same_statements_and_builds_the_same_rows(self, caseworker: User) -> None:
        hidden, nowhere = _Work(_match(caseworker, HIDDEN), HIDDEN), _Work(_match(caseworker, NOWHERE), NOWHERE)
        assert hidden.statements == nowhere.statements
        assert hidden.rows == nowhere.rows

    @pytest.mark.parametrize(
        "route",
        ["referrals-api:referral-matches", "referrals-api:referral-list", "cases-api:case-list"],
    )
    def test_the_api_runs_the_same_statements(self, caseworker: User, route: str) -> None:
        url = reverse(route)
        _api(caseworker, url, NOWHERE)()  # the first request resolves what every later one reuses
        hidden, nowhere = _Work(_api(caseworker, url, HIDDEN), HIDDEN), _Work(_api(caseworker, url, NOWHERE), NOWHERE)
        assert [s for s in hidden.statements if "audit_auditevent" not in s] == [
            s for s in nowhere.statements if "audit_auditevent" not in s
        ]
        assert hidden.rows == nowhere.rows

    @pytest.mark.parametrize("route", ["referrals:matches", "referrals:referral_list", "cases:case_list"])
    def test_the_pages_run_the_same_statements(self, caseworker: User, route: str) -> None:
        from django.test import Client

        client = Client()
        client.force_login(caseworker)
        url = reverse(route)

        def page(family: str) -> Callable[[], Any]:
            def run() -> Any:
                forget_access(caseworker)
                response = client.get(url, {"subject_family_name": family, "subject_given_name": "Ardit", "q": family})
                assert response.status_code == 200
                return response

            return run

        page(NOWHERE)()
        hidden, nowhere = _Work(page(HIDDEN), HIDDEN), _Work(page(NOWHERE), NOWHERE)
        assert [s for s in hidden.statements if "audit_auditevent" not in s] == [
            s for s in nowhere.statements if "audit_auditevent" not in s
        ]
        assert hidden.rows == nowhere.rows


def _mann_whitney_z(first: list[float], second: list[float]) -> float:
    """The rank-sum statistic of `first` against `second`, as a standard normal deviate (ties
    share their mean rank). Positive when `first` tends to be larger."""
    pooled = sorted((value, group) for group, values in enumerate((first, second)) for value in values)
    ranks: list[float] = [0.0] * len(pooled)
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        i = j + 1
    n1, n2 = len(first), len(second)
    rank_sum = sum(rank for rank, (_value, group) in zip(ranks, pooled, strict=True) if group == 0)
    u = rank_sum - n1 * (n1 + 1) / 2
    mean, spread = n1 * n2 / 2, math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
    return (u - mean) / spread


def _interleaved(runs: dict[str, Callable[[], Any]], rounds: int) -> Iterator[tuple[str, float]]:
    names = list(runs)
    order = random.Random(18)  # noqa: S311 - an order of runs, not a secret
    for _round in range(rounds):
        order.shuffle(names)
        for name in names:
            started = time.perf_counter()
            runs[name]()
            yield name, time.perf_counter() - started


@pytest.mark.usefixtures("hidden_namesakes")
def test_matching_takes_as_long_whether_or_not_hidden_records_share_the_name(caseworker: User) -> None:
    """200 interleaved runs of each name. Runs of the same work differ only by noise, so their rank
    statistic stays within a few units of zero; |z| > 6 has a chance below one in a hundred million
    when nothing differs. A statement skipped for a name nobody holds moves it far beyond that."""
    runs = {"hidden": _match(caseworker, HIDDEN), "nowhere": _match(caseworker, NOWHERE)}
    for run in runs.values():
        run()
    samples: dict[str, list[float]] = {"hidden": [], "nowhere": []}
    for name, seconds in _interleaved(runs, rounds=200):
        samples[name].append(seconds)
    z = _mann_whitney_z(samples["hidden"], samples["nowhere"])
    assert abs(z) < 6, f"z = {z:.1f}"
