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


def _floor(user: Any) -> Callable[[], Any]:
    """The case list's own data as raw SQL: the page of 50 and the capped count, compiled from the
    page's querysets and run on a cursor (no model instances, no template)."""
    from django.db import connection

    from agencies.access import Action, forget_access
    from cases.models import Case

    try:
        from cases.pagination import CAP
    except ImportError:  # measuring a commit before the capped count: its count is exact
        CAP = 10**9
    forget_access(user)
    qs = Case.objects.with_summary().restrict(user, Action.VIEW_SUMMARY).annotate_access(user)
    statements = [qs[:50].query.sql_with_params(), qs.order_by().values("pk")[: CAP + 1].query.sql_with_params()]
    count_sql, count_params = statements[1]
    statements[1] = (f"SELECT count(*) FROM ({count_sql}) AS capped", count_params)

    def run() -> Any:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return run


def _case_floor(case_id: int) -> Callable[[], Any]:
    from django.db import connection

    def run() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.*, f.name, p.given_name, p.family_name FROM cases_case c"
                " JOIN families_family f ON f.id = c.family_id JOIN families_person p ON p.id = c.index_person_id"
                " WHERE c.id = %s",
                [case_id],
            )
            cursor.fetchall()

    return run


def _get(client: Any, url: str) -> Callable[[], Any]:
    def run() -> Any:
        response = client.get(url)
        # 403 for the user with no membership: their refusal (and its audit record) is the page.
        assert response.status_code in (200, 403), (url, response.status_code)
        return response

    return run


def page_bench(runs: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from agencies.models import User
    from cases.models import Case

    users = {label: User.objects.get(username=name) for label, name in USERS}
    some_case = Case.objects.filter(owning_agency__name="Agency 1").values_list("pk", flat=True).first()
    assert some_case is not None
    items: list[tuple[str, str, Callable[[], Any]]] = []
    for label, user in users.items():
        client = _client(user)
        items.append(("case list (whole request)", label, _get(client, reverse("cases:case_list"))))
        items.append(("case list floor (rows + capped count, raw SQL)", label, _floor(user)))
        items.append(("home page (whole request)", label, _get(client, reverse("home"))))
    owner = _client(users["practitioner, one agency"])
    items.append(("case page (whole request)", "practitioner, one agency", _get(owner, f"/cases/{some_case}/")))
    items.append(("case page floor (the case row, raw SQL)", "practitioner, one agency", _case_floor(some_case)))
    # The dashboards: aggregates in the database, a fixed number of queries whatever the caseload.
    for label in ("panel coordinator", "supervisor of ten agencies"):
        items.append(("dashboard (whole request)", label, _get(_client(users[label]), reverse("stats:dashboard"))))

    queries = {}
    for page, label, fn in items:  # warm-up, and the query count of one request
        with CaptureQueriesContext(connection) as captured:
            fn()
        queries[(page, label)] = len(captured)
    samples: dict[tuple[str, str], list[float]] = {(page, label): [] for page, label, _ in items}
    load_before = os.getloadavg()
    for _ in range(runs):  # interleaved: a slow spell of the machine falls on every page alike
        for page, label, fn in items:
            started = time.perf_counter()
            fn()
            samples[(page, label)].append((time.perf_counter() - started) * 1000)
    load_after = os.getloadavg()

    print(f"\n## Pages, whole request in process: p50 / p95 of {runs} interleaved runs, milliseconds\n")
    print(
        f"Machine load (1/5/15 min) before: {', '.join(f'{x:.2f}' for x in load_before)};"
        f" after: {', '.join(f'{x:.2f}' for x in load_after)}; {os.cpu_count()} CPUs\n"
    )
    print("| page | user | p50 ms | p95 ms | mean ms | queries |")
    print("|---|---|---:|---:|---:|---:|")
    for (page, label), times in samples.items():
        print(
            f"| {page} | {label} | {_p(times, 0.5):.1f} | {_p(times, 0.95):.1f} | {statistics.mean(times):.1f}"
            f" | {queries[(page, label)]} |"
        )
