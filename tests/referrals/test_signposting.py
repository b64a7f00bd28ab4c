"""Signposting at triage in one step (decision 142): a triage that signposts picks a service of the
directory and says what the service is asked; the decision and the referral to the service are saved
together, in the browser and the API, or not at all. A service that does not exist or no longer
takes referrals is refused in the user's language."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Membership, Panel, User
from audit.models import AuditEvent
from referrals import services
from referrals.models import Referral, ServiceReferral, SupportService, TriageDecision
from tests.conftest import api_as, member
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

NOT_LISTED_SQ = "Zgjidhni një shërbim nga lista që pranon referime."


def client_for(user: User, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


@pytest.fixture
def health() -> Agency:
    return AgencyFactory(name="Mental health service", sector=Agency.Sector.HEALTH)


@pytest.fixture
def therapist(health: Agency) -> User:
    return member(health, Membership.Role.PRACTITIONER, username="therapist")


@pytest.fixture
def service(coordinator: User, panel: Panel, health: Agency) -> SupportService:
    """The coordinator lists the counselling service through the directory's form."""
    form = {
        "panel": panel.pk,
        "name": "Family counselling",
        "agency": health.pk,
        "help_kind": "emotional_psychological",
        "contact_point": "Reception desk",
        "active": "on",
    }
    response = client_for(coordinator).post(reverse("referrals:service_create"), form)
    assert response.status_code == 302, response.content.decode()
    return SupportService.objects.get(name="Family counselling")


@pytest.fixture
def referral(caseworker: User) -> Referral:
    """A worried mother's call, recorded through the intake page."""
    intake = {
        "channel": "general_hotline",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "subject_given_name": "Ardit",
        "subject_family_name": "Krasnici",
        "person_told": "unknown",
        "concern": "He no longer sleeps; the mother asks for someone to talk to.",
        "ideology": "unclear",
        "urgency": "routine",
    }
    response = client_for(caseworker).post(reverse("referrals:referral_create"), intake)
    assert response.status_code == 302, response.content.decode()
    return Referral.objects.get()


def _stop_taking_referrals(coordinator: User, service: SupportService) -> None:
    """The coordinator marks the service as no longer taking referrals, on its page."""
    form = {"name": service.name, "agency": service.agency_id, "help_kind": service.help_kind, "contact_point": "-"}
    response = client_for(coordinator).post(reverse("referrals:service_edit", args=[service.pk]), form)
    assert response.status_code == 302, response.content.decode()
    service.refresh_from_db()
    assert not service.active


def _untouched(referral: Referral) -> None:
    """Nothing of the triage was saved: the referral waits as it did, with no decision, no referral
    to a service, and no record of either."""
    referral.refresh_from_db()
    assert referral.status == Referral.Status.NEW and referral.triaged_at is None
    assert not TriageDecision.objects.filter(referral=referral).exists()
    assert not ServiceReferral.objects.filter(referral=referral).exists()
    triaged = AuditEvent.objects.filter(action=AuditEvent.Action.REFERRAL_TRIAGED, object_id=str(referral.pk))
    referred = AuditEvent.objects.filter(action=AuditEvent.Action.SERVICE_REFERRED, data__referral=referral.pk)
    assert not triaged.exists() and not referred.exists()


