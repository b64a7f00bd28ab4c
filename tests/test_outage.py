"""A database or Redis that does not answer gives a 503 in the user's language (JSON on the API),
never a 500 or a hang; a bug stays a 500."""

from typing import Any

import pytest
from django.db import IntegrityError, OperationalError
from django.test import Client

from agencies.models import User
from pages.views import HomeView

pytestmark = pytest.mark.django_db


def failing(error: Exception) -> Any:
    def get(*args: Any, **kwargs: Any) -> None:
        raise error

    return get


@pytest.mark.parametrize("language", ["en", "sq"])
def test_a_database_that_does_not_answer_gives_a_clear_page_in_the_users_language(
    caseworker: User, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    User.objects.filter(pk=caseworker.pk).update(language=language)
    monkeypatch.setattr(HomeView, "get", failing(OperationalError("canceling statement due to statement timeout")))
    client = Client(raise_request_exception=False)
    client.force_login(caseworker)
    response = client.get("/")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    body = response.content.decode()
    expected = "Ura nuk është e disponueshme për një çast" if language == "sq" else "Ura is not available for a moment"
    assert expected in body and f'lang="{language}"' in body


def test_the_api_answers_an_outage_in_json(caseworker: User, monkeypatch: pytest.MonkeyPatch) -> None:
    from redis.exceptions import ConnectionError as RedisDown

    from cases.api.views import CaseViewSet

    monkeypatch.setattr(CaseViewSet, "list", failing(RedisDown("Connection refused")))
    client = Client(raise_request_exception=False)
    client.force_login(caseworker)
    response = client.get("/api/v1/cases/")
    assert response.status_code == 503 and response.headers["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_an_integrity_error_is_still_a_server_error(caseworker: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(HomeView, "get", failing(IntegrityError("duplicate key")))
    client = Client(raise_request_exception=False)
    client.force_login(caseworker)
    assert client.get("/").status_code == 500
