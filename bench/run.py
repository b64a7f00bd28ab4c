"""Benchmarks: speed targets live here, not in timed tests.

    make bench                      # DATABASE_URL must point at PostgreSQL
    .venv/bin/python bench/run.py --cases 1000000 --rebuild

It works in its own database (`<DATABASE_URL's name>_bench`), builds a synthetic population with
SQL (agencies, panels, people, a million cases, shares) once, then times the
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


def _configure(rebuild: bool, n_cases: int = 1_000_000) -> str:
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("make bench needs DATABASE_URL pointing at PostgreSQL (e.g. postgres://postgres@127.0.0.1:5432/ura)")
    config = dj_database_url.parse(url)
    # One database per size, so 10k, 100k and 1M stay built side by side (a million takes minutes).
    bench_name = f"{config['NAME']}_bench" + ("" if n_cases == 1_000_000 else f"_{n_cases}")
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
    # The test settings count the header's unread reminders on every page; production keeps the
    # count 30 s (reminders.unread): measure what production does.
    os.environ.setdefault("URA_UNREAD_CACHE_SECONDS", "30")
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
        present = cursor.fetchone()[0]
    if present >= n_cases:
        return
    if present:
        sys.exit(f"the bench database holds {present:,} cases, fewer than {n_cases:,}: run with --rebuild")
    print(f"building {n_cases:,} cases...", file=sys.stderr)
    started = time.perf_counter()
    from bench.population import load

    load(n_cases)
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
    """What the case page runs first: the case with the user's CaseAccess, in one query."""
    from agencies.access import Action, CaseAccess, forget_access
    from cases.models import Case

    def run() -> Any:
        forget_access(user)
        case = Case.objects.restrict(user, Action.VIEW_SUMMARY).with_access(user).filter(pk=case_id).first()
        CaseAccess.of(case, user)
        return case

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


def _search(user: Any, typed: str) -> Callable[[], Any]:
    """The case list's search (`q=`): spelling-insensitive keys and trigram similarity over the
    cases the user may know of (decision 69); the first page of 50 and the count."""
    from agencies.access import Action, forget_access
    from cases.filtersets import CaseFilterSet
    from cases.models import Case

    def run() -> Any:
        forget_access(user)
        qs = Case.objects.with_summary().restrict(user, Action.VIEW_SUMMARY).annotate_access(user)
        found = CaseFilterSet({"q": typed}, queryset=qs).qs
        return list(found[:50]), found.count()

    return run


def _search_bench(users: dict[str, Any], family: str, runs: int) -> None:
    """One search among a million people: the name as written, and with its first two letters
    swapped (a slip the key alone does not meet: trigram similarity does)."""
    slip = family[1] + family[0] + family[2:]
    for typed in (family, slip):
        for label in ("practitioner, one agency", "supervisor of ten agencies", "no membership"):
            fn = _search(users[label], typed)
            count = fn()[1]
            median, worst = _time(fn, runs)
            query = f"case search q={typed}: one name among a million people"
            print(f"| {query} | {label} | {count:,} | {median:.1f} | {worst:.1f} |")


def _audited(fn: Callable[[], Any], user: Any, case_id: int | None) -> Callable[[], Any]:
    """`fn` plus the read's audit record, written as the middleware writes it: in its own
    transaction, chained under the advisory lock (decision 33)."""
    from agencies.access import acting_agency_id
    from audit.models import AuditEvent
    from audit.services import record

    def run() -> Any:
        result = fn()
        rows = result[0] if isinstance(result, tuple) else [result]
        ids = [row.pk for row in rows if row is not None]
        action = AuditEvent.Action.CASE_READ if case_id else AuditEvent.Action.LIST_READ
        record(
            action,
            actor=user,
            case_id=case_id,
            agency_id=acting_agency_id(user, case_id),
            ip_address="10.0.0.1",
            ids=ids,
        )
        return result

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the bench database")
    parser.add_argument("--only", choices=["access", "pages", "reminders", "search"], help="run one part only")
    parser.add_argument("--page-runs", type=int, default=50, help="interleaved runs of each page (p50/p95)")
    args = parser.parse_args()
    name = _configure(args.rebuild, args.cases)
    _populate(args.cases)

    if args.only in (None, "access", "search"):
        _access_bench(name, args.runs, search_only=args.only == "search")
    if args.only in (None, "pages"):
        from bench.pages import page_bench

        page_bench(args.page_runs)
    if args.only in (None, "reminders"):
        _reminder_bench(_case_count())


def _case_count() -> int:
    from cases.models import Case

    return Case.objects.count()


def _access_bench(name: str, runs: int, *, search_only: bool = False) -> None:
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
        cursor.execute("SELECT count(*) FROM cases_caseshare")
        grants = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]

    print(f"\n## Access-model queries: {total:,} cases, {grants:,} shares, PostgreSQL {version} ({name})\n")
    print(f"median / worst of {runs} runs, milliseconds, after one warm-up run\n")
    print("| query | user | visible | median ms | worst ms |")
    print("|---|---|---:|---:|---:|")
    family = Case.objects.select_related("family").get(pk=some_case).family.name
    _search_bench(users, family, runs)
    if search_only:
        return
    for label, user in users.items():
        for query, make in (("case list: page of 50 + count", _list_page), ("my cases: page of 25 + count", _my_cases)):
            fn = make(user)
            count = fn()[1]
            median, worst = _time(fn, runs)
            print(f"| {query} | {label} | {count:,} | {median:.1f} | {worst:.1f} |")
    median, worst = _time(_detail(users["practitioner, one agency"], some_case), runs)
    print(f"| case page: one case + CaseAccess | practitioner, one agency | 1 | {median:.1f} | {worst:.1f} |")
    for label in ("practitioner, one agency", "supervisor of ten agencies", "no membership"):
        fn = _matching(users[label], family)
        count = fn()[1]
        median, worst = _time(fn, runs)
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
            median, worst = _time(fn, runs)
            print(f"| {query} {label} | practitioner, one agency | - | {median:.1f} | {worst:.1f} |")


