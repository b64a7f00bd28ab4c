"""Nothing typed is lost: a long form is kept for its author alone while they type; a form sent
after the idle time-out is kept and given back after signing in again; a form that went through
is forgotten."""

import json
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agencies.access import Action
from agencies.kept import keep
from agencies.models import KeptForm, User
from agencies.security import LAST_SEEN
from cases.models import Case, Contact
from tests.agencies.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NOTE = "Ardit talked about the boxing club; his father was worried about the phone."


def kept_on(client: Client, path: str) -> Any:
    return client.get(reverse("kept_form"), {"path": path}).json()["fields"]


def send(client: Client, path: str, fields: dict[str, Any]) -> Any:
    body = json.dumps({"path": path, "fields": fields})
    return client.post(reverse("kept_form"), body, content_type="application/json")


def idle(client: Client) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()


def contact_url(case: Case) -> str:
    return reverse("cases:entry_create", args=[case.pk, "contact"])


class TestKeptWhileTyping:
    def test_what_is_typed_is_kept_for_its_author_alone(self, case: Case, caseworker: User, colleague: User) -> None:
        # given a worker typing a visit note
        author, other = Client(), Client()
        sign_in(author, caseworker)
        sign_in(other, colleague)
        path = contact_url(case)
        assert send(author, path, {"discussed": [NOTE], "kind": ["home_visit"]}).status_code == 200
        # then it comes back to her on that page, to nobody else, and not on another page
        assert kept_on(author, path) == {"discussed": [NOTE], "kind": ["home_visit"]}
        assert kept_on(other, path) is None
        assert kept_on(author, "/elsewhere/") is None
        assert KeptForm.objects.restrict(colleague, Action.VIEW).count() == 0
        # and a signed-out visitor learns nothing
        assert Client().get(reverse("kept_form"), {"path": path}).status_code == 401

    def test_no_password_or_token_is_kept_and_a_sent_form_is_forgotten(self, case: Case, caseworker: User) -> None:
        path = contact_url(case)
        keep(caseworker, path, {"password": ["x"], "csrfmiddlewaretoken": ["t"], "discussed": [NOTE]})
        assert KeptForm.objects.get().fields == {"discussed": [NOTE]}
        # when the form goes through, marked as a kept form
        client = Client()
        client.force_login(caseworker)
        data = {"kind": "home_visit", "outcome": "held", "occurred_at": "2026-01-05T10:00", "discussed": NOTE}
        response = client.post(path, {**data, "visibility": "case_team", "ura_kept": "1"})
        # then it is recorded and no longer kept
        assert response.status_code == 302 and Contact.objects.get().discussed == NOTE
        assert not KeptForm.objects.exists()


class TestSentAfterTheIdleTimeOut:
    def test_the_form_is_kept_and_given_back_to_the_same_user_after_signing_in(
        self, case: Case, caseworker: User, colleague: User
    ) -> None:
        # given a worker whose session timed out while she wrote the visit note
        client = Client()
        sign_in(client, caseworker)
        idle(client)
        path = contact_url(case)
        # when she sends it
        response = client.post(path, {"kind": "home_visit", "discussed": NOTE, "csrfmiddlewaretoken": "x"})
        # then nothing is recorded, she is asked to sign in, and the sign-in brings her back to the form
        assert response.status_code == 302 and not Contact.objects.exists()
        assert response.url == reverse("login") + "?next=" + f"{path}%23ura-restore".replace("/", "%2F")
        back = f"{path}#ura-restore"
        after = client.post(reverse("login"), {"username": caseworker.username, "password": PASSWORD, "next": back})
        assert after.url == back
        # and what she typed is there for her, and for nobody else
        assert kept_on(client, path) == {"kind": ["home_visit"], "discussed": [NOTE]}
        other = Client()
        sign_in(other, colleague)
        assert kept_on(other, path) is None

    def test_the_last_keep_sent_after_the_time_out_is_kept(self, case: Case, caseworker: User) -> None:
        client = Client()
        sign_in(client, caseworker)
        idle(client)
        path = contact_url(case)
        assert send(client, path, {"discussed": [NOTE]}).status_code == 302  # signed out
        sign_in(client, caseworker)
        assert kept_on(client, path) == {"discussed": [NOTE]}

    def test_stay_signed_in_keeps_the_session(self, caseworker: User) -> None:
        client = Client()
        sign_in(client, caseworker)
        assert client.post(reverse("keep_alive")).status_code == 204
        assert Client().post(reverse("keep_alive")).status_code == 401


