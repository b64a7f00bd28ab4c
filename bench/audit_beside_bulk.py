"""Reads recorded beside a long audited transaction (decision 78).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ura_mine .venv/bin/python bench/audit_beside_bulk.py

In its own database (`<name>_auditbench`, migrated, dropped after): one thread runs a transaction
that appends 510 audit records (one per case of a bulk reassignment) and stays open 5 seconds more
(the rest of the work); four threads each record 50 reads beside it. Prints how long a read's
record took (median, worst), the way the chain works now, and the old way (the chain lock taken
at the bulk transaction's first record and held until its commit).
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BULK_RECORDS = 510
BULK_EXTRA_SECONDS = 5.0
READERS = 4
READS = 50


def _configure() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("needs DATABASE_URL pointing at PostgreSQL")
    base, name = url.rsplit("/", 1)
    os.environ["DATABASE_URL"] = f"{base}/{name}_auditbench"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    call_command("migrate", verbosity=0)


def _run(old_way: bool) -> tuple[float, float, float]:
    from django.db import connections, transaction

    from audit.chain import verify_chain
    from audit.models import AuditEvent
    from audit.services import _take_chain_lock, record

    started = threading.Event()
    latencies: list[float] = []

    def bulk() -> None:
        with transaction.atomic():
            if old_way:
                _take_chain_lock("default")
            for n in range(BULK_RECORDS):
                record(AuditEvent.Action.OWNER_ASSIGNED, username=f"case{n}")
                if n == 0:
                    started.set()
            time.sleep(BULK_EXTRA_SECONDS)
        connections.close_all()

    def reader() -> None:
        started.wait()
        for _ in range(READS):
            begin = time.perf_counter()
            record(AuditEvent.Action.CASE_READ, username="reader")
            latencies.append(time.perf_counter() - begin)
            time.sleep(0.02)
        connections.close_all()

    threads = [threading.Thread(target=bulk), *(threading.Thread(target=reader) for _ in range(READERS))]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = time.perf_counter() - begin
    assert verify_chain().broken_id is None
    return statistics.median(latencies) * 1000, max(latencies) * 1000, total


def main() -> None:
    _configure()
    from django.db import connection

    try:
        print("| chain | read record, median (ms) | worst (ms) | run (s) |\n|---|---:|---:|---:|")
        for old_way, label in (
            (True, "lock held for the whole bulk transaction (before)"),
            (False, "chained after commit (now)"),
        ):
            median, worst, total = _run(old_way)
            print(f"| {label} | {median:.1f} | {worst:.1f} | {total:.1f} |")
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
