"""Panel meetings (steps 2 and 6): scheduling, the agenda, attendance, decisions, refusals.

Each function is one transaction with its audit record. What a decision keeps follows the
meeting's record mode; what it changes on the case (owner, urgency, first contact, next review,
involved agencies) goes through the case services either way.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies import deadlines
from agencies.access import Action
from agencies.models import Agency, Membership, Panel, PanelReminderSettings, User
from audit.models import AuditEvent
from audit.services import record
from cases import services as case_services
from cases.models import Case, CaseEvent, CaseShare, SharingAgreement
from referrals.models import Referral

from .models import AgendaItem, InvolvedAgency, LessonsLearned, MeetingAttendance, PanelMeeting, ShareDeclined

__all__ = [
    "Flag",
    "PanelDecision",
    "acknowledge_confidentiality",
    "add_case_to_agenda",
    "agenda_built",
    "build_agenda",
    "close_meeting",
    "decline_to_share",
    "flag_on_agenda",
    "invited",
    "put_referral_on_next_agenda",
    "record_attendance",
    "record_decision",
    "record_register",
    "schedule_meeting",
    "update_panel",
    "write_lessons",
]


# Sent inside `build_agenda`'s transaction with `meeting`: the apps above add what they know puts a
# case on the agenda (interventions: lapsed actions and long silences, decision 102).
agenda_built = Signal()


@dataclass(frozen=True)
class Flag:
    """Why a case goes on the agenda by itself: its plan's lapsed actions, its days without contact."""

    lapsed_actions: int
    days_without_contact: int | None


