"""The embedded default under a small team (decision 72): start the server as `make run` does
(SQLite in a fresh data folder, the demo data, `manage.py runserver`), then 20 signed-in demo
users read case pages and record home visits at once for a minute. Prints the answers by status,
the 5xx count, and whether every visit answered with a redirect is in the database.

    .venv/bin/python bench/small_team.py                     # this checkout
    .venv/bin/python bench/small_team.py --root /work/main   # another checkout, to compare
"""

import argparse
import collections
import datetime
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

USERS = ["sw.blerina", "sw.dritan", "sup.elira", "ngo.klea"]
PASSWORD = "ura-demo-2026"  # noqa: S105 - the published demo password
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(root: Path, data: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "URA_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "settings.local"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    python = str(root / ".venv/bin/python")
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        subprocess.run([python, "manage.py", *command], cwd=root, env=env, check=True, capture_output=True)  # noqa: S603 - our own manage.py
    server = subprocess.Popen(  # noqa: S603 - our own manage.py
        [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return server
        except requests.ConnectionError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def sign_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30).text
    token = CSRF.search(page)
    assert token, "no sign-in form"
    session.post(
        f"{base}/accounts/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
    )
    return session


def worker(base: str, username: str, until: float, counts: collections.Counter[int], stored: list[int]) -> None:
    session = sign_in(base, username)
    cases: list[str] = []
    while not cases and time.monotonic() < until:
        listing = session.get(f"{base}/cases/", timeout=60)
        counts[listing.status_code] += 1
        cases = sorted(set(CASE_LINK.findall(listing.text)))
    turn = 0
    while time.monotonic() < until:
        case = cases[turn % len(cases)]
        turn += 1
        for path in (f"/cases/{case}/", f"/cases/{case}/timeline/"):
            counts[session.get(base + path, timeout=60).status_code] += 1
        if turn % 2:
            continue
        url = f"{base}/cases/{case}/record/contact/"
        form = session.get(url, timeout=60)
        counts[form.status_code] += 1
        token, key = CSRF.search(form.text), KEY.search(form.text)
        if form.status_code != 200 or not token:
            continue
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "kind": "phone",
            "outcome": "held",
            "occurred_at": (datetime.datetime.now().astimezone() - datetime.timedelta(hours=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "cooperation": "cooperative",
            "discussed": f"bench {username} {turn}",
            "visibility": "case_team",
        }
        if key:
            data["idempotency_key"] = key.group(1)
        answer = session.post(url, data, headers={"Referer": url}, timeout=60, allow_redirects=False)
        counts[answer.status_code] += 1
        if answer.status_code == 302:
            stored.append(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="ura-small-team-"))
    port = free_port()
    server = start(args.root.resolve(), data, port)
    base = f"http://127.0.0.1:{port}"
    counts: collections.Counter[int] = collections.Counter()
    stored: list[int] = []
    try:
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=worker, args=(base, USERS[i % len(USERS)], until, counts, stored))
            for i in range(args.users)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(10)
    database = sqlite3.connect(data / "ura.sqlite3")
    visits = database.execute("SELECT count(*) FROM cases_contact WHERE discussed LIKE 'bench %'").fetchone()[0]
    errors = sum(n for status, n in counts.items() if status >= 500)
    print(f"root {args.root}: {args.users} users, {args.seconds} s, {sum(counts.values())} requests")
    print("answers by status:", dict(sorted(counts.items())))
    print(f"5xx: {errors}; visits answered 302: {len(stored)}; visits in the database: {visits}")
    sys.exit(1 if errors or visits != len(stored) else 0)


if __name__ == "__main__":
    main()
