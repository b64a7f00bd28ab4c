"""The API as a whole: JSON only, its schema for signed-in users only, an unknown method refused
cleanly, object filters that answer a hidden id as they answer a missing one, tokens that expire,
and throttling (decision 41)."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from agencies.models import Panel, User
from cases.models import Case
from panels import services as panel_services
from tests.conftest import api_as
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_an_unknown_http_method_is_a_405_not_a_500(caseworker: User) -> None:
    response = api_as(caseworker).generic("PROPFIND", reverse("cases-api:case-list"))
    assert response.status_code == 405


def test_the_schema_is_for_signed_in_users_only(caseworker: User) -> None:
    assert APIClient().get(reverse("api-schema")).status_code in (401, 403)
    assert APIClient().get(reverse("api-docs")).status_code in (401, 403)


def test_the_api_answers_json_only(case: Case, caseworker_other_agency: User) -> None:
    # the browsable API would render filter forms listing every case
    response = api_as(caseworker_other_agency).get(reverse("cases-api:caseshare-list"), HTTP_ACCEPT="text/html")
    assert response.status_code in (200, 406)
    assert case.family.name.encode() not in response.content


# --- Object filters ---------------------------------------------------------------------------------


def test_a_hidden_case_in_a_share_filter_is_refused_like_a_missing_one(
    case: Case, caseworker_other_agency: User
) -> None:
    client = api_as(caseworker_other_agency)
    hidden = client.get(reverse("cases-api:caseshare-list"), {"case": case.pk})
    missing = client.get(reverse("cases-api:caseshare-list"), {"case": 987654})
    assert hidden.status_code == missing.status_code == 400
    assert str(hidden.data).replace(str(case.pk), "N") == str(missing.data).replace("987654", "N")


def test_object_filters_refuse_hidden_ids_like_missing_ones(
    case: Case, caseworker_other_agency: User, panel: Panel, coordinator: User
) -> None:
    meeting = panel_services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    client = api_as(caseworker_other_agency)
    for name, param, hidden in (
        ("cases-api:disclosurecheck-list", "case", case.pk),
        ("panels-api:agendaitem-list", "meeting", meeting.pk),
    ):
        shown, missing = client.get(reverse(name), {param: hidden}), client.get(reverse(name), {param: 987654})
        assert shown.status_code == missing.status_code == 400, name


# --- Tokens and throttling --------------------------------------------------------------------------


def test_api_tokens_expire(caseworker: User) -> None:
    assert settings.REST_KNOX["TOKEN_TTL"] == timedelta(hours=10)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        token = APIClient().post(reverse("api-token"), {"username": caseworker.username, "password": PASSWORD})
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.data['token']}")
        assert client.get("/api/v1/cases/").status_code == 200
        clock.shift(timedelta(hours=9, minutes=59))
        assert client.get("/api/v1/cases/").status_code == 200
        clock.shift(timedelta(minutes=2))
        assert client.get("/api/v1/cases/").status_code == 401


def test_the_api_throttles_users(caseworker: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {**UserRateThrottle.THROTTLE_RATES, "user": "3/minute"})
    client = APIClient()
    client.force_authenticate(caseworker)
    answers = [client.get("/api/v1/cases/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_signing_in_for_a_token_is_throttled(caseworker: User) -> None:
    client = APIClient()
    answers = [
        client.post(reverse("api-token"), {"username": "caseworker", "password": "wrong"}).status_code
        for _ in range(12)
    ]
    assert answers[-1] == 429 and 400 in answers


def test_the_token_endpoint_has_a_stricter_scope(caseworker: User) -> None:
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert isinstance(rates, dict) and rates["sign_in"] == "10/minute"
    answers = [
        APIClient().post(reverse("api-token"), {"username": "nobody", "password": "x"}).status_code for _ in range(11)
    ]
    assert answers[-1] == 429
