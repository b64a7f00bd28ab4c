"""Services out, in the browser and the API: the coordinator lists a service, the owner refers a
plan's action to it, the service answers; full readers see the answer and the days waited, the
service sees its referral and nothing of the file; the directory shows each service's median wait."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from agencies.access import Action
from agencies.models import Agency, Membership, Panel, User
from audit.models import AuditEvent
from cases.models import Case
from interventions import services as plans
from referrals import directory
from referrals.models import Referral, ServiceReferral, SupportService, TriageDecision
from referrals.services import triage_referral
from tests.conftest import api_as, member
from tests.factories import AgencyFactory, CaseFactory, ReferralFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role
SENT_ON = datetime.date(2026, 3, 2)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def health() -> Agency:
    return AgencyFactory(name="Mental health service", sector=Agency.Sector.HEALTH)


@pytest.fixture
def therapist(health: Agency) -> User:
    return member(health, Role.PRACTITIONER, username="therapist")


def _list_the_service(coordinator: User, panel: Panel, health: Agency) -> SupportService:
    """The coordinator lists the mental-health service through the directory's form."""
    form = {
        "panel": panel.pk,
        "name": "Child and family mental health",
        "agency": health.pk,
        "help_kind": "emotional_psychological",
        "help_offered": "Psychological care for young people",
        "languages": "Albanian, English",
        "area": "Tirana",
        "stated_waiting_days": "21",
        "contact_point": "Reception desk",
        "active": "on",
    }
    response = client_for(coordinator).post(reverse("referrals:service_create"), form)
    assert response.status_code == 302, response.content.decode()
    return SupportService.objects.get(name="Child and family mental health")


def _running_plan(case: Case) -> int:
    action = {
        "type": "emotional_psychological",
        "measure": "psychological_care",
        "provider_agency": case.owning_agency,
        "due_on": timezone.localdate() + datetime.timedelta(days=60),
        "intended_outcome": "Fewer outbursts at school",
    }
    plan = plans.create_plan(
        case,
        goals=[{"text": "Calmer days", "actions": [action]}],
        agreed_by_family=True,
        agreed_by="The mother",
        agreed_on=timezone.localdate(),
        actor=case.owner,
    )
    return int(plan.goals.get().actions.get().pk)


@time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False)
def _refer_through_the_page(case: Case, action_id: int, service: SupportService) -> ServiceReferral:
    owner = client_for(case.owner)
    url = reverse("interventions:action_refer", args=[case.pk, action_id])
    assert owner.get(url).status_code == 200
    response = owner.post(url, {"service": service.pk, "for_whom": "Besa Gashi", "request": "An assessment, please"})
    assert response.status_code == 302, response.content.decode()
    return ServiceReferral.objects.get(plan_action_id=action_id)


def test_a_plan_action_referred_to_the_mental_health_service_shows_accepted_and_its_waiting_days_to_full_readers(
    case: Case, panel: Panel, coordinator: User, health: Agency, therapist: User
) -> None:
    # given the coordinator lists the service and the owner refers an action of the plan to it
    Case.objects.filter(pk=case.pk).update(panel=panel)
    service = _list_the_service(coordinator, panel, health)
    action_id = _running_plan(case)
    sent = _refer_through_the_page(case, action_id, service)
    # when the service accepts on 5 March, with a first appointment on 16 March
    provider = client_for(therapist)
    with time_machine.travel(datetime.datetime(2026, 3, 5, 10, 0, tzinfo=datetime.UTC), tick=False):
        response = provider.post(
            reverse("referrals:service_referral_update", args=[sent.pk]),
            {"status": "accepted", "expected_start_on": "2026-03-16"},
        )
        assert response.status_code == 302, response.content.decode()
        # then the owner sees it accepted, waiting 14 days, on the case and on the action
        owner = client_for(case.owner)
        page = owner.get(case.get_absolute_url()).content.decode()
        action_page = owner.get(
            reverse("interventions:entry", args=[case.pk, "planaction", action_id])
        ).content.decode()
    for html in (page, action_page):
        assert "Child and family mental health" in html
        assert "Accepted" in html and "waiting 14 days" in html
    sent.refresh_from_db()
    assert (sent.status, sent.answered_on, sent.waiting_days) == ("accepted", datetime.date(2026, 3, 5), 14)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SERVICE_REFERRAL_UPDATED, actor=therapist).exists()


