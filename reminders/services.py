"""Delivering reminders (in the app at once; by e-mail once, immediately or in a daily digest) and
reading them."""

import dataclasses
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.access import Action
from agencies.deadlines import Timing
from agencies.models import Panel, PanelReminderSettings, User
from audit.models import AuditEvent
from audit.services import record
from cases.models import Case
from outbox import services as outbox

from .deadlines import kind_of, kinds
from .models import Reminder
from .unread import reminders_changed

__all__ = [
    "PANEL_SETTINGS_FIELDS",
    "add_notices",
    "check_escalation",
    "deliver_pending",
    "deliver_reminder",
    "mark_all_read",
    "mark_read",
    "recipient_of",
    "save_panel_settings",
    "schedule_delivery",
    "send_digest",
    "send_digests",
]

logger = logging.getLogger(__name__)

# A panel's deadlines as its coordinator sets them (the form's fields and the API's).
PANEL_SETTINGS_FIELDS = [field.name for field in dataclasses.fields(Timing)]


def schedule_delivery() -> None:
    """After the current transaction commits, ask a worker to e-mail what is pending. A broker
    that cannot be reached is logged, never raised: the next sweep delivers what is pending."""

    def publish() -> None:
        from .tasks import deliver_reminders_task

        try:
            deliver_reminders_task.apply_async(retry=False)
        except Exception:  # kombu raises OperationalError and others; the web must keep working
            logger.warning("reminders: broker unreachable, delivery left to the next sweep", exc_info=True)

    transaction.on_commit(publish)


def recipient_of(reminder: Reminder) -> User | None:
    """Who the reminder is for now: the named user, or the case's owner at this moment."""
    if reminder.recipient_id is not None:
        return reminder.recipient
    case = reminder.case  # None, without a query, for a reminder about no case
    return None if case is None else case.owner


def _sees(user: User, reminder: Reminder) -> bool:
    """Whether the user may still know of what the reminder is about (access changes over time)."""
    if not user.is_active:
        return False
    if reminder.case_id:
        return Case.objects.restrict(user, Action.VIEW_SUMMARY).filter(pk=reminder.case_id).exists()
    model: Any = reminder.content_type.model_class()
    return bool(model.objects.restrict(user, Action.VIEW).filter(pk=reminder.object_id).exists())


def _still_due(reminder: Reminder) -> bool:
    """Whether the deadline is still open: a review held or a referral triaged since the sweep
    needs no e-mail (the reminder stays in the app, where it shows as history)."""
    return kind_of(reminder.kind).still_due(reminder)


def _link(reminder: Reminder) -> str:
    return f"{settings.BASE_URL}{reminder.get_absolute_url()}"


def _immediate() -> models.Q:
    immediate = User.ReminderDelivery.IMMEDIATE
    urgent = [kind.code for kind in kinds() if kind.urgent]
    return (
        models.Q(recipient__reminder_delivery=immediate)
        | models.Q(recipient__isnull=True, case__owner__reminder_delivery=immediate)
        | models.Q(kind__in=urgent)
    )


def deliver_pending(limit: int = 1000) -> int:
    """E-mail every pending reminder of users who want them at once; return how many were sent."""
    ids = list(
        Reminder.objects.pending().filter(_immediate()).order_by("created_at").values_list("pk", flat=True)[:limit]
    )
    return sum(deliver_reminder(pk) for pk in ids)


def deliver_reminder(pk: int) -> bool:
    """E-mail one reminder, at most once: the row is claimed by a conditional UPDATE of `sent_at`
    in the transaction that writes its e-mail to the outbox, so a second worker (or a redelivered
    task) finds it claimed, and the outbox sends the e-mail once (decision 70).
    A reminder about a case the recipient may no longer see is claimed and not sent."""
    with transaction.atomic():
        if not Reminder.objects.filter(pk=pk, sent_at__isnull=True).update(sent_at=timezone.now()):
            return False
        reminder = Reminder.objects.select_related("recipient", "case__owner", "content_type").get(pk=pk)
        user = recipient_of(reminder)
        if user is None or not user.email or not _sees(user, reminder) or not _still_due(reminder):
            return False
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = _("Ura: %(what)s (%(stage)s)") % {
                "what": reminder.get_kind_display(),
                "stage": reminder.get_stage_display(),
            }
            body = render_to_string("reminders/email.txt", {"reminders": [reminder], "link": _link(reminder)})
        # The claim and the message commit together (decision 70); this worker then sends it.
        messages = outbox.queue(
            "reminder", [(subject, body, user.email)], about=f"reminders.reminder:{pk}", publish=False
        )
    for message in messages:
        outbox.deliver(message.pk)
    return True


def send_digests() -> int:
    """Send each digest user one e-mail with all their pending reminders; return how many e-mails."""
    digest = User.ReminderDelivery.DIGEST
    pending = Reminder.objects.pending()
    named = pending.filter(recipient__reminder_delivery=digest).values_list("recipient_id", flat=True)
    owners = pending.filter(recipient__isnull=True, case__owner__reminder_delivery=digest).values_list(
        "case__owner_id", flat=True
    )
    users = User.objects.filter(pk__in={*named, *owners}, is_active=True)
    return sum(send_digest(user) for user in users)


