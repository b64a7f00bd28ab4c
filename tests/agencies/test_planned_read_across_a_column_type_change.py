"""A read planned once on a kept connection is answered after a migration changes the type of a
column it compares with a text (a choice column made an integer): as the read as written is, not
with the database's "operator does not exist" on every page until the connection is let go."""

import pytest
from django.db import connection

from agencies.prepared import planned_once

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]

READ = "SELECT id FROM scratch_level WHERE level = %s"


def test_a_read_comparing_a_column_with_a_text_is_answered_after_the_column_becomes_an_integer() -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE scratch_level (id integer, level varchar(10))")
        cursor.execute("INSERT INTO scratch_level VALUES (1, '5'), (2, '7')")
    # given: the read kept on this connection
    for _ in range(2):
        with planned_once(), connection.cursor() as cursor:
            cursor.execute(READ, ["5"])
            assert cursor.fetchall() == [(1,)]
    # when: a migration changes the column's type (as `AlterField` to an integer does)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE scratch_level ALTER COLUMN level TYPE integer USING level::integer")
    # then: answered as the read as written is
    with connection.cursor() as cursor:
        cursor.execute(READ, ["5"])
        assert cursor.fetchall() == [(1,)]
    with planned_once(), connection.cursor() as cursor:
        cursor.execute(READ, ["5"])
        assert cursor.fetchall() == [(1,)]