def run_out(client: Client) -> None:
    """The session ends on its own (its 8-hour age): the server no longer knows it."""
    session = client.session
    session.set_expiry(-1)
    session.save()


class TestKeptAfterTheSessionRanOut:
    def test_a_form_sent_after_the_session_ran_out_is_kept_for_its_author(
        self, case: Case, caseworker: User, colleague: User
    ) -> None:
        # given a worker whose session reached its 8-hour limit while she wrote the visit note
        client = Client()
        sign_in(client, caseworker)
        path = contact_url(case)
        assert client.get(path).status_code == 200
        run_out(client)
        # when she sends it
        response = client.post(path, {"kind": "home_visit", "discussed": NOTE})
        # then nothing is recorded, and signing in again brings her back to what she typed
        assert response.status_code == 302 and not Contact.objects.exists()
        assert response.url == reverse("login") + "?next=" + f"{path}%23ura-restore".replace("/", "%2F")
        sign_in(client, caseworker)
        assert kept_on(client, path) == {"kind": ["home_visit"], "discussed": [NOTE]}
        other = Client()
        sign_in(other, colleague)
        assert kept_on(other, path) is None

    def test_nothing_is_kept_after_signing_out_or_with_a_made_up_author(self, case: Case, caseworker: User) -> None:
        client = Client()
        sign_in(client, caseworker)
        path = contact_url(case)
        client.get(path)
        client.post(reverse("logout"))
        client.post(path, {"discussed": NOTE})
        forged = Client()
        forged.cookies["ura_author"] = f"{caseworker.pk}:0"
        forged.cookies["sessionid"] = "gone"
        forged.post(path, {"discussed": NOTE})
        assert not KeptForm.objects.exists()

    def test_revoking_the_sign_ins_ends_the_cookie(self, case: Case, caseworker: User) -> None:
        from agencies.security import revoke_sign_ins

        client = Client()
        sign_in(client, caseworker)
        path = contact_url(case)
        client.get(path)
        revoke_sign_ins(caseworker, reason="test")
        client.post(path, {"discussed": NOTE})
        assert not KeptForm.objects.exists()


def signed_in_checking_csrf(user: User) -> Client:
    """A browser-like client: Django's CSRF check applies, and its token is known from the cookie."""
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))
    token = client.cookies["csrftoken"].value
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    return client


class TestAForgedPostIsNotKept:
    @pytest.mark.parametrize("how", ["idle time-out", "session ran out"])
    def test_a_post_without_a_valid_token_is_not_kept(self, case: Case, caseworker: User, how: str) -> None:
        # given a worker whose session ended (idle, or its 8-hour limit)
        client = signed_in_checking_csrf(caseworker)
        path = contact_url(case)
        assert client.get(path).status_code == 200
        idle(client) if how == "idle time-out" else run_out(client)
        # when another site makes her browser post a form, or the script's keep, without the token
        client.post(path, {"kind": "home_visit", "discussed": NOTE})
        client.post(
            reverse("kept_form"), json.dumps({"path": path, "fields": {"discussed": [NOTE]}}), "application/json"
        )
        # then nothing is kept for her
        assert not KeptForm.objects.exists()

    @pytest.mark.parametrize("how", ["idle time-out", "session ran out"])
    def test_her_own_post_with_its_token_is_kept(self, case: Case, caseworker: User, how: str) -> None:
        client = signed_in_checking_csrf(caseworker)
        path = contact_url(case)
        assert client.get(path).status_code == 200
        token = client.cookies["csrftoken"].value
        idle(client) if how == "idle time-out" else run_out(client)
        client.post(path, {"kind": "home_visit", "discussed": NOTE, "csrfmiddlewaretoken": token})
        assert KeptForm.objects.get(user=caseworker, path=path).fields["discussed"] == [NOTE]


def test_the_idle_warning_counts_from_the_time_the_server_last_saw_her(caseworker: User, settings: Any) -> None:
    # given a 30-minute time-out and a worker the server last saw 50 seconds ago (within the minute
    # in which it does not write the session again)
    settings.URA_IDLE_TIMEOUT_MINUTES = 30
    client = Client()
    sign_in(client, caseworker)
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 50
    session.save()
    # when she opens a page
    response = client.get("/")
    # then the page is told what the server will actually allow, not the whole 30 minutes
    signed_out_in = 30 * 60 - (int(time.time()) - client.session[LAST_SEEN])
    left = response.context["idle_seconds_left"]
    assert signed_out_in - 2 <= left <= signed_out_in <= 30 * 60 - 50
    assert f'data-idle-seconds-left="{left}"' in response.content.decode()
