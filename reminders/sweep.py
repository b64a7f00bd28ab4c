"""The reminder sweep: from the dates stored on the objects, find what is due soon, due, overdue
or to escalate, and create each reminder once.

Each collector is one date-range query on an indexed column, bounded by the sweep's window, so a
sweep costs what is due, not what is stored; and because it reads dates, not queued events, a sweep
after an outage catches up on everything that fell due meanwhile (within `REMINDERS_CATCH_UP_DAYS`).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from agencies import deadlines as rules
from agencies.access import Action
from agencies.models import Membership, Panel, PanelReminderSettings, User
from cases.models import Case, InformationRequest, NeedsAssessment
from families.models import Person
from interventions.models import FollowUp
from panels.models import PanelMeeting
from referrals.models import Referral

from .models import OWNER, Reminder

__all__ = ["Deadline", "Window", "collect", "stage_of", "sweep", "timings"]

FIELDS = ["triage_hours", "first_contact_days", "needs_assessment_working_days", "review_months"]
FIELDS += ["agenda_notice_days", "due_soon_days", "escalate_after_days"]


@dataclass(frozen=True)
class Window:
    """The sweep's reach: deadlines from `start` (the catch-up horizon) to `end` (the widest
    "due soon" lead of any panel)."""

    now: datetime.datetime
    start: datetime.datetime
    end: datetime.datetime

    @classmethod
    def at(cls, now: datetime.datetime, timing_list: Iterable[rules.Timing]) -> "Window":
        lead = max([t.due_soon for t in timing_list] + [rules.DEFAULTS.due_soon])
        catch_up = datetime.timedelta(days=settings.REMINDERS_CATCH_UP_DAYS)
        return cls(now=now, start=now - catch_up, end=now + lead)

    @property
    def dates(self) -> tuple[datetime.date, datetime.date]:
        return timezone.localtime(self.start).date(), timezone.localtime(self.end).date()


@dataclass(frozen=True)
class Deadline:
    """One thing due: what, about which case, when; `audience` names the users for deadlines that
    are not the case owner's (triage, agenda), as (role, user id) pairs."""

    kind: str
    model: type[models.Model]
    object_id: int
    due_at: datetime.datetime
    case_id: int | None = None
    panel_id: int | None = None
    owning_agency_id: int | None = None
    audience: tuple[tuple[str, int], ...] = field(default=())
    hourly: bool = False
    escalates: bool = True
    # Who an escalation reaches instead of supervisors and the coordinator (the asker of a request).
    escalate_to: tuple[tuple[str, int], ...] = field(default=())


def timings() -> dict[int | None, rules.Timing]:
    """Every panel's deadline settings, by panel id (None: the defaults)."""
    found: dict[int | None, rules.Timing] = {None: rules.DEFAULTS}
    for row in PanelReminderSettings.objects.values("panel_id", *FIELDS):
        panel_id = row.pop("panel_id")
        found[panel_id] = rules.Timing(**row)
    return found


def _open_cases() -> Any:
    return Case.objects.filter(closed_at__isnull=True)


CASE_COLUMNS = ("pk", "panel_id", "owning_agency_id")


def _case_deadlines(kind: str, rows: Iterable[tuple[Any, ...]]) -> Iterator[Deadline]:
    for pk, panel_id, agency_id, due_on in rows:
        yield Deadline(kind, Case, pk, rules.start_of_day(due_on), pk, panel_id, agency_id)


def first_contacts(window: Window, timing: dict[int | None, rules.Timing]) -> Iterator[Deadline]:
    start, end = window.dates
    rows = _open_cases().filter(first_contact_on__isnull=True, first_contact_due_on__range=(start, end))
    yield from _case_deadlines(Reminder.Kind.FIRST_CONTACT, rows.values_list(*CASE_COLUMNS, "first_contact_due_on"))


def reviews(window: Window, timing: dict[int | None, rules.Timing]) -> Iterator[Deadline]:
    start, end = window.dates
    rows = _open_cases().filter(next_review_on__range=(start, end))
    yield from _case_deadlines(Reminder.Kind.REVIEW, rows.values_list(*CASE_COLUMNS, "next_review_on"))


