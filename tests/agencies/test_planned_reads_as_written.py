"""Inside `planned_once()` every read answers what the read as written answers, whatever way it
is sent: a read given no values at all (psycopg2 leaves its `%%` as written then), and a read of
rows in chunks (`.iterator()`: a server-side cursor, which PostgreSQL declares only for a SELECT)."""

import pytest
from django.db import connection

from agencies.prepared import planned_once
from cases.models import Case

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]


def test_a_read_given_no_values_keeps_its_percent_signs() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT '100%%'")
        written = cursor.fetchone()
    for _ in range(2):
        with planned_once(), connection.cursor() as cursor:
            cursor.execute("SELECT '100%%'")
            assert cursor.fetchone() == written


def test_rows_read_in_chunks_are_read_as_written(case: Case) -> None:
    with planned_once():
        references = list(Case.objects.filter(pk=case.pk).values_list("reference", flat=True).iterator())
    assert references == [case.reference]
