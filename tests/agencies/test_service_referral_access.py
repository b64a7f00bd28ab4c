"""The `service_referral` and `service_directory` rules, role by role: a referral to a service is
read by the full readers of its case (or of its referral) and by the service's own agency, which
reads that row and nothing of the file; it is changed by the service's agency and by whoever
changes the case. The directory is every partner's to read and its panel's coordinator's to keep."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from agencies.access import Action, forget_access
from agencies.models import Agency, Membership, Panel, User
from cases.models import Case, CaseShare
from interventions import services as plans
from referrals import directory
from referrals.models import Referral, ServiceReferral, SupportService, TriageDecision
from referrals.services import triage_referral
from tests.conftest import member
from tests.factories import AgencyFactory, ReferralFactory, share

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def health() -> Agency:
    return AgencyFactory(name="Mental health service", sector=Agency.Sector.HEALTH)


@pytest.fixture
def therapist(health: Agency) -> User:
    return member(health, Role.PRACTITIONER, username="therapist")


@pytest.fixture
def service(panel: Panel, health: Agency, coordinator: User) -> SupportService:
    listed = SupportService(panel=panel, name="Counselling", agency=health, help_kind="emotional_psychological")
    return directory.save_service(listed, actor=coordinator)


@pytest.fixture
def sent(case: Case, panel: Panel, service: SupportService) -> ServiceReferral:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    action = {"type": "emotional_psychological", "measure": "psychological_care", "due_on": timezone.localdate()}
    plan = plans.create_plan(
        case,
        goals=[{"text": "Calm", "actions": [{**action, "provider_agency": case.owning_agency}]}],
        agreed_by_family=True,
        agreed_by="The mother",
        agreed_on=timezone.localdate(),
        actor=case.owner,
    )
    planned = plan.goals.get().actions.get()
    return plans.refer_action(planned, service=service, for_whom="Besa", request="Counselling", actor=case.owner)


def reach(user: object, sent: ServiceReferral) -> tuple[bool, bool]:
    """Whether `user` reads the referral, and whether they may change it."""
    if isinstance(user, User):
        forget_access(user)
    rows = [
        ServiceReferral.objects.restrict(user, action).filter(pk=sent.pk).exists()
        for action in (Action.VIEW, Action.CHANGE)
    ]
    return rows[0], rows[1]


def test_each_role_reaches_a_referral_from_a_case_as_the_rule_says(
    sent: ServiceReferral,
    case: Case,
    caseworker: User,
    colleague: User,
    supervisor: User,
    coordinator: User,
    auditor_readonly: User,
    other_agency: Agency,
    therapist: User,
    health: Agency,
) -> None:
    share(case, other_agency, CaseShare.Scope.FULL)
    health_admin = member(health, Role.AGENCY_ADMIN, username="health_admin")
    # a panel member of the municipality (the police's own panel member reads through its share)
    seat = member(coordinator.memberships.get().agency, Role.PANEL_MEMBER, username="seat")
    stranger = member(AgencyFactory(name="Elsewhere"), Role.PRACTITIONER, username="elsewhere")
    expected = {
        "the owner": (caseworker, (True, True)),
        "a colleague of the owning agency (reads, does not change the case)": (colleague, (True, False)),
        "the owning agency's supervisor": (supervisor, (True, True)),
        "the panel's coordinator (manages, does not read the file)": (coordinator, (False, False)),
        "a panel member (summary)": (seat, (False, False)),
        "the police with a full share (reads, may not change)": (auditor_readonly, (True, False)),
        "the service's practitioner": (therapist, (True, True)),
        "the service agency's administrator": (health_admin, (False, False)),
        "a practitioner elsewhere": (stranger, (False, False)),
        "anonymous": (AnonymousUser(), (False, False)),
    }
    assert {who: reach(user, sent) for who, (user, _) in expected.items()} == {
        who: answer for who, (_, answer) in expected.items()
    }


def test_the_service_reads_its_referral_and_nothing_of_the_case(sent: ServiceReferral, therapist: User) -> None:
    assert not Case.objects.restrict(therapist, Action.VIEW_SUMMARY).filter(pk=sent.case_id).exists()
    assert list(ServiceReferral.objects.restrict(therapist, Action.VIEW)) == [sent]


def test_a_referral_from_a_signposting_triage_is_read_by_the_referral_readers_and_the_service(
    agency: Agency, caseworker: User, panel_member: User, therapist: User, service: SupportService
) -> None:
    referral = ReferralFactory(received_by=agency)
    triage_referral(
        referral, decision=TriageDecision.Decision.SIGNPOSTED, signposted_to="Counselling", actor=caseworker
    )
    sent = directory.refer_from_triage(
        Referral.objects.get(pk=referral.pk), service=service, for_whom="Besa", request="A first talk", actor=caseworker
    )
    assert reach(caseworker, sent) == (True, True)
    assert reach(therapist, sent) == (True, True)
    assert reach(panel_member, sent) == (False, False)


def test_the_directory_is_read_by_partners_and_kept_by_its_panels_coordinator(
    service: SupportService, caseworker: User, panel_member: User, coordinator: User, agency: Agency
) -> None:
    other_coordinator = member(AgencyFactory(name="Other town"), Role.COORDINATOR, username="other_coordinator")
    from tests.factories import PanelFactory

    PanelFactory(name="Other town", coordinator=other_coordinator)
    admin = member(agency, Role.AGENCY_ADMIN, username="admin")

    def may(user: object) -> tuple[bool, bool]:
        if isinstance(user, User):
            forget_access(user)
        view = SupportService.objects.restrict(user, Action.VIEW).filter(pk=service.pk).exists()
        change = SupportService.objects.restrict(user, Action.CHANGE).filter(pk=service.pk).exists()
        return view, change

    assert may(caseworker) == (True, False)
    assert may(panel_member) == (True, False)
    assert may(coordinator) == (True, True)
    assert may(other_coordinator) == (True, False)
    assert may(admin) == (False, False)
    assert may(AnonymousUser()) == (False, False)
