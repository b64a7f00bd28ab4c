"""Every kind of reminder, one class each (decision 53). To add one, add a class here: its `code`
and `label`, what it collects (one date-range query on an indexed column, bounded by the sweep's
window, so a sweep costs what is due, not what is stored), and what differs from `ReminderKind`'s
defaults (whom it reaches, when it stops being due, where it leads).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies import deadlines as rules
from agencies.access import Action
from agencies.models import Agency, Membership, Panel, PanelReminderSettings, User
from audit.signals import glass_broken
from cases.models import (
    Case,
    Contact,
    ExportJob,
    InformationRequest,
    NeedsAssessment,
    OwnerQuestion,
    PlannedVisit,
    PoliceAction,
    SharingAgreement,
)
from cases.risk import RiskLevel
from cases.signals import agreement_overridden, contact_planned, export_ready, owner_answered, owner_asked
from families.models import Person, SafetyWarning
from interventions.models import FollowUp, InterventionPlan, PlanAction
from learning.models import TrainingRecord
from panels.models import PanelMeeting
from panels.notices import urgent_meeting_called
from referrals.models import DeconflictionCheck, Referral

from .deadlines import DUE, Deadline, ReminderKind, Timings, Window

if TYPE_CHECKING:
    from .models import Reminder

__all__ = [
    "Agenda",
    "AgreementOverridden",
    "AgreementReview",
    "BreakGlass",
    "Deconfliction",
    "FirstContact",
    "FollowUpDue",
    "InformationRequestDue",
    "MissedCheckIn",
    "NeedsAssessmentDue",
    "NextContactPassed",
    "NoContact",
    "OwnerAnswered",
    "OwnerAsked",
    "PairVisitPlanned",
    "PlanActionDue",
    "PoliceAftercare",
    "Review",
    "SafetyWarningReview",
    "TrainingRefreshDue",
    "Transition1M",
    "Transition6M",
    "Triage",
    "UrgentMeeting",
]

# Role codes (`Reminder.Role`): whom a reminder reaches, besides the case owner.
TRIAGE, MEMBER, PARTNER, ASKER, REQUESTER = "triage", "member", "partner", "asker", "requester"
OWNER, COORDINATOR, SUPERVISOR, VISITOR, DATA_PROTECTION = "owner", "coordinator", "supervisor", "visitor", "dpo"
CASE_COLUMNS = ("pk", "panel_id", "owning_agency_id")


def _open_cases() -> QuerySet[Case]:
    return Case.objects.filter(closed_at__isnull=True)


def _case_is_open(reminder: "Reminder") -> bool:
    return ReminderKind.still_due(reminder)


class Triage(ReminderKind):
    """New referrals to triage: whoever works cases at the agency that received it, or (a crisis)
    the police agency it was routed to, and for a concern sent to a panel's front door its
    coordinator and single point of contact: the readers referrals' access rule gives them to."""

    code = "triage"
    label = _("Referral to triage")
    about = "referrals.Referral"
    hourly = True

    @classmethod
    def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
        rows = list(
            Referral.objects.filter(
                status=Referral.Status.NEW, triage_due_at__range=(window.start, window.end)
            ).values_list("pk", "triage_due_at", "received_by_id", "routed_to_id", "panel_id", "front_door_id")
        )
        agencies = {a for row in rows for a in row[2:4] if a}
        doors: dict[int, set[int]] = defaultdict(set)
        door_ids = {row[5] for row in rows if row[5]}
        if door_ids:
            # Its coordinator and single point of contact receive a front door (decision 125).
            for pk, coordinator, spoc in Panel.objects.filter(pk__in=door_ids).values_list(
                "pk", "coordinator_id", "single_point_of_contact_id"
            ):
                doors[pk] |= {coordinator} | ({spoc} if spoc else set())
        members: dict[int, set[int]] = defaultdict(set)
        casework = Membership.objects.filter(
            agency_id__in=agencies, role__in=Membership.CASEWORK_ROLES, user__is_active=True
        )
        for agency_id, user_id in casework.values_list("agency_id", "user_id"):
            members[agency_id].add(user_id)
        for pk, due_at, received_by, routed_to, panel_id, door in rows:
            users = (members[received_by] if received_by else set()) | (members[routed_to] if routed_to else set())
            users |= doors[door] if door else set()
            audience = tuple((TRIAGE, user) for user in sorted(users))
            yield Deadline(cls.code, Referral, pk, due_at, None, panel_id or door, audience=audience)

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        return Referral.objects.filter(pk=reminder.object_id, status=Referral.Status.NEW).exists()


