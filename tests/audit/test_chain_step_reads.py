"""A chaining step runs every ten seconds from beat, under the chain's lock: it must read the
chain's head and the records waiting, never the whole trail (millions of records: every page's
read is one)."""

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from audit.services import chain_waiting, record

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="plans are PostgreSQL's"),
    # VACUUM ANALYZE (autovacuum's statistics, as in production) runs outside a transaction.
    pytest.mark.django_db(transaction=True),
]

CHAINED = 20_000
WAITING = 5


def _scans_of_the_trail(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = [plan] if plan.get("Relation Name") == "audit_auditevent" else []
    for child in plan.get("Plans", []):
        found += _scans_of_the_trail(child)
    return found


def _reads_the_trail(sql: str) -> bool:
    return sql.startswith("SELECT") and "audit_auditevent" in sql


def _rows_touched(sql: str) -> int:
    """The rows of the trail that `sql`'s scans read, kept or filtered out, as PostgreSQL ran it."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        [plan] = cursor.fetchone()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return sum(
        scan.get("Actual Rows", 0) * scan.get("Actual Loops", 1) + scan.get("Rows Removed by Filter", 0)
        for scan in _scans_of_the_trail(plan[0]["Plan"])
    )


def test_a_chaining_step_reads_the_head_and_the_waiting_records_not_the_whole_trail() -> None:
    # given: a long chain (written here directly: its hashes are not what is measured) and a few
    # reads waiting for their place
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (created_at, actor_username, action, object_type, object_id, reason,"
            " data, prev_hash, hash, seq)"
            " SELECT now(), 'earlier', 'case_read', '', '', '', '{}', '', md5(g::text) || md5(g::text), g"
            " FROM generate_series(1, %s) g",
            [CHAINED],
        )
    for n in range(WAITING):
        record(AuditEvent.Action.LIST_READ, username=f"reader{n}")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE audit_auditevent")
    # when: beat's step chains them
    with CaptureQueriesContext(connection) as captured:
        assert chain_waiting() == WAITING
    reads = [query["sql"] for query in captured.captured_queries if _reads_the_trail(query["sql"])]
    assert reads
    # then: what the step's reads of the trail touch is the head and the waiting records, however
    # long the chain (asked again with as many waiting)
    for n in range(WAITING):
        record(AuditEvent.Action.LIST_READ, username=f"later{n}")
    touched = sum(_rows_touched(sql) for sql in reads)
    assert touched <= 3 * (WAITING + 1)
