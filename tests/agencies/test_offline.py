"""A visit recorded without a connection (decision 89): the key the page encrypts with is kept on
the server for the user's current sign-ins, is replaced after URA_OFFLINE_HOURS, outlives an idle
sign-out, and an explicit sign-out ends it and tells the browser to clear what the site stored."""

import base64
import datetime
import time
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import OfflineKey, User
from agencies.security import LAST_SEEN, revoke_sign_ins
from tests.agencies.conftest import sign_in

pytestmark = pytest.mark.django_db


def key_of(client: Client) -> str:
    response = client.get(reverse("offline_key"))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    key: str = response.json()["key"]
    return key


def test_it_gives_a_signed_in_page_one_key_for_its_session(caseworker: User, colleague: User, settings: Any) -> None:
    # given two workers signed in
    settings.URA_OFFLINE_HOURS = 6
    hers, his = Client(), Client()
    sign_in(hers, caseworker)
    sign_in(his, colleague)
    # then each session has its own 256-bit key, the same on every page, and the limit in hours
    assert len(base64.b64decode(key_of(hers))) == 32
    assert key_of(hers) == key_of(hers) != key_of(his)
    assert hers.get(reverse("offline_key")).json()["hours"] == 6
    # and a signed-out visitor gets none
    assert Client().get(reverse("offline_key")).status_code == 401


def test_the_key_is_replaced_after_the_configured_hours(caseworker: User, settings: Any) -> None:
    # given a key made nine hours ago, with a limit of eight
    settings.URA_OFFLINE_HOURS = 8
    client = Client()
    sign_in(client, caseworker)
    first = key_of(client)
    OfflineKey.objects.filter(user=caseworker).update(made_at=timezone.now() - datetime.timedelta(hours=9))
    # then what it encrypted can no longer be read: the page is given a new one
    assert key_of(client) != first


def test_the_key_outlives_a_cache_emptied(caseworker: User) -> None:
    # given a key given to the page
    client = Client()
    sign_in(client, caseworker)
    first = key_of(client)
    # when the cache restarts empty (a Redis restarted without its data)
    cache.clear()
    # then the page is given the same key: what it encrypted offline can still be read
    assert key_of(client) == first


def idle(client: Client) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()


def test_an_idle_sign_out_keeps_the_key_and_the_browser_s_storage(caseworker: User) -> None:
    # given a worker whose page holds her key, and who typed offline
    client = Client()
    sign_in(client, caseworker)
    first = key_of(client)
    # when the idle time-out signs her out (the server's, or the page's script's sign-out)
    idle(client)
    response = client.get("/")
    assert response.status_code == 302
    sign_in(client, caseworker)
    idle(client)
    by_script = client.post(reverse("logout"), {"ura_idle": "1"})
    # then the browser keeps what it holds, and after signing in again the same key reads it
    assert "Clear-Site-Data" not in response and "Clear-Site-Data" not in by_script
    sign_in(client, caseworker)
    assert key_of(client) == first


@pytest.mark.parametrize("how", ["button", "revoke_sign_ins"])
def test_signing_out_on_purpose_or_revoking_ends_the_key(caseworker: User, how: str) -> None:
    # given a worker whose page holds her key
    client = Client()
    sign_in(client, caseworker)
    first = key_of(client)
    # when she signs out, or her sign-ins are revoked
    if how == "button":
        response = client.post(reverse("logout"))
        # then the browser is told to clear the site's storage
        assert response["Clear-Site-Data"] == '"cache", "storage"'
    else:
        revoke_sign_ins(caseworker, reason="test")
        caseworker.refresh_from_db()
    # and the next sign-in has another key
    sign_in(client, caseworker)
    assert key_of(client) != first


def test_other_answers_do_not_clear_the_browser(caseworker: User) -> None:
    client = Client()
    sign_in(client, caseworker)
    assert "Clear-Site-Data" not in client.get("/")