def test_the_provider_sees_only_its_referral_never_the_file(
    case: Case, panel: Panel, coordinator: User, health: Agency, therapist: User
) -> None:
    # given a plan's action referred to the mental-health service
    Case.objects.filter(pk=case.pk).update(panel=panel)
    service = _list_the_service(coordinator, panel, health)
    action_id = _running_plan(case)
    sent = _refer_through_the_page(case, action_id, service)
    provider = client_for(therapist)
    # then the service's practitioner reads the referral: whom it is for and what is asked
    detail = provider.get(sent.get_absolute_url())
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Besa Gashi" in html and "An assessment, please" in html
    # and nothing that leads to the file: no link, no reference, no family name
    assert case.reference not in html and case.get_absolute_url() not in html
    assert "Fewer outbursts" not in html
    # the case, its plan's action and its timeline do not exist for the service
    assert provider.get(case.get_absolute_url()).status_code == 404
    assert provider.get(reverse("interventions:entry", args=[case.pk, "planaction", action_id])).status_code == 404
    assert provider.get(reverse("cases:timeline", args=[case.pk])).status_code == 404
    # the API gives the referral without the case, the referral or the action it comes from
    api = api_as(therapist)
    [row] = api.get(reverse("referrals-api:servicereferral-list")).json()["results"]
    assert (row["id"], row["case"], row["plan_action"], row["for_whom"]) == (sent.pk, None, None, "Besa Gashi")
    assert api.get(reverse("cases-api:case-detail", args=[case.pk])).status_code == 404
    # while the owner's API answer names them
    [mine] = api_as(case.owner).get(reverse("referrals-api:servicereferral-list")).json()["results"]
    assert (mine["case"], mine["plan_action"]) == (case.pk, action_id)


def test_the_provider_answers_through_the_api_and_a_decline_needs_a_reason(
    case: Case, panel: Panel, coordinator: User, health: Agency, therapist: User
) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    service = _list_the_service(coordinator, panel, health)
    sent = _refer_through_the_page(case, _running_plan(case), service)
    api = api_as(therapist)
    url = reverse("referrals-api:servicereferral-status", args=[sent.pk])
    # a decline without its reason is refused, and nothing changes
    refused = api.post(url, {"status": "declined"}, format="json")
    assert refused.status_code == 400
    sent.refresh_from_db()
    assert sent.status == "sent"
    # the service may not withdraw what the case's owner sent
    assert api.post(url, {"status": "withdrawn"}, format="json").status_code == 400
    # a decline with its reason is kept, and ends the referral
    answer = api.post(url, {"status": "declined", "reason": "Outside our area"}, format="json")
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["declined_reason"]) == ("declined", "Outside our area")
    assert api.post(url, {"status": "accepted"}, format="json").status_code == 400


def test_starting_records_the_days_waited_and_the_directory_shows_the_median_wait(
    case: Case,
    panel: Panel,
    coordinator: User,
    health: Agency,
    therapist: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    # given three referrals sent on 2 March that started after 4, 10 and 30 days
    Case.objects.filter(pk=case.pk).update(panel=panel)
    service = _list_the_service(coordinator, panel, health)
    started = []
    for days in (4, 10, 30):
        other = CaseFactory(owner=case.owner, owning_agency=case.owning_agency, panel=panel)
        sent = _refer_through_the_page(other, _running_plan(other), service)
        later = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC) + datetime.timedelta(days=days)
        with time_machine.travel(later, tick=False):
            directory.update_service_referral(sent, status="accepted", actor=therapist)
            sent = directory.update_service_referral(sent, status="started", actor=therapist)
        started.append(sent.waited_days)
    # and one still waiting
    _refer_through_the_page(case, _running_plan(case), service)
    assert started == [4, 10, 30]
    # when a partner opens the directory
    page = client_for(case.owner)
    page.get(reverse("referrals:service_list"))  # warm the session
    with django_assert_max_num_queries(12):
        html = page.get(reverse("referrals:service_list")).content.decode()
    # then the median wait, the number it is taken from and the families waiting now show
    row_html = html.split(f'href="{service.get_absolute_url()}"', 1)[1].split("</li>", 1)[0]
    assert "10 days' wait" in row_html and "median of 3 referrals" in row_html and "1 family waiting" in row_html
    # and the API gives the same numbers, computed by the database
    listed = api_as(case.owner).get(reverse("referrals-api:supportservice-list")).json()["results"]
    [row] = [found for found in listed if found["id"] == service.pk]
    assert (row["median_waited_days"], row["waiting_count"]) == (10.0, 1)