def _reminder_bench(total: int) -> None:
    """The reminder sweep (reminders/sweep.py) with 0.1 % and 1 % of the cases due: its cost must
    follow the number due, not the number of cases. Due dates are reset for the run: every case
    gets a review months away and an adult index person, then a fraction gets a review due (spread
    over due, overdue and escalated), a first contact due tomorrow, or a child nearing 18."""
    from django.db import connection
    from django.utils import timezone

    from reminders.models import Reminder
    from reminders.sweep import Window, collect, sweep, timings

    print(f"\n## Reminder sweep: {total:,} cases\n")
    print(
        "| due | deadlines found | reminders created | first sweep ms | second sweep ms (creates nothing)"
        " | e-mail 1,000 ms |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    from reminders import services

    # Delivery is timed on its own below: the sweep's after-commit publish runs eagerly here.
    services.schedule_delivery = lambda: None
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET next_review_on = CURRENT_DATE + 100 + (id % 300)::int, first_contact_due_on = NULL,"
            " first_contact_on = NULL WHERE next_review_on IS NULL OR next_review_on < CURRENT_DATE + 100"
            " OR first_contact_due_on IS NOT NULL OR first_contact_on IS NOT NULL"
        )
        cursor.execute(
            "UPDATE families_person SET date_of_birth = DATE '1970-01-01' + (id % 5000)::int"
            " WHERE date_of_birth IS NULL OR date_of_birth > DATE '1990-01-01'"
        )
    for per_100k in (100, 1000):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM reminders_reminder")
            cursor.execute(
                "UPDATE cases_case SET next_review_on = CURRENT_DATE + 100 + (id % 300)::int,"
                " first_contact_due_on = NULL"
                " WHERE next_review_on < CURRENT_DATE + 100 OR first_contact_due_on IS NOT NULL"
            )
            cursor.execute(
                "UPDATE families_person SET date_of_birth = DATE '1970-01-01' + (id % 5000)::int"
                " WHERE date_of_birth > DATE '1990-01-01'"
            )
            # Of the due fraction: 60 % reviews (due today to 5 days ago), 30 % first contacts
            # due tomorrow, 10 % index persons turning 18 in six months.
            due = f"(id * 7919) % 100000 < {per_100k}"  # scattered: ids in runs are all closed or all open
            cursor.execute(
                f"UPDATE cases_case SET next_review_on = CURRENT_DATE - (id % 6)::int WHERE {due} AND id % 10 < 6"
            )
            cursor.execute(
                f"UPDATE cases_case SET first_contact_due_on = CURRENT_DATE + 1 WHERE {due} AND id % 10 BETWEEN 6 AND 8"
            )
            cursor.execute(
                "UPDATE families_person SET date_of_birth ="
                " (CURRENT_DATE + interval '6 months' - interval '18 years')::date"
                f" WHERE {due} AND id % 10 = 9"
            )
            cursor.execute("ANALYZE cases_case")
            cursor.execute("ANALYZE families_person")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM cases_case WHERE next_review_on <= CURRENT_DATE + 2 AND closed_at IS NULL"
            )
            print(f"<!-- {per_100k}: {cursor.fetchone()[0]} open reviews due -->", file=sys.stderr)
        now = timezone.now()
        timing = timings()
        found = sum(1 for _ in collect(Window.at(now, timing.values()), timing))
        started = time.perf_counter()
        sweep(now)
        first = (time.perf_counter() - started) * 1000
        created = Reminder.objects.count()
        started = time.perf_counter()
        sweep(now)
        second = (time.perf_counter() - started) * 1000
        assert Reminder.objects.count() == created
        started = time.perf_counter()
        services.deliver_pending(limit=1000)
        deliver = (time.perf_counter() - started) * 1000
        print(f"| {per_100k / 1000:.1f} % | {found:,} | {created:,} | {first:.0f} | {second:.0f} | {deliver:.0f} |")
    _explain_sweep()


def _explain_sweep() -> None:
    """The plans of the sweep's date queries: index scans, never a scan of the case table."""
    import datetime

    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from agencies import deadlines
    from cases.models import Case, NeedsAssessment
    from families.models import Person

    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=30), today + datetime.timedelta(days=2)
    open_cases = Case.objects.filter(closed_at__isnull=True)
    assessed = NeedsAssessment.objects.filter(case=OuterRef("pk"), is_draft=False)
    queries = {
        "reviews": open_cases.filter(next_review_on__range=(start, end)),
        "first contacts": open_cases.filter(first_contact_on__isnull=True, first_contact_due_on__range=(start, end)),
        "needs assessments": open_cases.filter(
            first_contact_on__range=(deadlines.subtract_working_days(start, 45), end)
        ).filter(~Exists(assessed)),
        "young people nearing 18": Person.objects.filter(
            date_of_birth__range=(deadlines.add_months(start, -210), deadlines.add_months(end, -210)),
            family__cases__closed_at__isnull=True,
        ),
    }
    print("\nPlans of the sweep's queries (first lines):\n")
    for label, qs in queries.items():
        plan = qs.values_list("pk").explain().splitlines()
        scans = [line.strip() for line in plan if "Scan" in line]
        print(f"- {label}: " + "; ".join(scans[:3]))


if __name__ == "__main__":
    main()