@transaction.atomic
def flag_on_agenda(meeting: PanelMeeting, flags: dict[int, Flag]) -> int:
    """Put on a scheduled meeting's agenda the open cases of its panel that went wrong by themselves
    (lapsed actions, a long silence), with the counts that put them there; a case already on the
    agenda keeps its item (and its decision) and gets the counts. Safe to run again: returns how
    many items it added (decision 102)."""
    locked = PanelMeeting.objects.filter(pk=meeting.pk, status=PanelMeeting.Status.SCHEDULED).lock().first()
    if locked is None or not flags:
        return 0
    meeting = locked
    panel_cases = set(
        Case.objects.filter(pk__in=flags, panel_id=meeting.panel_id, closed_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    present = {item.case_id: item for item in meeting.items.filter(case_id__in=panel_cases)}
    changed = []
    for item in present.values():
        flag = flags[item.case_id or 0]
        if item.decided_at is None and (item.lapsed_actions, item.days_without_contact) != (
            flag.lapsed_actions or None,
            flag.days_without_contact,
        ):
            item.lapsed_actions, item.days_without_contact = flag.lapsed_actions or None, flag.days_without_contact
            changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["lapsed_actions", "days_without_contact"])
    position = (meeting.items.aggregate(last=Max("position"))["last"] or 0) + 1
    new_items = [
        AgendaItem(
            meeting=meeting,
            case_id=case_id,
            reason=AgendaItem.Reason.LAPSED_ACTIONS if flags[case_id].lapsed_actions else AgendaItem.Reason.NO_CONTACT,
            lapsed_actions=flags[case_id].lapsed_actions or None,
            days_without_contact=flags[case_id].days_without_contact,
            position=position + offset,
        )
        for offset, case_id in enumerate(sorted(panel_cases - set(present)))
    ]
    AgendaItem.objects.bulk_create(new_items)
    if new_items:
        _renumber(meeting)
    return len(new_items)


@transaction.atomic
def update_panel(panel: Panel, *, cadence_days: int, record_mode: str, actor: User) -> Panel:
    """Change how often the panel meets and what its meetings keep (later meetings only)."""
    panel = Panel.objects.restrict(actor, Action.MANAGE).lock().refetch(panel, _("You do not coordinate this panel."))
    panel.cadence_days = cadence_days
    panel.record_mode = record_mode
    panel.full_clean()
    panel.save(update_fields=["cadence_days", "record_mode", "updated_at"])
    record(AuditEvent.Action.PANEL_CHANGED, actor=actor, obj=panel, cadence_days=cadence_days, record_mode=record_mode)
    return panel


@transaction.atomic
def write_lessons(panel: Panel, *, year: int, text: str, actor: User, new: bool = False) -> LessonsLearned:
    """Keep what the panel's partners learned in `year` (decision 108): the coordinator writes it,
    and writes over it as the partners agree more. An empty text is refused; with `new` (the API's
    create, decision 137), so is a year the panel has written already."""
    panel = Panel.objects.restrict(actor, Action.CHANGE).lock().refetch(panel, _("You do not coordinate this panel."))
    text = text.strip()
    if not text:
        raise ValidationError(_("Write the lessons learned."))
    if not 2000 <= year <= 2100:
        raise ValidationError(_("Choose a year between 2000 and 2100."))
    # Under the panel's lock: two creates of one year cannot both pass.
    if new and LessonsLearned.objects.restrict(actor, Action.CHANGE).filter(panel=panel, year=year).exists():
        raise ValidationError(_("The panel already has its lessons for this year."))
    lessons, created = LessonsLearned.objects.update_or_create(
        panel=panel, year=year, defaults={"text": text, "written_by": actor}
    )
    record(AuditEvent.Action.LESSONS_WRITTEN, actor=actor, obj=lessons, year=year, created=created)
    return lessons


@transaction.atomic
def schedule_meeting(
    panel: Panel, *, scheduled_for: datetime.datetime, actor: User, location: str = ""
) -> PanelMeeting:
    """Plan a meeting and build its agenda."""
    try:
        panel = Panel.objects.restrict(actor, Action.MANAGE).get(pk=panel.pk)
    except Panel.DoesNotExist:
        raise ValidationError(_("You do not coordinate this panel.")) from None
    if scheduled_for < timezone.now() - datetime.timedelta(days=1):
        raise ValidationError(_("A meeting is planned for today or later."))
    meeting = PanelMeeting.objects.create(
        panel=panel, scheduled_for=scheduled_for, location=location, record_mode=panel.record_mode, created_by=actor
    )
    build_agenda(meeting)
    record(AuditEvent.Action.MEETING_SCHEDULED, actor=actor, obj=meeting)
    return meeting


@transaction.atomic
def build_agenda(meeting: PanelMeeting) -> list[AgendaItem]:
    """Add what the panel must discuss and is not on the agenda yet: referrals put to the panel
    (crises first), cases whose review falls due by the meeting, cases with overdue items.

    Safe to run again: items already there stay, with their decisions.
    """
    if meeting.status != PanelMeeting.Status.SCHEDULED:
        raise ValidationError(_("Only a scheduled meeting's agenda can change."))
    day = timezone.localtime(meeting.scheduled_for).date()
    today = timezone.localdate()
    present_cases = set(meeting.items.exclude(case=None).values_list("case_id", flat=True))
    present_referrals = set(meeting.items.exclude(referral=None).values_list("referral_id", flat=True))
    position = (meeting.items.aggregate(last=Max("position"))["last"] or 0) + 1
    new_items = []
    referrals = Referral.objects.filter(panel=meeting.panel, status=Referral.Status.ON_AGENDA).order_by(
        "-is_crisis", "received_at"
    )
    for referral in referrals.exclude(pk__in=present_referrals):
        new_items.append(AgendaItem(meeting=meeting, referral=referral, reason=AgendaItem.Reason.NEW_REFERRAL))
    overdue = Q(next_review_on__lt=today) | Q(first_contact_due_on__lt=today)
    cases = (
        Case.objects.filter(panel=meeting.panel, closed_at__isnull=True)
        .filter(overdue | Q(next_review_on__lte=day))
        .exclude(pk__in=present_cases)
        .order_by("next_review_on", "pk")
    )
    for case in cases:
        is_overdue = (case.next_review_on and case.next_review_on < today) or (
            case.first_contact_due_on and case.first_contact_due_on < today
        )
        reason = AgendaItem.Reason.OVERDUE if is_overdue else AgendaItem.Reason.REVIEW_DUE
        new_items.append(AgendaItem(meeting=meeting, case=case, reason=reason))
    for offset, item in enumerate(new_items):
        item.position = position + offset
    created = AgendaItem.objects.bulk_create(new_items)
    _renumber(meeting)
    agenda_built.send(sender=PanelMeeting, meeting=meeting)
    return created


REASON_ORDER = {
    AgendaItem.Reason.NEW_REFERRAL: 0,
    AgendaItem.Reason.OVERDUE: 1,
    AgendaItem.Reason.LAPSED_ACTIONS: 1,
    AgendaItem.Reason.NO_CONTACT: 1,
    AgendaItem.Reason.REVIEW_DUE: 2,
    AgendaItem.Reason.ADDED: 3,
}


def _renumber(meeting: PanelMeeting) -> None:
    """Crises first, then new referrals, overdue cases, reviews due, cases added by hand; an item
    added later finds its place instead of going to the end."""
    items = list(meeting.items.select_related("referral"))
    items.sort(key=lambda i: (not (i.referral and i.referral.is_crisis), REASON_ORDER[i.reason], i.position, i.pk))
    for number, item in enumerate(items, start=1):
        item.position = number
    AgendaItem.objects.bulk_update(items, ["position"])


def put_referral_on_next_agenda(referral: Referral, panel: Panel) -> AgendaItem | None:
    """A referral put to the panel joins the agenda of its next scheduled meeting, if one is planned."""
    meeting = (
        panel.meetings.filter(status=PanelMeeting.Status.SCHEDULED, scheduled_for__gte=timezone.now())
        .order_by("scheduled_for")
        .first()
    )
    if meeting is None or meeting.items.filter(referral=referral).exists():
        return None
    position = (meeting.items.aggregate(last=Max("position"))["last"] or 0) + 1
    item = AgendaItem.objects.create(
        meeting=meeting, referral=referral, reason=AgendaItem.Reason.NEW_REFERRAL, position=position
    )
    _renumber(meeting)
    return item


@transaction.atomic
def add_case_to_agenda(meeting: PanelMeeting, case: Case, *, actor: User) -> AgendaItem:
    """The coordinator puts a case of the panel on the agenda."""
    meeting = (
        PanelMeeting.objects.restrict(actor, Action.MANAGE).lock().refetch(meeting, _("You do not run this meeting."))
    )
    if case.panel_id != meeting.panel_id:
        raise ValidationError(_("Only cases on this panel can be on its agenda."))
    if meeting.items.filter(case=case).exists():
        raise ValidationError(_("This case is already on the agenda."))
    position = (meeting.items.aggregate(last=Max("position"))["last"] or 0) + 1
    return AgendaItem.objects.create(meeting=meeting, case=case, reason=AgendaItem.Reason.ADDED, position=position)


def _agency_of(user: User, agency: Agency | None, panel: Panel) -> Agency:
    agencies = list(Agency.objects.filter(memberships__user=user).distinct())
    if agency is not None:
        if agency not in agencies:
            raise ValidationError(_("%(user)s does not work for %(agency)s.") % {"user": user, "agency": agency})
        return agency
    if not agencies:
        raise ValidationError(_("%(user)s works for no partner agency.") % {"user": user})
    on_panel = [a for a in agencies if panel.agencies.filter(pk=a.pk).exists()]
    return (on_panel or agencies)[0]


@transaction.atomic
def record_attendance(
    meeting: PanelMeeting, *, user: User, actor: User, present: bool = True, agency: Agency | None = None
) -> MeetingAttendance:
    """Put a participant on the attendance list (or mark them absent)."""
    meeting = (
        PanelMeeting.objects.restrict(actor, Action.MANAGE).lock().refetch(meeting, _("You do not run this meeting."))
    )
    attendance, _created = MeetingAttendance.objects.update_or_create(
        meeting=meeting,
        user=user,
        defaults={"present": present, "apologies": False, "agency": _agency_of(user, agency, meeting.panel)},
    )
    return attendance


REGISTER_MARKS = ("present", "absent", "apologies")


def invited(meeting: PanelMeeting) -> dict[int, tuple[User, Agency]]:
    """Who is expected at the meeting, by user id, with the agency each sits for: the coordinator,
    the panel members and coordinators of the panel's agencies, the owners of the cases on its
    agenda, and anyone already on its attendance list (a guest added one by one)."""
    people: dict[int, tuple[User, Agency]] = {}
    for row in MeetingAttendance.objects.filter(meeting=meeting).select_related("user", "agency"):
        people[row.user_id] = (row.user, row.agency)
    seats = Membership.objects.filter(
        role__in=Membership.PANEL_ROLES, agency__in=meeting.panel.agencies.all(), user__is_active=True
    ).select_related("user", "agency")
    for membership in seats.order_by("agency__name", "user__last_name", "pk"):
        people.setdefault(membership.user_id, (membership.user, membership.agency))
    owners = AgendaItem.objects.filter(meeting=meeting, case__isnull=False).select_related(
        "case__owner", "case__owning_agency"
    )
    for item in owners:
        if item.case is not None:
            people.setdefault(item.case.owner_id, (item.case.owner, item.case.owning_agency))
    if meeting.panel.coordinator_id not in people:
        coordinator = meeting.panel.coordinator
        people[coordinator.pk] = (coordinator, _agency_of(coordinator, None, meeting.panel))
    return people


@transaction.atomic
def record_register(meeting: PanelMeeting, *, marks: dict[int, str], actor: User) -> list[MeetingAttendance]:
    """Record the whole meeting's attendance at once: each invited person present, absent or
    absent with apologies. All or nothing: an unknown person or mark refuses the whole register."""
    meeting = (
        PanelMeeting.objects.restrict(actor, Action.MANAGE)
        .select_related("panel__coordinator")
        .lock()
        .refetch(meeting, _("You do not run this meeting."))
    )
    if meeting.status != PanelMeeting.Status.SCHEDULED:
        raise ValidationError(_("The attendance of a closed meeting cannot change."))
    people = invited(meeting)
    unknown = set(marks) - set(people)
    if unknown or any(mark not in REGISTER_MARKS for mark in marks.values()):
        raise ValidationError(_("The register names someone who was not invited, or a choice that does not exist."))
    # One read of the rows there are, then one insert and one update for the lot (not a query
    # or three per person).
    existing = {row.user_id: row for row in MeetingAttendance.objects.filter(meeting=meeting, user_id__in=marks)}
    created, updated = [], []
    changed: dict[str, list[str]] = {"present": [], "absent": [], "apologies": []}
    rows = []
    for user_id, mark in marks.items():
        user, agency = people[user_id]
        present, apologies = mark == "present", mark == "apologies"
        row = existing.get(user_id)
        if row is None:
            row = MeetingAttendance(meeting=meeting, user=user, agency=agency, present=present, apologies=apologies)
            created.append(row)
        elif (row.present, row.apologies, row.agency_id) != (present, apologies, agency.pk):
            row.present, row.apologies, row.agency = present, apologies, agency
            updated.append(row)
        else:
            rows.append(row)
            continue
        changed[mark].append(user.get_username())
        rows.append(row)
    MeetingAttendance.objects.bulk_create(created)
    MeetingAttendance.objects.bulk_update(updated, ["present", "apologies", "agency"])
    if created or updated:
        recorded: dict[str, Any] = {mark: names for mark, names in changed.items() if names}
        record(AuditEvent.Action.ATTENDANCE_RECORDED, actor=actor, obj=meeting, **recorded)
    return rows


@transaction.atomic
def acknowledge_confidentiality(meeting: PanelMeeting, *, user: User) -> MeetingAttendance:
    """A participant's own acknowledgement that what is said at the table stays there."""
    attendance, _created = MeetingAttendance.objects.get_or_create(
        meeting=meeting, user=user, defaults={"agency": _agency_of(user, None, meeting.panel)}
    )
    if attendance.confidentiality_acknowledged_at is None:
        attendance.confidentiality_acknowledged_at = timezone.now()
        attendance.present = True
        attendance.save(update_fields=["confidentiality_acknowledged_at", "present"])
        record(AuditEvent.Action.CONFIDENTIALITY_ACKNOWLEDGED, actor=user, obj=meeting)
    return attendance


@dataclass
class PanelDecision:
    """What the panel decided on a case (design: step 6; seed 001, step 4)."""

    urgency: str = ""
    first_contact_agency: Agency | None = None
    owner: User | None = None
    owner_agency: Agency | None = None
    next_review_on: datetime.date | None = None
    involved: list[tuple[Agency, str]] = field(default_factory=list)
    share_basis: str = ""
    share_justification: str = ""
    share_consent_given_by: str = ""
    share_legal_duty: str = ""
    # Without consent: the agreement the summaries are shared under (chosen by itself when one covers
    # each agency), or an emergency override with its justification (decision 113).
    share_agreement: SharingAgreement | None = None
    share_agreement_override: str = ""
    notes: str = ""
    discussion: str = ""


def _check_record_mode(meeting: PanelMeeting, decision: PanelDecision) -> None:
    if decision.discussion.strip() and not meeting.keeps_minutes:
        raise ValidationError(_("This panel keeps no minutes of the discussion."))
    if decision.notes.strip() and not meeting.keeps_decisions:
        raise ValidationError(_("This panel keeps no minutes: nothing but the decision itself is recorded."))


def _involve(case: Case, decision: PanelDecision, actor: User) -> None:
    """Agencies the panel involves, and the agency it names for first contact, get the case's
    summary through a share naming its basis.

    Sitting on the panel is no substitute: only the agency's panel members see the panel's cases,
    and the practitioner who makes the first contact is rarely one of them.
    """
    wanted = list(decision.involved)
    if decision.first_contact_agency is not None:
        wanted.append((decision.first_contact_agency, str(_("First contact with the family"))))
    shared = set(case.shares.current().values_list("agency_id", flat=True))
    newcomers = []
    for agency, reason in wanted:
        if agency.pk != case.owning_agency_id and agency.pk not in shared:
            shared.add(agency.pk)
            newcomers.append((agency, reason))
    if newcomers and not decision.share_basis:
        raise ValidationError(_("Involving an agency shares the case's summary with it: name the lawful basis."))
    for agency, reason in newcomers:
        case_services.share_case(
            case,
            agency=agency,
            scope=CaseShare.Scope.SUMMARY,
            basis=decision.share_basis,
            justification=decision.share_justification,
            consent_given_by=decision.share_consent_given_by,
            consent_given_on=timezone.localdate() if decision.share_basis == CaseShare.Basis.CONSENT else None,
            legal_duty=decision.share_legal_duty,
            agreement=_agreement_for(case, agency, decision),
            agreement_override=decision.share_agreement_override,
            purpose=reason,
            actor=actor,
        )


def _agreement_for(case: Case, agency: Agency, decision: PanelDecision) -> SharingAgreement | None:
    """The agreement named in the decision when it covers this agency too; otherwise the share
    finds the one covering the owning agency and this one by itself."""
    chosen = decision.share_agreement
    if chosen is None or decision.share_agreement_override.strip():
        return chosen
    covers = chosen.parties.filter(pk__in=[case.owning_agency_id, agency.pk]).count() == 2
    return chosen if covers else None


@transaction.atomic
def record_decision(item: AgendaItem, decision: PanelDecision, *, actor: User) -> AgendaItem:
    """Record the panel's decision on a case and apply it to the case.

    The owner, urgency, first contact, next review and involved agencies change the case (with
    their timeline and audit records) whatever the record mode; the agenda item keeps the
    particulars only where the panel keeps decisions, and the discussion only with full minutes.
    """
    items = AgendaItem.objects.restrict(actor, Action.MANAGE).select_related("meeting__panel", "case")
    item = items.lock().refetch(item, _("You do not run this meeting."))
    meeting = item.meeting
    if item.case is None:
        raise ValidationError(_("A referral on the agenda is decided by triage."))
    if meeting.status == PanelMeeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."))
    if meeting.status != PanelMeeting.Status.SCHEDULED:
        raise ValidationError(_("This meeting is closed: its decisions can no longer change."))
    _check_record_mode(meeting, decision)
    if decision.next_review_on and decision.next_review_on < timezone.localdate():
        raise ValidationError(_("The next review cannot be in the past."))
    case = (
        Case.objects.restrict(actor, Action.MANAGE).lock().refetch(item.case, _("You may no longer manage this case."))
    )
    if decision.owner is not None and (
        decision.owner != case.owner or decision.owner_agency not in (None, case.owning_agency)
    ):
        case = case_services.assign_owner(case, owner=decision.owner, agency=decision.owner_agency, actor=actor)
    changes: dict[str, Any] = {}
    if decision.urgency:
        changes["urgency"] = decision.urgency
    if decision.first_contact_agency is not None:
        changes["first_contact_agency"] = decision.first_contact_agency
        timing = PanelReminderSettings.timing_for(meeting.panel_id)
        changes["first_contact_due_on"] = deadlines.first_contact_due(timezone.localdate(), timing)
    if decision.next_review_on is not None:
        changes["next_review_on"] = decision.next_review_on
    if changes:
        Case.objects.filter(pk=case.pk).update(**changes, updated_at=timezone.now())
    recorded = {
        "urgency": decision.urgency,
        "first_contact": decision.first_contact_agency.name if decision.first_contact_agency else "",
        "next_review": decision.next_review_on.isoformat() if decision.next_review_on else "",
    }
    _involve(case, decision, actor)
    item.decided_at, item.decided_by = timezone.now(), actor
    if meeting.keeps_decisions:
        item.urgency = decision.urgency
        item.first_contact_agency = decision.first_contact_agency
        item.owner = decision.owner
        item.next_review_on = decision.next_review_on
        item.decision_notes = decision.notes.strip()
        item.discussion = decision.discussion.strip()
        InvolvedAgency.objects.filter(item=item).delete()
        InvolvedAgency.objects.bulk_create(InvolvedAgency(item=item, agency=a, reason=r) for a, r in decision.involved)
    item.save()
    # What the panel changed is kept on the case's own timeline in every record mode: it is case
    # management, not minutes.
    when = timezone.localtime(meeting.scheduled_for).strftime("%Y-%m-%d")
    # The timeline names the agency when it is read (decision 55): its id, not its name.
    first_contact_id = decision.first_contact_agency.pk if decision.first_contact_agency else None
    data = {"meeting": when, "urgency": decision.urgency, "first_contact_id": first_contact_id}
    data["next_review"] = recorded["next_review"]
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.PANEL_DECISION, actor=actor, data=data)
    record(AuditEvent.Action.PANEL_DECISION, actor=actor, obj=item, case_id=case.pk, **recorded)
    return item


