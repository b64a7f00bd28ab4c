"""A PostgreSQL frozen (SIGSTOP: a stopped server or a frozen machine, whose kernel still
acknowledges what is sent) after the web worker connected, with the connection kept between
requests as production keeps it: the request gets the 503 page within seconds instead of waiting
until gunicorn kills the worker, and the site answers again once the server resumes (decision 159).

Fault injection (`make faults`): a PostgreSQL of the test's own, on a port of its own (the shared
one is never touched), and one gunicorn worker. Needs initdb and postgres, and gunicorn."""

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg2  # type: ignore[import-untyped]
import pytest
from django.urls import reverse

from agencies.dbwait import server_answers

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.faults


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_program(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))), None)
    if not found:
        pytest.skip(f"needs PostgreSQL's {name}: the test starts and freezes a server of its own")
    return found


def children(parent: int) -> list[int]:
    """The processes the given one started (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(stat.parent.name))
    return found


class PrivatePostgres:
    """A PostgreSQL cluster in a folder of its own, run as `postgres` when the suite runs as root."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="ura-frozen-db-"))
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            account = pwd.getpwnam(self.user)
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        data = self.folder / "data"
        initdb = [postgres_program("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        subprocess.run(initdb, check=True, user=self.user, capture_output=True)
        command = [postgres_program("postgres"), "-D", str(data), "-p", str(self.port), "-k", str(self.folder)]
        command += ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]
        with (self.folder / "server.log").open("ab") as log:
            self.proc = subprocess.Popen(command, user=self.user, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + 30
        while not server_answers("127.0.0.1", self.port, 1.0):
            assert time.monotonic() < deadline, "the test's PostgreSQL did not start"
            time.sleep(0.2)
        time.sleep(0.5)  # past "ready to accept connections"
        admin = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("CREATE DATABASE ura")
        admin.close()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/ura"

    def signal(self, number: int) -> None:
        """To the postmaster and every backend (each is a process group of its own): the whole
        server stops, or goes on."""
        assert self.proc is not None
        for pid in [self.proc.pid, *children(self.proc.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, number)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.proc.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def server() -> Iterator[tuple[PrivatePostgres, str]]:
    """The test's PostgreSQL, migrated, and one gunicorn worker on it; the address of the site."""
    if not shutil.which("gunicorn", path=str(Path(sys.executable).parent)):
        pytest.skip("needs gunicorn")
    database = PrivatePostgres()
    web: subprocess.Popen[bytes] | None = None
    try:
        database.start()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.frozen_database_settings", "DATABASE_URL": database.url}
        manage = [sys.executable, "manage.py", "migrate", "--noinput"]
        subprocess.run(manage, env=env, cwd=ROOT, check=True, capture_output=True, timeout=600)
        port = free_port()
        gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}"]
        gunicorn += ["--timeout", "30"]  # production's: without the bound, the frozen request waits for it
        with (database.folder / "web.log").open("ab") as log:
            web = subprocess.Popen(
                [*gunicorn, "settings.wsgi"], env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True
            )
        site = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while not server_answers_http(site + "/healthz"):
            assert time.monotonic() < deadline, (database.folder / "web.log").read_text()[-3000:]
            time.sleep(0.3)
        yield database, site
    finally:
        if web is not None and web.poll() is None:
            os.killpg(web.pid, signal.SIGTERM)
            web.wait(20)
        database.stop()


def server_answers_http(url: str) -> bool:
    try:
        return get(url, 2)[0] == 200
    except OSError:
        return False


def get(url: str, timeout: float) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - the test's own server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def backends(database: PrivatePostgres) -> list[int]:
    """The process ids of the web worker's connections to the test's database."""
    admin = psycopg2.connect(host="127.0.0.1", port=database.port, user="postgres", dbname="postgres")
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = 'ura' AND pid <> pg_backend_pid()")
            return sorted(row[0] for row in cursor.fetchall())
    finally:
        admin.close()


def test_a_database_frozen_after_the_worker_connected_gives_the_503_page_in_seconds_and_the_site_comes_back(
    server: tuple[PrivatePostgres, str],
) -> None:
    database, site = server
    page = site + reverse("referrals:public_concern")
    # given: the public page, read twice on one connection kept between requests
    assert get(page, 20)[0] == 200
    kept = backends(database)
    assert get(page, 20)[0] == 200
    assert len(kept) == 1 and backends(database) == kept
    # when: the whole server stops, the connection still open
    database.signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        status, body = get(page, 25)
        waited = time.monotonic() - started
    finally:
        database.signal(signal.SIGCONT)
    # then: the page saying so, within seconds (gunicorn's 30 s would give none)
    assert status == 503 and "Ura is not available for a moment" in body, (status, body[:500])
    print(f"frozen database: the 503 page after {waited:.1f} s")
    assert waited < 10, waited
    # and once the server goes on, the next requests are answered again
    deadline = time.monotonic() + 15
    while get(page, 20)[0] != 200:
        assert time.monotonic() < deadline, "the site did not come back"
        time.sleep(0.5)
