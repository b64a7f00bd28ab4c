"""Writing messages to the outbox (in the caller's transaction) and delivering them (the worker).

Delivery is at least once, with the delivery id as the Message-ID: a message is claimed and the
claim committed before the mail server is called, marked sent after it answered, and retried when
the server failed or a claim was left unconfirmed for `URA_OUTBOX_RECLAIM_SECONDS` (a worker that
died). The only repeat is a worker killed between the server's acceptance and the confirmation:
the same message, with the same Message-ID, goes again (decision 70)."""

import datetime
import logging
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.utils import timezone

from .models import Message

__all__ = ["deliver", "deliver_due", "queue", "queue_name", "queued"]

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 20


def queue_name(urgent: bool) -> str:
    """Crisis alerts have a queue of their own so they never wait behind bulk e-mail."""
    return str(settings.URA_CRISIS_QUEUE if urgent else settings.URA_MAIL_QUEUE)


def queued(about: str, kind: str) -> bool:
    """Whether messages of `kind` about `about` were written already (a cause queues once)."""
    return Message.objects.filter(about=about, kind=kind).exists()


def queue(
    kind: str,
    messages: Iterable[tuple[str, str, str]],
    *,
    about: str = "",
    urgent: bool = False,
    publish: bool = True,
) -> list[Message]:
    """Write (subject, body, address) messages in the caller's transaction; once it commits, ask a
    worker to send them (unless the caller, a worker already, sends them itself: `publish=False`).
    A broker that cannot be reached is logged, never raised: beat's sweep sends what is waiting."""
    rows = Message.objects.bulk_create(
        Message(kind=kind, about=about, urgent=urgent, subject=subject[:255], body=body, to=to)
        for subject, body, to in messages
    )
    ids = [row.pk for row in rows]

    def send_tasks() -> None:
        from .tasks import deliver_message_task

        for pk in ids:
            try:
                # retry=False: a broker that is down fails at once instead of holding the request.
                deliver_message_task.apply_async((pk,), queue=queue_name(urgent), retry=False)
            except Exception:  # kombu raises OperationalError and others; the web must keep working
                logger.warning("outbox: broker unreachable, message %s left to the sweep", pk, exc_info=True)
                return

    if ids and publish:
        transaction.on_commit(send_tasks)
    return rows


def _due(now: datetime.datetime) -> models.Q:
    stale = now - datetime.timedelta(seconds=settings.URA_OUTBOX_RECLAIM_SECONDS)
    return models.Q(status=Message.Status.PENDING, next_attempt_at__lte=now) | models.Q(
        status=Message.Status.SENDING, claimed_at__lt=stale
    )


def _claim(pk: int) -> Message | None:
    """Take the message for this worker: a conditional UPDATE, committed at once, so a second
    worker (or a redelivered task) finds it taken."""
    now = timezone.now()
    with transaction.atomic():
        taken = Message.objects.filter(_due(now), pk=pk).update(
            status=Message.Status.SENDING, claimed_at=now, attempts=models.F("attempts") + 1
        )
    return Message.objects.get(pk=pk) if taken else None


def _message_id(message: Message) -> str:
    domain = urlsplit(settings.BASE_URL).hostname or "ura.invalid"
    return f"<{message.delivery_id}@{domain}>"


def deliver(pk: int) -> bool:
    """Send one message if it is due and nobody holds it; return whether it was sent now."""
    message = _claim(pk)
    if message is None:
        return False
    email = EmailMessage(
        message.subject,
        message.body,
        settings.DEFAULT_FROM_EMAIL,
        [message.to],
        headers={"Message-ID": _message_id(message), "X-Ura-Delivery": str(message.delivery_id)},
        connection=get_connection(timeout=settings.EMAIL_TIMEOUT),
    )
    try:
        email.send(fail_silently=False)
    except Exception as error:  # any failure of the mail server: wait, then try again
        attempts = message.attempts
        status = Message.Status.FAILED if attempts >= MAX_ATTEMPTS else Message.Status.PENDING
        delay = datetime.timedelta(seconds=min(settings.URA_OUTBOX_RETRY_SECONDS * 2 ** min(attempts - 1, 10), 3600))
        Message.objects.filter(pk=pk, status=Message.Status.SENDING).update(
            status=status, next_attempt_at=timezone.now() + delay, last_error=repr(error)[:500]
        )
        log = logger.error if status == Message.Status.FAILED else logger.warning
        log("outbox: %s %s not sent (attempt %d): %r", message.kind, message.delivery_id, attempts, error)
        return False
    Message.objects.filter(pk=pk).update(status=Message.Status.SENT, sent_at=timezone.now(), last_error="")
    return True


def deliver_due(*, urgent: bool | None = None, limit: int = 500) -> int:
    """Send what is waiting (and what a dead worker left claimed), oldest first; the sweep."""
    due = Message.objects.filter(_due(timezone.now()))
    if urgent is not None:
        due = due.filter(urgent=urgent)
    ids = list(due.order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
    sent = failed = 0
    # A sweep gives the worker back after a while: the crisis worker also records beat's heartbeat,
    # which must not wait behind a mail server that answers nothing (decision 159).
    stop_at = time.monotonic() + settings.URA_OUTBOX_SWEEP_SECONDS
    for pk in ids:
        if time.monotonic() >= stop_at:
            break  # the next sweep goes on from here
        if deliver(pk):
            sent, failed = sent + 1, 0
        elif Message.objects.filter(pk=pk, status=Message.Status.PENDING, attempts__gt=0).exists():
            failed += 1
            if failed >= 3:  # the mail server is down or stalling: the next sweep tries again
                break
    return sent