# A referral closed, or added to an earlier record, needs no police check any more.
DECONFLICTION_SETTLED = (Referral.Status.CLOSED, Referral.Status.ADDED)


class Deconfliction(ReminderKind):
    """A police check asked before a referral goes to a panel (decision 127): the police liaisons of
    the agency asked, until one answers; overdue, their supervisors. A crisis went on without it,
    and the check still follows."""

    code = "deconfliction"
    label = _("Police check: is the person already under investigation?")
    about = "referrals.DeconflictionCheck"
    hourly = True

    @classmethod
    def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
        rows = list(
            DeconflictionCheck.objects.filter(answer="", due_at__range=(window.start, window.end))
            .exclude(referral__status__in=DECONFLICTION_SETTLED)
            .values_list("pk", "due_at", "police_agency_id")
        )
        if not rows:
            return
        liaisons: dict[int, set[int]] = defaultdict(set)
        supervisors: dict[int, set[int]] = defaultdict(set)
        police = Membership.objects.filter(
            agency_id__in={row[2] for row in rows},
            role__in=(Membership.Role.POLICE_LIAISON, Membership.Role.SUPERVISOR),
            user__is_active=True,
        )
        for agency_id, user_id, role in police.values_list("agency_id", "user_id", "role"):
            (liaisons if role == Membership.Role.POLICE_LIAISON else supervisors)[agency_id].add(user_id)
        for pk, due_at, agency_id in rows:
            audience = tuple((PARTNER, user) for user in sorted(liaisons[agency_id]))
            escalate = tuple(("supervisor", user) for user in sorted(supervisors[agency_id]))
            yield Deadline(
                cls.code, DeconflictionCheck, pk, due_at, None, None, audience=audience, escalate_to=escalate
            )

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        return (
            DeconflictionCheck.objects.filter(pk=reminder.object_id, answer="")
            .exclude(referral__status__in=DECONFLICTION_SETTLED)
            .exists()
        )


class FirstContact(ReminderKind):
    """The first contact with the family, by the date the panel set."""

    code = "first_contact"
    label = _("First contact with the family")

    @classmethod
    def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
        start, end = window.dates
        rows = _open_cases().filter(first_contact_on__isnull=True, first_contact_due_on__range=(start, end))
        for pk, panel_id, agency_id, due_on in rows.values_list(*CASE_COLUMNS, "first_contact_due_on"):
            yield cls.deadline(pk, due_on, pk, panel_id, agency_id)

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        return _case_is_open(reminder) and reminder.case is not None and reminder.case.first_contact_on is None


class NeedsAssessmentDue(ReminderKind):
    """The needs assessment, the panel's working days after the first contact."""

    code = "needs_assessment"
    label = _("Needs assessment")

    @classmethod
    def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
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
                yield cls.deadline(pk, due_on, pk, panel_id, agency_id)

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        assessed = NeedsAssessment.objects.filter(case_id=reminder.case_id or 0, is_draft=False).exists()
        return _case_is_open(reminder) and not assessed


class Review(ReminderKind):
    """The plan review, on the date the last review (or the plan) set."""

    code = "review"
    label = _("Case review")

    @classmethod
    def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
        start, end = window.dates
        rows = _open_cases().filter(next_review_on__range=(start, end))
        for pk, panel_id, agency_id, due_on in rows.values_list(*CASE_COLUMNS, "next_review_on"):
            yield cls.deadline(pk, due_on, pk, panel_id, agency_id)

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        case = reminder.case
        return _case_is_open(reminder) and case is not None and case.next_review_on == reminder.due_date


class FollowUpDue(ReminderKind):
    """Post-exit follow-ups, 6 and 12 months after closure: due on a closed case."""

    code = "follow_up"
    label = _("Post-exit follow-up")
    about = "interventions.FollowUp"

    @classmethod
    def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
        start, end = window.dates
        # Pending: not done, and of a closure that stands (a reopened case's old follow-ups are not due).
        rows = (
            FollowUp.objects.pending()
            .filter(due_on__range=(start, end))
            .values_list("pk", "case_id", "case__panel_id", "case__owning_agency_id", "due_on")
        )
        for pk, case_id, panel_id, agency_id, due_on in rows:
            yield cls.deadline(pk, due_on, case_id, panel_id, agency_id)

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        return FollowUp.objects.pending().filter(pk=reminder.object_id).exists()


