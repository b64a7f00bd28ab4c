"""Someone who already works in Ura joins a second agency without a new account (decision 139): a
social worker seconded to the info-house NGO is added by a coordinator by user name or e-mail
address, is told by e-mail, and starts under the induction of their new role. An agency's
administrator does not add an existing account (they would learn whose account exists); a leaver
who comes back chooses a new password through a new invitation."""

import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from agencies import induction, joining
from agencies.models import Agency, Membership, User
from audit.models import AuditEvent
from outbox.models import Message
from tests.agencies.conftest import JOINING_PASSWORD, joined, signed_in
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


@dataclass
class Partnership:
    social: Agency
    ngo: Agency
    social_admin: User
    ngo_admin: User
    arta: User  # a social worker of the social services
    coordinator: User


def _browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def partnership(coordinator: User) -> Partnership:
    # The coordinator sets up two agencies and their administrators; the social services'
    # administrator invites a social worker, who joins.
    social = joining.add_agency(actor=coordinator, name="Social services Fier", sector="social_care")
    ngo = joining.add_agency(actor=coordinator, name="Info-house NGO", sector="ngo")
    social_admin = joined(coordinator, social, "agency_admin", "Besa Leka")
    ngo_admin = joined(coordinator, ngo, "agency_admin", "Drita Gjoni")
    arta = joined(social_admin, social, "practitioner", "Arta Hoxha")
    return Partnership(social, ngo, social_admin, ngo_admin, arta, coordinator)


def test_a_coordinator_adds_a_social_worker_to_the_ngo_without_a_new_account(partnership: Partnership) -> None:
    p = partnership
    people = User.objects.count()
    browser = _browser(p.coordinator)
    # the agency's page offers it
    assert (
        reverse("people_add_member", args=[p.ngo.pk]).encode()
        in browser.get(reverse("people_agency", args=[p.ngo.pk])).content
    )
    form = browser.get(reverse("people_add_member", args=[p.ngo.pk])).content.decode()
    assert 'value="practitioner"' in form
    # when: they add her by her e-mail address (its case aside)
    response = browser.post(
        reverse("people_add_member", args=[p.ngo.pk]), {"who": "ARTA@example.org", "role": "practitioner"}
    )
    # then: she is a member of both agencies, with one account, her password and groups
    assert response.status_code == 302 and response.url == reverse("people_agency", args=[p.ngo.pk])
    assert User.objects.count() == people
    assert set(p.arta.memberships.values_list("agency__name", "role")) == {
        ("Social services Fier", "practitioner"),
        ("Info-house NGO", "practitioner"),
    }
    assert p.arta.groups.filter(pk=p.ngo.group_id).exists()
    signed_in(p.arta)  # her password works as before
    # she is told, and the page lists her
    told = Message.objects.get(kind="membership_added", to="arta@example.org")
    assert "Info-house NGO" in told.body and "You sign in as before" in told.body
    assert b"Arta Hoxha" in browser.get(reverse("people_agency", args=[p.ngo.pk])).content
    # and the trail records who added whom, where, in which role
    event = AuditEvent.objects.get(action="membership_added", actor=p.coordinator, object_id=str(p.arta.pk))
    assert event.object_id == str(p.arta.pk)
    assert event.data["agency"] == p.ngo.pk and event.data["role"] == "practitioner"
    assert event.data["existing_account"] is True and "switched_on_by_invitation" not in event.data


