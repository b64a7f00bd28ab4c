"""A read planned once on a connection the database has dropped raises Django's error, as the
read as written does, so the request gets the outage page (503), not a 500."""

import pytest
from django.db import DatabaseError, connection

from agencies.outage import is_outage
from agencies.prepared import planned_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]


def test_a_read_on_a_connection_the_database_dropped_is_an_outage() -> None:
    try:
        with planned_once(), connection.cursor() as cursor:
            # the database ends the session (a restart, a failover) during a read
            with pytest.raises(DatabaseError):
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
            # the next read on it
            with pytest.raises(Exception) as raised:
                cursor.execute("SELECT 1")
        assert is_outage(raised.value), repr(raised.value)
    finally:
        connection.close()
