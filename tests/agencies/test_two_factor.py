"""Two-factor sign-in (decision 37): required in production, where a password alone reaches only
enrolment; asked of anyone enrolled wherever it is optional; and asked by the API's token endpoint."""

from datetime import timedelta
from typing import Any

import time_machine
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from agencies.models import EnrolmentCode, Membership, RecoveryCode, User
from agencies.two_factor import issue_enrolment_code, issue_recovery_codes
from audit.models import AuditEvent
from tests.agencies.conftest import sign_in
from tests.conftest import member
from tests.factories import PASSWORD


def code(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@override_settings(URA_REQUIRE_2FA=True)
def test_when_required_a_password_alone_reaches_only_enrolment(caseworker: User, supervisor: User) -> None:
    client = Client()
    sign_in(client, caseworker)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor"))
    assert client.get(reverse("cases:case_list")).status_code == 302
    assert client.get("/api/v1/cases/").status_code == 403

    # a password alone enrols nothing: the enrolment code from a supervisor comes first
    assert b"<svg" not in client.get(reverse("two_factor")).content
    given = issue_enrolment_code(caseworker, actor=supervisor)
    assert client.post(reverse("two_factor"), {"enrolment_code": given}).status_code == 302
    page = client.get(reverse("two_factor"))
    assert page.status_code == 200
    assert b"<svg" in page.content  # the QR code, drawn on the server
    device = TOTPDevice.objects.get(user=caseworker, confirmed=False)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        refused = client.post(reverse("two_factor"), {"otp_token": "000000"})
        assert refused.status_code == 200 and b"not right" in refused.content
        clock.shift(timedelta(seconds=5))  # django-otp slows down guessing after a wrong code
        answer = client.post(reverse("two_factor"), {"otp_token": code(device)})
    assert answer.status_code == 200 and len(answer.context["codes"]) == 10  # the recovery codes, once
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


def _enrolment_page(client: Client, body: dict[str, str]) -> Any:
    return client.post(reverse("two_factor"), body)


def test_a_password_alone_does_not_enrol_an_authenticator(caseworker: User) -> None:
    # given someone who holds only the password of an account not yet enrolled
    client = Client()
    sign_in(client, caseworker)
    # then the enrolment page asks for an enrolment code and shows no secret
    page = client.get(reverse("two_factor"))
    assert b"<svg" not in page.content and "code_form" in page.context
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
    # and a made-up code, or a TOTP code in its place, is refused
    for guess in ("abcde-fghij-klmno", "123456"):
        assert _enrolment_page(client, {"enrolment_code": guess}).status_code == 400
        assert _enrolment_page(client, {"otp_token": guess}).status_code == 400
    assert not TOTPDevice.objects.filter(user=caseworker).exists()


def test_an_enrolment_code_works_once_and_only_for_its_person(
    caseworker: User, colleague: User, supervisor: User
) -> None:
    given = issue_enrolment_code(caseworker, actor=supervisor)
    # kept hashed: the code itself is nowhere in the database
    assert not EnrolmentCode.objects.filter(code_hash__contains=given).exists()
    other = Client()
    sign_in(other, colleague)
    assert _enrolment_page(other, {"enrolment_code": given}).status_code == 400
    client = Client()
    sign_in(client, caseworker)
    assert _enrolment_page(client, {"enrolment_code": given.upper().replace("-", " ")}).status_code == 302
    again = Client()
    sign_in(again, caseworker)
    assert _enrolment_page(again, {"enrolment_code": given}).status_code == 400


def test_an_enrolment_code_expires(caseworker: User, supervisor: User) -> None:
    given = issue_enrolment_code(caseworker, actor=supervisor)
    with time_machine.travel(timezone.now() + timedelta(hours=settings.URA_ENROLMENT_CODE_HOURS, minutes=1)):
        client = Client()
        sign_in(client, caseworker)
        assert _enrolment_page(client, {"enrolment_code": given}).status_code == 400


def test_a_new_enrolment_code_ends_the_earlier_one(caseworker: User, supervisor: User) -> None:
    first = issue_enrolment_code(caseworker, actor=supervisor)
    issue_enrolment_code(caseworker, actor=supervisor)
    client = Client()
    sign_in(client, caseworker)
    assert _enrolment_page(client, {"enrolment_code": first}).status_code == 400


def test_supervisors_and_administrators_of_the_persons_agency_give_codes(
    caseworker: User, supervisor: User, colleague: User, caseworker_other_agency: User
) -> None:
    admin = member(caseworker.memberships.get().agency, Membership.Role.AGENCY_ADMIN, username="agency_admin")
    url = reverse("two_factor_codes")
    for issuer in (supervisor, admin):
        client = Client()
        client.force_login(issuer)
        page = client.get(url)
        assert page.status_code == 200
        people = set(page.context["form"].fields["user"].queryset)
        assert caseworker in people and caseworker_other_agency not in people and issuer not in people
        issued = client.post(url, {"user": caseworker.pk})
        assert issued.status_code == 200 and issued.context["issued"]["code"]
        # another agency's person is not theirs to enrol
        assert client.post(url, {"user": caseworker_other_agency.pk}).status_code == 400
    # a practitioner issues nothing: the page does not exist for them
    practitioner = Client()
    practitioner.force_login(colleague)
    assert practitioner.get(url).status_code == 404
    assert practitioner.post(url, {"user": caseworker.pk}).status_code == 404
    issued_events = AuditEvent.objects.filter(action=AuditEvent.Action.ENROLMENT_CODE_ISSUED)
    assert issued_events.count() == 2 and all(e.data["subject"] == caseworker.pk for e in issued_events)


def test_the_admin_gives_an_enrolment_code(caseworker: User) -> None:
    root = User.objects.create_superuser("root", "root@example.org", "a-long-uncommon-password-9")
    client = Client()
    client.force_login(root)
    response = client.post(
        reverse("admin:agencies_user_changelist"),
        {"action": "issue_enrolment_code", "_selected_action": [caseworker.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert EnrolmentCode.objects.filter(user=caseworker, issued_by=root, used_at__isnull=True).count() == 1
    assert "Enrolment code for" in response.content.decode()


def test_a_recovery_code_signs_in_once_in_place_of_the_app(caseworker: User) -> None:
    enrolled(caseworker)
    codes = issue_recovery_codes(caseworker)
    assert len(set(codes)) == 10
    assert not RecoveryCode.objects.filter(code_hash__in=codes).exists()  # kept hashed
    client = Client()
    sign_in(client, caseworker)
    assert client.post(reverse("two_factor_verify"), {"otp_token": codes[0]}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    again = Client()
    sign_in(again, caseworker)
    assert again.post(reverse("two_factor_verify"), {"otp_token": codes[0]}).status_code == 400
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RECOVERY_CODE_USED, actor=caseworker).count() == 1


def test_new_recovery_codes_end_the_old_ones(caseworker: User) -> None:
    device = enrolled(caseworker)
    old = issue_recovery_codes(caseworker)
    client = Client()
    sign_in(client, caseworker)
    client.post(reverse("two_factor_verify"), {"otp_token": code(device)})
    assert client.get(reverse("two_factor_recovery")).context["left"] == 10
    response = client.post(reverse("two_factor_recovery"))
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    other = Client()
    sign_in(other, caseworker)
    assert other.post(reverse("two_factor_verify"), {"otp_token": old[1]}).status_code == 400
    assert other.post(reverse("two_factor_verify"), {"otp_token": new[1]}).status_code == 302


@override_settings(URA_REQUIRE_2FA=True)
def test_the_api_token_takes_a_recovery_code_once(caseworker: User) -> None:
    enrolled(caseworker)
    codes = issue_recovery_codes(caseworker)
    body = {"username": caseworker.username, "password": PASSWORD, "otp_token": codes[2]}
    assert APIClient().post(reverse("api-token"), body).status_code == 200
    assert APIClient().post(reverse("api-token"), body).status_code == 400