class PlanActionDue(ReminderKind):
    """An action of the running plan falls due, neither done nor cancelled: its case's owner, who
    monitors the plan (step 8), is reminded, and escalation follows as for the other deadlines."""

    code = "plan_action"
    label = _("A plan's action falls due")
    about = "interventions.PlanAction"

    @classmethod
    def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
        start, end = window.dates
        rows = (
            PlanAction.objects.open()
            .filter(
                due_on__range=(start, end),
                goal__plan__status=InterventionPlan.Status.ACTIVE,
                case__closed_at__isnull=True,
            )
            .values_list("pk", "case_id", "case__panel_id", "case__owning_agency_id", "due_on")
        )
        for pk, case_id, panel_id, agency_id, due_on in rows:
            yield cls.deadline(pk, due_on, case_id, panel_id, agency_id)

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        open_action = PlanAction.objects.open().filter(
            pk=reminder.object_id, due_on=reminder.due_date, goal__plan__status=InterventionPlan.Status.ACTIVE
        )
        return _case_is_open(reminder) and open_action.exists()

    @classmethod
    def target(cls, reminder: "Reminder", user: User) -> str:
        found = PlanAction.objects.restrict(user, Action.VIEW).filter(pk=reminder.object_id).first()
        return found.get_absolute_url() if found else super().target(reminder, user)


class _Passed(ReminderKind):
    """A date that reminds once it has passed: no "due soon" before it."""

    @classmethod
    def stage(cls, deadline: Deadline, now: datetime.datetime, timing: rules.Timing) -> str | None:
        stage = super().stage(deadline, now, timing)
        return None if stage == "due_soon" else stage


def _later_contacts() -> QuerySet[Contact]:
    """Final contacts of the outer contact's case that took place after it (a visit cancelled or
    with nobody at home is not the contact that was agreed: the reminder stays)."""
    return Contact.objects.filter(
        case=OuterRef("case_id"), is_draft=False, outcome=Contact.Outcome.HELD, occurred_at__gt=OuterRef("occurred_at")
    )


class NextContactPassed(_Passed):
    """The next contact a visit agreed (`next_contact_on`) passed with no contact recorded since:
    the owner is reminded the day after, and escalation follows."""

    code = "next_contact"
    label = _("The next contact agreed with the family has passed")
    about = "cases.Contact"

    @classmethod
    def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
        start, end = window.dates
        one = datetime.timedelta(days=1)
        rows = (
            Contact.objects.filter(
                is_draft=False, next_contact_on__range=(start - one, end - one), case__closed_at__isnull=True
            )
            .filter(~Exists(_later_contacts()))
            .values_list("pk", "case_id", "case__panel_id", "case__owning_agency_id", "next_contact_on")
        )
        for pk, case_id, panel_id, agency_id, planned_on in rows:
            yield cls.deadline(pk, planned_on + one, case_id, panel_id, agency_id)

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        planned_on = reminder.due_date - datetime.timedelta(days=1)
        contact = Contact.objects.filter(pk=reminder.object_id, is_draft=False, next_contact_on=planned_on)
        return _case_is_open(reminder) and contact.filter(~Exists(_later_contacts())).exists()


def _last_contact() -> Any:
    """When the outer case's family was last seen: its latest final contact that took place."""
    held = Contact.objects.filter(case=OuterRef("pk"), is_draft=False, outcome=Contact.Outcome.HELD)
    return Subquery(held.order_by("-occurred_at").values("occurred_at")[:1])


