"""Each section of the case page and of the home page costs a fixed number of queries, whatever the
number of rows it shows (decision 57): measured with one row and again with five, its partial
rendered (a template reaching into a relation would add a query per row). Each budget is the
section's exact cost, so a budget cannot sit loose above what the section does. A section added to a
page fails `test_every_section_has_a_budget` until it has its row in `BUDGETS`."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from agencies.access import CaseAccess
from agencies.models import Agency, Membership, User
from agencies.sections import CaseSection, HomeSection
from cases import services
from cases.models import (
    Case,
    CaseNote,
    ChildNeeds,
    Contact,
    DisclosureCheck,
    InformationRequest,
    PoliceAction,
)
from families.models import Consent
from interventions import services as plans
from interventions.models import Closure, InterventionPlan, Review, Withdrawal
from pages.views import CaseView, HomeView
from panels.models import AgendaItem, MeetingAttendance, PanelMeeting
from tests.conftest import member
from tests.factories import AgencyFactory, CaseFactory, PanelFactory, ReferralFactory, relative, share

pytestmark = pytest.mark.django_db

Rows = Callable[[Case, int], None]


def _members(case: Case, n: int) -> None:
    for i in range(n):
        relative(case, f"Sibling{i}", years=30 + i)


def _children(case: Case, n: int) -> None:
    for i in range(n):
        child = relative(case, f"Child{i}", years=8)
        ChildNeeds.objects.create(
            case=case, child=child, age_band="6_12", author=case.owner, author_agency=case.owning_agency
        )


def _restrictions(case: Case, n: int) -> None:
    person = case.index_person
    for i in range(n):
        services.add_restriction(case, person=person, must_not_be_told=f"Secret {i}", actor=case.owner)


def _consents(case: Case, n: int) -> None:
    agencies = [AgencyFactory() for _ in range(2)]
    for _ in range(n):
        consent = Consent.objects.create(
            family=case.family,
            person=case.index_person,
            given_by=case.index_person,
            given_on=timezone.localdate(),
            recorded_by=case.owner,
        )
        consent.agencies.set(agencies)


def _shares(case: Case, n: int) -> None:
    for _ in range(n):
        share(case, AgencyFactory(), purpose="Mentoring")


def _involved(case: Case, n: int) -> None:
    """Shares, and a panel the case is on whose agencies are involved too."""
    _shares(case, n)
    panel = case.panel or PanelFactory(coordinator=member(AgencyFactory(), "coordinator"))
    panel.agencies.add(*(AgencyFactory() for _ in range(n)))
    Case.objects.filter(pk=case.pk).update(panel=panel)
    case.refresh_from_db()


def _decisions(case: Case, n: int) -> None:
    panel = PanelFactory(coordinator=member(AgencyFactory(), "coordinator"))
    panel.agencies.add(case.owning_agency)
    Case.objects.filter(pk=case.pk).update(panel=panel)
    for _ in range(n):
        meeting = PanelMeeting.objects.create(
            panel=panel, scheduled_for=timezone.now(), record_mode=panel.record_mode, created_by=panel.coordinator
        )
        item = AgendaItem.objects.create(
            meeting=meeting, case=case, reason="added", decided_at=timezone.now(), owner=case.owner
        )
        item.involved.create(agency=case.owning_agency, reason="Owns it")
        # the case owner was invited to the table: they read the meeting's decisions on their case
        MeetingAttendance.objects.create(meeting=meeting, user=case.owner, agency=case.owning_agency)


def _referrals(case: Case, n: int) -> None:
    for _ in range(n):
        ReferralFactory(case=case, received_by=case.owning_agency)


def _no_plans(case: Case) -> None:
    """The case's plans deleted, with their reviews (which protect them), for a builder's own."""
    Review.objects.filter(case=case).delete()
    InterventionPlan.objects.filter(case=case).delete()


def _plan(case: Case, n: int) -> None:
    goals = [{"text": f"Goal {i}", "actions": [_action(case), _action(case)]} for i in range(n)]
    _no_plans(case)
    plans.create_plan(
        case, goals=goals, actor=case.owner, agreed_by_family=True, agreed_by="Mother", agreed_on=timezone.localdate()
    )
    plans.create_plan(case, goals=goals[:1], actor=case.owner)


def after_the_plan(case: Case, n: int) -> None:
    """What follows a plan: its reviews, the family's withdrawals, closures since reopened (the case
    stays open)."""
    today = timezone.localdate()
    plan = InterventionPlan.objects.filter(case=case).order_by("pk")[0]
    for i in range(n):
        Review.objects.create(
            case=case,
            plan=plan,
            held_on=today - datetime.timedelta(days=i),  # one review of a plan a day
            risk_level="moderate",
            next_review_on=today + datetime.timedelta(days=30),
            author=case.owner,
        )
        Withdrawal.objects.create(
            case=case, withdrawn_on=today, reason=f"Stopped {i}", open_door_message="Call us", recorded_by=case.owner
        )
        Closure.objects.create(
            case=case,
            decided_on=today,
            reason="Goals met",
            recorded_by=case.owner,
            reopened_at=timezone.now(),
            reopened_by=case.owner,
            reopen_reason=f"New concern {i}",
        )


def _plan_and_after(case: Case, n: int) -> None:
    _plan(case, n)
    after_the_plan(case, n)


def _service_referrals(case: Case, n: int) -> None:
    """The plan's actions referred to a listed service, one referral each."""
    from referrals.models import SupportService

    panel = PanelFactory(coordinator=member(AgencyFactory(), "coordinator"))
    service = SupportService.objects.create(panel=panel, name="Counselling", help_kind="emotional_psychological")
    _no_plans(case)
    goals = [{"text": f"Goal {i}", "actions": [_action(case)]} for i in range(n)]
    plan = plans.create_plan(
        case, goals=goals, actor=case.owner, agreed_by_family=True, agreed_by="Mother", agreed_on=timezone.localdate()
    )
    for goal in plan.goals.all():
        for action in goal.actions.all():
            plans.refer_action(action, service=service, for_whom="Besa", request="Help", actor=case.owner)


