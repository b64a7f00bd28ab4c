"""A write sent twice is stored once: every form that posts carries an idempotency key made when
it was rendered, API clients send an `Idempotency-Key` header, and a repeat with the same key gets
the first answer back and stores nothing new."""

import datetime
import re
import time
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from agencies.models import IdempotentRequest, Panel, User
from cases.entry_kinds import KINDS
from cases.models import Case, CaseNote, Contact
from referrals import front_door
from referrals.models import ConcernReceipt, Referral
from referrals.services import code_hash

pytestmark = pytest.mark.django_db

FORM = re.compile(r"<form\b[^>]*method=\"?post[^>]*>(.*?)</form>", re.IGNORECASE | re.DOTALL)
KEY = re.compile(r'name="idempotency_key" value="([0-9a-f]{32})"')
FOLLOW_UP_CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def key_of(client: Client, url: str) -> str:
    """The key of the page's first form that posts, as the browser would send it."""
    response = client.get(url)
    assert response.status_code == 200
    found = KEY.search(response.content.decode())
    assert found, f"{url}: its form has no idempotency key"
    return found.group(1)


def visit(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "home_visit",
        "outcome": "held",
        "occurred_at": (timezone.localtime() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "cooperation": "cooperative",
        "discussed": "The boxing club",
        "visibility": "case_team",
        **overrides,
    }


INTAKE = {
    "channel": "general_hotline",
    "received_at": "2026-01-05T10:30",
    "subject_given_name": "Ardit",
    "subject_family_name": "Krasnici",
    "person_told": "unknown",
    "concern": "Talks about travelling to join a group.",
    "ideology": "religious",
    "urgency": "routine",
}


def create_pages(case: Case) -> list[str]:
    """Every create form a case owner opens: each kind of entry (a new kind is here by itself),
    a referral, a question to a partner."""
    pages = [reverse("cases:entry_create", args=[case.pk, kind.slug]) for kind in KINDS]
    return [*pages, reverse("referrals:referral_create")]


def test_every_form_that_posts_on_a_create_page_carries_its_own_key(case: Case, caseworker: User) -> None:
    client = client_for(caseworker)
    opened = 0
    for url in create_pages(case):
        response = client.get(url)
        if response.status_code != 200:  # a kind this agency does not record (the police's assessment)
            continue
        opened += 1
        forms = FORM.findall(response.content.decode())
        assert forms, url
        keys = [KEY.search(form) for form in forms]
        assert all(keys), f"{url}: a form without an idempotency key"
    assert opened >= len([kind for kind in KINDS if kind.sector is None])  # the police's kinds are the police's
    # and two renderings of one page carry two keys
    url = create_pages(case)[0]
    assert key_of(client, url) != key_of(client, url)


def test_a_home_visit_posted_twice_is_stored_once_and_both_land_on_it(case: Case, caseworker: User) -> None:
    client = client_for(caseworker)
    url = reverse("cases:entry_create", args=[case.pk, "contact"])
    data = visit(visitors=[caseworker.pk], idempotency_key=key_of(client, url))
    # when the same form is sent twice (a double tap, a retry after a dropped answer)
    first = client.post(url, data)
    second = client.post(url, data)
    # then one visit, and both answers lead to it
    contact = Contact.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == contact.get_absolute_url()


def test_a_note_posted_twice_is_stored_once(case: Case, caseworker: User) -> None:
    client = client_for(caseworker)
    url = reverse("cases:entry_create", args=[case.pk, "casenote"])
    data = {"text": "Spoke with the school", "visibility": "case_team", "idempotency_key": key_of(client, url)}
    assert client.post(url, data).status_code == client.post(url, data).status_code == 302
    assert CaseNote.objects.count() == 1


def test_a_referral_posted_twice_is_stored_once(caseworker: User) -> None:
    client = client_for(caseworker)
    url = reverse("referrals:referral_create")
    data = {**INTAKE, "idempotency_key": key_of(client, url)}
    first, second = client.post(url, data), client.post(url, data)
    assert first.url == second.url == Referral.objects.get().get_absolute_url()


def test_a_form_refused_then_corrected_is_stored_with_the_same_key(case: Case, caseworker: User) -> None:
    client = client_for(caseworker)
    url = reverse("cases:entry_create", args=[case.pk, "casenote"])
    key = key_of(client, url)
    # when the form comes back with an error, and is sent again corrected with its key
    assert client.post(url, {"text": "", "visibility": "case_team", "idempotency_key": key}).status_code == 200
    response = client.post(url, {"text": "Corrected", "visibility": "case_team", "idempotency_key": key})
    # then the corrected note is stored
    assert response.status_code == 302 and CaseNote.objects.get().text == "Corrected"


def test_the_same_key_from_another_user_is_another_request(case: Case, caseworker: User, supervisor: User) -> None:
    url = reverse("cases:entry_create", args=[case.pk, "casenote"])
    data = {"text": "Seen", "visibility": "case_team", "idempotency_key": uuid.uuid4().hex}
    client_for(caseworker).post(url, data)
    client_for(supervisor).post(url, data)
    assert CaseNote.objects.count() == 2
    assert IdempotentRequest.objects.count() == 2


def token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user)[1]}")
    return client