class NoContact(_Passed):
    """Nobody has seen the family for the panel's days at the case's risk level (14 days at high
    risk by default, 56 at low): the owner is reminded, once for each last contact, and escalation
    follows. Counted from the last contact that took place; before the first contact, the first
    contact's own deadline reminds instead."""

    code = "no_contact"
    label = _("No contact with the family for too long")

    @classmethod
    def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
        start, end = window.dates
        days = [t.no_contact_days(level) for t in timing.values() for level in RiskLevel.values]
        since = (
            rules.start_of_day(start - datetime.timedelta(days=max(days))),
            rules.start_of_day(end - datetime.timedelta(days=min(days) - 1)),
        )
        rows = (
            _open_cases()
            .filter(first_contact_on__isnull=False)
            .annotate(last_contact=_last_contact())
            .filter(last_contact__range=since)
            .values_list(*CASE_COLUMNS, "risk_level", "last_contact")
        )
        for pk, panel_id, agency_id, risk_level, last_contact in rows:
            seen_on = timezone.localtime(last_contact).date()
            due_on = rules.no_contact_due(seen_on, risk_level, timing.get(panel_id, rules.DEFAULTS))
            if start <= due_on <= end:
                yield cls.deadline(pk, due_on, pk, panel_id, agency_id)

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        """Still nobody seen since, and the risk level still gives the same day."""
        if not _case_is_open(reminder) or reminder.case is None:
            return False
        case = Case.objects.filter(pk=reminder.case_id or 0).annotate(last_contact=_last_contact()).first()
        if case is None or case.last_contact is None:
            return False
        timing = PanelReminderSettings.timing_for(case.panel_id)
        seen_on = timezone.localtime(case.last_contact).date()
        return rules.no_contact_due(seen_on, case.risk_level, timing) == reminder.due_date


def _eighteenth(born: datetime.date) -> datetime.date:
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February: 18 on 1 March, as Person.age() counts
        return datetime.date(born.year + 18, 3, 1)


class _Transition(ReminderKind):
    """Children of open cases' families nearing 18: transition planning before the hand-over from
    children's to adults' services. Reminds the owner; nobody is escalated to."""

    escalates = False
    # Months between birth and the reminder (18 years less six months, or less one month).
    months: int
    first: bool

    @classmethod
    def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
        start, end = window.dates
        slack = datetime.timedelta(days=4)  # month lengths: the exact dates are checked below
        born = (rules.add_months(start, -cls.months) - slack, rules.add_months(end, -cls.months) + slack)
        # Current members only: a member removed from the register, or merged, is no one's to remind of.
        people = Person.objects.current().filter(date_of_birth__range=born, family__cases__closed_at__isnull=True)
        rows = people.values_list(
            "date_of_birth", "family__cases__pk", "family__cases__panel_id", "family__cases__owning_agency_id"
        )
        for dob, case_id, panel_id, agency_id in rows:
            six, one = rules.transition_dues(_eighteenth(dob))
            due_on = six if cls.first else one
            if start <= due_on <= end:
                # The case is the reminder's object: each open case of the family reminds its own
                # owner (a person's key would let only one of them through the unique constraint).
                yield cls.deadline(case_id, due_on, case_id, panel_id, agency_id)

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        """A date of birth corrected since (decision 67): the reminder of the old date sends
        nothing; the sweep makes the new one."""
        if not super().still_due(reminder) or reminder.case is None:
            return False
        due_on = timezone.localtime(reminder.due_at).date()
        family = Person.objects.current().filter(family_id=reminder.case.family_id, date_of_birth__isnull=False)
        for dob in family.values_list("date_of_birth", flat=True):
            six, one = rules.transition_dues(_eighteenth(dob))
            if (six if cls.first else one) == due_on:
                return True
        return False


class Transition6M(_Transition):
    code = "transition_6m"
    label = _("A young person turns 18 in six months")
    months, first = 210, True


class Transition1M(_Transition):
    code = "transition_1m"
    label = _("A young person turns 18 in one month")
    months, first = 215, False


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


class Agenda(ReminderKind):
    """A meeting's agenda, the panel's notice days before: every seat of the panel, once."""

    code = "agenda"
    label = _("Panel meeting agenda")
    about = "panels.PanelMeeting"
    escalates = False

    @classmethod
    def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
        lead = datetime.timedelta(days=max(t.agenda_notice_days for t in timing.values()))
        meetings = list(
            PanelMeeting.objects.filter(
                status=PanelMeeting.Status.SCHEDULED,
                scheduled_for__gt=window.now,
                scheduled_for__lte=window.now + lead,
            ).values_list("pk", "panel_id", "scheduled_for")
        )
        seats = _panel_members({panel_id for _, panel_id, _ in meetings})
        for pk, panel_id, scheduled_for in meetings:
            if window.now >= rules.agenda_notice_at(scheduled_for, timing.get(panel_id, rules.DEFAULTS)):
                audience = tuple((MEMBER, user) for user in sorted(seats[panel_id]))
                yield Deadline(cls.code, PanelMeeting, pk, scheduled_for, None, panel_id, audience=audience)

    @classmethod
    def stage(cls, deadline: Deadline, now: datetime.datetime, timing: rules.Timing) -> str | None:
        return DUE  # a notice before the meeting: neither due soon nor overdue

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        # not for a meeting cancelled or moved since
        return PanelMeeting.objects.filter(
            pk=reminder.object_id, status=PanelMeeting.Status.SCHEDULED, scheduled_for=reminder.due_at
        ).exists()