def needs_assessments(window: Window, timing: dict[int | None, rules.Timing]) -> Iterator[Deadline]:
    start, end = window.dates
    days = [t.needs_assessment_working_days for t in timing.values()]
    assessed = NeedsAssessment.objects.filter(case=OuterRef("pk"), is_draft=False)
    rows = (
        _open_cases()
        .filter(first_contact_on__range=(rules.subtract_working_days(start, max(days)), end))
        .filter(~Exists(assessed))
        .values_list(*CASE_COLUMNS, "first_contact_on")
    )
    for pk, panel_id, agency_id, contact_on in rows:
        due_on = rules.needs_assessment_due(contact_on, timing.get(panel_id, rules.DEFAULTS))
        if start <= due_on <= end:
            yield Deadline(
                Reminder.Kind.NEEDS_ASSESSMENT, Case, pk, rules.start_of_day(due_on), pk, panel_id, agency_id
            )


def follow_ups(window: Window, timing: dict[int | None, rules.Timing]) -> Iterator[Deadline]:
    start, end = window.dates
    # Pending: not done, and of a closure that stands (a reopened case's old follow-ups are not due).
    rows = (
        FollowUp.objects.pending()
        .filter(due_on__range=(start, end))
        .values_list("pk", "case_id", "case__panel_id", "case__owning_agency_id", "due_on")
    )
    for pk, case_id, panel_id, agency_id, due_on in rows:
        yield Deadline(Reminder.Kind.FOLLOW_UP, FollowUp, pk, rules.start_of_day(due_on), case_id, panel_id, agency_id)


def _eighteenth(born: datetime.date) -> datetime.date:
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February: 18 on 1 March, as Person.age() counts
        return datetime.date(born.year + 18, 3, 1)


def transitions(window: Window, timing: dict[int | None, rules.Timing]) -> Iterator[Deadline]:
    """Children of open cases' families nearing 18: planning 6 months, then 1 month, before."""
    start, end = window.dates
    slack = datetime.timedelta(days=4)  # month lengths: the exact dates are checked below
    for kind, months in ((Reminder.Kind.TRANSITION_6M, 210), (Reminder.Kind.TRANSITION_1M, 215)):
        born = (rules.add_months(start, -months) - slack, rules.add_months(end, -months) + slack)
        rows = Person.objects.filter(date_of_birth__range=born, family__cases__closed_at__isnull=True).values_list(
            "date_of_birth", "family__cases__pk", "family__cases__panel_id", "family__cases__owning_agency_id"
        )
        for dob, case_id, panel_id, agency_id in rows:
            six, one = rules.transition_dues(_eighteenth(dob))
            due_on = six if kind == Reminder.Kind.TRANSITION_6M else one
            if start <= due_on <= end:
                # The case is the reminder's object: each open case of the family reminds its own
                # owner (a person's key would let only one of them through the unique constraint).
                yield Deadline(
                    kind, Case, case_id, rules.start_of_day(due_on), case_id, panel_id, agency_id, escalates=False
                )


def triages(window: Window, timing: dict[int | None, rules.Timing]) -> Iterator[Deadline]:
    """New referrals to triage: whoever works cases at the agency that received it, or (a crisis)
    the police agency it was routed to: the readers referrals' access rule gives them to."""
    rows = list(
        Referral.objects.filter(
            status=Referral.Status.NEW, triage_due_at__range=(window.start, window.end)
        ).values_list("pk", "triage_due_at", "received_by_id", "routed_to_id", "panel_id")
    )
    agencies = {a for row in rows for a in row[2:4] if a}
    members: dict[int, set[int]] = defaultdict(set)
    casework = Membership.objects.filter(
        agency_id__in=agencies, role__in=Membership.CASEWORK_ROLES, user__is_active=True
    )
    for agency_id, user_id in casework.values_list("agency_id", "user_id"):
        members[agency_id].add(user_id)
    for pk, due_at, received_by, routed_to, panel_id in rows:
        users = members[received_by] | (members[routed_to] if routed_to else set())
        audience = tuple((Reminder.Role.TRIAGE, user) for user in sorted(users))
        yield Deadline(Reminder.Kind.TRIAGE, Referral, pk, due_at, None, panel_id, audience=audience, hourly=True)


def agendas(window: Window, timing: dict[int | None, rules.Timing]) -> Iterator[Deadline]:
    """Meetings whose agenda notice is due: every member of the panel, once."""
    lead = datetime.timedelta(days=max(t.agenda_notice_days for t in timing.values()))
    meetings = list(
        PanelMeeting.objects.filter(
            status=PanelMeeting.Status.SCHEDULED, scheduled_for__gt=window.now, scheduled_for__lte=window.now + lead
        ).values_list("pk", "panel_id", "scheduled_for")
    )
    panels = {panel_id for _, panel_id, _ in meetings}
    seats = _panel_members(panels)
    for pk, panel_id, scheduled_for in meetings:
        if window.now >= rules.agenda_notice_at(scheduled_for, timing.get(panel_id, rules.DEFAULTS)):
            audience = tuple((Reminder.Role.MEMBER, user) for user in sorted(seats[panel_id]))
            yield Deadline(
                Reminder.Kind.AGENDA,
                PanelMeeting,
                pk,
                scheduled_for,
                None,
                panel_id,
                audience=audience,
                escalates=False,
            )


