"""The pages as users feel them (issue 19): each page's whole request in process (middleware, view,
template, the read's audit record) beside the floor, its own data read by the same SQL with no
Python around it; p50 and p95 over interleaved runs, the query count, and the machine's load."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

__all__ = ["page_bench"]

USERS = [
    ("practitioner, one agency", "bench.practitioner"),
    ("police: panel member + 200 shared cases", "bench.police"),
    ("supervisor of ten agencies", "bench.supervisor"),
    ("panel coordinator", "bench.coordinator"),
    ("no membership", "bench.nobody"),
]


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _compiled(rows: Any, counted: Any) -> list[tuple[str, Any]]:
    """The SQL of a list page's two reads: its page of 50 rows and its count capped at the cap. A
    user who may see nothing has no SQL at all (Django answers an empty queryset without asking)."""
    from django.core.exceptions import EmptyResultSet

    try:
        from cases.pagination import CAP
    except ImportError:  # measuring a commit before the capped count: its count is exact
        CAP = 10**9
    try:
        page = rows[:50].query.sql_with_params()
        count_sql, count_params = counted.order_by().values("pk")[: CAP + 1].query.sql_with_params()
    except EmptyResultSet:
        return []
    return [page, (f"SELECT count(*) FROM ({count_sql}) AS capped", count_params)]


def _on_a_cursor(statements: list[tuple[str, Any]]) -> Callable[[], Any]:
    """Run the statements on a cursor, fetching every row: no model instances, no template."""
    from django.db import connection

    def run() -> Any:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    run.statements = statements  # type: ignore[attr-defined]  # for EXPLAIN ANALYZE below
    return run


def _floor(user: Any) -> Callable[[], Any]:
    """The case list's own data as raw SQL: the page of 50 and the capped count, compiled from the
    page's querysets and run on a cursor (no model instances, no template)."""

    from agencies.access import Action, forget_access
    from cases.models import Case

    forget_access(user)
    qs = Case.objects.with_summary().restrict(user, Action.VIEW_SUMMARY).annotate_access(user)
    return _on_a_cursor(_compiled(qs, qs))


def _panel_floor(user: Any, panel_id: int) -> Callable[[], Any]:
    """The panel page's own data as raw SQL: its page of 50 cases with their plan progress, and the
    capped count, compiled from the page's querysets."""

    from agencies.access import Action, forget_access
    from cases.models import Case
    from interventions.progress import with_progress

    forget_access(user)
    qs = Case.objects.with_summary().restrict(user, Action.VIEW_SUMMARY).filter(panel_id=panel_id)
    return _on_a_cursor(_compiled(with_progress(qs.annotate_access(user)), qs))


# The request's own machinery, not the page's data: the session, the signed-in user, their
# permissions, and the read's audit record (its transaction, chain lock and insert).
_MACHINERY = ('"django_session"', '"auth_permission"', "pg_advisory", '"audit_auditevent"', "SAVEPOINT")