class NoticeKind(ReminderKind):
    """A notice given at once, under the bell, when its signal fires: what it is about is the
    signal's `subject` argument, and `recipients` says who is told, as (user or None for the case
    owner, role). The kinds below differ only in those two, and in the case they name."""

    subject = ""  # the signal's keyword argument the notice is about

    @classmethod
    def recipients(cls, about: Any, **kwargs: Any) -> list[tuple[User | None, str]]:
        raise NotImplementedError

    @classmethod
    def case_of(cls, about: Any) -> Case | None:
        return None  # most notices name no case; the case kinds say which

    @classmethod
    def received(cls, sender: Any, **kwargs: Any) -> None:
        from .services import add_notices

        about = kwargs[cls.subject]
        recipients = cls.recipients(about, **kwargs)
        if recipients:
            add_notices(cls.code, about, case=cls.case_of(about), recipients=recipients)


class UrgentMeeting(NoticeKind):
    """The coordinator called an urgent meeting of the panel (the emergency plan): every seat is
    told at once, under the bell; the e-mail is the panel's own (decision 124)."""

    code = "urgent_meeting"
    label = _("An urgent panel meeting was called")
    about = "panels.PanelMeeting"
    escalates = False
    listens_to = urgent_meeting_called
    subject = "meeting"

    @classmethod
    def recipients(cls, about: PanelMeeting, **kwargs: Any) -> list[tuple[User | None, str]]:
        return [(user, MEMBER) for user in User.objects.filter(pk__in=kwargs["members"])]

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        return PanelMeeting.objects.filter(pk=reminder.object_id, status=PanelMeeting.Status.SCHEDULED).exists()


class BreakGlass(NoticeKind):
    """A case of the recipient's was opened by breaking the glass: its owner and the coordinator of
    its panel are told at once, under the bell (the e-mail is the audit app's own)."""

    code = "break_glass"
    label = _("A case of yours was opened by breaking the glass")
    about = "audit.BreakGlassAccess"
    listens_to = glass_broken
    subject = "access"

    @classmethod
    def case_of(cls, about: Any) -> Case | None:
        case: Case = about.case
        return case

    @classmethod
    def recipients(cls, about: Any, **kwargs: Any) -> list[tuple[User | None, str]]:
        case = about.case
        recipients: list[tuple[User | None, str]] = []
        if case.owner_id != about.user_id:
            recipients.append((None, OWNER))
        coordinator = case.panel.coordinator if case.panel is not None else None
        if coordinator is not None and coordinator.pk not in (about.user_id, case.owner_id):
            recipients.append((coordinator, COORDINATOR))
        return recipients

    @classmethod
    def target(cls, reminder: "Reminder", user: User) -> str:
        # who opened the case and why: the access log, which the owner and coordinator read
        return reverse("audit:case_access_log", kwargs={"pk": reminder.case_id})


class OwnerAsked(NoticeKind):
    """Someone who reads the case's summary asked its owner a question or for fuller access: the
    owner is told at once, under the bell (issue 17)."""

    code = "owner_question"
    label = _("A question to you as the case owner")
    about = "cases.OwnerQuestion"
    listens_to = owner_asked
    subject = "question"

    @classmethod
    def case_of(cls, about: OwnerQuestion) -> Case | None:
        return about.case

    @classmethod
    def recipients(cls, about: OwnerQuestion, **kwargs: Any) -> list[tuple[User | None, str]]:
        return [(None, OWNER)]


class OwnerAnswered(OwnerAsked):
    """The owner answered a question put to them: the asker is told at once, under the bell."""

    code = "owner_answer"
    label = _("The case owner answered your question")
    about = "cases.OwnerQuestion"
    listens_to = owner_answered

    @classmethod
    def recipients(cls, about: OwnerQuestion, **kwargs: Any) -> list[tuple[User | None, str]]:
        return [(about.asked_by, ASKER)]


