"""The bench's population loads through the same script `make bench` runs, so a new NOT NULL column
cannot break the bench unseen again. PostgreSQL only: the SQL is PostgreSQL's."""

import sys
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from agencies.access import Action
from agencies.models import User
from cases.models import Case, CaseShare
from stats.figures import panel_board

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.population import load

pytestmark = [
    pytest.mark.django_db(transaction=False),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="bench/population.sql is PostgreSQL's SQL"),
]


def test_a_small_population_loads_and_the_bench_users_see_their_cases() -> None:
    load(300)
    assert Case.objects.count() == 300
    assert CaseShare.objects.exists()
    practitioner = User.objects.get(username="bench.practitioner")
    nobody = User.objects.get(username="bench.nobody")
    assert Case.objects.restrict(practitioner, Action.VIEW).exists()
    assert practitioner.has_perm("cases.view_case_summary")  # the role's group: the pages open
    assert not Case.objects.restrict(nobody, Action.VIEW_SUMMARY).exists()
    # The panel's board has endings to count: closures (some reopened since) and withdrawals.
    coordinator = User.objects.get(username="bench.coordinator")
    endings = next(
        figure for figure in panel_board(coordinator, timezone.localdate()).figures if figure.key == "closures"
    )
    assert all(sum(row.values[column] for row in endings.rows) for column in range(3))
    # The defaults lent to the schema while loading are gone again: the migrations' schema stays.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_default FROM information_schema.columns"
            " WHERE table_name = 'agencies_user' AND column_name = 'sign_in_generation'"
        )
        assert cursor.fetchone() == (None,)