@pytest.mark.parametrize(
    ("route", "payload", "model"),
    [
        ("cases-api:contact-list", lambda case: {**visit(visitors=[case.owner_id]), "case": case.pk}, Contact),
        ("cases-api:casenote-list", lambda case: {"case": case.pk, "text": "Said"}, CaseNote),
    ],
    ids=["contact", "casenote"],
)
def test_an_api_create_sent_twice_with_a_key_answers_the_same_and_stores_once(
    case: Case, caseworker: User, route: str, payload: Any, model: Any
) -> None:
    client = token_client(caseworker)
    data = payload(case)
    data.pop("visibility", None)
    data.pop("outcome", None)
    data["occurred_at"] = (timezone.now() - datetime.timedelta(hours=2)).isoformat() if "occurred_at" in data else None
    data = {name: value for name, value in data.items() if value is not None}
    headers = {"HTTP_IDEMPOTENCY_KEY": "client-retry-0001"}
    first = client.post(reverse(route), data, format="json", **headers)
    second = client.post(reverse(route), data, format="json", **headers)
    assert first.status_code == second.status_code == 201, first.content
    assert first.json() == second.json() and second.headers["Idempotent-Replay"] == "true"
    assert model.objects.count() == 1
    # and without a key, a second request is a second write
    assert client.post(reverse(route), data, format="json").status_code == 201
    assert model.objects.count() == 2


def test_the_api_create_of_a_referral_is_stored_once(caseworker: User) -> None:
    client = token_client(caseworker)
    data = {**INTAKE, "received_at": "2026-01-05T10:30:00+01:00"}
    headers = {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}
    first = client.post(reverse("referrals-api:referral-list"), data, format="json", **headers)
    second = client.post(reverse("referrals-api:referral-list"), data, format="json", **headers)
    assert first.status_code == second.status_code == 201, first.content
    assert Referral.objects.count() == 1


def test_a_malformed_key_is_refused(caseworker: User) -> None:
    response = token_client(caseworker).post(
        reverse("referrals-api:referral-list"), INTAKE, format="json", HTTP_IDEMPOTENCY_KEY="<>"
    )
    assert response.status_code == 400 and not Referral.objects.exists()


def public_concern(panel: Panel, **extra: str) -> dict[str, str]:
    """The public concern page as a worried relative sends it, a minute after it was given."""
    return {
        "panel": str(panel.pk),
        "channel": "family_or_friend",
        "subject_given_name": "Arben",
        "person_told": "no",
        "concern": "My nephew talks of going abroad to fight.",
        "started": front_door.issue_started(at=time.time() - 60),
        front_door.HONEYPOT: "",
        **extra,
    }


def test_the_public_concern_page_sent_twice_stores_one_concern_and_shows_the_same_code(panel: Panel) -> None:
    # given a relative, signed in nowhere, on the public page with its key
    visitor = Client()
    url = reverse("referrals:public_concern")
    key = key_of(visitor, url)
    data = public_concern(panel, idempotency_key=key)
    # when she taps "send" twice
    first, second = visitor.post(url, data), visitor.post(url, data)
    # then one concern is stored, and both answers show the one code it was given
    assert first.status_code == second.status_code == 200
    codes = [FOLLOW_UP_CODE.findall(response.content.decode()) for response in (first, second)]
    assert codes[0] and codes[0] == codes[1]
    assert Referral.objects.count() == ConcernReceipt.objects.count() == 1
    # and the repeated answer carries the first one's security headers
    for header in ("Content-Security-Policy", "X-Frame-Options", "Cache-Control"):
        assert second.get(header) == first.get(header) is not None, header
    assert ConcernReceipt.objects.get().code_hash == code_hash(codes[0][0])
    # and the table of keys keeps neither the key nor the code in the clear
    row = IdempotentRequest.objects.get()
    assert row.user is None and key not in row.key
    assert codes[0][0].encode() not in bytes(row.content)
    # and another visitor's page, with its own key, is another concern
    other = Client()
    assert other.post(url, public_concern(panel, idempotency_key=key_of(other, url))).status_code == 200
    assert Referral.objects.count() == 2


def test_a_refused_public_concern_is_not_kept_and_may_be_sent_again_with_its_key(panel: Panel) -> None:
    visitor = Client()
    url = reverse("referrals:public_concern")
    key = key_of(visitor, url)
    assert visitor.post(url, public_concern(panel, concern="", idempotency_key=key)).status_code == 400
    assert visitor.post(url, public_concern(panel, idempotency_key=key)).status_code == 200
    assert Referral.objects.count() == 1


def test_the_public_api_sent_twice_with_a_key_answers_the_same_and_stores_once(panel: Panel) -> None:
    api = APIClient()
    url = reverse("referrals-api:public-concern")
    data = {"panel": panel.pk, "concern": "Worried.", "started": front_door.issue_started(at=time.time() - 60)}
    key = uuid.uuid4().hex
    first = api.post(url, data, format="json", HTTP_IDEMPOTENCY_KEY=key)
    second = api.post(url, data, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == second.status_code == 201, first.content
    assert first.json() == second.json() and second.headers["Idempotent-Replay"] == "true"
    assert Referral.objects.count() == 1
    # and another key is another concern
    assert api.post(url, data, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex).status_code == 201
    assert Referral.objects.count() == 2
    # and a key used on the page is not the same request as on the API
    assert ConcernReceipt.objects.count() == 2 and IdempotentRequest.objects.filter(user=None).count() == 2


def test_kept_answers_are_forgotten_after_the_hours_set(caseworker: User, settings: Any) -> None:
    from agencies.idempotency import forget_old
    from agencies.models import IdempotentRequest
    from agencies.tasks import forget_idempotency_keys_task

    settings.URA_IDEMPOTENCY_HOURS = 24
    # given an answer kept 25 hours ago and one kept now
    old = IdempotentRequest.objects.create(user=caseworker, key="old", method="POST", path="/", status=302)
    IdempotentRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=25))
    IdempotentRequest.objects.create(user=caseworker, key="new", method="POST", path="/", status=302)
    # when beat's hourly task runs, the old one is forgotten and the new one kept
    assert forget_idempotency_keys_task() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
    # and a day later the new one goes too
    assert forget_old(timezone.now() + datetime.timedelta(hours=25)) == 1