def test_an_agency_administrator_does_not_add_an_existing_account(partnership: Partnership) -> None:
    p = partnership
    browser = signed_in(p.ngo_admin)
    # no button on the agency's page, no form, and a post is refused before anyone is looked up:
    # the same answer for an account that exists and for one that does not (nothing to enumerate)
    assert (
        reverse("people_add_member", args=[p.ngo.pk]).encode()
        not in browser.get(reverse("people_agency", args=[p.ngo.pk])).content
    )
    assert browser.get(reverse("people_add_member", args=[p.ngo.pk])).status_code == 403
    answers = []
    for who in ("arta@example.org", "nobody@example.org"):
        posted = browser.post(reverse("people_add_member", args=[p.ngo.pk]), {"who": who, "role": "practitioner"})
        api = api_as(p.ngo_admin).post(
            reverse("api-memberships"), {"agency": p.ngo.pk, "who": who, "role": "practitioner"}, format="json"
        )
        assert posted.status_code == 403 and api.status_code == 403
        answers.append((posted.status_code, api.json()))
        assert b"Hoxha" not in posted.content and "Hoxha" not in api.content.decode()
    assert answers[0] == answers[1]
    with pytest.raises(PermissionError):
        joining.add_member(actor=p.ngo_admin, agency=p.ngo, who="arta@example.org", role="practitioner")
    assert not p.arta.memberships.filter(agency=p.ngo).exists()
    assert not Message.objects.filter(kind="membership_added").exists()


def test_the_notice_is_written_in_the_persons_language(partnership: Partnership) -> None:
    User.objects.filter(pk=partnership.arta.pk).update(language="sq")
    joining.add_member(actor=partnership.coordinator, agency=partnership.ngo, who="arta@example.org", role="supervisor")
    told = Message.objects.get(kind="membership_added")
    assert told.subject == "Ura: u shtuat në Info-house NGO"
    assert "Mbikëqyrës" in told.body


def test_a_duplicate_is_refused_cleanly(partnership: Partnership) -> None:
    p = partnership
    joining.add_member(actor=p.coordinator, agency=p.ngo, who=p.arta.username, role="practitioner")
    browser = _browser(p.coordinator)
    # again, by user name, in another role: refused with a message, nothing added, nobody told twice
    response = browser.post(
        reverse("people_add_member", args=[p.ngo.pk]), {"who": p.arta.username.upper(), "role": "supervisor"}
    )
    assert response.status_code == 400
    assert b"already a member of this agency" in response.content
    refused = api_as(p.coordinator).post(
        reverse("api-memberships"), {"agency": p.ngo.pk, "who": "arta@example.org", "role": "supervisor"}, format="json"
    )
    assert refused.status_code == 400 and "already a member" in refused.json()["who"][0]
    assert p.arta.memberships.filter(agency=p.ngo).count() == 1
    assert Message.objects.filter(kind="membership_added").count() == 1


def test_a_name_nobody_has_is_told_to_the_coordinator(partnership: Partnership) -> None:
    p = partnership
    unknown = _browser(p.coordinator).post(
        reverse("people_add_member", args=[p.ngo.pk]), {"who": "nobody@example.org", "role": "practitioner"}
    )
    assert unknown.status_code == 400 and b"Invite them as a new person instead" in unknown.content


def test_an_agency_is_added_to_only_by_who_manages_it(partnership: Partnership) -> None:
    p = partnership
    # the social services' administrator manages no NGO: no page (404), and the API refuses the agency
    browser = signed_in(p.social_admin)
    assert browser.get(reverse("people_add_member", args=[p.ngo.pk])).status_code == 404
    posted = browser.post(
        reverse("people_add_member", args=[p.ngo.pk]), {"who": "arta@example.org", "role": "practitioner"}
    )
    assert posted.status_code == 404
    refused = api_as(p.social_admin).post(
        reverse("api-memberships"),
        {"agency": p.ngo.pk, "who": "arta@example.org", "role": "practitioner"},
        format="json",
    )
    assert refused.status_code == 403  # no agency administrator adds an existing account
    unknown = api_as(p.coordinator).post(
        reverse("api-memberships"), {"agency": 999999, "who": "arta@example.org", "role": "practitioner"}, format="json"
    )
    assert unknown.status_code == 400 and "agency" in unknown.json()
    albanian = api_as(p.coordinator)
    albanian.credentials(HTTP_ACCEPT_LANGUAGE="sq")  # the refusal in the caller's language
    unknown = albanian.post(
        reverse("api-memberships"), {"agency": 999999, "who": "arta@example.org", "role": "practitioner"}, format="json"
    )
    assert unknown.json()["agency"] == ["Nuk ka agjenci të tillë ndër ato që menaxhoni."]
    # a practitioner manages nothing
    assert signed_in(p.arta).get(reverse("people_add_member", args=[p.social.pk])).status_code == 404
    assert not p.arta.memberships.filter(agency=p.ngo).exists()