def _action(case: Case) -> dict[str, Any]:
    return {
        "type": "pragmatic",
        "measure": "housing",
        "provider_agency": case.owning_agency,
        "due_on": timezone.localdate(),
    }


def _contacts(case: Case, n: int) -> None:
    for _ in range(n):
        services.record_contact(
            Contact(
                case=case,
                outcome="refused",
                occurred_at=timezone.now() - datetime.timedelta(days=1),
                next_contact_on=timezone.localdate() + datetime.timedelta(days=3),
            ),
            actor=case.owner,
        )


def _risk(case: Case, n: int) -> None:
    for i in range(n):
        services.set_risk_level(case, level=["low", "moderate"][i % 2], source="manual", actor=case.owner)


def _requests(case: Case, n: int) -> None:
    police = AgencyFactory(sector=Agency.Sector.POLICE)
    share(case, police)
    for i in range(n):
        services.ask_information(case, to_agency=police, question=f"Question {i}?", actor=case.owner)


def _drafts(case: Case, n: int) -> None:
    for i in range(n):
        services.record_note(CaseNote(case=case, text=f"Draft {i}"), actor=case.owner, finalise=False)


def _checks(case: Case, n: int) -> None:
    for _ in range(n):
        check = DisclosureCheck.objects.create(case=case, agency=case.owning_agency, recorded_by=case.owner)
        check.shared_with.set([AgencyFactory(), AgencyFactory()])


def _next_contact(case: Case, n: int) -> None:
    """The summary shows the next contact agreed, one however many visits agreed one."""
    _contacts(case, n)


def _progress(case: Case, n: int) -> None:
    """The days since referral and since the last contact: two aggregates, however many rows."""
    _referrals(case, n)
    _contacts(case, n)


def _plan_counts(case: Case, n: int) -> None:
    """A plan whose goals and actions are counted: more rows change the figures, not the length."""
    _plan(case, n)


def _owner_questions(case: Case, n: int) -> None:
    """Questions put to the owner by a panel member, who reads the case's summary."""
    panel = PanelFactory(coordinator=member(AgencyFactory(), "coordinator"))
    panel.agencies.add(case.owning_agency)
    Case.objects.filter(pk=case.pk).update(panel=panel)
    asker = panel.coordinator
    for i in range(n):
        services.ask_owner(case, kind="question", question=f"Question {i}?", actor=asker)


def _events(case: Case, n: int) -> None:
    for i in range(n):
        services.record_note(CaseNote(case=case, text=f"Note {i}"), actor=case.owner)


def _history(case: Case, n: int) -> None:
    """Notes, and events that name an agency (a share) and a family member (a restriction)."""
    _events(case, n)
    _shares(case, n)
    _restrictions(case, n)


def _warnings(case: Case, n: int) -> None:
    for i in range(n):
        services.add_safety_warning(
            case,
            kind="dog",
            detail=f"Dog {i}",
            review_on=timezone.localdate() + datetime.timedelta(days=30),
            actor=case.owner,
        )


