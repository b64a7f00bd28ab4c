"""Fault injection (`make faults`, not `make test`): a real Redis of the suite's own (stopped and
restarted empty), real Celery workers (killed), a fake mail server (stalling), double submission.
Each ends with every alert delivered exactly once and nothing stored twice.

Needs PostgreSQL (the workers share the test database: DATABASE_URL) and `redis-server`."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, Membership, User
from outbox.models import Message
from referrals.models import Referral
from tests.conftest import member
from tests.factories import AgencyFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], Any], timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(message)


class FakeSMTP:
    """A mail server that records each message it accepted by its Message-ID. `stall_for` holds the
    answer to DATA of messages to that address for ever (the first time); `slow` delays every
    answer to DATA, and a message whose sender hung up meanwhile is not accepted."""

    def __init__(self) -> None:
        self.port = free_port()
        self.accepted: list[tuple[str, str]] = []  # (Message-ID, recipient)
        self.stall_for = ""
        self.stalled = 0
        self.slow = 0.0
        self.server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        conn.sendall(b"220 fake ESMTP\r\n")
        recipient = ""
        try:
            for line in reader:
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    conn.sendall(b"250 fake\r\n")
                elif verb == b"RCPT":
                    recipient = line.decode().split("<", 1)[1].split(">", 1)[0]
                    conn.sendall(b"250 ok\r\n")
                elif verb == b"DATA":
                    conn.sendall(b"354 go on\r\n")
                    data = b""
                    for chunk in reader:
                        if chunk == b".\r\n":
                            break
                        data += chunk
                    if recipient == self.stall_for and not self.stalled:
                        self.stalled += 1
                        time.sleep(3600)  # accepted the data, never answers
                    time.sleep(self.slow)
                    if self._hung_up(conn):
                        return  # no 250 was given: the message is not accepted
                    self.accepted.append((message_from_bytes(data)["Message-ID"], recipient))
                    conn.sendall(b"250 queued\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 ok\r\n")
        except OSError:
            return
        finally:
            conn.close()

    @staticmethod
    def _hung_up(conn: socket.socket) -> bool:
        conn.setblocking(False)
        try:
            return conn.recv(1, socket.MSG_PEEK) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True
        finally:
            conn.setblocking(True)

    def to(self, address: str) -> list[str]:
        return [message_id for message_id, recipient in self.accepted if recipient == address]


class Redis:
    """A redis-server of the suite's own, on its own port: stopped and started empty at will."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen([*command, "--dir", str(self.dir)], stdout=subprocess.DEVNULL)
        wait_for(self._answers, 10, "redis-server did not start")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()  # no save: it comes back empty
            self.proc.wait(10)


class Workers:
    def __init__(self, tmp_path: Path, redis: Redis, smtp: FakeSMTP) -> None:
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.outbox.fault_settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "URA_FAULT_BROKER": redis.url,
            "URA_FAULT_SMTP_PORT": str(smtp.port),
        }
        self.tmp = tmp_path
        self.log = tmp_path / "workers.log"
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, queues: str = "crisis,mail,celery", beat: bool = True) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "celery", "-A", "settings", "worker", "--pool=solo", "-n", f"{name}@%h"]
        command += ["-Q", queues, "--without-gossip", "--without-mingle", "-l", "info"]
        if beat:
            command += ["-B", f"--schedule={self.tmp / (name + '-beat')}"]
        with self.log.open("ab") as log:
            proc = subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                self.kill(proc)