class PairVisitPlanned(NoticeKind):
    """A visit made by a pair agreed the next contact: the police partner of the pair (a visitor
    working for a police agency, other than who recorded it) is told at once, under the bell, and
    finds the visit in their calendar (decision 92)."""

    code = "pair_visit"
    label = _("A pair visit is planned with you")
    about = "cases.Contact"
    listens_to = contact_planned
    subject = "contact"

    @classmethod
    def case_of(cls, about: Any) -> Case | None:
        case: Case = about.case
        return case

    @classmethod
    def recipients(cls, about: Any, **kwargs: Any) -> list[tuple[User | None, str]]:
        others = [user.pk for user in kwargs["visitors"] if user.pk != kwargs["actor"].pk]
        if not others:
            return []
        police = User.objects.filter(
            pk__in=others, memberships__agency__sector=Agency.Sector.POLICE, is_active=True
        ).distinct()
        return [(user, PARTNER) for user in police]


class InformationRequestDue(ReminderKind):
    """Unanswered information requests (24 hours): the members of the agency asked who may answer
    (who know the case); escalated to whoever asked, not to supervisors."""

    code = "information_request"
    label = _("Information request to a partner")
    about = "cases.InformationRequest"
    hourly = True

    @classmethod
    def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
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
            answerable = InformationRequest.objects.restrict(user, Action.CHANGE).filter(pk__in=ids)
            for pk in answerable.values_list("pk", flat=True):
                answerers[pk].add(user.pk)
        for pk, case_id, due_at, _agency, asker, panel_id in rows:
            audience = tuple((PARTNER, user) for user in sorted(answerers[pk]))
            yield Deadline(
                cls.code, InformationRequest, pk, due_at, case_id, panel_id,
                audience=audience, escalate_to=((ASKER, asker),),
            )  # fmt: skip

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        return _case_is_open(reminder) and InformationRequest.objects.open().filter(pk=reminder.object_id).exists()

    @classmethod
    def target(cls, reminder: "Reminder", user: User) -> str:
        # the request itself: its addressee may know the case only by its summary
        found = InformationRequest.objects.restrict(user, Action.VIEW).filter(pk=reminder.object_id).first()
        return found.get_absolute_url() if found else reverse("reminders:reminder_list")


class MissedCheckIn(ReminderKind):
    """A visitor not back by the time they gave (decision 134): the visitor is alerted at that
    moment, and their agency's supervisors `URA_CHECK_IN_GRACE_MINUTES` later, once each. Nothing
    waits for the "due soon" of a day's deadline: a worker in danger cannot."""

    code = "missed_check_in"
    label = _("No check-in after a visit")
    about = "cases.PlannedVisit"
    urgent = True

    @classmethod
    def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
        rows = list(
            PlannedVisit.objects.filter(
                checked_in_at__isnull=True, expected_back_at__range=(window.start, window.now)
            ).values_list("pk", "case_id", "case__panel_id", "expected_back_at", "visitor_id", "agency_id")
        )
        supervisors: dict[int, set[int]] = defaultdict(set)
        chiefs = Membership.objects.filter(
            agency_id__in={row[5] for row in rows}, role=Membership.Role.SUPERVISOR, user__is_active=True
        )
        for agency_id, user_id in chiefs.values_list("agency_id", "user_id"):
            supervisors[agency_id].add(user_id)
        for pk, case_id, panel_id, back_at, visitor_id, agency_id in rows:
            escalate = tuple((SUPERVISOR, user) for user in sorted(supervisors[agency_id] - {visitor_id}))
            yield Deadline(
                cls.code, PlannedVisit, pk, back_at, case_id, panel_id,
                audience=((VISITOR, visitor_id),), escalate_to=escalate,
            )  # fmt: skip

    @classmethod
    def stage(cls, deadline: Deadline, now: datetime.datetime, timing: rules.Timing) -> str | None:
        if now < deadline.due_at:
            return None
        grace = datetime.timedelta(minutes=settings.URA_CHECK_IN_GRACE_MINUTES)
        return "overdue" if now < deadline.due_at + grace else "escalated"

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        # a case closed meanwhile does not make the visitor safe
        return PlannedVisit.objects.filter(pk=reminder.object_id, checked_in_at__isnull=True).exists()


