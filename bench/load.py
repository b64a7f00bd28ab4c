"""A bounded loopback load test (issue 19): N signed-in users on gunicorn, each looping over mixed
pages with a think time, for a fixed duration; prints throughput, p50/p95/p99, errors by page and
the web workers' memory. Not run in CI: run it by hand on the bench database.

    .venv/bin/python bench/load.py --start --users 100 --duration 60 --think 5
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 ...   # a server already running

`--start` runs gunicorn (deploy/gunicorn.conf.py) on the bench database made by `make bench`,
with `--workers` and `--worker-class` (sync, or gthread with `--threads`) to compare worker models.
Users sign in by a session written to the database (the password hash is not the page's cost).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _sessions(n: int) -> list[tuple[str, str, str]]:
    """(session cookie, a case the user owns, the case list's second page) for `n` practitioners and
    the bench's named users. The second page is the list's own `next` link (a keyset cursor)."""
    import re

    from django.conf import settings
    from django.test import Client

    from agencies.models import User
    from bench.pages import FILLED
    from cases.models import Case

    names = ["bench.practitioner", "bench.police", "bench.supervisor", "bench.coordinator"]
    names += [f"bench.user{i}" for i in range(1, max(0, n - len(names)) + 1)]
    found = []
    for user in User.objects.filter(username__in=names[:n]):
        client = Client()
        client.force_login(user)
        # A case of the population, as in every earlier run (the page bench's filled one apart).
        case = Case.objects.filter(owner=user).exclude(reference=FILLED).values_list("pk", flat=True).first()
        following = re.search(r'rel="next" href="(\?[^"]+)"', client.get("/cases/").content.decode())
        second = "/cases/" + following.group(1).replace("&amp;", "&") if following else "/cases/"
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        found.append((cookie, f"/cases/{case}/" if case else "/cases/", second))
    return found


def _start(args: argparse.Namespace) -> subprocess.Popen[bytes]:
    host, port = args.url.removeprefix("http://").split(":")
    env = {
        **os.environ,
        # The test settings with production's shared cache (Redis, when REDIS_URL is set): the
        # workers share the kept counts and their invalidation, as in production.
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "URA_BIND": f"{host}:{port}",
        "URA_WEB_WORKERS": str(args.workers),
        "DATABASE_CONN_MAX_AGE": "60",
        "URA_UNREAD_CACHE_SECONDS": "30",
    }
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "settings.wsgi"]
    command += ["--worker-class", args.worker_class, "--access-logfile", "/dev/null"]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{args.url}/healthz", timeout=2)  # noqa: S310 - loopback
            return server
        except OSError:  # refused, reset or timed out while the workers start
            time.sleep(0.5)
    server.terminate()
    sys.exit("gunicorn did not answer /healthz within a minute")


def _rss_mb(server: subprocess.Popen[bytes]) -> list[float]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    sizes = []
    for pid in children.read_text().split() if children.exists() else []:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def _cpu_seconds(server: subprocess.Popen[bytes] | None) -> dict[str, float]:
    """CPU seconds used so far by the web server (master and workers, those recycled included),
    every PostgreSQL process on the machine, and this load generator: where a request's time goes.
    Without `--start` the web server is not ours to count (0)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"web": 0.0, "database": 0.0}
    web = set()
    if server is not None:
        web.add(str(server.pid))
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
        web.update(children.read_text().split() if children.exists() else [])
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            name = (proc / "comm").read_text().strip()
        except OSError:  # ended meanwhile
            continue
        seconds = (int(fields[11]) + int(fields[12])) / tick
        if server is not None and proc.name == str(server.pid):  # and its workers that ended (recycled)
            seconds += (int(fields[13]) + int(fields[14])) / tick
        if proc.name in web:
            used["web"] += seconds
        elif name.startswith("postgres"):
            used["database"] += seconds
    own = os.times()
    used["load generator"] = own.user + own.system
    return used