def information_requests(window: Window, timing: dict[int | None, rules.Timing]) -> Iterator[Deadline]:
    """Unanswered information requests: the members of the agency asked who may answer (who know
    the case); escalated, to whoever asked."""
    rows = list(
        InformationRequest.objects.open()
        .filter(due_at__range=(window.start, window.end), case__closed_at__isnull=True)
        .values_list("pk", "case_id", "due_at", "to_agency_id", "asked_by_id", "case__panel_id")
    )
    if not rows:
        return
    members: dict[int, set[int]] = defaultdict(set)
    candidates = Membership.objects.filter(agency_id__in={row[3] for row in rows}, user__is_active=True).exclude(
        role__in=Membership.NO_CASE_ROLES
    )
    for agency_id, user_id in candidates.values_list("agency_id", "user_id"):
        members[agency_id].add(user_id)
    ids = [row[0] for row in rows]
    answerers: dict[int, set[int]] = defaultdict(set)
    for user in User.objects.filter(pk__in=set().union(*members.values())):
        for pk in (
            InformationRequest.objects.restrict(user, Action.CHANGE).filter(pk__in=ids).values_list("pk", flat=True)
        ):
            answerers[pk].add(user.pk)
    for pk, case_id, due_at, _agency, asker, panel_id in rows:
        audience = tuple((Reminder.Role.PARTNER, user) for user in sorted(answerers[pk]))
        yield Deadline(
            Reminder.Kind.INFORMATION_REQUEST, InformationRequest, pk, due_at, case_id, panel_id,
            audience=audience, hourly=True, escalate_to=((Reminder.Role.ASKER, asker),),
        )  # fmt: skip


def _panel_members(panel_ids: set[int]) -> dict[int, set[int]]:
    """Who sits on each panel: its coordinator and chair, and the panel roles of its agencies."""
    seats: dict[int, set[int]] = defaultdict(set)
    if not panel_ids:
        return seats
    for pk, coordinator, chair in Panel.objects.filter(pk__in=panel_ids).values_list(
        "pk", "coordinator_id", "chair_id"
    ):
        seats[pk] |= {coordinator} | ({chair} if chair else set())
    rows = Panel.agencies.through.objects.filter(panel_id__in=panel_ids).values_list("panel_id", "agency_id")
    by_agency: dict[int, set[int]] = defaultdict(set)
    for panel_id, agency_id in rows:
        by_agency[agency_id].add(panel_id)
    memberships = Membership.objects.filter(
        agency_id__in=by_agency, role__in=Membership.PANEL_ROLES, user__is_active=True
    ).values_list("agency_id", "user_id")
    for agency_id, user_id in memberships:
        for panel_id in by_agency[agency_id]:
            seats[panel_id].add(user_id)
    return seats


COLLECTORS = [triages, first_contacts, needs_assessments, reviews, follow_ups, transitions, agendas]
COLLECTORS += [information_requests]


def collect(window: Window, timing: dict[int | None, rules.Timing]) -> Iterator[Deadline]:
    for collector in COLLECTORS:
        yield from collector(window, timing)


def stage_of(deadline: Deadline, now: datetime.datetime, timing: rules.Timing) -> str | None:
    if deadline.kind == Reminder.Kind.AGENDA or (not deadline.escalates and now >= deadline.due_at):
        return Reminder.Stage.DUE
    if deadline.hourly:
        return rules.stage_at(deadline.due_at, now, rules.HOURLY_DUE_SOON, rules.HOURLY_ESCALATE_AFTER)
    return rules.stage_at(deadline.due_at, now, timing.due_soon, timing.escalate_after)


def sweep(now: datetime.datetime | None = None) -> int:
    """Create the reminders due at `now`; return how many rows were offered (conflicts with
    reminders that exist already are ignored by the database, so a second sweep adds nothing)."""
    now = now or timezone.now()
    timing = timings()
    window = Window.at(now, timing.values())
    types = ContentType.objects.get_for_models(Referral, Case, FollowUp, Person, PanelMeeting, InformationRequest)
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
