"""The public self-referral page: no sign-in, a follow-up code shown once, a status page that says
"received", "being looked at" or "closed" and nothing more; floods from one address refused while a
real concern from another still arrives (decision 126)."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from agencies.models import Panel, User
from audit.models import AuditEvent
from referrals import front_door, services
from referrals.models import ConcernReceipt, DeconflictionCheck, Referral

pytestmark = pytest.mark.django_db

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


def concern(panel: Panel, **extra: str) -> dict[str, str]:
    """What a worried aunt types, on a page given a minute ago."""
    return {
        "panel": str(panel.pk),
        "channel": "family_or_friend",
        "reporter_relationship": "Aunt",
        "subject_given_name": "Arben",
        "subject_family_name": "Hoxha",
        "subject_age": "17",
        "person_told": "no",
        "concern": "My nephew stopped seeing his friends and talks of going abroad to fight.",
        "started": front_door.issue_started(at=time.time() - 60),
        front_door.HONEYPOT: "",
        **extra,
    }


def test_a_relative_sends_a_concern_gets_a_code_and_later_sees_the_status_only(
    panel: Panel, coordinator: User, auditor_readonly: User
) -> None:
    # given a relative on the public page, signed in nowhere
    visitor = Client()
    page = visitor.get(reverse("referrals:public_concern"))
    assert page.status_code == 200 and "What happens to what you write" in page.content.decode()
    # when she sends her concern anonymously
    response = visitor.post(reverse("referrals:public_concern"), concern(panel, reporter_anonymous="on"))
    # then she is given a follow-up code, once
    body = response.content.decode()
    assert response.status_code == 200
    code = CODE.search(body).group(0)
    referral = Referral.objects.get()
    receipt = ConcernReceipt.objects.get()
    assert referral.front_door == panel and referral.recorded_by is None and referral.reporter_anonymous
    assert receipt.code_hash and code not in receipt.code_hash and receipt.sent_by is None
    # and the 24 hours started, the coordinator has it to triage; the police are not asked yet
    assert referral.triage_due_at > referral.received_at and not DeconflictionCheck.objects.exists()
    assert Client().get(reverse("referrals:referral", args=[referral.pk])).status_code == 302
    coordinator_client = Client()
    coordinator_client.force_login(coordinator)
    assert coordinator_client.get(referral.get_absolute_url()).status_code == 200
    # and the trail keeps no address of hers
    event = AuditEvent.objects.get(action=AuditEvent.Action.PUBLIC_CONCERN_RECEIVED)
    assert event.actor is None and not event.ip_address
    # when she comes back with her code
    status = visitor.post(reverse("referrals:public_status"), {"code": code.lower().replace("-", " ")})
    assert status.status_code == 200 and "Received" in status.content.decode()
    # and once the panel's team looks at it, asking the police as they take it further
    services.triage_referral(referral, decision="gather_information", actor=coordinator)
    check = DeconflictionCheck.objects.get()
    services.answer_deconfliction(check, answer="not_told", actor=auditor_readonly)
    services.triage_referral(referral, decision="panel_agenda", panel=panel, actor=coordinator)
    later = visitor.post(reverse("referrals:public_status"), {"code": code}).content.decode()
    # then she reads "being looked at", and nothing of what was decided
    assert "Being looked at" in later
    assert "agenda" not in later.lower() and panel.coordinator.full_name not in later and "Hoxha" not in later


def test_a_wrong_code_gets_the_same_answer_whatever_it_is(panel: Panel) -> None:
    services.submit_public_concern(panel=panel, concern="Worried.")
    visitor = Client()
    answers = {
        visitor.post(reverse("referrals:public_status"), {"code": code})
        .content.decode()
        .count("No concern has this code")
        for code in ("AAAA-BBBB-CCCC-DDDD", "ZZZZ-ZZZZ-ZZZZ-ZZZZ", "1234")
    }
    assert answers == {1}


def test_two_hundred_rapid_submissions_from_one_address_are_throttled_and_another_address_still_arrives(
    panel: Panel,
) -> None:
    # given a flood from one address
    flood = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [
        flood.post(reverse("referrals:public_concern"), concern(panel, concern=f"Spam {n}")).status_code
        for n in range(200)
    ]
    # then all but the first few are refused, and stored nowhere
    allowed = front_door.SUBMIT.allowed
    assert statuses[:allowed] == [200] * allowed and set(statuses[allowed:]) == {429}
    assert Referral.objects.count() == allowed
    # when a real concern comes from another address
    real = Client(REMOTE_ADDR="198.51.100.20").post(
        reverse("referrals:public_concern"), concern(panel, concern="My brother is being recruited.")
    )
    # then it arrives
    assert real.status_code == 200 and Referral.objects.filter(concern="My brother is being recruited.").exists()


def test_a_robot_filling_the_hidden_field_or_sending_at_once_is_refused_with_the_form_kept(panel: Panel) -> None:
    visitor = Client()
    honeypot = visitor.post(reverse("referrals:public_concern"), concern(panel, **{front_door.HONEYPOT: "http://x"}))
    hurried = visitor.post(reverse("referrals:public_concern"), concern(panel, started=front_door.issue_started()))
    forged = visitor.post(reverse("referrals:public_concern"), concern(panel, started="1700000000:forged"))
    for response in (honeypot, hurried, forged):
        assert response.status_code == 400
        assert "talks of going abroad to fight" in response.content.decode()
    assert not Referral.objects.exists()


def test_an_anonymous_sender_gives_no_name(panel: Panel) -> None:
    response = Client().post(
        reverse("referrals:public_concern"), concern(panel, reporter_anonymous="on", reporter_name="Mira")
    )
    assert response.status_code == 400 and not Referral.objects.exists()


def test_the_public_page_speaks_albanian(panel: Panel) -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="sq").get(reverse("referrals:public_concern"), HTTP_ACCEPT_LANGUAGE="sq")
    assert page.status_code == 200 and "Çfarë ndodh me atë që shkruani" in page.content.decode()


def api_concern(panel: Panel, concern: str, **extra: object) -> dict[str, object]:
    """What a client of the public API sends: the stamp it fetched a minute ago, and its concern."""
    return {"panel": panel.pk, "concern": concern, "started": front_door.issue_started(at=time.time() - 60), **extra}


def test_the_public_api_takes_a_concern_and_gives_its_stage_by_code_alone(panel: Panel) -> None:
    api = APIClient()
    stamp = api.get(reverse("referrals-api:public-concern"))
    assert stamp.status_code == 200 and front_door.seconds_since(stamp.json()["started"]) is not None
    sent = api.post(reverse("referrals-api:public-concern"), api_concern(panel, "Worried about my son."), format="json")
    assert sent.status_code == 201, sent.content
    code = sent.json()["code"]
    assert CODE.fullmatch(code) and sent.json()["stage"] == "received"
    status = api.post(reverse("referrals-api:public-status"), {"code": code}, format="json")
    assert status.json() == {"stage": "received"}
    assert api.post(reverse("referrals-api:public-status"), {"code": "AAAA"}, format="json").status_code == 404


def test_the_public_api_throttles_one_address(panel: Panel) -> None:
    api = APIClient(REMOTE_ADDR="203.0.113.7")
    codes = [
        api.post(reverse("referrals-api:public-concern"), api_concern(panel, "x"), format="json").status_code
        for _ in range(10)
    ]
    assert codes.count(201) == 5 and codes[-1] == 429
    other = APIClient(REMOTE_ADDR="198.51.100.7")
    assert (
        other.post(reverse("referrals-api:public-concern"), api_concern(panel, "y"), format="json").status_code == 201
    )


def test_the_answer_is_the_same_whether_or_not_the_person_was_known(panel: Panel, caseworker: User) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CaseFactory

    # given a family the panel's partners know, and a name nobody holds
    known = CaseFactory(owner=caseworker)
    known_name = known.index_person.family_name

    def send(family_name: str, address: str) -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            response = Client(REMOTE_ADDR=address).post(
                reverse("referrals:public_concern"), concern(panel, subject_family_name=family_name)
            )
        # the code, the CSRF tokens and the forms' idempotency keys differ by nature: masked
        page = re.sub(r"[A-Za-z0-9]{32,}", "TOKEN", CODE.sub("CODE", response.content.decode()))
        return page, len(queries)

    # when a relative writes about each
    about_known, known_queries = send(known_name, "198.51.100.1")
    about_unknown, unknown_queries = send("Zzyzxunknown", "198.51.100.2")
    # then the sender is answered alike, with the same work done
    assert about_known.replace(known_name, "NAME") == about_unknown.replace("Zzyzxunknown", "NAME")
    assert known_queries == unknown_queries


def test_the_public_pages_carry_no_staff_phone_number_or_e_mail(panel: Panel, coordinator: User) -> None:
    # given the panel's coordinator with an e-mail, named as its agency's point of contact with a phone
    User.objects.filter(pk=coordinator.pk).update(email="arta.koordinatore@bashkia.example")
    agency = coordinator.memberships.get().agency
    type(agency).objects.filter(pk=agency.pk).update(contact_person=coordinator, contact_details="+355 69 555 0101")
    Panel.objects.filter(pk=panel.pk).update(single_point_of_contact=coordinator)
    visitor = Client()
    # when a relative reads the page, sends a concern and reads its status
    pages = [visitor.get(reverse("referrals:public_concern")).content.decode()]
    sent = visitor.post(reverse("referrals:public_concern"), concern(panel)).content.decode()
    pages.append(sent)
    code = CODE.search(sent).group(0)
    pages.append(visitor.post(reverse("referrals:public_status"), {"code": code}).content.decode())
    # then no page made for the family names a worker's phone or e-mail, nor the worker
    for page in pages:
        assert "bashkia.example" not in page and "555 0101" not in page
        assert coordinator.full_name not in page and coordinator.last_name not in page


def test_the_page_and_the_api_count_on_one_counter_per_address(panel: Panel) -> None:
    # given an address that sent all it may through the page
    page = Client(REMOTE_ADDR="203.0.113.8")
    for n in range(front_door.SUBMIT.allowed):
        assert page.post(reverse("referrals:public_concern"), concern(panel, concern=f"Page {n}")).status_code == 200
    # when it tries the API
    api = APIClient(REMOTE_ADDR="203.0.113.8")
    response = api.post(reverse("referrals-api:public-concern"), api_concern(panel, "Through the API"), format="json")
    # then it is refused, and nothing is stored
    assert response.status_code == 429
    assert Referral.objects.count() == front_door.SUBMIT.allowed


def test_an_ipv6_sender_is_counted_by_its_64_network(panel: Panel) -> None:
    # given a flood from many addresses of one /64
    statuses = [
        Client(REMOTE_ADDR=f"2001:db8:1:2::{n:x}")
        .post(reverse("referrals:public_concern"), concern(panel, concern=f"Spam {n}"))
        .status_code
        for n in range(1, 12)
    ]
    # then it is throttled as one address, while another /64 still arrives
    assert statuses.count(200) == front_door.SUBMIT.allowed and statuses[-1] == 429
    other = Client(REMOTE_ADDR="2001:db8:1:3::1").post(reverse("referrals:public_concern"), concern(panel))
    assert other.status_code == 200


def test_the_public_api_refuses_a_concern_without_a_fresh_stamp_or_with_the_hidden_field(panel: Panel) -> None:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="sq")
    url = reverse("referrals-api:public-concern")
    missing = api.post(url, {"panel": panel.pk, "concern": "No stamp"}, format="json")
    hurried = api.post(url, api_concern(panel, "Hurried", started=front_door.issue_started()), format="json")
    forged = api.post(url, api_concern(panel, "Forged", started="1700000000:forged"), format="json")
    robot = api.post(url, api_concern(panel, "Robot", homepage="http://x"), format="json")
    for response in (missing, hurried, forged, robot):
        assert response.status_code == 400, response.content
    assert "Ju lutemi" in hurried.content.decode()
    assert not Referral.objects.exists()


def test_the_public_api_speaks_the_senders_language(panel: Panel) -> None:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="sq")
    response = api.post(
        reverse("referrals-api:public-concern"),
        api_concern(panel, "Worried.", reporter_anonymous=True, reporter_name="Mira"),
        format="json",
    )
    assert response.status_code == 400
    assert "anonymous reporter" not in response.content.decode()
    assert not Referral.objects.exists()


def test_a_public_concern_is_put_to_the_police_only_once_triage_moves_it_on(
    panel: Panel, coordinator: User, auditor_readonly: User
) -> None:
    # given a concern from the public page
    Client().post(reverse("referrals:public_concern"), concern(panel))
    referral = Referral.objects.get()
    # then no name has gone to the police yet
    assert not DeconflictionCheck.objects.exists()
    # when triage puts it straight to the panel, it is refused, and the police are still not asked
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="not yet been asked"):
        services.triage_referral(referral, decision="panel_agenda", panel=panel, actor=coordinator)
    assert not DeconflictionCheck.objects.exists()
    # when triage gathers information, the police are asked
    services.triage_referral(referral, decision="gather_information", actor=coordinator)
    check = DeconflictionCheck.objects.get(referral=referral)
    assert check.family_name == "Hoxha"


def test_a_public_concern_closed_at_triage_never_reaches_the_police(panel: Panel, coordinator: User) -> None:
    Client().post(reverse("referrals:public_concern"), concern(panel))
    referral = Referral.objects.get()
    services.triage_referral(referral, decision="no_further_action", reason="no_concern", actor=coordinator)
    assert not DeconflictionCheck.objects.exists()
