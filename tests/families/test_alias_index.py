"""People's and cases' alias keys are looked up in their trigram index, whatever the key's length
(decision 176): a key of two letters only where an alias begins (`li%`, `% li%`, which the index
knows), three or more anywhere. `LIKE '%li%'` has no trigram to look up: the index handed back every
row, each then read (0.6 s for a case search at a million cases), and a person's aliases had no
index at all (1.3 s to check whether someone being added is already known)."""

import re

import pytest
from django.db import connection, transaction
from django.db.models import Model

from cases.models import Case
from families.models import Person
from families.search import alias_match
from tests.factories import CaseFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram indexes are PostgreSQL's (pg_trgm)"),
    # VACUUM (which drops from the index the rows of tests rolled back before, as autovacuum does in
    # production: the index scan counts them until then) runs outside a transaction.
    pytest.mark.django_db(transaction=True),
]


def _index_rows(model: type[Model], field: str, key: str, index: str) -> list[int]:
    """How many rows each scan of `index` handed back for the alias condition, read by PostgreSQL
    with only bitmap scans allowed (eight rows would otherwise be read whole, or in a key's order)."""
    sql, params = model.objects.filter(alias_match(field, key)).order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    with transaction.atomic(), connection.cursor() as cursor:
        for scan in ("seqscan", "indexscan", "indexonlyscan"):  # a bitmap scan: of an index it can look up in
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    scans = [int(rows) for rows in re.findall(rf"Bitmap Index Scan on {index} \(actual rows=(\d+)", plan)]
    assert scans, plan  # the index is there and used
    return scans


@pytest.fixture
def eight_cases() -> list[Case]:
    """Eight cases, their index people's aliases: one "Li", one "Krasnici", six "Besa"."""
    cases = []
    for aliases in ["Li", "Krasnici", *["Besa"] * 6]:
        case = CaseFactory()
        person = Person.objects.get(pk=case.index_person_id)
        person.other_names = aliases
        person.save()
        cases.append(case)
    return cases


@pytest.mark.parametrize("key", ["li", "krasnici"])
@pytest.mark.parametrize(
    ("model", "field", "index"),
    [
        (Case, "index_other_name_keys", "cases_case_other_keys_trgm"),
        (Person, "other_name_keys", "families_person_other_keys_trgm"),
    ],
)
def test_an_alias_key_is_looked_up_in_its_index_not_read_from_every_row(
    eight_cases: list[Case], key: str, model: type[Model], field: str, index: str
) -> None:
    assert model.objects.filter(alias_match(field, key)).count() == 1
    # the index's candidates (a trigram index may hand back a few that the row then refutes), never
    # every row of the table, as `LIKE '%li%'` did
    total = model.objects.count()
    scans = _index_rows(model, field, key, index)
    assert all(rows <= total // 2 for rows in scans), (scans, total)