def test_nobody_adds_themself_to_an_agency(coordinator: User, partnership: Partnership) -> None:
    # the coordinator manages every agency, yet does not give themself a role in one
    client = Client()
    client.force_login(coordinator)
    response = client.post(
        reverse("people_add_member", args=[partnership.ngo.pk]), {"who": coordinator.username, "role": "supervisor"}
    )
    assert response.status_code == 403 and b"Nobody gives themself a role" in response.content
    refused = api_as(coordinator).post(
        reverse("api-memberships"), {"agency": partnership.ngo.pk, "who": coordinator.username, "role": "supervisor"},
        format="json",
    )  # fmt: skip
    assert refused.status_code == 403 and "Nobody gives themself a role" in refused.json()["detail"]
    assert not coordinator.memberships.filter(agency=partnership.ngo).exists()


def test_the_new_membership_starts_under_the_induction_of_its_role(coordinator: User, partnership: Partnership) -> None:
    p = partnership
    # given: a protocol for panel members only, and the social worker at work (cleared, cached)
    protocol = induction.publish_protocol(
        actor=coordinator, title="The table's confidentiality", text="What is said at the table stays there.",
        roles=["panel_member"],
    )  # fmt: skip
    browser = signed_in(p.arta)
    assert browser.get(reverse("home")).status_code == 200
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(p.arta)[1]}")
    assert api.get(reverse("cases-api:case-list")).status_code == 200
    # when: the NGO makes her a panel member
    joining.add_member(actor=p.coordinator, agency=p.ngo, who="arta@example.org", role="panel_member")
    # then: her very next request asks for the protocol first, in the browser and the API
    response = browser.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("induction"))
    refused = api.get(reverse("cases-api:case-list"))
    assert refused.status_code == 403 and refused.json()["code"] == "induction_required"
    # once acknowledged, she works on
    browser.post(reverse("induction"), {"protocol": [protocol.pk], "read": "on"})
    assert browser.get(reverse("home")).status_code == 200


def test_a_leaver_who_comes_back_chooses_a_new_password_and_second_factor(partnership: Partnership) -> None:
    p = partnership
    # given: she had an authenticator and recovery codes, then left the social services, and her
    # account was switched off
    TOTPDevice.objects.create(user=p.arta, name="phone", confirmed=True)
    membership = p.arta.memberships.get()
    joining.end_membership(actor=p.social_admin, membership=membership, ended_on=timezone.localdate())
    p.arta.refresh_from_db()
    assert not p.arta.is_active
    # when: the NGO takes her on
    joining.add_member(actor=p.coordinator, agency=p.ngo, who="arta@example.org", role="practitioner")
    # then: her old password and second factor no longer open the account
    p.arta.refresh_from_db()
    assert p.arta.is_active and not p.arta.has_usable_password()
    assert not TOTPDevice.objects.filter(user=p.arta).exists()
    old = Client().post(reverse("login"), {"username": p.arta.username, "password": JOINING_PASSWORD})
    assert old.status_code != 302
    # she is invited as a new person (not told to sign in as before), and the trail says so
    assert not Message.objects.filter(kind="membership_added").exists()
    body = Message.objects.filter(to="arta@example.org", kind="invitation").latest("pk").body
    event = AuditEvent.objects.get(action="membership_added", actor=p.coordinator, object_id=str(p.arta.pk))
    assert event.data["switched_on_by_invitation"] is True
    # the coordinator may invite her again until she opens it, like a new person
    assert not joining.has_joined(p.arta)
    # her new password opens the account
    token = re.search(r"/accounts/invitation/([^\s/]+)/", body)
    assert token
    joining.accept_invitation(token.group(1), "A-new-river-lantern-88")
    fresh = Client().post(reverse("login"), {"username": p.arta.username, "password": "A-new-river-lantern-88"})
    assert fresh.status_code == 302


