"""What a sweep costs: a fixed number of queries per kind of reminder, whatever is due.

Each kind runs its own date-range query (or two), so the count follows the number of kinds; what
is due only adds rows, not queries. Escalation and the agency asked cost one query per candidate
user (decision 30), never one per deadline."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency, Panel, User
from cases import services as case_services
from cases.models import Case, Contact, InformationRequest, PlannedVisit, PoliceAction
from families.models import SafetyWarning
from interventions import services as plans
from interventions.models import Closure, FollowUp
from panels.models import PanelMeeting
from referrals.models import DeconflictionCheck
from reminders.models import Reminder
from reminders.sweep import sweep
from tests.factories import AgencyFactory, CaseFactory, ReferralFactory, agreement, share

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()

# Measured, the same before and after the kinds became classes (decision 53): with nothing due,
# the panels' settings, one query per kind (the two transitions are two kinds) and the savepoint
# pair of the insert's transaction; with one of every kind due, the audiences, the escalations
# and the insert come on top. + the training refreshes (decision 119); the police check (decision
# 127); the three cadence kinds (a plan's action, a next contact passed, no contact for the panel's
# days) cost one query each.
NOTHING_DUE = 21
EVERYTHING_DUE = 40


def _everything_due(agency: Agency, caseworker: User, panel: Panel, school: Agency, copies: int) -> None:
    """`copies` deadlines of every kind the sweep collects, on the same agencies and panel."""
    for n in range(copies):
        case = CaseFactory(owner=caseworker, owning_agency=agency, panel=panel)
        # 18 on 10 September: transition planning due today; first contact due tomorrow; the
        # review overdue by a week (escalated); the needs assessment 45 working days after contact.
        case.index_person.date_of_birth = datetime.date(2008, 9, 10)
        case.index_person.save()
        Case.objects.filter(pk=case.pk).update(
            first_contact_due_on=TODAY + datetime.timedelta(days=1),
            next_review_on=TODAY - datetime.timedelta(days=7),
        )
        other = CaseFactory(owner=caseworker, owning_agency=agency, panel=panel)
        Case.objects.filter(pk=other.pk).update(first_contact_on=datetime.date(2026, 1, 6))
        closed = CaseFactory(owner=caseworker, owning_agency=agency, panel=panel)
        closure = Closure.objects.create(case=closed, decided_on=TODAY, reason="Goals met", recorded_by=caseworker)
        FollowUp.objects.create(case=closed, closure=closure, due_on=TODAY + datetime.timedelta(days=1))
        Case.objects.filter(pk=closed.pk).update(closed_at=NOW)
        referral = ReferralFactory(received_by=agency, triage_due_at=NOW + datetime.timedelta(hours=2))
        DeconflictionCheck.objects.create(
            referral=referral, police_agency=agency, family_name="X", due_at=NOW + datetime.timedelta(hours=2)
        )
        PanelMeeting.objects.create(
            panel=panel,
            scheduled_for=NOW + datetime.timedelta(days=1, minutes=n),
            record_mode=panel.record_mode,
            created_by=panel.coordinator,
        )
        # a family at high risk last seen two weeks ago, whose next contact was yesterday, with a
        # plan's action due tomorrow (the cadence reminders)
        visited = CaseFactory(owner=caseworker, owning_agency=agency, panel=panel)
        Case.objects.filter(pk=visited.pk).update(risk_level="high")
        day = datetime.timedelta(days=1)
        contact = Contact(case=visited, occurred_at=NOW - 14 * day, next_contact_on=TODAY - day)
        case_services.record_contact(contact, actor=caseworker)
        action = {"type": "pragmatic", "measure": "housing", "provider_agency": agency, "due_on": TODAY + day}
        plans.create_plan(
            visited, goals=[{"text": "A home", "actions": [action]}], agreed_by_family=True, agreed_by="The mother",
            agreed_on=TODAY, actor=caseworker,
        )  # fmt: skip
        share(case, school, scope="summary")
        agreement(agency, school, panels=(panel,), review_in_days=10 + n)
        InformationRequest.objects.create(
            case=case, to_agency=school, question="?", asked_by=caseworker, due_at=NOW + datetime.timedelta(hours=2)
        )
        # a visitor an hour late (her supervisor alerted), a warning to review, a raid to follow up
        PlannedVisit.objects.create(
            case=case, visitor=caseworker, agency=agency, leaves_at=NOW - datetime.timedelta(hours=3),
            expected_back_at=NOW - datetime.timedelta(hours=1),
        )  # fmt: skip
        SafetyWarning.objects.create(family=case.family, kind="dog", review_on=TODAY, recorded_by=caseworker)
        PoliceAction.objects.create(
            case=case, author=caseworker, author_agency=agency, kind="raid", what_happened="-",
            occurred_at=NOW - datetime.timedelta(days=3), follow_up_due_on=TODAY,
        )  # fmt: skip


def _queries_of_a_sweep() -> int:
    sweep()  # the content types, cached for the process after the first sweep
    Reminder.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        sweep()
    return len(queries)


@time_machine.travel(NOW, tick=False)
def test_a_sweep_with_nothing_due_costs_a_query_or_so_per_kind(caseworker: User) -> None:
    assert _queries_of_a_sweep() <= NOTHING_DUE


@time_machine.travel(NOW, tick=False)
def test_what_is_due_adds_rows_not_queries(
    agency: Agency, caseworker: User, supervisor: User, panel: Panel, panel_member: User
) -> None:
    # given one deadline of every kind
    from tests.conftest import member

    school = AgencyFactory(name="School", sector=Agency.Sector.EDUCATION)
    member(school, username="teacher")
    member(agency, "police_liaison", username="liaison")
    _everything_due(agency, caseworker, panel, school, copies=1)
    # when
    one = _queries_of_a_sweep()
    kinds = set(Reminder.objects.values_list("kind", flat=True))
    # then every kind the sweep collects was due, within the budget
    assert kinds == {
        "first_contact", "review", "needs_assessment", "follow_up", "transition_6m", "triage", "agenda",
        "information_request", "missed_check_in", "safety_review", "police_aftercare", "agreement_review",
        "deconfliction", "plan_action", "next_contact", "no_contact",
    }  # fmt: skip
    assert one <= EVERYTHING_DUE
    # and three times as much due costs the same
    _everything_due(agency, caseworker, panel, school, copies=2)
    assert _queries_of_a_sweep() == one