def test_the_triage_signposts_and_refers_to_a_service_in_one_step_on_the_page(
    caseworker: User, referral: Referral, service: SupportService, therapist: User
) -> None:
    url = reverse("referrals:referral_triage", args=[referral.pk])
    worker = client_for(caseworker)
    # given the triage form offers the directory's services, the person's name ready for the service
    form = worker.get(url).content.decode()
    assert "Family counselling" in form and 'value="Ardit Krasnici"' in form
    # when the worker signposts to it, saying what the service is asked
    response = worker.post(
        url,
        {
            "decision": "signposted",
            "service": service.pk,
            "service_for_whom": "Ardit Krasnici",
            "service_request": "Qwertz: a first talk with the mother",
        },
    )
    # then the decision and the referral to the service are both recorded
    assert response.status_code == 302, response.content.decode()
    decision = TriageDecision.objects.get(referral=referral)
    assert (decision.decision, decision.signposted_to) == ("signposted", "Family counselling")
    sent = ServiceReferral.objects.get(referral=referral)
    assert (sent.service, sent.for_whom, sent.request, sent.status) == (
        service,
        "Ardit Krasnici",
        "Qwertz: a first talk with the mother",
        "sent",
    )
    recorded = AuditEvent.objects.filter(object_id__in=[str(referral.pk), str(sent.pk)])
    assert {AuditEvent.Action.REFERRAL_TRIAGED, AuditEvent.Action.SERVICE_REFERRED} <= set(
        recorded.values_list("action", flat=True)
    )
    # the referral's page lists it, and the service reads its referral, never the concern
    assert "Family counselling" in worker.get(referral.get_absolute_url()).content.decode()
    provider = client_for(therapist)
    assert "Qwertz: a first talk" in provider.get(sent.get_absolute_url()).content.decode()
    assert provider.get(referral.get_absolute_url()).status_code == 404