def test_a_triage_that_signposted_refers_the_person_to_a_listed_service(
    agency: Agency, caseworker: User, panel: Panel, coordinator: User, health: Agency, therapist: User
) -> None:
    # given a referral the triage signposted
    service = _list_the_service(coordinator, panel, health)
    referral = ReferralFactory(received_by=agency, subject_given_name="Arben", subject_family_name="Hoxha")
    triage_referral(referral, decision=TriageDecision.Decision.SIGNPOSTED, signposted_to=service.name, actor=caseworker)
    # when the triage refers it through the referral's page
    worker = client_for(caseworker)
    assert "Refer to a service" in worker.get(reverse("referrals:referral", args=[referral.pk])).content.decode()
    url = reverse("referrals:referral_refer", args=[referral.pk])
    assert 'value="Arben Hoxha"' in worker.get(url).content.decode()
    response = worker.post(url, {"service": service.pk, "for_whom": "Arben Hoxha", "request": "Talk to him"})
    # then the service reads it, and the referral's page lists it
    assert response.status_code == 302
    sent = ServiceReferral.objects.get(referral=referral)
    assert client_for(therapist).get(sent.get_absolute_url()).status_code == 200
    assert client_for(therapist).get(reverse("referrals:referral", args=[referral.pk])).status_code == 404
    assert "Talk to him" not in worker.get(reverse("referrals:referral", args=[referral.pk])).content.decode()
    assert service.name in worker.get(reverse("referrals:referral", args=[referral.pk])).content.decode()


def test_a_referral_not_signposted_is_not_referred_to_a_service(
    agency: Agency, caseworker: User, panel: Panel, coordinator: User, health: Agency
) -> None:
    service = _list_the_service(coordinator, panel, health)
    referral = ReferralFactory(received_by=agency)
    response = client_for(caseworker).post(
        reverse("referrals:referral_refer", args=[referral.pk]),
        {"service": service.pk, "for_whom": "Someone", "request": "Help"},
    )
    assert response.status_code == 200
    assert "Only a referral the triage signposted" in response.content.decode()
    assert not ServiceReferral.objects.filter(referral=referral).exists()
    assert Referral.objects.restrict(caseworker, Action.VIEW).filter(pk=referral.pk).exists()


def test_only_the_panels_coordinator_lists_and_changes_a_service(
    panel: Panel, coordinator: User, health: Agency, caseworker: User
) -> None:
    service = _list_the_service(coordinator, panel, health)
    # a caseworker reads the directory but may not list or change
    worker = client_for(caseworker)
    assert worker.get(service.get_absolute_url()).status_code == 200
    assert worker.get(reverse("referrals:service_create")).status_code == 403
    assert worker.post(reverse("referrals:service_edit", args=[service.pk]), {"name": "X"}).status_code == 403
    # the coordinator changes it: the directory says it no longer takes referrals
    form = {"name": service.name, "help_kind": "emotional_psychological", "stated_waiting_days": "35"}
    assert client_for(coordinator).post(reverse("referrals:service_edit", args=[service.pk]), form).status_code == 302
    service.refresh_from_db()
    assert (service.stated_waiting_days, service.active) == (35, False)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SERVICE_LISTED, actor=coordinator).count() == 2


def test_the_directory_shows_a_service_listed_after_it_was_first_opened(
    panel: Panel, coordinator: User, health: Agency, caseworker: User
) -> None:
    # given the directory opened while it is empty
    worker = client_for(caseworker)
    assert "No service is listed yet." in worker.get(reverse("referrals:service_list")).content.decode()
    # when the coordinator lists a service
    service = _list_the_service(coordinator, panel, health)
    # then the directory shows it at once
    assert service.name in worker.get(reverse("referrals:service_list")).content.decode()