def test_an_account_an_administrator_switched_off_stays_off(partnership: Partnership) -> None:
    p = partnership
    User.objects.filter(pk=p.arta.pk).update(is_active=False)  # in the admin, for a reason of its own
    refused = api_as(p.coordinator).post(
        reverse("api-memberships"),
        {"agency": p.ngo.pk, "who": "arta@example.org", "role": "practitioner"},
        format="json",
    )
    assert refused.status_code == 400 and "switched off" in refused.json()["who"][0]
    assert not p.arta.memberships.filter(agency=p.ngo).exists()


def test_the_api_adds_an_existing_person_and_lists_the_agencys_people(partnership: Partnership) -> None:
    p = partnership
    api = api_as(p.coordinator)
    created = api.post(
        reverse("api-memberships"),
        {"agency": p.ngo.pk, "who": "arta@example.org", "role": "practitioner"},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {
        "id", "agency", "user", "username", "full_name", "email", "role", "joined", "leaves_on", "created_at",
    }  # fmt: skip
    assert (body["agency"], body["user"], body["role"], body["joined"]) == (p.ngo.pk, p.arta.pk, "practitioner", True)
    listed = api_as(p.ngo_admin).get(reverse("api-agency-memberships", args=[p.ngo.pk]))
    assert listed.status_code == 200
    assert {(row["username"], row["role"]) for row in listed.json()} == {
        (p.ngo_admin.username, "agency_admin"),
        (p.arta.username, "practitioner"),
    }
    # another agency's administrator finds no such list
    assert api_as(p.social_admin).get(reverse("api-agency-memberships", args=[p.ngo.pk])).status_code == 404
    assert api_as(p.arta).get(reverse("api-agency-memberships", args=[p.ngo.pk])).status_code == 404


def test_the_agencys_page_asks_as_many_queries_whatever_its_number_of_people(partnership: Partnership) -> None:
    p = partnership
    browser = signed_in(p.ngo_admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert browser.get(reverse("people_agency", args=[p.ngo.pk])).status_code == 200
        return len(captured)

    one = queries()
    joining.add_member(actor=p.coordinator, agency=p.ngo, who="arta@example.org", role="practitioner")
    joining.add_member(actor=p.coordinator, agency=p.ngo, who="besa@example.org", role="supervisor")
    joining.change_roles(
        actor=p.ngo_admin, membership=p.arta.memberships.get(agency=p.ngo), roles=["practitioner", "panel_member"]
    )
    assert Membership.objects.filter(agency=p.ngo).count() == 4
    assert queries() == one


def test_a_membership_added_twice_at_once_is_the_already_a_member_message(
    partnership: Partnership, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the unique membership refuses the second of two additions that both found none: a message, no 500
    p = partnership
    joining.add_member(actor=p.coordinator, agency=p.ngo, who="arta@example.org", role="practitioner")
    real_filter = Membership.objects.filter

    def nobody_yet(*args: object, **kwargs: object) -> object:
        found = real_filter(*args, **kwargs)
        return found.none() if kwargs.keys() == {"user", "agency"} else found

    monkeypatch.setattr(Membership.objects, "filter", nobody_yet)
    response = _browser(p.coordinator).post(
        reverse("people_add_member", args=[p.ngo.pk]), {"who": "arta@example.org", "role": "practitioner"}
    )
    assert response.status_code == 400 and b"already a member of this agency" in response.content