@transaction.atomic
def decline_to_share(item: AgendaItem, *, agency: Agency, actor: User, reason: str = "") -> ShareDeclined:
    """Record that an agency declined to share what it knows about this case at the meeting."""
    roles = Membership.CASEWORK_ROLES | Membership.PANEL_ROLES
    own = Agency.objects.filter(pk=agency.pk, memberships__user=actor, memberships__role__in=roles).exists()
    runs = PanelMeeting.objects.restrict(actor, Action.MANAGE).filter(pk=item.meeting_id).exists()
    if not own and not runs:
        raise ValidationError(_("Only the agency itself or the coordinator records its refusal."))
    declined = ShareDeclined(item=item, agency=agency, reason=reason.strip(), recorded_by=actor)
    declined.full_clean()
    declined.save()
    record(AuditEvent.Action.SHARE_DECLINED, actor=actor, obj=item, case_id=item.case_id, agency=agency.name)
    return declined


@transaction.atomic
def close_meeting(
    meeting: PanelMeeting,
    *,
    actor: User,
    minutes: str = "",
    cancelled: bool = False,
    leave_undecided: bool = False,
) -> PanelMeeting:
    """Mark the meeting held (keeping general minutes only where the panel keeps full minutes),
    or cancelled. A meeting is held on its day, not before; and closing it with cases undecided
    needs `leave_undecided` (they come back on a later agenda when due): once closed, its
    decisions no longer change (decision 75)."""
    meeting = (
        PanelMeeting.objects.restrict(actor, Action.MANAGE).lock().refetch(meeting, _("You do not run this meeting."))
    )
    if meeting.status != PanelMeeting.Status.SCHEDULED:
        raise ValidationError(_("This meeting is already closed."))
    if not cancelled:
        day = timezone.localdate(meeting.scheduled_for)
        if day > timezone.localdate():
            raise ValidationError(
                _("This meeting is planned for %(day)s: it cannot be held before then.")
                % {"day": date_format(day, "DATE_FORMAT")}
            )
        undecided = meeting.items.filter(case__isnull=False, decided_at__isnull=True).count()
        if undecided and not leave_undecided:
            raise ValidationError(
                ngettext(
                    "%(count)d case on the agenda is undecided: decide it, or confirm that it stays undecided.",
                    "%(count)d cases on the agenda are undecided: decide them, or confirm that they stay undecided.",
                    undecided,
                )
                % {"count": undecided}
            )
    if minutes.strip() and not meeting.keeps_minutes:
        raise ValidationError(_("This panel keeps no minutes of the discussion."))
    meeting.status = PanelMeeting.Status.CANCELLED if cancelled else PanelMeeting.Status.HELD
    meeting.minutes = minutes.strip()
    meeting.save(update_fields=["status", "minutes", "updated_at"])
    record(AuditEvent.Action.MEETING_CLOSED, actor=actor, obj=meeting, status=meeting.status)
    return meeting