@pytest.fixture
def faults(tmp_path: Path) -> Iterator[tuple[Redis, FakeSMTP, Workers]]:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the workers share the test database (set DATABASE_URL=postgres://…)")
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server: the suite starts and stops a Redis of its own")
    from settings.celery import app

    redis, smtp = Redis(tmp_path), FakeSMTP()
    workers = Workers(tmp_path, redis, smtp)
    changes = {
        "broker_url": redis.url,
        "task_always_eager": False,
        "broker_connection_timeout": 1,
        "broker_transport_options": {"socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 1},
    }
    old = {name: app.conf[name] for name in changes}  # only these: the whole dict would shadow them
    app.conf.update(changes)
    _forget_connections(app)
    try:
        yield redis, smtp, workers
    finally:
        workers.stop()
        redis.stop()
        smtp.server.close()
        app.conf.update(old)
        _forget_connections(app)


def _forget_connections(app: Any) -> None:
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def police() -> User:
    agency = AgencyFactory(sector=Agency.Sector.POLICE, name="Police")
    officer = member(agency, Membership.Role.POLICE_LIAISON)
    officer.email = "liaison@police.example"
    officer.save(update_fields=["email"])
    return officer


CRISIS = {
    "channel": "general_hotline",
    "received_at": "2026-01-05T10:30",
    "subject_given_name": "Ardit",
    "subject_family_name": "Krasnici",
    "person_told": "unknown",
    "concern": "Says he will attack the school tomorrow.",
    "ideology": "religious",
    "urgency": "urgent",
    "is_crisis": "on",
    "crisis_reason": "attack",
}


def record_crisis(user: User, key: str = "") -> int:
    """Record a crisis referral through the intake form; return the answer's status."""
    client = Client()
    client.force_login(user)
    data = {**CRISIS, "idempotency_key": key or uuid.uuid4().hex}
    status: int = client.post(reverse("referrals:referral_create"), data).status_code
    return status


def assert_each_alert_once(smtp: FakeSMTP, police: User) -> None:
    alerts = list(Message.objects.filter(kind="crisis_alert"))
    assert all(message.status == Message.Status.SENT for message in alerts)
    accepted = smtp.to(police.email)
    assert sorted(accepted) == sorted(f"<{m.delivery_id}@127.0.0.1>" for m in alerts)  # each once


def test_a_crisis_recorded_with_the_broker_down_is_saved_and_alerted_once_it_is_back(
    faults: tuple[Redis, FakeSMTP, Workers], caseworker: User, police: User
) -> None:
    redis, smtp, workers = faults
    # given the broker is down: recording a crisis answers at once, with no error
    started = time.monotonic()
    assert record_crisis(caseworker) == 302
    assert time.monotonic() - started < 10
    assert Referral.objects.count() == 1 and Message.objects.get().status == Message.Status.PENDING
    # when the broker and a worker come back, beat's sweep sends the alert
    redis.start()
    workers.start("back")
    wait_for(lambda: smtp.to(police.email), 60, "the alert was never sent")
    time.sleep(3)  # further sweeps send nothing more
    assert_each_alert_once(smtp, police)


def test_a_broker_restarted_empty_loses_no_alert(
    faults: tuple[Redis, FakeSMTP, Workers], caseworker: User, police: User
) -> None:
    redis, smtp, workers = faults
    redis.start()
    # given an alert published while no worker runs
    assert record_crisis(caseworker) == 302
    # when the broker restarts empty (the published task is gone) and a worker starts
    redis.stop()
    redis.start()
    workers.start("after")
    # then the sweep sends it, once
    wait_for(lambda: smtp.to(police.email), 60, "the alert was lost with the broker")
    time.sleep(3)
    assert_each_alert_once(smtp, police)


def test_a_stalling_mail_server_times_out_and_does_not_hold_the_crisis_queue(
    faults: tuple[Redis, FakeSMTP, Workers], caseworker: User, police: User
) -> None:
    from outbox import services

    redis, smtp, workers = faults
    redis.start()
    workers.start("crisis", queues="crisis", beat=False)
    workers.start("bulk", queues="mail,celery")
    # given a bulk e-mail whose mail server accepts it and then hangs
    smtp.stall_for = "digest@example.org"
    services.queue("digest", [("Ura: 3 reminders", "…", "digest@example.org")])
    wait_for(lambda: smtp.stalled, 30, "the bulk e-mail never reached the mail server")
    # when a crisis is recorded meanwhile, its alert goes at once on its own queue
    assert record_crisis(caseworker) == 302
    wait_for(lambda: smtp.to(police.email), 15, "the crisis alert waited behind the stalled e-mail")
    # and the stalled e-mail times out and is sent again, once
    wait_for(lambda: smtp.to("digest@example.org"), 60, "the stalled e-mail was never retried")
    time.sleep(3)
    assert len(smtp.to("digest@example.org")) == 1
    assert_each_alert_once(smtp, police)


def test_a_worker_killed_mid_delivery_loses_nothing_and_sends_nothing_twice(
    faults: tuple[Redis, FakeSMTP, Workers], caseworker: User, police: User
) -> None:
    redis, smtp, workers = faults
    redis.start()
    smtp.slow = 2.0  # each message takes two seconds to be accepted
    first = workers.start("first")
    # given a crisis alert in the middle of its delivery
    assert record_crisis(caseworker) == 302
    wait_for(lambda: Message.objects.filter(status=Message.Status.SENDING).exists(), 30, "never claimed")
    time.sleep(0.5)
    # when the worker is killed before the mail server accepted it
    workers.kill(first)
    assert not smtp.accepted
    # then another worker takes the unconfirmed claim over (after 3 s) and sends it, once
    smtp.slow = 0
    workers.start("second")
    wait_for(lambda: smtp.to(police.email), 60, "the claimed alert was never sent")
    time.sleep(4)
    assert_each_alert_once(smtp, police)
    assert Message.objects.get().attempts == 2


def test_a_crisis_submitted_twice_is_stored_and_alerted_once(
    faults: tuple[Redis, FakeSMTP, Workers], caseworker: User, police: User
) -> None:
    redis, smtp, workers = faults
    redis.start()
    workers.start("one")
    # when the same form is sent twice (the user saw no answer and pressed again)
    key = uuid.uuid4().hex
    assert record_crisis(caseworker, key) == record_crisis(caseworker, key) == 302
    # then one referral, one alert
    wait_for(lambda: smtp.to(police.email), 60, "the alert was never sent")
    time.sleep(3)
    assert Referral.objects.count() == 1
    assert_each_alert_once(smtp, police)
    assert len(smtp.accepted) == 1