def _field(case: Case, n: int) -> None:
    """Visits out, police actions and their follow-up, and the people the family met."""
    police = AgencyFactory(sector=Agency.Sector.POLICE)
    share(case, police)
    officer = member(police, Membership.Role.POLICE_LIAISON)
    for _ in range(n):
        services.plan_visit(case, expected_back_at=timezone.now() + datetime.timedelta(hours=2), actor=case.owner)
        services.record_police_action(
            PoliceAction(case=case, kind="raid", what_happened="-", abstract="A raid"), actor=officer
        )
        visitor = member(case.owning_agency, Membership.Role.PRACTITIONER)
        contact = services.record_contact(Contact(case=case, occurred_at=timezone.now()), actor=case.owner)
        contact.visitors.set([visitor])


def _consultations(case: Case, n: int) -> None:
    from agencies.models import Expert
    from cases.models import ExpertConsultation

    expert = Expert.objects.create(name="Expert", field="Theology")
    expert.agencies.add(case.owning_agency)
    for i in range(n):
        consultation = ExpertConsultation(case=case, expert=expert, shared=f"Shared {i}", basis="consent")
        services.record_expert_consultation(consultation, actor=case.owner)


def _nothing(case: Case, n: int) -> None:
    """A section with no rows of its own (a notice, the header): its cost must not move either."""


# Section -> (queries it costs, how to add n rows to it), the case page's read of the case apart
# (decision 149). A section that shows counts and dates only reads them with the case, as columns of
# that read: it costs nothing more. "drafts" is one UNION of every kind's drafts; "interventions"
# the plans (the active one first, the drafts and earlier ones with it), its goals, its actions (each
# saying whether the reader may change it), the last review, a withdrawal, a closure.
BUDGETS: dict[str, tuple[int, Rows]] = {
    "header": (0, _nothing),
    "glass": (0, _nothing),
    "restrictions": (1, _restrictions),
    "safety_warnings": (1, _warnings),
    # Read with the case: the refusals since the last cooperative contact, the next contact agreed,
    # the days since referral and contact, the plan's counts and deadlines.
    "refusals": (0, _contacts),
    "summary": (0, _next_contact),
    "progress": (0, _progress),
    "plan_progress": (0, _plan_counts),
    "owner_questions": (1, _owner_questions),
    # the shares, and the agencies of the case's panel
    "involvement": (2, _involved),
    "decisions": (1, _decisions),
    "referrals": (1, _referrals),
    "members": (1, _members),
    "shares": (1, _shares),
    "consents": (1, _consents),
    # the plans, their goals, the goals' actions; the last review, the last withdrawal and the
    # closures read together (decision 174) (each table read only when the case has a row there:
    # decision 166)
    "interventions": (4, _plan_and_after),
    "service_referrals": (1, _service_referrals),
    "children": (2, _children),
    "risk": (1, _risk),
    "information_requests": (1, _requests),
    "drafts": (1, _drafts),
    "checks": (1, _checks),
    "field_safety": (2, _field),  # visits out and police actions read together, the people met
    "experts": (1, _consultations),
    # the latest events, and the agencies and family members they name (one UNION)
    "history": (2, _history),
}


def _show(section: CaseSection, case: Case, user: User) -> str:
    """The section as the page shows it: its context built, its partial rendered ("" if it does not
    apply)."""
    access = CaseAccess.of(case, user)
    shown = section.show(case, user, access)
    if shown is None:
        return ""
    return render_to_string(shown.template_name, {"case": case, "access": access, "user": user, **shown.context})


def _read(case: Case, user: User) -> Case:
    """The case as the page reads it: restricted, with its access and the columns its sections read
    with it (a section's counts and dates cost it nothing more)."""
    cases = Case.objects.with_summary().restrict(user, CaseView.action).with_access(user)
    read: Case = CaseView.read_with_sections(cases, user).get(pk=case.pk)
    return read


def _count(
    section: CaseSection, case: Case, user: User, budget: int, assert_max: DjangoAssertNumQueries
) -> tuple[int, str]:
    # The case with its access is the page's query, not the section's: fetched first. The section is
    # shown once before it is counted, as a page's earlier parts warm what every part shares (the
    # content types, the user's memberships and permissions), but on another copy of the case: what
    # a section keeps on the case it shows (the shares, the family's members) is its own cost and is
    # counted.
    user = User.objects.get(pk=user.pk)  # what the user may reach, read afresh
    _show(section, _read(case, user), user)
    fetched = _read(case, user)
    with assert_max(budget) as captured:
        html = _show(section, fetched, user)
    return len(captured), html


