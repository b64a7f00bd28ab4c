"""Demo panel meetings: the meeting two weeks ago with its decisions, the next one planned, and
what the panel learned last year."""

import datetime

from django.utils import timezone

from cases.models import Case, CaseEvent
from panels.models import AgendaItem, InvolvedAgency, LessonsLearned, MeetingAttendance, PanelMeeting
from panels.services import schedule_meeting, write_lessons

from .organisations import DemoOrg

__all__ = ["seed_lessons", "seed_meetings"]


def seed_meetings(org: DemoOrg) -> None:
    """The panel met two weeks ago and decided on four cases; it meets again in twelve days."""
    panel, users, agencies = org.panel, org.users, org.agencies
    if panel.meetings.exists():
        return
    today = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    held_at = today - datetime.timedelta(days=14)
    held = PanelMeeting.objects.create(
        panel=panel,
        scheduled_for=held_at,
        location="Bashkia, salla 2",
        status=PanelMeeting.Status.HELD,
        record_mode=panel.record_mode,
        created_by=users["coord.arta"],
    )
    for username, agency in (
        ("coord.arta", "municipality"),
        ("police.fatos", "police"),
        ("mh.gentiana", "mental_health"),
        ("sw.blerina", "social"),
        ("ngo.klea", "ngo"),
    ):
        MeetingAttendance.objects.create(
            meeting=held,
            user=users[username],
            agency=agencies[agency],
            confidentiality_acknowledged_at=held_at - datetime.timedelta(minutes=5),
        )
    cases = {case.family.name: case for case in Case.objects.filter(panel=panel).select_related("family", "owner")}
    # family: (urgency, first contact agency, [(involved agency, why)], decision)
    decisions = {
        "Krasniqi": (
            "urgent",
            "social",
            [("police", "Security risk assessment"), ("mental_health", "Psychological support for Ardit")],
            "Needs assessment with the parents; police assess the security risk.",
        ),
        "Berisha": (
            "routine",
            "ngo",
            [("ngo", "Support group and mentoring for Teuta")],
            "Continue the plan; trauma care for the children.",
        ),
        "Gashi": ("routine", "social", [], "Review the plan with the family within a week."),
        "Shala": (
            "routine",
            "ngo",
            [("school", "Attendance and pastoral support at school")],
            "First home visit by the NGO with the father.",
        ),
    }
    for position, (family, (urgency, first_contact, involved, notes)) in enumerate(decisions.items(), start=1):
        case = cases[family]
        item = AgendaItem.objects.create(
            meeting=held,
            position=position,
            case=case,
            reason=AgendaItem.Reason.REVIEW_DUE,
            decided_at=held_at + datetime.timedelta(minutes=20 * position),
            decided_by=users["coord.arta"],
            urgency=urgency,
            first_contact_agency=agencies[first_contact],
            owner=case.owner,
            next_review_on=case.next_review_on,
            decision_notes=notes,
        )
        for agency, why in involved:
            InvolvedAgency.objects.create(item=item, agency=agencies[agency], reason=why)
        Case.objects.filter(pk=case.pk).update(urgency=urgency, first_contact_agency=agencies[first_contact])
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.PANEL_DECISION,
            actor=users["coord.arta"],
            data={"meeting": held_at.strftime("%Y-%m-%d")},
            created_at=held_at + datetime.timedelta(minutes=20 * position),
        )
    schedule_meeting(
        panel, scheduled_for=today + datetime.timedelta(days=12), location="Bashkia, salla 2", actor=users["coord.arta"]
    )


def seed_lessons(org: DemoOrg) -> None:
    """Last year's lessons learned, written by the coordinator as the partners agreed them."""
    if LessonsLearned.objects.filter(panel=org.panel).exists():
        return
    write_lessons(
        org.panel,
        year=timezone.localdate().year - 1,
        text=(
            "Kontakti i parë brenda javës ndihmon: familjet që u takuan shpejt mbetën në program. "
            "Shërbimi i shëndetit mendor kishte listë pritjeje të gjatë; u ra dakord për një pikë kontakti të vetme."
        ),
        actor=org.users["coord.arta"],
    )
