"""Benchmarks: speed targets live here, not in timed tests.

    make bench                      # DATABASE_URL must point at PostgreSQL
    .venv/bin/python bench/run.py --cases 1000000 --rebuild

It works in its own database (`<DATABASE_URL's name>_bench`), builds a synthetic population with
SQL (agencies, panels, people, a million cases, shares as guardian rows) once, then times the
queries that pages run, through the same code the pages use. It prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _configure(rebuild: bool) -> str:
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("make bench needs DATABASE_URL pointing at PostgreSQL (e.g. postgres://postgres@127.0.0.1:5432/ura)")
    config = dj_database_url.parse(url)
    bench_name = f"{config['NAME']}_bench"
    import psycopg2

    admin = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        host=config["HOST"],
        port=config["PORT"] or 5432,
        password=config["PASSWORD"] or None,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [bench_name])
        exists = cursor.fetchone() is not None
        if exists and rebuild:
            cursor.execute(f'DROP DATABASE "{bench_name}"')
            exists = False
        if not exists:
            cursor.execute(f'CREATE DATABASE "{bench_name}"')
    admin.close()
    os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + bench_name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.test")
    import django

    django.setup()
    return bench_name


def _populate(n_cases: int) -> None:
    """Build the population with set-based SQL: seconds per million rows, not minutes."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        if cursor.fetchone()[0] >= n_cases:
            return
    print(f"building {n_cases:,} cases...", file=sys.stderr)
    started = time.perf_counter()
    sql = (ROOT / "bench" / "population.sql").read_text()
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{N_CASES}", str(n_cases)))
        cursor.execute("ANALYZE")
    print(f"built in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def _time(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    fn()  # warm the caches and the plan
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def _list_page(user: Any) -> Callable[[], Any]:
    """What the case list runs: the first page of 50 and the count, at summary level."""
    from agencies.access import Action, forget_access
    from cases.models import Case

    def run() -> Any:
        forget_access(user)  # a request resolves memberships once; so does each run here
        qs = Case.objects.with_summary().restrict(user, Action.VIEW_SUMMARY).annotate_access(user)
        return list(qs[:50]), qs.count()

    return run


def _my_cases(user: Any) -> Callable[[], Any]:
    from agencies.access import Action, forget_access
    from cases.models import Case

    def run() -> Any:
        forget_access(user)
        qs = Case.objects.open().with_summary().restrict(user, Action.VIEW)
        return list(qs[:25]), qs.count()

    return run


def _detail(user: Any, case_id: int) -> Callable[[], Any]:
    from agencies.access import Action, forget_access
    from cases.models import Case

    def run() -> Any:
        forget_access(user)
        return Case.objects.restrict(user, Action.VIEW_SUMMARY).annotate_access(user).filter(pk=case_id).first()

    return run


def _matching(user: Any, family_name: str) -> Callable[[], Any]:
    """Intake's live matching: earlier referrals and cases that may be the same person."""
    from agencies.access import forget_access
    from referrals.services import find_matches

    def run() -> Any:
        forget_access(user)
        found = find_matches(user, given_name="Person", family_name=family_name)
        return found, len(found.cases)

    return run


def _audited(fn: Callable[[], Any], user: Any, case_id: int | None) -> Callable[[], Any]:
    """`fn` plus the read's audit record, written as the middleware writes it: in its own
    transaction, chained under the advisory lock (decision 33)."""
    from audit.models import AuditEvent
    from audit.services import acting_agency_id, record

    def run() -> Any:
        result = fn()
        rows = result[0] if isinstance(result, tuple) else [result]
        ids = [row.pk for row in rows if row is not None]
        action = AuditEvent.Action.CASE_READ if case_id else AuditEvent.Action.LIST_READ
        record(action, actor=user, case_id=case_id, agency_id=acting_agency_id(user), ip_address="10.0.0.1", ids=ids)
        return result

    return run


def _guardian_list(user: Any) -> Callable[[], Any]:
    """The rejected alternative (design.md §2): guardian's whole-table join as the list filter."""
    from guardian.shortcuts import get_objects_for_user

    from cases.models import Case

    def run() -> Any:
        qs = get_objects_for_user(user, "cases.view_case", klass=Case, accept_global_perms=False)
        return list(qs[:50]), qs.count()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the bench database")
    args = parser.parse_args()
    name = _configure(args.rebuild)
    _populate(args.cases)

    from django.db import connection

    from agencies.models import User
    from cases.models import Case

    users = {
        label: User.objects.get(username=username)
        for label, username in [
            ("practitioner, one agency", "bench.practitioner"),
            ("police: panel member + 200 shared cases", "bench.police"),
            ("supervisor of ten agencies", "bench.supervisor"),
            ("panel coordinator", "bench.coordinator"),
            ("no membership", "bench.nobody"),
        ]
    }
    some_case = Case.objects.filter(owning_agency__name="Agency 1").values_list("pk", flat=True).first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        total = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM cases_casegroupobjectpermission")
        grants = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]

    print(f"\n## Access-model queries: {total:,} cases, {grants:,} group grants, PostgreSQL {version} ({name})\n")
    print(f"median / worst of {args.runs} runs, milliseconds, after one warm-up run\n")
    print("| query | user | visible | median ms | worst ms |")
    print("|---|---|---:|---:|---:|")
    for label, user in users.items():
        for query, make in (("case list: page of 50 + count", _list_page), ("my cases: page of 25 + count", _my_cases)):
            fn = make(user)
            count = fn()[1]
            median, worst = _time(fn, args.runs)
            print(f"| {query} | {label} | {count:,} | {median:.1f} | {worst:.1f} |")
    median, worst = _time(_detail(users["practitioner, one agency"], some_case), args.runs)
    print(f"| case page: one case + access level | practitioner, one agency | 1 | {median:.1f} | {worst:.1f} |")
    family = Case.objects.select_related("family").get(pk=some_case).family.name
    for label in ("practitioner, one agency", "supervisor of ten agencies", "no membership"):
        fn = _matching(users[label], family)
        count = fn()[1]
        median, worst = _time(fn, args.runs)
        print(
            f"| referral matching: one name among a million people | {label} | {count} | {median:.1f} | {worst:.1f} |"
        )
    practitioner = users["practitioner, one agency"]
    for query, plain, audited in (
        (
            "case page",
            _detail(practitioner, some_case),
            _audited(_detail(practitioner, some_case), practitioner, some_case),
        ),
        ("case list", _list_page(practitioner), _audited(_list_page(practitioner), practitioner, None)),
    ):
        for label, fn in (("without the audit write", plain), ("with the audit write (chained insert)", audited)):
            median, worst = _time(fn, args.runs)
            print(f"| {query} {label} | practitioner, one agency | - | {median:.1f} | {worst:.1f} |")
    for label in ("practitioner, one agency", "police: panel member + 200 shared cases"):
        fn = _guardian_list(users[label])
        count = fn()[1]
        median, worst = _time(fn, max(3, args.runs // 3))
        query = "rejected: guardian get_objects_for_user as the list filter"
        print(f"| {query} | {label} | {count:,} | {median:.1f} | {worst:.1f} |")


if __name__ == "__main__":
    main()