def send_digest(user: User) -> bool:
    """One e-mail listing what is due for the user; each reminder claimed as in `deliver_reminder`."""
    mine = Reminder.objects.restrict(user, Action.VIEW).pending().order_by("due_at", "pk")
    with transaction.atomic():
        claimed = [
            reminder
            for reminder in mine.select_related("content_type", "case")
            if Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(sent_at=timezone.now())
        ]
        # As one by one: claimed, but not sent, when no longer seen or no longer due.
        claimed = [reminder for reminder in claimed if _sees(user, reminder) and _still_due(reminder)]
        if not claimed or not user.email:
            return False
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = ngettext("Ura: %(count)d reminder", "Ura: %(count)d reminders", len(claimed)) % {
                "count": len(claimed)
            }
            body = render_to_string(
                "reminders/email.txt", {"reminders": claimed, "link": f"{settings.BASE_URL}/notifications/"}
            )
        messages = outbox.queue(
            "digest", [(subject, body, user.email)], about=f"agencies.user:{user.pk}", publish=False
        )
    for message in messages:
        outbox.deliver(message.pk)
    return True


def mark_read(reminder: Reminder, *, actor: User) -> None:
    """Mark one of the actor's reminders read (the reminder comes from `restrict(actor)`)."""
    with transaction.atomic():
        Reminder.objects.filter(pk=reminder.pk, read_at__isnull=True).update(read_at=timezone.now())
        reminders_changed()


def mark_all_read(*, actor: User) -> int:
    with transaction.atomic():
        ids = Reminder.objects.restrict(actor, Action.VIEW).unread().values_list("pk", flat=True)
        reminders_changed()
        return Reminder.objects.filter(pk__in=list(ids)).update(read_at=timezone.now())


def check_escalation(days: int) -> None:
    """Refuse an escalation later than the sweep looks back (`REMINDERS_CATCH_UP_DAYS`): it would
    never be sent."""
    if days >= settings.REMINDERS_CATCH_UP_DAYS:
        raise ValidationError(
            {
                "escalate_after_days": _("Escalate within %(days)d days of the deadline.")
                % {"days": settings.REMINDERS_CATCH_UP_DAYS - 1}
            }
        )


def save_panel_settings(panel: Panel, values: dict[str, Any], *, actor: User) -> PanelReminderSettings:
    """Set some of a panel's deadlines (the browser's form and the API's `PATCH`): its coordinator's,
    read again under the panel's lock (decision 60) so that two coordinators' changes both stand,
    checked whole, and recorded with what changed. Nothing changed: nothing saved, nothing recorded
    (a panel that never set anything keeps reading the defaults)."""
    with transaction.atomic():
        panels = Panel.objects.restrict(actor, Action.CHANGE).lock()
        panel = panels.refetch(panel, _("Only the panel's coordinator sets its deadlines."))
        # Read under the panel's lock, which every change of its deadlines takes first.
        stored = PanelReminderSettings.objects.restrict(actor, Action.CHANGE).filter(panel=panel).first()
        panel_settings = stored or PanelReminderSettings(panel=panel)
        before = PanelReminderSettings.timing_for(panel.pk)
        for name, value in values.items():
            if name in PANEL_SETTINGS_FIELDS:
                setattr(panel_settings, name, value)
        changed = {
            name: [getattr(before, name), getattr(panel_settings, name)]
            for name in PANEL_SETTINGS_FIELDS
            if getattr(before, name) != getattr(panel_settings, name)
        }
        if not changed:
            return panel_settings
        panel_settings.full_clean()
        check_escalation(panel_settings.escalate_after_days)
        panel_settings.save()
        record(AuditEvent.Action.PANEL_CHANGED, actor=actor, obj=panel, reminder_settings=changed)
    return panel_settings


def add_notices(kind: str, obj: models.Model, *, case: Case | None, recipients: list[tuple[User | None, str]]) -> None:
    """In-app notices of something that happened on `case` (not a deadline), in the caller's
    transaction. `recipients` pairs a user (None: whoever owns the case) with the role they are
    told as. They are marked e-mailed: the caller sends its own message."""
    from django.contrib.contenttypes.models import ContentType

    from .models import OWNER

    now = timezone.now()
    content_type = ContentType.objects.get_for_model(obj)
    notices = [
        Reminder(
            kind=kind,
            content_type=content_type,
            object_id=obj.pk,
            case=case,
            role=role,
            recipient=user,
            recipient_key=user.pk if user is not None else OWNER,
            due_at=now,
            stage=Reminder.Stage.NOTICE,
            sent_at=now,
        )
        for user, role in recipients
    ]
    Reminder.objects.bulk_create(notices, ignore_conflicts=True)
    reminders_changed()  # bulk_create sends no post_save
