"""Real Celery workers against the real broker: killed mid-delivery, duplicated beat ticks, two
workers at once, the broker down, and the embedded file-system broker. Every reminder reaches its
recipient exactly once.

The worker subprocesses share the test database, so these tests need PostgreSQL (DATABASE_URL);
the Redis ones need REDIS_URL. Elsewhere they skip, saying why.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.utils import timezone

from agencies.models import User
from cases.models import Case
from reminders.models import Reminder
from tests.conftest import member
from tests.factories import AgencyFactory, CaseFactory

ROOT = Path(__file__).resolve().parents[2]
SWEEP = "reminders.tasks.sweep_reminders_task"
OUTBOX_SWEEP = "outbox.tasks.sweep_outbox_task"
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker subprocess shares the test database (set DATABASE_URL=postgres://…)")


def needs_redis() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("needs Redis: set REDIS_URL=redis://… to run a real Celery worker against a real broker")
    needs_postgres()
    return url


class Workers:
    """Celery worker subprocesses on the test database, e-mailing into `mail_dir`."""

    def __init__(self, tmp_path: Path, **env: str) -> None:
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        self.queue = f"ura-test-{uuid.uuid4().hex[:8]}"
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.reminders.worker_settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "URA_TEST_QUEUE": self.queue,
            "URA_TEST_MAIL_DIR": str(self.mail_dir),
            "URA_BROKER_VISIBILITY_TIMEOUT": "3",
            **env,
        }
        self.log = tmp_path / "worker.log"
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, name: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "celery", "-A", "settings", "worker", "--pool=solo", "-n", f"{name}@%h"]
        command += ["-Q", self.queue, "--without-gossip", "--without-mingle", "-l", "info"]
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

    def mails(self) -> list[str]:
        """Every message sent (the file backend may append several to one file)."""
        text = "".join(path.read_text() for path in sorted(self.mail_dir.glob("*.log")))
        return text.split("\nSubject: ")[1:]


def producer(broker_url: str, **transport_options: Any) -> Any:
    """A Celery client that publishes to the broker for real (the test settings run tasks eagerly)."""
    from celery import Celery

    return Celery("ura-test", broker=broker_url, broker_transport_options=transport_options, set_as_current=False)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    found = Workers(tmp_path)
    yield found
    found.stop()


def due_reviews(count: int) -> list[Case]:
    """`count` open cases whose review is due today, owned by one caseworker with an e-mail."""
    agency = AgencyFactory()
    owner = member(agency)
    User.objects.filter(pk=owner.pk).update(email="owner@example.org")
    today = timezone.localdate()
    return [CaseFactory(owner=owner, owning_agency=agency, next_review_on=today) for _ in range(count)]


def wait_for(condition: Any, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(message)


def assert_exactly_once(workers: Workers, cases: list[Case]) -> None:
    reminders = list(Reminder.objects.filter(case__in=cases))
    assert len(reminders) == len(cases)  # one per case: nothing created twice
    mails = workers.mails()
    assert len(mails) == len(cases)
    sent = Counter(r.pk for r in reminders for text in mails if f"{r.get_absolute_url()}\n" in text)
    assert all(sent[r.pk] == 1 for r in reminders), sent


def test_a_worker_killed_mid_delivery_delivers_each_reminder_once_after_restart(tmp_path: Path) -> None:
    # given 12 reminders to send, each e-mail taking 0.3 s
    url = needs_redis()
    workers = Workers(tmp_path, URA_TEST_SEND_DELAY="0.3")
    try:
        cases = due_reviews(12)
        first = workers.start("first")
        producer(url).send_task(SWEEP, queue=workers.queue)
        # when the worker is killed after some were sent
        wait_for(lambda: len(workers.mails()) >= 3, 60, "the first worker sent nothing")
        workers.kill(first)
        assert len(workers.mails()) < 12
        # then a restarted worker (the redelivered task, and the next beat ticks: the reminder sweep
        # and the outbox's, which takes over the e-mail the killed worker left claimed) sends the
        # rest, once
        workers.start("second")
        producer(url).send_task(SWEEP, queue=workers.queue)
        time.sleep(4)  # the killed worker's claim is older than URA_OUTBOX_RECLAIM_SECONDS
        producer(url).send_task(OUTBOX_SWEEP, queue=workers.queue)
        wait_for(lambda: len(workers.mails()) >= 12, 60, "the restarted worker did not catch up")
        time.sleep(4)  # the redelivered message (visibility timeout 3 s) runs too, and sends nothing
        assert_exactly_once(workers, cases)
    finally:
        workers.stop()


def test_two_workers_and_duplicated_beat_ticks_send_once(tmp_path: Path) -> None:
    url = needs_redis()
    workers = Workers(tmp_path, URA_TEST_SEND_DELAY="0.05")
    try:
        cases = due_reviews(10)
        workers.start("one")
        workers.start("two")
        app = producer(url)
        for _ in range(4):  # a beat tick delivered twice, twice
            app.send_task(SWEEP, queue=workers.queue)
        wait_for(lambda: len(workers.mails()) >= 10, 60, "the workers did not send")
        time.sleep(3)
        assert_exactly_once(workers, cases)
        assert not Reminder.objects.pending().exists()
    finally:
        workers.stop()


def test_the_embedded_file_system_broker_sends_reminders(tmp_path: Path) -> None:
    # the local mode (`make run`): one `celery worker` on kombu's file-system transport
    needs_postgres()
    broker = tmp_path / "broker"
    (broker / "control").mkdir(parents=True)
    workers = Workers(tmp_path, URA_TEST_BROKER_DIR=str(broker))
    try:
        cases = due_reviews(3)
        workers.start("local")
        options = {"data_folder_in": str(broker), "data_folder_out": str(broker)}
        producer("filesystem://localhost/", **options, control_folder=str(broker / "control")).send_task(
            SWEEP, queue=workers.queue
        )
        wait_for(lambda: len(workers.mails()) >= 3, 60, "the file-system worker sent nothing")
        assert_exactly_once(workers, cases)
    finally:
        workers.stop()


def test_the_web_keeps_working_with_the_broker_down_and_the_sweep_catches_up(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # given a broker nobody answers on, and tasks really published (not run eagerly)
    from reminders.sweep import sweep
    from settings.celery import app

    old = dict(app.conf)
    app.conf.update(
        broker_url="redis://127.0.0.1:9/0",
        task_always_eager=False,
        broker_connection_timeout=0.5,
        task_publish_retry_policy={"max_retries": 0},
    )
    _forget_connections(app)
    try:
        cases = due_reviews(2)
        owner = cases[0].owner
        client = Client()
        client.force_login(owner)
        # when the sweep runs and publishes its delivery after commit
        with caplog.at_level("WARNING"):
            assert sweep() == 2
        # then nothing failed: the reminders are stored, the app answers, the failure is logged
        assert "broker unreachable" in caplog.text
        assert client.get("/notifications/").status_code == 200
        # and when time passes with the broker down, the next sweep works from dates
        later = timezone.now() + datetime.timedelta(days=1, hours=1)
        Case.objects.filter(pk=cases[0].pk).update(first_contact_due_on=timezone.localdate())
        sweep(now=later)
        kinds = Counter(Reminder.objects.values_list("kind", "stage"))
        assert kinds[("first_contact", "overdue")] == 1 and kinds[("review", "overdue")] == 2
    finally:
        app.conf.update(old)
        _forget_connections(app)
        ContentType.objects.clear_cache()


def _forget_connections(app: Any) -> None:
    """Drop the app's pooled broker connections, so the next publish uses the current URL."""
    app._pool = None
    app.amqp._producer_pool = None
