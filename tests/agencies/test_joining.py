"""Joining and leaving without the admin, passwords, and the induction gate (decisions 117, 118)."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from agencies import induction, joining
from agencies.models import Agency, Departure, Membership, User
from audit.models import AuditEvent
from cases.models import Case
from outbox.models import Message
from tests.agencies.conftest import sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Tirana-river-lantern-77"
NEWER_PASSWORD = "Shkoder-castle-window-88"


def _invitation_link(person_email: str) -> str:
    message = Message.objects.filter(to=person_email, kind="invitation").latest("pk")
    found = re.search(r"https?://[^\s]+(/accounts/invitation/[^\s/]+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_a_coordinator_sets_up_an_agency_and_its_first_worker_who_joins_and_changes_their_password(
    client: Client, coordinator: User
) -> None:
    # given: the coordinator, signed in
    client.force_login(coordinator)
    # when: they add a partner agency and invite its first worker, in the browser
    response = client.post(
        reverse("people_agency_add"), {"name": "Health centre Fier", "sector": "health", "partner_kind": "core"}
    )
    agency = Agency.objects.get(name="Health centre Fier")
    assert response.status_code == 302 and response.url == reverse("people_agency", args=[agency.pk])
    response = client.post(
        reverse("people_invite", args=[agency.pk]),
        {"first_name": "Arta", "last_name": "Hoxha", "email": "arta@example.org", "role": "practitioner"},
    )
    assert response.status_code == 302
    worker = User.objects.get(email="arta@example.org")
    assert not worker.has_usable_password()
    assert Membership.objects.filter(user=worker, agency=agency, role="practitioner").exists()
    link = _invitation_link("arta@example.org")
    # then: the worker opens the link, sets a password, and is sent to enrol their second factor
    joiner = Client()
    assert joiner.get(link).status_code == 200
    response = joiner.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url.startswith(reverse("two_factor"))
    enrol = joiner.get(response.url)
    assert b"Code from your authenticator app" in enrol.content  # no enrolment code asked: the link stood in
    # the link works once
    assert Client().get(link).status_code == 404
    # and the worker changes their password
    response = joiner.post(
        reverse("password_change"),
        {"old_password": NEW_PASSWORD, "new_password1": NEWER_PASSWORD, "new_password2": NEWER_PASSWORD},
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.check_password(NEWER_PASSWORD)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"agency_added", "membership_added", "person_invited", "invitation_accepted", "password_changed"} <= actions


def test_an_agency_administrator_manages_only_their_agency(
    client: Client, agency: Agency, other_agency: Agency
) -> None:
    admin = User.objects.create_user("admin1", password="x")
    Membership.objects.create(user=admin, agency=agency, role=Membership.Role.AGENCY_ADMIN)
    client.force_login(admin)
    assert client.get(reverse("people_agency", args=[agency.pk])).status_code == 200
    assert client.get(reverse("people_agency", args=[other_agency.pk])).status_code == 404
    assert client.get(reverse("people_invite", args=[other_agency.pk])).status_code == 404


def test_a_practitioner_finds_no_page_to_manage_people(client: Client, caseworker: User, agency: Agency) -> None:
    client.force_login(caseworker)
    assert client.get(reverse("people")).status_code == 404
    assert client.get(reverse("people_agency", args=[agency.pk])).status_code == 404
    assert client.post(reverse("people_agency_add"), {"name": "X", "sector": "ngo"}).status_code == 404


def test_a_password_reset_answers_the_same_whether_or_not_an_account_exists(client: Client, caseworker: User) -> None:
    User.objects.filter(pk=caseworker.pk).update(email="known@example.org")
    known = client.post(reverse("password_reset"), {"email": "known@example.org"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    # the same page (its nonce and token aside) whichever address was given
    assert b"If the address belongs to an account" in client.get(known.url).content
    assert b"If the address belongs to an account" in client.get(unknown.url).content
    # the e-mail goes through the outbox, to the known address only
    assert list(Message.objects.filter(kind="password_reset").values_list("to", flat=True)) == ["known@example.org"]
    assert mail.outbox == []


def test_password_reset_requests_are_limited_per_address(client: Client, settings: object) -> None:
    for _ in range(5):
        assert client.post(reverse("password_reset"), {"email": "x@example.org"}).status_code == 302
    assert client.post(reverse("password_reset"), {"email": "x@example.org"}).status_code == 429


def test_a_leavers_tokens_and_sessions_stop_working(coordinator: User, caseworker: User, case: Case) -> None:
    # given: the leaver signed in in a browser and with an API token
    browser = Client()
    sign_in(browser, caseworker)
    assert browser.get(reverse("cases:case", args=[case.pk])).status_code == 200
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(caseworker)[1]}")
    assert api.get(reverse("cases-api:case-detail", args=[case.pk])).status_code == 200
    # when: the coordinator ends their membership
    coordinator_client = Client()
    coordinator_client.force_login(coordinator)
    membership = caseworker.memberships.get()
    response = coordinator_client.post(
        reverse("people_end", args=[membership.pk]), {"ended_on": timezone.localdate().isoformat(), "reason": "Left"}
    )
    # then: the page offers the open cases for reassignment; the token and the session no longer work
    assert response.status_code == 200
    assert reverse("panels:reassign", args=[caseworker.pk]).encode() in response.content
    assert Departure.objects.filter(user=caseworker, role="practitioner").exists()
    assert not AuthToken.objects.filter(user=caseworker).exists()
    assert api.get(reverse("cases-api:case-detail", args=[case.pk])).status_code in (401, 403)
    assert browser.get(reverse("cases:case", args=[case.pk])).status_code == 302
    caseworker.refresh_from_db()
    assert not caseworker.is_active


def test_a_membership_ended_from_a_later_day_ends_on_that_day(
    client: Client, coordinator: User, caseworker: User
) -> None:
    # given: a token of the leaver
    AuthToken.objects.create(caseworker)
    client.force_login(coordinator)
    membership = caseworker.memberships.get()
    leaving = timezone.localdate() + datetime.timedelta(days=3)
    # when: the coordinator ends the membership from a day still to come
    response = client.post(reverse("people_end", args=[membership.pk]), {"ended_on": leaving.isoformat()})
    # then: nothing ends before that day
    assert response.status_code == 200
    assert joining.end_due_memberships() == 0
    assert Membership.objects.filter(pk=membership.pk).exists() and AuthToken.objects.filter(user=caseworker).exists()
    # and on that day beat's task ends it, once
    with time_machine.travel(leaving + datetime.timedelta(hours=12)):
        assert joining.end_due_memberships() == 1
        assert joining.end_due_memberships() == 0
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert not AuthToken.objects.filter(user=caseworker).exists()


def test_a_new_user_cannot_reach_a_case_before_acknowledging_the_protocols(
    client: Client, coordinator: User, caseworker: User, case: Case
) -> None:
    # given: a protocol in force for practitioners
    protocol = induction.publish_protocol(
        actor=coordinator, title="Information sharing", text="Share only within the agreement.", roles=["practitioner"]
    )
    # when: the practitioner signs in
    sign_in(client, caseworker)
    # then: the case page sends them to the induction page, and the API refuses with a clear message
    response = client.get(reverse("cases:case", args=[case.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("induction"))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(caseworker)[1]}")
    refused = api.get(reverse("cases-api:case-detail", args=[case.pk]))
    assert refused.status_code == 403 and refused.json()["code"] == "induction_required"
    # once acknowledged, the case opens, and the acknowledgement is recorded
    page = client.get(response.url)
    assert b"Share only within the agreement." in page.content
    response = client.post(reverse("induction"), {"protocol": [protocol.pk], "read": "on"})
    assert response.status_code == 302
    assert client.get(reverse("cases:case", args=[case.pk])).status_code == 200
    assert api.get(reverse("cases-api:case-detail", args=[case.pk])).status_code == 200
    assert AuditEvent.objects.filter(action="protocols_acknowledged", actor=caseworker).exists()
    # a new version applies again
    induction.publish_protocol(
        actor=coordinator, protocol=protocol, title="Information sharing", text="Share only within the agreement, v2.",
        roles=["practitioner"],
    )  # fmt: skip
    assert client.get(reverse("cases:case", args=[case.pk])).status_code == 302


def test_a_protocol_for_another_role_does_not_hold_a_user_back(
    client: Client, coordinator: User, caseworker: User, case: Case
) -> None:
    induction.publish_protocol(actor=coordinator, title="Chairing", text="How to chair.", roles=["coordinator"])
    sign_in(client, caseworker)
    assert client.get(reverse("cases:case", args=[case.pk])).status_code == 200


def test_the_api_adds_an_agency_and_invites_a_person(coordinator: User) -> None:
    api = APIClient()
    api.force_authenticate(coordinator)
    created = api.post(reverse("api-agencies"), {"name": "School 5", "sector": "education"}, format="json")
    assert created.status_code == 201
    invited = api.post(
        reverse("api-invite"),
        {"agency": created.json()["id"], "role": "practitioner", "first_name": "Ben", "last_name": "Lika",
         "email": "ben@example.org"},
        format="json",
    )  # fmt: skip
    assert invited.status_code == 201
    assert Message.objects.filter(to="ben@example.org", kind="invitation").exists()


def test_nobody_ends_their_own_membership(coordinator: User) -> None:
    api = APIClient()
    api.force_authenticate(coordinator)
    membership = coordinator.memberships.get()
    response = api.post(
        reverse("api-membership-end", args=[membership.pk]),
        {"ended_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert Membership.objects.filter(pk=membership.pk).exists()


def _admin_of(agency: Agency) -> User:
    admin = User.objects.create_user("admin1", password="x")
    Membership.objects.create(user=admin, agency=agency, role=Membership.Role.AGENCY_ADMIN)
    return admin


def test_an_agency_administrator_adds_no_agency_in_the_browser_or_the_api(client: Client, agency: Agency) -> None:
    admin = _admin_of(agency)
    client.force_login(admin)
    # the directory lists their agency, with no way to add one
    directory = client.get(reverse("people"))
    assert directory.status_code == 200 and reverse("people_agency_add").encode() not in directory.content
    assert client.get(reverse("people_agency_add")).status_code == 404
    assert client.post(reverse("people_agency_add"), {"name": "Fake police", "sector": "police"}).status_code == 404
    api = APIClient()
    api.force_authenticate(admin)
    assert (
        api.post(reverse("api-agencies"), {"name": "Fake police", "sector": "police"}, format="json").status_code == 404
    )
    assert not Agency.objects.filter(name="Fake police").exists()


def test_the_api_refuses_an_agency_to_a_non_coordinator_before_reading_its_body(agency: Agency) -> None:
    api = APIClient()
    api.force_authenticate(_admin_of(agency))
    refused = api.post(reverse("api-agencies"), {}, format="json")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"


def test_an_agency_administrator_grants_only_the_roles_of_an_agency(client: Client, agency: Agency) -> None:
    admin = _admin_of(agency)
    client.force_login(admin)
    # the form offers only what they may grant
    form = client.get(reverse("people_invite", args=[agency.pk])).content.decode()
    for offered in ("practitioner", "supervisor", "panel_member", "agency_admin"):
        assert f'value="{offered}"' in form
    for withheld in ("data_protection_officer", "police_liaison", "coordinator"):
        assert f'value="{withheld}"' not in form
    # a role posted anyway is refused, with a message, in the browser and the API
    for role in ("data_protection_officer", "police_liaison", "coordinator"):
        response = client.post(
            reverse("people_invite", args=[agency.pk]),
            {"first_name": "Eda", "last_name": "Kola", "email": f"{role}@example.org", "role": role},
        )
        assert response.status_code == 400
    api = APIClient()
    api.force_authenticate(admin)
    refused = api.post(
        reverse("api-invite"),
        {"agency": agency.pk, "role": "police_liaison", "first_name": "Eda", "last_name": "Kola",
         "email": "eda@example.org"},
        format="json",
    )  # fmt: skip
    assert refused.status_code == 400 and "Only a coordinator" in refused.json()["role"][0]
    with pytest.raises(Exception, match="Only a coordinator"):
        joining.invite_person(
            actor=admin, agency=agency, role="data_protection_officer", first_name="E", last_name="K",
            email="dpo@example.org",
        )  # fmt: skip
    assert not User.objects.filter(email__endswith="@example.org").exists()
    # what they may grant, they grant
    response = client.post(
        reverse("people_invite", args=[agency.pk]),
        {"first_name": "Eda", "last_name": "Kola", "email": "eda@example.org", "role": "supervisor"},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user__email="eda@example.org", role="supervisor").exists()


def test_a_coordinator_makes_someone_a_data_protection_officer(
    client: Client, coordinator: User, agency: Agency
) -> None:
    client.force_login(coordinator)
    form = client.get(reverse("people_invite", args=[agency.pk])).content.decode()
    assert 'value="data_protection_officer"' in form and 'value="police_liaison"' in form
    response = client.post(
        reverse("people_invite", args=[agency.pk]),
        {"first_name": "Dita", "last_name": "Mema", "email": "dita@example.org", "role": "data_protection_officer"},
    )
    assert response.status_code == 302


def test_a_leavers_open_invitation_no_longer_lets_them_in(coordinator: User, agency: Agency) -> None:
    # given: a person invited, who has not opened the link yet
    person = joining.invite_person(
        actor=coordinator, agency=agency, role="practitioner", first_name="Ilir", last_name="Basha",
        email="ilir@example.org",
    )  # fmt: skip
    link = _invitation_link("ilir@example.org")
    token = link.rstrip("/").rsplit("/", 1)[1]
    # when: their membership is ended
    joining.end_membership(actor=coordinator, membership=person.memberships.get(), ended_on=timezone.localdate())
    # then: the link neither opens nor sets a password, and they stay unable to sign in
    joiner = Client()
    assert joiner.get(link).status_code == 404
    assert joiner.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}).status_code == 404
    with pytest.raises(Exception, match="invitation link"):
        joining.accept_invitation(token, NEW_PASSWORD)
    person.refresh_from_db()
    assert not person.is_active and not person.has_usable_password()


def test_an_invitation_of_a_person_with_no_membership_is_refused(coordinator: User, agency: Agency) -> None:
    person = joining.invite_person(
        actor=coordinator, agency=agency, role="practitioner", first_name="Ana", last_name="Dema",
        email="ana@example.org",
    )  # fmt: skip
    token = _invitation_link("ana@example.org").rstrip("/").rsplit("/", 1)[1]
    Membership.objects.filter(user=person).delete()  # e.g. removed in the admin
    with pytest.raises(Exception, match="invitation link"):
        joining.accept_invitation(token, NEW_PASSWORD)


def test_invite_again_is_only_for_people_who_have_not_joined(
    client: Client, coordinator: User, caseworker: User, agency: Agency
) -> None:
    client.force_login(coordinator)
    # someone who has signed in and has a password: no new link (404), nothing sent
    joined = caseworker.memberships.get()
    assert client.post(reverse("people_invite_again", args=[joined.pk])).status_code == 404
    assert not Message.objects.filter(kind="invitation").exists()
    # someone who never joined: a new link
    person = joining.invite_person(
        actor=coordinator, agency=agency, role="practitioner", first_name="Ana", last_name="Dema",
        email="ana@example.org",
    )  # fmt: skip
    response = client.post(reverse("people_invite_again", args=[person.memberships.get().pk]))
    assert response.status_code == 302
    assert Message.objects.filter(kind="invitation", to="ana@example.org").count() == 2


def test_a_departure_carried_out_by_the_hourly_task_is_recorded(coordinator: User, caseworker: User) -> None:
    membership = caseworker.memberships.get()
    leaving = timezone.localdate() + datetime.timedelta(days=2)
    joining.end_membership(actor=coordinator, membership=membership, ended_on=leaving)
    assert AuditEvent.objects.filter(action="membership_ended").count() == 1  # the decision, scheduled
    with time_machine.travel(leaving + datetime.timedelta(hours=12)):
        assert joining.end_due_memberships() == 1
    carried_out = AuditEvent.objects.filter(action="membership_ended").order_by("pk").last()
    assert carried_out is not None and carried_out.actor is None
    assert AuditEvent.objects.filter(action="membership_ended").count() == 2
    assert carried_out.data["carried_out"] is True and carried_out.data["ended_by"] == coordinator.pk


def test_an_agency_administrator_who_ends_a_membership_is_told_who_reassigns_the_open_cases(
    client: Client, agency: Agency, caseworker: User, case: Case
) -> None:
    admin = _admin_of(agency)
    client.force_login(admin)
    response = client.post(
        reverse("people_end", args=[caseworker.memberships.get().pk]), {"ended_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 200
    assert reverse("panels:reassign", args=[caseworker.pk]).encode() not in response.content
    assert b"They own 1 open case." in response.content
    assert b"supervisor or the panel's coordinator" in response.content
