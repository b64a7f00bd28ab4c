"""Reminders of deadlines (design.md §4). A panel's deadline settings are
`agencies.models.PanelReminderSettings`."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.access import RestrictedQuerySet, rules

from .deadlines import KindCodes, kind_choices

__all__ = ["OWNER", "CalendarFeed", "Reminder"]

# `Reminder.recipient_key` of a reminder addressed to whoever owns the case when it is read or sent.
OWNER = 0


class ReminderQuerySet(RestrictedQuerySet):
    def unread(self) -> "ReminderQuerySet":
        return self.filter(read_at__isnull=True)

    def overdue(self) -> "ReminderQuerySet":
        return self.filter(stage__in=[Reminder.Stage.OVERDUE, Reminder.Stage.ESCALATED])

    def pending(self) -> "ReminderQuerySet":
        return self.filter(sent_at__isnull=True)

    def defer_case_content(self) -> "ReminderQuerySet":
        """With the case's reference, and nothing else of the case."""
        return self.select_related("case").only(
            *(field.name for field in Reminder._meta.concrete_fields), "case__reference"
        )


class Reminder(models.Model):
    """One notice that something is due, for one recipient, at one stage: created once by the sweep
    (the unique constraint), shown in the app, and e-mailed once (the conditional update of
    `sent_at`). A reminder for the case owner names no user: it follows the case's owner."""

    # The kinds are classes (reminders.kinds, decision 53); `Reminder.Kind.TRIAGE` gives a code.
    Kind = KindCodes()

    class Stage(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        DUE = "due", _("Due")
        OVERDUE = "overdue", _("Overdue")
        ESCALATED = "escalated", _("Overdue: escalated")
        # Not a deadline: something happened that the recipient must know of.
        NOTICE = "notice", _("Notice")

    class Role(models.TextChoices):
        OWNER = "owner", _("Case owner")
        TRIAGE = "triage", _("Triages referrals")
        SUPERVISOR = "supervisor", _("Supervisor")
        COORDINATOR = "coordinator", _("Panel coordinator")
        MEMBER = "member", _("Panel member")
        PARTNER = "partner", _("Agency asked")
        ASKER = "asker", _("Asked the question")
        VISITOR = "visitor", _("Made the visit")
        DATA_PROTECTION = "dpo", _("Data protection officer")
        TRAINEE = "trainee", _("Whose training it is")
        REQUESTER = "requester", _("Asked for it")

    kind = models.CharField(_("kind"), max_length=32, choices=kind_choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    role = models.CharField(_("as"), max_length=16, choices=Role.choices)
    # The user addressed, or None for the case owner (resolved when read and when sent).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    # The recipient's id, or OWNER: part of the unique key, where a NULL would never collide.
    recipient_key = models.BigIntegerField(default=OWNER)
    due_at = models.DateTimeField(_("due"))
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = ReminderQuerySet.as_manager()
    access_rule = rules.reminder

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "due_at", "recipient_key", "stage"],
                name="%(app_label)s_%(class)s_unique_notice",
                violation_error_message=_("This reminder exists already."),
            )
        ]
        indexes = [
            # The header's unread count and the notifications page.
            models.Index(
                fields=["recipient", "-created_at"],
                condition=models.Q(read_at__isnull=True),
                name="reminders_unread_idx",
            ),
            models.Index(fields=["case", "-created_at"], name="reminders_case_idx"),
            # Delivery: what is still to e-mail.
            models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="reminders_unsent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_stage_display()} · {self.due_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("reminders:reminder_open", kwargs={"pk": self.pk})

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def due_date(self) -> datetime.date:
        from django.utils import timezone

        return timezone.localtime(self.due_at).date()


class CalendarFeed(models.Model):
    """A user's calendar feed (iCal): reached by a secret in its address, since a calendar app signs
    in with nothing else. Only the secret's SHA-256 is kept, so the addresses cannot be read back
    from the database; making a new one retires the old (decision 92)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("user")
    )
    secret_hash = models.CharField(_("secret (SHA-256)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    # The user's own, for every action; nobody else's (as for kept forms).
    access_rule = rules.own_typing

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(_("Calendar feed of %(user)s") % {"user": self.user})
