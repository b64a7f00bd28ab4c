"""The reminder sweep: from the dates stored on the objects, find what is due soon, due, overdue
or to escalate, and create each reminder once.

Each kind (reminders.kinds) collects with one date-range query on an indexed column, bounded by
the sweep's window, so a sweep costs what is due, not what is stored; and because it reads dates,
not queued events, a sweep after an outage catches up on everything that fell due meanwhile
(within `REMINDERS_CATCH_UP_DAYS`).
"""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from agencies import deadlines as rules
from agencies.access import Action
from agencies.models import Membership, Panel, PanelReminderSettings, User
from cases.models import Case
from referrals.models import Referral

from .deadlines import Deadline, Timings, Window, kind_of, kinds
from .models import OWNER, Reminder
from .unread import reminders_changed

__all__ = ["Deadline", "Window", "collect", "stage_of", "sweep", "timings"]

# Every field of a panel's timing (`agencies.deadlines.Timing`), read from its settings row.
FIELDS = [field.name for field in dataclasses.fields(rules.Timing)]


def timings() -> Timings:
    """Every panel's deadline settings, by panel id (None: the defaults)."""
    found: Timings = {None: rules.DEFAULTS}
    for row in PanelReminderSettings.objects.values("panel_id", *FIELDS):
        panel_id = row.pop("panel_id")
        found[panel_id] = rules.Timing(**row)
    return found


def collect(window: Window, timing: Timings) -> Iterator[Deadline]:
    for kind in kinds():
        yield from kind.collect(window, timing)


def stage_of(deadline: Deadline, now: datetime.datetime, timing: rules.Timing) -> str | None:
    return kind_of(deadline.kind).stage(deadline, now, timing)


def sweep(now: datetime.datetime | None = None) -> int:
    """Create the reminders due at `now`; return how many rows were offered (conflicts with
    reminders that exist already are ignored by the database, so a second sweep adds nothing)."""
    now = now or timezone.now()
    timing = timings()
    window = Window.at(now, timing.values())
    types = ContentType.objects.get_for_models(*{kind.model() for kind in kinds()})
    rows: list[Reminder] = []
    escalated: list[Deadline] = []
    for deadline in collect(window, timing):
        stage = stage_of(deadline, now, timing.get(deadline.panel_id, rules.DEFAULTS))
        if stage is None:
            continue

        def reminder(role: str, user_id: int | None, stage: str, d: Deadline = deadline) -> Reminder:
            return Reminder(
                kind=d.kind, content_type=types[d.model], object_id=d.object_id, case_id=d.case_id, role=role,
                recipient_id=user_id, recipient_key=user_id or OWNER, due_at=d.due_at, stage=stage,
            )  # fmt: skip

        if stage == Reminder.Stage.ESCALATED:
            if deadline.escalate_to:
                rows += [reminder(role, user_id, stage) for role, user_id in deadline.escalate_to]
            else:
                escalated.append(deadline)
            # Those who had it keep an "overdue" (created now if the sweep missed it).
            stage = Reminder.Stage.OVERDUE
        if deadline.audience:
            rows += [reminder(role, user_id, stage) for role, user_id in deadline.audience]
        elif deadline.case_id:
            rows.append(reminder(Reminder.Role.OWNER, None, stage))
    rows += _escalations(escalated, types)
    with transaction.atomic():
        Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        reminders_changed()  # bulk_create sends no post_save
        from .services import schedule_delivery

        schedule_delivery()
    return len(rows)


def _escalations(deadlines: list[Deadline], types: dict[Any, ContentType]) -> list[Reminder]:
    """Escalated deadlines reach the owning agency's supervisors and the panel's coordinator, each
    only for the cases (or referrals) they may see: nobody learns of a case through a reminder."""
    if not deadlines:
        return []
    candidates: dict[int, set[Deadline]] = defaultdict(set)
    agencies = {d.owning_agency_id for d in deadlines if d.owning_agency_id}
    supervisors = Membership.objects.filter(
        agency_id__in=agencies, role=Membership.Role.SUPERVISOR, user__is_active=True
    )
    by_agency: dict[int, set[int]] = defaultdict(set)
    for agency_id, user_id in supervisors.values_list("agency_id", "user_id"):
        by_agency[agency_id].add(user_id)
    coordinators = dict(
        Panel.objects.filter(pk__in={d.panel_id for d in deadlines}).values_list("pk", "coordinator_id")
    )
    roles: dict[tuple[Deadline, int], str] = {}
    for d in deadlines:
        for user_id in by_agency.get(d.owning_agency_id or 0, set()):
            candidates[user_id].add(d)
            roles[d, user_id] = Reminder.Role.SUPERVISOR
        if d.panel_id in coordinators:
            candidates[coordinators[d.panel_id]].add(d)
            roles.setdefault((d, coordinators[d.panel_id]), Reminder.Role.COORDINATOR)
    rows = []
    users = User.objects.in_bulk(list(candidates))
    for user_id, items in candidates.items():
        user = users[user_id]
        case_ids = {d.case_id for d in items if d.case_id}
        referral_ids = {d.object_id for d in items if d.model is Referral}
        seen_cases = set(
            Case.objects.restrict(user, Action.VIEW_SUMMARY).filter(pk__in=case_ids).values_list("pk", flat=True)
        )
        seen_referrals = set(
            Referral.objects.restrict(user, Action.VIEW).filter(pk__in=referral_ids).values_list("pk", flat=True)
        )
        for d in items:
            if (d.case_id in seen_cases) if d.case_id else (d.object_id in seen_referrals):
                rows.append(
                    Reminder(
                        kind=d.kind, content_type=types[d.model], object_id=d.object_id, case_id=d.case_id,
                        role=roles[d, user_id], recipient_id=user_id, recipient_key=user_id, due_at=d.due_at,
                        stage=Reminder.Stage.ESCALATED,
                    )
                )  # fmt: skip
    return rows