def test_the_triage_signposts_and_refers_to_a_service_in_one_step_in_the_api(
    caseworker: User, referral: Referral, service: SupportService
) -> None:
    response = api_as(caseworker).post(
        reverse("referrals-api:referral-triage", args=[referral.pk]),
        {"decision": "signposted", "service": service.pk, "service_request": "A first talk with the mother"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    assert TriageDecision.objects.get(referral=referral).signposted_to == "Family counselling"
    # the referral names the person: the service is told whom it is for
    sent = ServiceReferral.objects.get(referral=referral)
    assert (sent.service, sent.for_whom) == (service, "Ardit Krasnici")
    listed = api_as(caseworker).get(reverse("referrals-api:servicereferral-list")).json()["results"]
    assert [(row["id"], row["referral"]) for row in listed] == [(sent.pk, referral.pk)]


def test_signposting_outside_the_directory_still_needs_no_service(caseworker: User, referral: Referral) -> None:
    response = client_for(caseworker).post(
        reverse("referrals:referral_triage", args=[referral.pk]),
        {"decision": "signposted", "signposted_to": "The national parents' helpline"},
    )
    assert response.status_code == 302
    assert TriageDecision.objects.get(referral=referral).signposted_to == "The national parents' helpline"
    assert not ServiceReferral.objects.exists()
    # and signposting to nothing at all is refused
    assert referral.received_by is not None
    other = services.record_referral(
        actor=caseworker, received_by=referral.received_by, channel="general_hotline", concern="Worried."
    )
    page = client_for(caseworker).post(
        reverse("referrals:referral_triage", args=[other.pk]), {"decision": "signposted"}
    )
    assert page.status_code == 200 and "or choose one from the directory" in page.content.decode()
    _untouched(other)


@pytest.mark.parametrize("missing", ["not_listed", "no_such_service"])
def test_the_page_refuses_a_service_the_directory_does_not_offer_in_the_users_language(
    caseworker: User, coordinator: User, referral: Referral, service: SupportService, missing: str
) -> None:
    if missing == "not_listed":
        _stop_taking_referrals(coordinator, service)
    chosen = service.pk if missing == "not_listed" else service.pk + 1000
    url = reverse("referrals:referral_triage", args=[referral.pk])
    worker = client_for(caseworker, "sq")
    offered = "Family counselling" in worker.get(url).content.decode()
    assert offered == (missing == "no_such_service")  # a service no longer taking referrals is not offered
    response = worker.post(url, {"decision": "signposted", "service": chosen, "service_request": "Qwertz talk"})
    body = response.content.decode()
    # the form comes back, saying so in Albanian, with what was typed
    assert response.status_code == 200
    assert NOT_LISTED_SQ in body and "Qwertz talk" in body
    _untouched(referral)


@pytest.mark.parametrize("missing", ["not_listed", "no_such_service"])
def test_the_api_refuses_a_service_the_directory_does_not_offer_in_the_users_language(
    caseworker: User, coordinator: User, referral: Referral, service: SupportService, missing: str
) -> None:
    if missing == "not_listed":
        _stop_taking_referrals(coordinator, service)
    chosen = service.pk if missing == "not_listed" else service.pk + 1000
    api = api_as(caseworker)
    api.credentials(HTTP_ACCEPT_LANGUAGE="sq")
    response = api.post(
        reverse("referrals-api:referral-triage", args=[referral.pk]),
        {"decision": "signposted", "service": chosen, "service_request": "A talk"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["service"] == [NOT_LISTED_SQ]
    _untouched(referral)


@pytest.mark.parametrize(
    ("body", "albanian"),
    [
        # the service is checked after the decision is written: the decision goes back with it
        ({"decision": "signposted"}, "Shkruani çfarë i kërkohet shërbimit."),
        ({"decision": "advice_given", "service_request": "A talk"}, None),
    ],
)
def test_a_refused_referral_to_a_service_leaves_the_triage_undone_in_the_api(
    caseworker: User, referral: Referral, service: SupportService, body: dict[str, Any], albanian: str | None
) -> None:
    api = api_as(caseworker)
    api.credentials(HTTP_ACCEPT_LANGUAGE="sq")
    response = api.post(
        reverse("referrals-api:referral-triage", args=[referral.pk]), {**body, "service": service.pk}, format="json"
    )
    assert response.status_code == 400, response.content
    if albanian is not None:
        assert response.json()["non_field_errors"] == [albanian]
    _untouched(referral)


def test_a_service_that_stops_taking_referrals_while_the_triage_is_written_undoes_the_whole_triage(
    caseworker: User, coordinator: User, referral: Referral, service: SupportService
) -> None:
    # given the worker chose the service, and the coordinator stops its referrals meanwhile
    chosen = services.ToService(service=service, request="A first talk")
    _stop_taking_referrals(coordinator, service)
    # when the triage is saved, the service is refused and nothing of the triage stays
    with pytest.raises(ValidationError, match="takes referrals"):
        services.triage_referral(referral, decision="signposted", to_service=chosen, actor=caseworker)
    _untouched(referral)


def test_a_service_is_not_referred_to_when_the_page_decides_otherwise(
    caseworker: User, referral: Referral, service: SupportService
) -> None:
    # the service chosen, then the decision changed: the service's fields are ignored, as the others'
    response = client_for(caseworker).post(
        reverse("referrals:referral_triage", args=[referral.pk]),
        {"decision": "gather_information", "service": service.pk, "service_request": "A talk"},
    )
    assert response.status_code == 302, response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.GATHERING
    assert not ServiceReferral.objects.exists()


def test_a_service_named_by_hand_and_another_chosen_from_the_directory_is_refused(
    caseworker: User, referral: Referral, service: SupportService
) -> None:
    # when the triage types one service and picks another from the directory
    api = api_as(caseworker)
    api.credentials(HTTP_ACCEPT_LANGUAGE="sq")
    response = api.post(
        reverse("referrals-api:referral-triage", args=[referral.pk]),
        {
            "decision": "signposted",
            "signposted_to": "Youth club",
            "service": service.pk,
            "service_request": "A first talk with the mother",
        },
        format="json",
    )
    # then nothing is saved and the triager is asked which one, in their language
    assert response.status_code == 400, response.content
    said = response.content.decode()
    assert "Emërtoni shërbimin" in said and "Youth club" in said and "Family counselling" in said
    _untouched(referral)
    # the same name typed and chosen is one service
    same = {"decision": "signposted", "signposted_to": "family counselling", "service": service.pk,
            "service_request": "A first talk"}  # fmt: skip
    assert (
        api_as(caseworker)
        .post(reverse("referrals-api:referral-triage", args=[referral.pk]), same, format="json")
        .status_code
        == 200
    )
    assert TriageDecision.objects.get(referral=referral).signposted_to == "Family counselling"
