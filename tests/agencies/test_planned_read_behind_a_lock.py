"""A read planned once that waits behind a lock (a migration rewriting the case table holds it)
gives up as the read as written does: after one wait of `lock_timeout`, with the database's error
(the outage page), not after a second wait that outlasts the web worker's own time-out; and once
the lock is gone the read is prepared as ever."""

import time

import psycopg2
import pytest
from django.db import OperationalError, connection

from agencies.prepared import planned_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]

LOCK_WAIT_MS = 1000


def _table_locked_elsewhere() -> object:
    """Another session holding what `ALTER TABLE` on the case table holds until it commits."""
    other = psycopg2.connect(**connection.get_connection_params())
    other.cursor().execute('LOCK TABLE "cases_case" IN ACCESS EXCLUSIVE MODE')
    return other


READ = 'SELECT "reference" AS "read_behind_a_lock" FROM "cases_case" WHERE "id" = %s'


def _read_the_case() -> None:
    with planned_once(), connection.cursor() as cursor:
        cursor.execute(READ, [1])


def _prepared_reads_of_the_case() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [sql for (sql,) in cursor.fetchall() if "read_behind_a_lock" in sql]


def test_a_read_behind_a_lock_waits_for_it_once() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {LOCK_WAIT_MS}")
    other = _table_locked_elsewhere()
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError):
            _read_the_case()
        waited = time.monotonic() - started
    finally:
        other.close()
        connection.close()
    assert waited < 1.8 * LOCK_WAIT_MS / 1000


def test_a_read_that_waited_out_a_lock_is_prepared_once_the_lock_is_gone() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {LOCK_WAIT_MS}")
    other = _table_locked_elsewhere()
    try:
        with pytest.raises(OperationalError):
            _read_the_case()
    finally:
        other.close()
    try:
        _read_the_case()
        assert _prepared_reads_of_the_case()
    finally:
        connection.close()
