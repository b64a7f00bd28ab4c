"""The chain under concurrent writers on PostgreSQL: gap-free and verifiable, and a long
transaction's records never keep a read from being recorded."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from audit.chain import verify_chain
from audit.models import AuditEvent
from audit.services import chain_waiting, record

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level concurrency needs PostgreSQL"),
]


def _in_thread(work: Callable[[], None], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            work()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_concurrent_writers_leave_one_gap_free_verified_chain() -> None:
    # given: eight writers, each committing transactions of three records, and reads beside them
    errors: list[BaseException] = []

    def writer(n: int) -> Callable[[], None]:
        def work() -> None:
            for i in range(10):
                with transaction.atomic():
                    for j in range(3):
                        record(AuditEvent.Action.SIGN_IN_FAILED, username=f"w{n}-{i}-{j}")
                record(AuditEvent.Action.LIST_READ, username=f"r{n}-{i}")
                chain_waiting()  # chaining steps racing the writers and each other

        return work

    # when
    threads = [_in_thread(writer(n), errors) for n in range(8)]
    for thread in threads:
        thread.join(timeout=120)
    # then: after beat's next step (a writer's last record may come after the others' last steps),
    # every record is chained, in one unbroken order of places
    assert not errors
    chain_waiting()
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
    places = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert places == list(range(places[0], places[0] + len(places)))
    assert len(places) == 8 * 10 * 4
    result = verify_chain()
    assert result.broken_id is None and result.count == 320


def test_a_read_is_recorded_while_a_long_transaction_holds_records() -> None:
    # given: a long transaction that has written audit records and stays open
    errors: list[BaseException] = []
    written, read_done = threading.Event(), threading.Event()

    def long_transaction() -> None:
        with transaction.atomic():
            record(AuditEvent.Action.CASELOAD_REASSIGNED, username="bulk")
            written.set()
            # it commits only once the read beside it has been recorded (or gives up)
            read_done.wait(timeout=60)

    bulk = _in_thread(long_transaction, errors)
    written.wait(timeout=60)

    # when: a read is recorded outside any transaction
    def read() -> None:
        record(AuditEvent.Action.CASE_READ, username="reader")
        read_done.set()

    reader = _in_thread(read, errors)
    reader.join(timeout=60)
    # then: the read finished while the long transaction was still open, and both end in the chain
    recorded_before_commit = read_done.is_set()
    bulk.join(timeout=60)
    assert not errors
    assert recorded_before_commit
    assert verify_chain().broken_id is None
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
    assert sorted(AuditEvent.objects.values_list("data__username", flat=True)) == ["bulk", "reader"]
