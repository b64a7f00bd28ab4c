"""Signing in and staying signed in (decisions 38, 39): repeated failures lock one username out from one
address, in the browser and at the API's token endpoint; an idle session ends; weak passwords are
refused; a new password or a membership that ends ends the sign-ins it should (decision 64)."""

import time

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from agencies.models import Membership, User
from agencies.security import LAST_SEEN
from audit.models import AuditEvent
from tests.agencies.conftest import sign_in
from tests.factories import PASSWORD

# --- Lock-out -------------------------------------------------------------------------------------


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_username_from_that_address(caseworker: User, colleague: User) -> None:
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(3):
        response = client.post(reverse("login"), {"username": caseworker.username, "password": "wrong-password!"})
    response = sign_in(client, caseworker)
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content
    # Failed sign-ins are still in the audit trail, with the attempted username.
    failures = AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED)
    assert failures.count() >= 3
    # Another person at the same address, and the same person elsewhere, are not locked out.
    assert sign_in(Client(REMOTE_ADDR="10.0.0.1"), colleague).status_code == 302
    assert sign_in(Client(REMOTE_ADDR="10.0.0.2"), caseworker).status_code == 302


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_the_api_token_endpoint_locks_out_too(caseworker: User) -> None:
    url = reverse("api-token")
    client = APIClient(REMOTE_ADDR="10.0.0.3")
    answers = [
        client.post(url, {"username": caseworker.username, "password": "wrong-password!"}).status_code for _ in range(3)
    ]
    assert answers == [400, 400, 429]  # the third failure reaches the limit
    response = client.post(url, {"username": caseworker.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.json()["detail"]


# --- Idle timeout ---------------------------------------------------------------------------------


@override_settings(URA_IDLE_TIMEOUT_MINUTES=30)
def test_an_idle_session_is_signed_out_with_a_message(caseworker: User) -> None:
    client = Client()
    client.force_login(caseworker)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "signed out after a period of inactivity" in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_an_active_session_stays(caseworker: User) -> None:
    client = Client()
    client.force_login(caseworker)
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 29 * 60
    session.save()
    assert client.get(reverse("home")).status_code == 200


# --- Passwords --------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["Short1!", "password1234", "123456789012"])
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_uncommon_password_is_accepted() -> None:
    validate_password("harbour-lantern-quietly-47")


def _token(user: User) -> APIClient:
    """An API client signed with a fresh token of `user`."""
    response = APIClient().post(reverse("api-token"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.data
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.data['token']}")
    return client


def _browser(user: User) -> Client:
    client = Client()
    assert sign_in(client, user).status_code == 302
    return client


def test_a_new_password_ends_the_api_tokens_and_the_other_sessions(caseworker: User) -> None:
    # given a tablet's API token and a browser session
    api, browser = _token(caseworker), _browser(caseworker)
    assert api.get("/api/v1/cases/").status_code == 200
    assert browser.get(reverse("home")).status_code == 200
    # when the password is changed (by the user elsewhere, or an administrator)
    caseworker.set_password("a-new-long-uncommon-password-7")
    caseworker.save()
    # then neither signs in any more
    assert api.get("/api/v1/cases/").status_code == 401
    assert browser.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKENS_REVOKED, data__detail="password_changed").exists()


def test_an_account_closed_to_passwords_ends_its_api_tokens(caseworker: User) -> None:
    api = _token(caseworker)
    caseworker.set_unusable_password()
    caseworker.save()
    assert api.get("/api/v1/cases/").status_code == 401


def test_a_password_hash_upgrade_at_sign_in_ends_nothing(caseworker: User) -> None:
    api = _token(caseworker)
    caseworker.check_password(PASSWORD)  # may re-hash; not a new password
    caseworker.save()
    assert api.get("/api/v1/cases/").status_code == 200


@pytest.mark.parametrize("change", ["deleted", "moved", "new_role", "new_agency"])
def test_a_membership_that_ends_ends_every_sign_in(caseworker: User, change: str) -> None:
    from tests.factories import AgencyFactory, UserFactory

    api, browser = _token(caseworker), _browser(caseworker)
    membership = caseworker.memberships.get()
    # when the membership ends or changes, in the admin or through a service
    if change == "deleted":
        membership.delete()
    else:
        if change == "moved":
            membership.user = UserFactory()
        elif change == "new_role":
            membership.role = Membership.Role.PANEL_MEMBER
        else:
            membership.agency = AgencyFactory()
        membership.save()
    # then every token and browser session of the person who held it ends
    assert api.get("/api/v1/cases/").status_code == 401
    assert browser.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_INS_REVOKED, data__subject=caseworker.pk).exists()


def test_a_new_membership_ends_nothing(caseworker: User) -> None:
    from tests.factories import AgencyFactory

    api, browser = _token(caseworker), _browser(caseworker)
    Membership.objects.create(user=caseworker, agency=AgencyFactory(), role=Membership.Role.PANEL_MEMBER)
    assert api.get("/api/v1/cases/").status_code == 200
    assert browser.get(reverse("home")).status_code == 200


# --- Behind a proxy -------------------------------------------------------------------------------


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5, URA_TRUSTED_PROXIES=1)
def test_rotating_forwarded_addresses_do_not_escape_the_lock_out(caseworker: User) -> None:
    # given Ura behind one proxy, which appends the address it saw (203.0.113.9) to what the client sent
    answers = []
    for attempt in range(14):
        client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}, 203.0.113.9")
        answers.append(
            client.post(reverse("login"), {"username": caseworker.username, "password": "wrong-password!"}).status_code
        )
    # then the made-up addresses change nothing: the fifth failure locks the pair out
    assert answers[:4] == [200] * 4 and set(answers[5:]) == {429}
    # and the audit trail records the client's address, not the proxy's
    failure = AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED).first()
    assert failure is not None and failure.ip_address == "203.0.113.9"


@override_settings(URA_TRUSTED_PROXIES=1)
def test_the_api_throttle_counts_the_client_behind_the_proxy(caseworker: User) -> None:
    # given the sign-in rate (10 a minute) and made-up addresses in front of the proxy's
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}):
        answers = [
            APIClient(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.9")
            .post(reverse("api-token"), {"username": caseworker.username, "password": "wrong-password!"})
            .status_code
            for n in range(12)
        ]
    # then the throttle counts one client and stops it
    assert answers[:10] == [400] * 10 and answers[10:] == [429, 429]