def test_every_section_has_a_budget() -> None:
    assert sorted(section.name for section in CaseView.sections) == sorted(BUDGETS)


@pytest.mark.parametrize("section", CaseView.sections, ids=lambda section: section.name)
def test_a_case_page_section_costs_the_same_for_one_row_and_for_five(
    section: CaseSection, case: Case, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    budget, rows = BUDGETS[section.name]
    # given one row
    rows(case, 1)
    one, shown_one = _count(section, case, case.owner, budget, django_assert_max_num_queries)
    # when four more are added
    rows(case, 4)
    five, shown_five = _count(section, case, case.owner, budget, django_assert_max_num_queries)
    # then the section shows them, and its cost has not moved
    assert rows in (_nothing, _next_contact, _progress, _plan_counts) or len(shown_five) > len(shown_one)
    assert five == one
    # and the budget is what the section costs, not a ceiling above it
    assert one == budget


# --- The home page ---------------------------------------------------------------------------------


def _due(user: User, n: int) -> None:
    soon = timezone.localdate() + datetime.timedelta(days=2)
    agency = user.memberships.first().agency
    for _ in range(n):
        CaseFactory(owner=user, owning_agency=agency, next_review_on=soon)


def _visits(user: User, n: int) -> None:
    agency = user.memberships.first().agency
    for _ in range(n):
        case = CaseFactory(owner=user, owning_agency=agency)
        services.plan_visit(case, expected_back_at=timezone.now() + datetime.timedelta(hours=2), actor=user)


def _questions(user: User, n: int) -> None:
    agency = user.memberships.first().agency
    for i in range(n):
        case = CaseFactory(owner=user, owning_agency=agency)
        InformationRequest.objects.create(
            case=case,
            to_agency=agency,
            question=f"Question {i}?",
            asked_by=user,
            due_at=timezone.now() + datetime.timedelta(hours=4),
        )


def _cases(user: User, n: int) -> None:
    agency = user.memberships.first().agency
    for _ in range(n):
        CaseFactory(owner=user, owning_agency=agency)


def _closed(user: User, n: int) -> None:
    agency = user.memberships.first().agency
    for _ in range(n):
        closed = CaseFactory(owner=user, owning_agency=agency)
        Case.objects.filter(pk=closed.pk).update(closed_at=timezone.now())


def _panels(user: User, n: int) -> None:
    # the user also sits on panels for an agency of theirs (a panel seat comes with a panel role)
    seat = Agency.objects.filter(name="Panel seat").first() or AgencyFactory(name="Panel seat")
    Membership.objects.get_or_create(user=user, agency=seat, role=Membership.Role.PANEL_MEMBER)
    for _ in range(n):
        PanelFactory().agencies.add(seat)


HOME_BUDGETS: dict[str, tuple[int, Callable[[User, int], None]]] = {
    "visits_out": (1, _visits),
    "due": (3, _due),  # the deadlines, the follow-ups, the referrals waiting for triage
    "questions": (1, _questions),
    # The open and closed counts are one query, kept on the request (cases.sections.owned_counts):
    # each section alone pays it, the two together on the page once.
    "my_cases": (2, _cases),  # the counts, the page
    "closed_cases": (1, _closed),
    "my_panels": (1, _panels),
}


def test_every_home_section_has_a_budget() -> None:
    assert sorted(section.name for section in HomeView.sections) == sorted(HOME_BUDGETS)


@pytest.mark.parametrize("section", HomeView.sections, ids=lambda section: section.name)
def test_a_home_page_section_costs_the_same_for_one_row_and_for_five(
    section: HomeSection, caseworker: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    budget, rows = HOME_BUDGETS[section.name]

    def count() -> tuple[int, str]:
        reader = User.objects.get(pk=caseworker.pk)  # what the user may reach, read afresh
        section.show(reader, RequestFactory().get("/"))
        # A request of its own: what a section keeps on the request for another is not counted
        # out of this one's cost.
        request = RequestFactory().get("/")
        request.user = reader
        html = ""
        with django_assert_max_num_queries(budget) as captured:
            shown = section.show(reader, request)
            if shown is not None:
                html = render_to_string(shown.template_name, {"user": reader, **shown.context})
        return len(captured), html

    rows(caseworker, 1)
    one, shown_one = count()
    rows(caseworker, 4)
    five, shown_five = count()
    assert len(shown_five) > len(shown_one)
    assert five == one
    assert one == budget
