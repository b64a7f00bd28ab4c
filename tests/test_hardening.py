"""Hardened sign-in and deployment (decisions 37 to 41): two-factor sign-in, lock-out, idle timeout,
passwords, security headers and the Content Security Policy, `check --deploy`, API token expiry and
throttling."""

import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from agencies.models import User
from agencies.security import LAST_SEEN
from audit.models import AuditEvent
from tests.test_settings import PRODUCTION_ENV

PASSWORD = "test-password-1"
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def sign_in(client: Client, user: User) -> Any:
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


# --- Two-factor sign-in ---------------------------------------------------------------------------


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


# --- Headers and the Content Security Policy --------------------------------------------------------


def test_pages_carry_a_strict_content_security_policy(caseworker: User, client: Client) -> None:
    client.force_login(caseworker)
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_template_has_inline_script_handlers_or_styles() -> None:
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    style = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if inline_script.search(text := path.read_text()) or handler.search(text) or style.search(text)
    ]
    assert offenders == []


def test_production_settings_pass_check_deploy() -> None:
    env = {
        **os.environ,
        **PRODUCTION_ENV,
        # check --deploy also judges the key's randomness.
        "DJANGO_SECRET_KEY": "x8#kq2Lz!vP0wR7mT4nB9cY6hJ3fD1sA5gE8uI2oK7lM0pQ4rS9tV6wX3yZ1aB5c",
    }
    # The browser tests set this in the test process (Playwright runs an event loop); a production
    # process never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_two_factor_is_required_in_production_only() -> None:
    code = "import django; django.setup(); from django.conf import settings; print(settings.URA_REQUIRE_2FA)"
    for module, expected in (("settings.production", "True"), ("settings.local", "False")):
        env = {**os.environ, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": module}
        env.pop("URA_REQUIRE_2FA", None)
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        assert result.stdout.strip() == expected, result.stderr


# --- API tokens and throttling ------------------------------------------------------------------------


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


def test_the_token_endpoint_has_a_stricter_scope(caseworker: User) -> None:
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["sign_in"] == "10/minute"  # type: ignore[index]
    answers = [
        APIClient().post(reverse("api-token"), {"username": "nobody", "password": "x"}).status_code for _ in range(11)
    ]
    assert answers[-1] == 429


# --- Uploads ------------------------------------------------------------------------------------------


def test_uploads_live_outside_the_web_root_and_no_url_serves_them(caseworker: User, client: Client) -> None:
    media = Path(settings.MEDIA_ROOT).resolve()
    for served in [*settings.STATICFILES_DIRS, settings.STATIC_ROOT]:
        if served is not None:
            assert not media.is_relative_to(Path(served).resolve())
    assert not media.is_relative_to((Path(settings.BASE_DIR) / "templates").resolve())
    client.force_login(caseworker)
    for path in ("/media/attachments/1/x.pdf", "/attachments/1/x.pdf", "/var/media/attachments/1/x.pdf"):
        assert client.get(path).status_code == 404


def test_the_media_root_comes_from_the_environment() -> None:
    code = "import django; django.setup(); from django.conf import settings; print(settings.MEDIA_ROOT)"
    env = {**os.environ, **PRODUCTION_ENV, "URA_MEDIA_ROOT": "/srv/ura-uploads"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "/srv/ura-uploads", result.stderr