def _user(
    url: str, session: tuple[str, str, str], until: float, think: float, out: list[tuple[str, float, int]]
) -> None:
    from django.conf import settings

    cookie, case_page, second_page = session
    pages = ["/", "/cases/", second_page, case_page, "/notifications/"]
    rng = random.Random(cookie)  # noqa: S311 - a spread of pages, not a secret
    time.sleep(rng.uniform(0, think))  # arrivals spread over the first think time
    while time.monotonic() < until:
        page = rng.choice(pages)
        cookies = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
        request = urllib.request.Request(url + page, headers=cookies)  # noqa: S310 - loopback, http only
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:  # refused, reset, timed out
            status = 0
        name = "/cases/?after=…" if "after=" in page else page.split("?")[0]
        out.append(
            (
                name if not page.startswith("/cases/") or page.count("/") < 3 else "/cases/<id>/",
                (time.perf_counter() - started) * 1000,
                status,
            )
        )
        time.sleep(rng.expovariate(1 / think) if think else 0)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8019")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--think", type=float, default=5, help="mean seconds between a user's requests")
    parser.add_argument("--start", action="store_true", help="run gunicorn on the bench database for the test")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--cases", type=int, default=1_000_000, help="the bench database of this size")
    args = parser.parse_args()

    from bench.run import _configure

    _configure(rebuild=False, n_cases=args.cases)  # the bench database; DATABASE_URL now names it, for gunicorn too
    sessions = _sessions(args.users)
    server = _start(args) if args.start else None
    try:
        results, elapsed, rss, load_before = _run(args, sessions, server)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    _report(args, sessions, results, elapsed, rss, load_before)


def _run(
    args: argparse.Namespace, sessions: list[tuple[str, str, str]], server: subprocess.Popen[bytes] | None
) -> tuple[list[tuple[str, float, int]], float, list[float], tuple[float, float, float]]:
    results: list[tuple[str, float, int]] = []
    until = time.monotonic() + args.duration
    load_before = os.getloadavg()
    cpu_before = _cpu_seconds(server)
    threads = [
        threading.Thread(target=_user, args=(args.url, session, until, args.think, results), daemon=True)
        for session in sessions
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    rss: list[float] = []
    while any(thread.is_alive() for thread in threads):
        time.sleep(1)
        if server is not None:
            rss = max(rss, _rss_mb(server), key=lambda sizes: sum(sizes) if sizes else 0)
    cpu_after = _cpu_seconds(server)
    args.cpu_used = {name: cpu_after[name] - cpu_before.get(name, 0.0) for name in cpu_after}
    return results, time.monotonic() - started, rss, load_before


def _report(
    args: argparse.Namespace,
    sessions: list[tuple[str, str, str]],
    results: list[tuple[str, float, int]],
    elapsed: float,
    rss: list[float],
    load_before: tuple[float, float, float],
) -> None:

    times = [ms for _page, ms, status in results if 0 < status < 500]
    errors = [status for _page, _ms, status in results if status == 0 or status >= 500]
    model = f"{args.workers} {args.worker_class} workers"
    if args.worker_class == "gthread":
        model += f" x {args.threads} threads"
    print(f"\n## Load test: {len(sessions)} signed-in users, think {args.think} s, {args.duration:.0f} s, {model}\n")
    print(
        f"Machine load before: {', '.join(f'{x:.2f}' for x in load_before)}; after: "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs\n"
    )
    print("| page | requests | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for page in sorted({page for page, _ms, _status in results}):
        mine = [(ms, status) for p, ms, status in results if p == page]
        ok = [ms for ms, status in mine if 0 < status < 500]
        bad = sum(1 for _ms, status in mine if status == 0 or status >= 500)
        print(f"| {page} | {len(mine)} | {_p(ok, 0.5):.0f} | {_p(ok, 0.95):.0f} | {_p(ok, 0.99):.0f} | {bad} |")
    spread = f"{_p(times, 0.5):.0f} | {_p(times, 0.95):.0f} | {_p(times, 0.99):.0f}"
    print(f"| all | {len(results)} | {spread} | {len(errors)} |")
    mean = statistics.mean(times) if times else 0
    statuses = sorted({status for _page, _ms, status in results})
    print(f"\nThroughput {len(results) / elapsed:.1f} requests/s; mean {mean:.0f} ms; statuses {statuses}")
    if rss:
        print(f"Web workers' RSS at peak: {', '.join(f'{size:.0f}' for size in rss)} MB")
    cpu = getattr(args, "cpu_used", {})
    if cpu and results:
        per_request = ", ".join(f"{name} {seconds * 1000 / len(results):.0f} ms" for name, seconds in cpu.items())
        print(f"CPU per request: {per_request} (of {os.cpu_count()} CPUs for {elapsed:.0f} s)")


if __name__ == "__main__":
    main()
