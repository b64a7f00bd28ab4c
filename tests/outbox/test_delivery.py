"""The outbox: a message is written with its cause (or not at all), survives a broker that is
down, is claimed before it is sent, is retried after a failure or a dead worker, and carries its
delivery id as its Message-ID."""

import datetime
import logging
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from agencies.models import Agency, Membership, User
from outbox import services
from outbox.models import Message
from outbox.tasks import deliver_message_task
from referrals import services as referrals
from referrals.models import Referral
from tests.conftest import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def liaison(other_agency: Agency) -> User:
    Agency.objects.filter(pk=other_agency.pk).update(sector=Agency.Sector.POLICE)
    officer = member(other_agency, Membership.Role.POLICE_LIAISON)
    officer.email = "liaison@police.example"
    officer.save(update_fields=["email"])
    return officer


def crisis(actor: User, agency: Agency) -> Referral:
    return referrals.record_referral(
        actor=actor, received_by=agency, channel="police", concern="x", is_crisis=True, crisis_reason="attack"
    )


def test_a_crisis_writes_its_alert_in_its_own_transaction(caseworker: User, agency: Agency, liaison: User) -> None:
    # when the referral's transaction fails after the alert was written
    with pytest.raises(RuntimeError), transaction.atomic():
        crisis(caseworker, agency)
        assert Message.objects.filter(kind="crisis_alert", urgent=True).count() == 1
        raise RuntimeError
    # then neither the referral nor its alert exists
    assert not Referral.objects.exists() and not Message.objects.exists()


def test_a_crisis_recorded_with_the_broker_down_answers_and_is_sent_by_the_sweep(
    caseworker: User, liaison: User, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # given a broker that cannot be reached
    def down(*args: Any, **kwargs: Any) -> None:
        raise BrokerDown("Connection refused")

    monkeypatch.setattr(deliver_message_task, "apply_async", down)
    client = Client()
    client.force_login(caseworker)
    data = {
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
    # when a crisis is recorded in the browser
    with caplog.at_level(logging.WARNING), django_on_commit():
        response = client.post(reverse("referrals:referral_create"), data)
    # then the user lands on the referral, the alert waits, and the failure is logged
    assert response.status_code == 302 and Referral.objects.count() == 1
    assert Message.objects.get().status == Message.Status.PENDING and not mail.outbox
    assert "broker unreachable" in caplog.text
    # and beat's sweep sends it, once, with its delivery id
    assert services.deliver_due(urgent=True) == 1
    assert services.deliver_due() == 0
    [sent] = mail.outbox
    message = Message.objects.get()
    assert sent.to == ["liaison@police.example"] and sent.extra_headers["X-Ura-Delivery"] == str(message.delivery_id)
    assert str(message.delivery_id) in sent.message()["Message-ID"]
    assert message.status == Message.Status.SENT and message.attempts == 1


def django_on_commit() -> Any:
    """Run on-commit callbacks as the request's transaction commits (the test's own never does)."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def queued(to: str = "someone@example.org") -> Message:
    [message] = services.queue("digest", [("Ura: 2 reminders", "Open Ura", to)], publish=False)
    return message


def test_a_message_claimed_by_one_worker_is_not_sent_by_another() -> None:
    message = queued()
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENDING, claimed_at=timezone.now())
    assert not services.deliver(message.pk) and not mail.outbox


def test_a_claim_a_dead_worker_left_is_sent_again_with_the_same_message_id(settings: Any) -> None:
    # given a message claimed long ago and never confirmed (its worker was killed)
    message = queued()
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.URA_OUTBOX_RECLAIM_SECONDS + 1)
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENDING, claimed_at=long_ago, attempts=1)
    # when the sweep runs
    assert services.deliver_due() == 1
    # then it goes, with the delivery id it had, so the receiving side can drop a repeat
    assert str(message.delivery_id) in mail.outbox[0].message()["Message-ID"]
    assert Message.objects.get().attempts == 2


def test_a_failing_mail_server_leaves_the_message_for_a_later_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    message = queued()

    def refuse(*args: Any, **kwargs: Any) -> int:
        raise TimeoutError("timed out")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert not services.deliver(message.pk)
    stored = Message.objects.get()
    assert stored.status == Message.Status.PENDING and "timed out" in stored.last_error
    assert stored.next_attempt_at > timezone.now()
    assert services.deliver_due() == 0  # not before its time
    monkeypatch.undo()
    Message.objects.update(next_attempt_at=timezone.now())
    assert services.deliver_due() == 1 and len(mail.outbox) == 1


def test_a_sweep_gives_its_worker_back_after_its_time_and_the_next_goes_on(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given five messages waiting, and a mail server that takes 6 s for each
    for _ in range(5):
        queued()
    settings.URA_OUTBOX_SWEEP_SECONDS = 10
    clock = [1000.0]
    monkeypatch.setattr(services.time, "monotonic", lambda: clock[0])
    sending = EmailMessage.send

    def slow(self: EmailMessage, *args: Any, **kwargs: Any) -> int:
        clock[0] += 6
        return sending(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", slow)
    # when a sweep runs, it stops starting new ones once its 10 s are spent
    assert services.deliver_due() == 2
    # and the next sweeps send the rest
    assert services.deliver_due() + services.deliver_due() == 3
    assert len(mail.outbox) == 5 and not Message.objects.exclude(status=Message.Status.SENT).exists()


def test_an_alert_queued_as_a_task_before_the_outbox_is_written_once(
    caseworker: User, agency: Agency, liaison: User
) -> None:
    from referrals.tasks import alert_police_task

    referral = crisis(caseworker, agency)
    assert alert_police_task(referral.pk) == 0  # already in the outbox
    assert Message.objects.filter(kind="crisis_alert").count() == 1