class SafetyWarningReview(ReminderKind):
    """A staff-safety warning reaching its review date: the owner of each open case of the family
    reviews it (still applies: a new date) or ends it."""

    code = "safety_review"
    label = _("Review a staff-safety warning")

    @classmethod
    def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
        start, end = window.dates
        rows = (
            SafetyWarning.objects.filter(ended_at__isnull=True, review_on__range=(start, end))
            .filter(family__cases__isnull=False, family__cases__closed_at__isnull=True)
            .values_list("review_on", "family__cases__pk", "family__cases__panel_id", "family__cases__owning_agency_id")
        )
        for due_on, case_id, panel_id, agency_id in rows:
            # The case is the object: a family's one open case reminds its owner once per date.
            yield cls.deadline(case_id, due_on, case_id, panel_id, agency_id)

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        if not super().still_due(reminder) or reminder.case is None:
            return False
        due_on = timezone.localtime(reminder.due_at).date()
        return SafetyWarning.objects.filter(
            family_id=reminder.case.family_id, ended_at__isnull=True, review_on=due_on
        ).exists()


class PoliceAftercare(ReminderKind):
    """After a police search, arrest or raid, a social or family worker visits the family within
    the working days set (decision 135): the case owner is reminded, and escalated as any deadline,
    until a contact that took place after the police action is recorded."""

    code = "police_aftercare"
    label = _("Follow-up visit after a police action")
    about = "cases.PoliceAction"

    @classmethod
    def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
        start, end = window.dates
        visited = Contact.objects.filter(
            case=OuterRef("case_id"),
            is_draft=False,
            outcome=Contact.Outcome.HELD,
            occurred_at__gte=OuterRef("occurred_at"),
        )
        rows = (
            PoliceAction.objects.filter(is_draft=False, follow_up_due_on__range=(start, end))
            .filter(case__closed_at__isnull=True)
            .filter(~Exists(visited))
            .values_list("pk", "case_id", "case__panel_id", "case__owning_agency_id", "follow_up_due_on")
        )
        for pk, case_id, panel_id, agency_id, due_on in rows:
            yield cls.deadline(pk, due_on, case_id, panel_id, agency_id)

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        action = PoliceAction.objects.filter(pk=reminder.object_id).values("case_id", "occurred_at").first()
        if action is None or not super().still_due(reminder):
            return False
        return not Contact.objects.filter(
            case_id=action["case_id"],
            is_draft=False,
            outcome=Contact.Outcome.HELD,
            occurred_at__gte=action["occurred_at"],
        ).exists()

    @classmethod
    def target(cls, reminder: "Reminder", user: User) -> str:
        # the visit to record: the case's contact form
        return reverse("cases:entry_create", kwargs={"pk": reminder.case_id, "kind": "contact"})


class AgreementReview(ReminderKind):
    """An information-sharing agreement nears its review date (decision 115): the coordinators of
    its panels are told once, a month before (or, with no panel named, the coordinators of its
    parties). Renewing it (a new review date) makes a new deadline."""

    code = "agreement_review"
    label = _("An information-sharing agreement is due for review")
    about = "cases.SharingAgreement"
    escalates = False

    @classmethod
    def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
        start = timezone.localtime(window.now).date()
        lead = datetime.timedelta(days=SharingAgreement.REVIEW_NOTICE_DAYS)
        # One query: the current agreements whose review falls within the notice, each with the
        # coordinators who hear of it (its panels' coordinators, or its parties' coordinators).
        through_panels = SharingAgreement.panels.through.objects.filter(sharingagreement_id=OuterRef("pk"))
        rows = list(
            SharingAgreement.objects.filter(
                status=SharingAgreement.Status.CURRENT, review_on__gte=start, review_on__lte=start + lead
            )
            .annotate(has_panels=Exists(through_panels))
            .values_list("pk", "review_on", "has_panels", "panels__coordinator_id", "parties__memberships__user_id",
                         "parties__memberships__role")
        )  # fmt: skip
        audience: dict[tuple[int, datetime.date], set[int]] = defaultdict(set)
        for pk, review_on, has_panels, panel_coordinator, member, role in rows:
            key = (pk, review_on)
            audience.setdefault(key, set())
            if has_panels and panel_coordinator is not None:
                audience[key].add(panel_coordinator)
            elif not has_panels and role == Membership.Role.COORDINATOR and member is not None:
                audience[key].add(member)
        for (pk, review_on), users in audience.items():
            if users:
                to = tuple((COORDINATOR, user) for user in sorted(users))
                yield Deadline(cls.code, SharingAgreement, pk, rules.start_of_day(review_on), audience=to)

    @classmethod
    def stage(cls, deadline: Deadline, now: datetime.datetime, timing: rules.Timing) -> str | None:
        return DUE  # a notice before the review: told once, neither due soon nor overdue

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        # not for an agreement renewed or ended since
        return SharingAgreement.objects.filter(
            pk=reminder.object_id,
            status=SharingAgreement.Status.CURRENT,
            review_on=timezone.localtime(reminder.due_at).date(),
        ).exists()


