"""A NUL byte anywhere in a request (the path, the query string, a form or JSON body) is refused
before a view or a query reads it, and the refusal is recorded like any other: PostgreSQL can
neither store nor compare it, so it used to end as a server error, unrecorded."""

from urllib.parse import urlencode

import pytest
from django.test import Client
from rest_framework.test import APIClient

from agencies.models import User
from audit.models import AuditEvent
from cases.models import Case

pytestmark = pytest.mark.django_db


def _refusals(user: User) -> int:
    return AuditEvent.objects.filter(actor=user, action=AuditEvent.Action.ACCESS_DENIED).count()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/cases/%00/", 404),
        ("/cases/1%00/entries/", 404),
        ("/api/v1/cases/%00/", 404),
        ("/cases/?q=%00", 400),
        ("/api/v1/cases/?q=a%00b", 400),
        ("/api/v1/referrals/matches/?subject_family_name=%00", 400),
        ("/referrals/matches/?subject_family_name=Kra%00", 400),
    ],
)
def test_a_nul_byte_in_the_address_is_refused_and_recorded(path: str, status: int, caseworker: User) -> None:
    client = Client()
    client.force_login(caseworker)
    before = _refusals(caseworker)
    assert client.get(path).status_code == status
    assert _refusals(caseworker) == before + 1
    recorded = AuditEvent.objects.filter(actor=caseworker, action=AuditEvent.Action.ACCESS_DENIED).latest("pk")
    assert "\x00" not in recorded.data["path"] and recorded.data["path"].startswith(path.split("?")[0].split("%00")[0])


def test_a_nul_byte_in_a_form_or_a_json_body_is_refused(case: Case, caseworker: User) -> None:
    browser = Client()
    browser.force_login(caseworker)
    api = APIClient()
    api.force_login(caseworker)  # signed in by session: a token is read by the API view, after the refusal
    # a browser posts a form url-encoded
    encoded = urlencode({"text": "a\x00b", "visibility": "case_team"})
    form = browser.post(f"/cases/{case.pk}/record/casenote/", encoded, content_type="application/x-www-form-urlencoded")
    body = api.post("/api/v1/case-notes/", {"case": case.pk, "text": "a\x00b"}, format="json")
    assert form.status_code == body.status_code == 400
    assert not case.notes.exists()
    assert _refusals(caseworker) == 2


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("get", "/api/v1/cases/1%00/", None, 404),
        ("get", "/api/v1/cases/?q=a%00b", None, 400),
        ("post", "/api/v1/case-notes/", {"case": 1, "text": "a\x00b"}, 400),
        ("get", "/api/v1/cases/not-an-id/", None, 404),  # no route takes it: refused before any view
    ],
)
def test_a_refusal_before_the_view_is_recorded_for_the_api_tokens_holder(
    method: str, path: str, body: dict[str, object] | None, status: int, caseworker: User
) -> None:
    from knox.models import AuthToken

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(caseworker)[1]}")
    before = _refusals(caseworker)
    response = getattr(api, method)(path, body, format="json") if body else getattr(api, method)(path)
    assert response.status_code == status
    assert _refusals(caseworker) == before + 1
    recorded = AuditEvent.objects.filter(actor=caseworker, action=AuditEvent.Action.ACCESS_DENIED).latest("pk")
    assert "\x00" not in recorded.data["path"]


def test_a_bad_token_refused_before_the_view_records_nobody(caseworker: User) -> None:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert api.get("/api/v1/cases/1%00/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_DENIED).exists()
