"""Messages waiting to go out."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """One e-mail to one address, written in the same transaction as what it announces (a crisis
    referral, a break-the-glass opening, a reminder). The worker claims it (status `sending`,
    committed before the mail server is called), sends it with its delivery id as the Message-ID,
    and marks it `sent`; a claim left unconfirmed by a dead worker is retried after
    `URA_OUTBOX_RECLAIM_SECONDS` (decision 70)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up")

    delivery_id = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=32)
    # What the message is about, as "app_label.model:pk": lets a cause queue its message only once.
    about = models.CharField(_("about"), max_length=64, blank=True, db_index=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-urgent", "created_at", "pk"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_message_due")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to} ({self.get_status_display()})"