class AgreementOverridden(ReminderKind):
    """Information was shared on a safeguarding or legal-duty basis under the emergency override,
    with no agreement named (decision 113): every data protection officer is told at once. The
    notice names no case (they read none); it leads to the audit trail."""

    code = "agreement_overridden"
    label = _("Shared without an information-sharing agreement (emergency override)")
    about = "audit.AuditEvent"
    listens_to = agreement_overridden
    escalates = False

    @classmethod
    def received(cls, sender: Any, **kwargs: Any) -> None:
        from .services import add_notices

        event = kwargs["event"]  # the audit record of the override: the notice is about it
        officers = list(
            User.objects.filter(memberships__role=Membership.Role.DATA_PROTECTION_OFFICER, is_active=True)
            .distinct()
            .order_by("pk")
        )
        add_notices(cls.code, event, case=None, recipients=[(user, DATA_PROTECTION) for user in officers])
        cls._email(event, kwargs["actor"], officers)

    @classmethod
    def _email(cls, event: Any, actor: User, officers: list[User]) -> None:
        """Each officer's e-mail, through the outbox in the same transaction (decision 70). It names
        the case by its reference and repeats no justification (which may name people): that is in
        the audit trail."""
        from django.conf import settings
        from django.utils import translation
        from django.utils.translation import gettext

        from agencies.people import display_name
        from outbox import services as outbox

        reference = Case.objects.filter(pk=event.case_id).values_list("reference", flat=True).first() or ""
        link = settings.BASE_URL + reverse("audit:auditevent_list") + "?action=agreement_overridden"
        messages = []
        for officer in officers:
            if not officer.email:
                continue
            with translation.override(officer.language or settings.LANGUAGE_CODE):
                subject = gettext("Ura: information shared without an information-sharing agreement")
                body = gettext(
                    "%(user)s shared information about case %(reference)s under the emergency override, "
                    "without an information-sharing agreement covering the agencies. The justification "
                    "is in the audit trail: %(link)s"
                ) % {"user": display_name(actor, officer), "reference": reference, "link": link}
            messages.append((subject, body, officer.email))
        outbox.queue("agreement_overridden", messages, about=f"audit.auditevent:{event.pk}", urgent=True)

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        return True

    @classmethod
    def target(cls, reminder: "Reminder", user: User) -> str:
        return reverse("audit:auditevent_list") + "?action=agreement_overridden"


class TrainingRefreshDue(ReminderKind):
    """A course to take again: the person whose training it is, on its refresh date (decision 119).
    Nobody is escalated to; it is about no case."""

    code = "training_refresh"
    label = _("Training refresh due")
    about = "learning.TrainingRecord"
    escalates = False

    @classmethod
    def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
        start, end = window.dates
        rows = TrainingRecord.objects.filter(refresh_due_on__range=(start, end), person__is_active=True).values_list(
            "pk", "person_id", "refresh_due_on"
        )
        for pk, person_id, due_on in rows:
            if due_on is None:
                continue
            due_at = timezone.make_aware(datetime.datetime.combine(due_on, datetime.time(9)))
            yield Deadline(cls.code, TrainingRecord, pk, due_at, audience=(("trainee", person_id),))

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        return TrainingRecord.objects.filter(pk=reminder.object_id, person__is_active=True).exists()

    @classmethod
    def target(cls, reminder: "Reminder", user: User) -> str:
        return reverse("learning:training")


class ExportReady(NoticeKind):
    """A case list export made in the background is ready: the person who asked for it is told at
    once, under the bell, with a link to its page (decision 111). About no case; nobody else."""

    code = "export_ready"
    label = _("Your export is ready")
    about = "cases.ExportJob"
    escalates = False
    listens_to = export_ready
    subject = "job"

    @classmethod
    def recipients(cls, about: ExportJob, **kwargs: Any) -> list[tuple[User | None, str]]:
        return [(about.requested_by, REQUESTER)]

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        job = ExportJob.objects.filter(pk=reminder.object_id, requested_by_id=reminder.recipient_id).first()
        return job is not None and job.downloadable

    @classmethod
    def target(cls, reminder: "Reminder", user: User) -> str:
        return reverse("cases:export_job", args=[reminder.object_id])
