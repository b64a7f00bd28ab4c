"""`manage.py reminders`: what is due now and what was sent, for support staff."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from agencies import deadlines
from agencies.access import Action
from agencies.models import User
from reminders.models import Reminder
from reminders.sweep import Window, collect, stage_of, timings


class Command(BaseCommand):
    help = "Show the deadlines due now (as the next sweep sees them) and the reminders created and sent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="Only the reminders this user sees (username).")
        parser.add_argument("--overdue", action="store_true", help="Only overdue and escalated items.")
        parser.add_argument("--sent", action="store_true", help="Only reminders already e-mailed.")
        parser.add_argument("--limit", type=int, default=50, help="At most this many rows per list (default 50).")

    def handle(self, *args: Any, **options: Any) -> None:
        overdue: set[str] = {Reminder.Stage.OVERDUE, Reminder.Stage.ESCALATED}
        if not options["sent"] and not options["user"]:
            self._due(overdue if options["overdue"] else None, options["limit"])
        reminders = Reminder.objects.select_related("recipient", "case__owner").order_by("-created_at", "-pk")
        if options["user"]:
            try:
                user = User.objects.get(username=options["user"])
            except User.DoesNotExist:
                raise CommandError(f"No user {options['user']!r}.") from None
            reminders = reminders.restrict(user, Action.VIEW)
        if options["overdue"]:
            reminders = reminders.filter(stage__in=overdue)
        if options["sent"]:
            reminders = reminders.filter(sent_at__isnull=False)
        self.stdout.write(self.style.MIGRATE_HEADING(f"Reminders ({reminders.count()})"))
        for r in reminders[: options["limit"]]:
            to = r.recipient.username if r.recipient else f"owner:{r.case.owner.username}"
            sent = f"sent {r.sent_at:%Y-%m-%d %H:%M}" if r.sent_at else "not sent"
            read = "read" if r.read_at else "unread"
            self.stdout.write(
                f"#{r.pk} {r.kind} {r.stage} due {r.due_at:%Y-%m-%d %H:%M} case={r.case_id or '-'} "
                f"to={to} {sent} {read}"
            )

    def _due(self, stages: set[str] | None, limit: int) -> None:
        now = timezone.now()
        timing = timings()
        rows = []
        for deadline in collect(Window.at(now, timing.values()), timing):
            stage = stage_of(deadline, now, timing.get(deadline.panel_id, deadlines.DEFAULTS))
            if stage and (stages is None or stage in stages):
                rows.append((deadline, stage))
        self.stdout.write(self.style.MIGRATE_HEADING(f"Due now ({len(rows)})"))
        for deadline, stage in rows[:limit]:
            self.stdout.write(
                f"{deadline.kind} {stage} due {deadline.due_at:%Y-%m-%d %H:%M} "
                f"{deadline.model._meta.model_name}={deadline.object_id} case={deadline.case_id or '-'}"
            )