def _replayed(client: Any, url: str) -> Callable[[], Any]:
    """A page's own data as raw SQL, where no single queryset is the page (the case page and its
    sections): every read the page makes, as it made them, replayed on a cursor with no Python
    around them (no model instances, no template). The signed-in user's own row is machinery too.
    A read the page runs by a statement planned once per connection (decision 171) is replayed so
    too (`EXECUTE`): a floor that planned it anew would hold work the page no longer does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    user_row = 'FROM "agencies_user" WHERE "agencies_user"."id" = '
    statements = [
        (query["sql"], None)
        for query in captured.captured_queries
        if query["sql"].lstrip("(").upper().startswith(("SELECT", "WITH", "EXECUTE"))
        and not any(mark in query["sql"] for mark in _MACHINERY)
        and user_row not in query["sql"]
    ]
    return _on_a_cursor(statements)


FILLED = "BENCH-FILLED"


def _filled_case(owner: Any) -> int:
    """A case of the practitioner's agency with every section of its page filled, five rows each,
    made once in the bench database by the builders the section budgets test uses (a million
    empty cases say nothing of a page whose sections all have rows).

    Each builder was written for a case of its own, so they are run in an order where none undoes
    another: those that put the case on a panel of their own first (the panel of the last is the
    one `_involved` then gives five agencies), every builder of plans but one left out (each
    deletes the case's plans first): the plan whose actions are referred to a service, then a draft
    beside it, then what follows a plan (reviews, withdrawals, closures since reopened)."""
    from django.db import transaction

    from cases.models import Case

    found = Case.objects.filter(reference=FILLED).values_list("pk", flat=True).first()
    if found is not None:
        return int(found)
    import factory

    from interventions import services as plans
    from tests import factories
    from tests.factories import CaseFactory
    from tests.pages import test_section_budgets as budgets

    agency = owner.memberships.get().agency
    # Past the population's own names ("Agency 1", "bench.user1") and an earlier build's, and never
    # back (in a test session the factories have made rows of their own already).
    past = int(time.time())
    for made in vars(factories).values():
        counts_for_itself = isinstance(made, type) and issubclass(made, factory.Factory)
        if counts_for_itself and made._meta.model is not None and made._meta.counter_reference is made._meta:
            made._meta._initialize_counter()
            made.reset_sequence(max(past, made._meta._counter.seq))
    first = [budgets._decisions, budgets._owner_questions]
    left_out = {budgets._plan_and_after, budgets._plan_counts, budgets._service_referrals, *first}
    rest = [add for _, add in budgets.BUDGETS.values() if add not in left_out]
    with transaction.atomic():
        case = CaseFactory(owner=owner, owning_agency=agency, reference=FILLED)
        for add_rows in [*first, *rest, budgets._service_referrals]:
            case.refresh_from_db()
            add_rows(case, 5)
        draft = [{"text": "A draft goal", "actions": [budgets._action(case)]}]
        plans.create_plan(case, goals=draft, actor=case.owner)
        budgets.after_the_plan(case, 5)  # reviews, withdrawals, closures since reopened
    return int(case.pk)


def _get(client: Any, url: str) -> Callable[[], Any]:
    def run() -> Any:
        response = client.get(url)
        # 403 for the user with no membership: their refusal (and its audit record) is the page.
        assert response.status_code in (200, 403), (url, response.status_code, response.get("Location"))
        return response

    return run


def _cold(fn: Callable[[], Any]) -> Callable[[], Any]:
    from django.core.cache import cache

    def run() -> Any:
        cache.clear()
        return fn()

    return run


def _sign_in(user: Any) -> Callable[[], Any]:
    """The sign-in form posted with a right password, through the whole stack (axes, session, the
    audit record). The bench runs on the test settings, whose password hasher is a fast one: what is
    timed is sign-in apart from the password hash (issue 19's target)."""
    from django.test import Client
    from django.urls import reverse

    user.set_password("bench-password-1")
    user.save(update_fields=["password"])
    url = reverse("login")

    def run() -> Any:
        response = Client().post(url, {"username": user.username, "password": "bench-password-1"})
        assert response.status_code == 302, response.status_code
        return response

    return run


def _explain(label: str, statements: list[tuple[str, list[Any]]]) -> None:
    """EXPLAIN ANALYZE of a floor that was slow: the plan, to be looked at (issue 19, item 5)."""
    from django.db import connection

    print(f"\n### Plan of the floor: {label}\n")
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            lines = [row[0] for row in cursor.fetchall()]
            print("```")
            print("\n".join(lines[:40] + (["..."] if len(lines) > 40 else [])))
            print("```")


def _sizes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT relname, pg_size_pretty(pg_total_relation_size(c.oid)) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
            " ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 6"
        )
        largest = ", ".join(f"{name} {size}" for name, size in cursor.fetchall())
    print(f"\nDatabase size: {total} (largest tables with their indexes: {largest})\n")


def page_bench(runs: int, *, explain_over_ms: float = 10.0) -> dict[tuple[str, str], dict[str, float]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from agencies.models import Panel, User
    from cases.models import Case

    users = {label: User.objects.get(username=name) for label, name in USERS}
    # Made before any floor is read: the practitioner's pages are read with it from the first run.
    filled = f"/cases/{_filled_case(users['practitioner, one agency'])}/"
    # One of the million as the population made it (no rows of its own); the filled one apart.
    some_case = (
        Case.objects.filter(owning_agency__name="Agency 1")
        .exclude(reference=FILLED)
        .values_list("pk", flat=True)
        .first()
    )
    assert some_case is not None
    items: list[tuple[str, str, Callable[[], Any]]] = []
    for label, user in users.items():
        client = _client(user)
        items.append(("case list (whole request)", label, _get(client, reverse("cases:case_list"))))
        items.append(("case list floor (rows + capped count, raw SQL)", label, _floor(user)))
        items.append(("home page (whole request)", label, _get(client, reverse("home"))))
        items.append(("home page floor (its reads replayed as raw SQL)", label, _replayed(client, reverse("home"))))
    owner = _client(users["practitioner, one agency"])
    items.append(("case page (whole request)", "practitioner, one agency", _get(owner, f"/cases/{some_case}/")))
    case_reads = _replayed(owner, f"/cases/{some_case}/")
    items.append(("case page floor (its reads replayed as raw SQL)", "practitioner, one agency", case_reads))
    items.append(("case page, every section filled (whole request)", "practitioner, one agency", _get(owner, filled)))
    filled_reads = _replayed(owner, filled)
    items.append(
        (
            "case page, every section filled floor (its reads replayed as raw SQL)",
            "practitioner, one agency",
            filled_reads,
        )
    )
    # The police panel member's panel (the 8x floor) and the same panel for its coordinator.
    panel = Panel.objects.filter(agencies__name="Agency 2").order_by("pk").first()
    assert panel is not None
    for label in ("police: panel member + 200 shared cases", "panel coordinator"):
        client = _client(users[label])
        items.append(("panel page (whole request)", label, _get(client, reverse("panels:panel", args=[panel.pk]))))
        items.append(("panel page floor (rows + capped count, raw SQL)", label, _panel_floor(users[label], panel.pk)))
    # A name nobody holds, as a worker checks whether a family is known (decision 176): the case
    # list searched, and the people already known when a member is added (the API's check).
    nobody = "?q=Zzzzqq"
    items.append(
        (
            "case list, a name nobody holds searched (whole request)",
            "practitioner, one agency",
            _get(owner, reverse("cases:case_list") + nobody),
        )
    )
    # The list of the practitioner's own agency, chosen among the suggestions (decision 177): their
    # agency's cases without the ones they hold by share.
    own_agency = users["practitioner, one agency"].memberships.values_list("agency_id", flat=True).first()
    items.append(
        (
            "case list, own agency chosen (whole request)",
            "practitioner, one agency",
            _get(owner, reverse("cases:case_list") + f"?agency=%23{own_agency}"),
        )
    )
    known = reverse("cases-api:familymember-known") + "?given_name=Ardit&family_name=Zzzzqq"
    items.append(
        (
            "people already known, a name nobody holds (API, whole request)",
            "practitioner, one agency",
            _get(owner, known),
        )
    )
    items.append(
        (
            "sign-in, apart from the password hash (whole request)",
            "a practitioner of Agency 1",
            # another practitioner: a new password would sign the timed users' sessions out
            _sign_in(User.objects.get(username="bench.user1")),
        )
    )
    # The dashboards: aggregates in the database, a fixed number of queries whatever the caseload.
    # Their wide boards are kept a few minutes (stats.cache): timed as counted (the cache emptied
    # before each run) and as kept.
    for label in ("panel coordinator", "supervisor of ten agencies"):
        dashboard = _get(_client(users[label]), reverse("stats:dashboard"))
        items.append(("dashboard, figures counted (whole request)", label, _cold(dashboard)))
        items.append(("dashboard, figures kept (whole request)", label, dashboard))

    queries = {}
    for page, label, fn in items:  # warm-up, and the query count of one request
        with CaptureQueriesContext(connection) as captured:
            fn()
        queries[(page, label)] = len(captured)
    # As a web worker after its warm-up (deploy/gunicorn.conf.py, decision 165); as before after.
    import gc

    from operations.warm import settle

    threshold = gc.get_threshold()
    settle()
    try:
        samples: dict[tuple[str, str], list[float]] = {(page, label): [] for page, label, _ in items}
        load_before = os.getloadavg()
        for _ in range(runs):  # interleaved: a slow spell of the machine falls on every page alike
            for page, label, fn in items:
                started = time.perf_counter()
                fn()
                samples[(page, label)].append((time.perf_counter() - started) * 1000)
        load_after = os.getloadavg()
    finally:  # the process as found, whatever happened (the page bench runs inside the test session)
        gc.unfreeze()
        gc.set_threshold(*threshold)

    print(f"\n## Pages, whole request in process: p50 / p95 of {runs} interleaved runs, milliseconds\n")
    print(
        f"Machine load (1/5/15 min) before: {', '.join(f'{x:.2f}' for x in load_before)};"
        f" after: {', '.join(f'{x:.2f}' for x in load_after)}; {os.cpu_count()} CPUs\n"
    )
    _sizes()
    print("| page | user | p50 ms | p95 ms | mean ms | queries | p95 / floor p95 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    results: dict[tuple[str, str], dict[str, float]] = {}
    floors = {(page.split(" floor")[0], label): (page, label) for page, label, _ in items if " floor " in page}
    for (page, label), times in samples.items():
        p95 = _p(times, 0.95)
        results[(page, label)] = {"p50": _p(times, 0.5), "p95": p95, "queries": queries[(page, label)]}
        floor = floors.get((page.split(" (whole")[0], label))
        ratio = f"{p95 / _p(samples[floor], 0.95):.1f}x" if floor and "(whole request" in page else ""
        print(
            f"| {page} | {label} | {_p(times, 0.5):.1f} | {p95:.1f} | {statistics.mean(times):.1f}"
            f" | {queries[(page, label)]} | {ratio} |"
        )
    for page, label, fn in items:
        statements = getattr(fn, "statements", None)
        if statements and _p(samples[(page, label)], 0.5) > explain_over_ms:
            _explain(f"{page}, {label}", statements)
    return results
