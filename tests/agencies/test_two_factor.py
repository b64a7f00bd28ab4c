"""Two-factor sign-in (decision 37): required in production, where a password alone reaches only
enrolment; asked of anyone enrolled wherever it is optional; and asked by the API's token endpoint."""

from datetime import timedelta

import time_machine
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from agencies.models import User
from tests.agencies.conftest import sign_in
from tests.factories import PASSWORD


def code(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@override_settings(URA_REQUIRE_2FA=True)
def test_when_required_a_password_alone_reaches_only_enrolment(caseworker: User) -> None:
    client = Client()
    sign_in(client, caseworker)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor"))
    assert client.get(reverse("cases:case_list")).status_code == 302
    assert client.get("/api/v1/cases/").status_code == 403

    page = client.get(reverse("two_factor"))
    assert page.status_code == 200
    assert b"<svg" in page.content  # the QR code, drawn on the server
    device = TOTPDevice.objects.get(user=caseworker, confirmed=False)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        refused = client.post(reverse("two_factor"), {"otp_token": "000000"})
        assert refused.status_code == 200 and b"not right" in refused.content
        clock.shift(timedelta(seconds=5))  # django-otp slows down guessing after a wrong code
        answer = client.post(reverse("two_factor"), {"otp_token": code(device)})
    assert answer.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200


def test_an_enrolled_user_gives_a_code_even_where_2fa_is_optional(caseworker: User) -> None:
    assert settings.URA_REQUIRE_2FA is False
    device = enrolled(caseworker)
    client = Client()
    sign_in(client, caseworker)
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert client.post(reverse("two_factor_verify"), {"otp_token": "123"}).status_code == 400
        clock.shift(timedelta(seconds=5))
        assert client.post(reverse("two_factor_verify"), {"otp_token": code(device)}).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_where_2fa_is_optional_a_demo_like_user_signs_in_with_a_password(caseworker: User) -> None:
    client = Client()
    sign_in(client, caseworker)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("two_factor")).status_code == 200  # may enrol


@override_settings(URA_REQUIRE_2FA=True)
def test_the_api_token_needs_the_code_when_2fa_is_required(caseworker: User) -> None:
    url = reverse("api-token")
    body = {"username": caseworker.username, "password": PASSWORD}
    response = APIClient().post(url, body)
    assert response.status_code == 400
    assert "two-factor" in str(response.data)
    device = enrolled(caseworker)
    response = APIClient().post(url, body)
    assert response.status_code == 400 and "otp_token" in response.data
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert APIClient().post(url, {**body, "otp_token": "000000"}).status_code == 400
        clock.shift(timedelta(seconds=5))
        response = APIClient().post(url, {**body, "otp_token": code(device)})
    assert response.status_code == 200, response.data
    assert response.data["token"]
