"""No answer that may carry case or person data is kept by a browser or a proxy: every endpoint of
the endpoint table, for the case owner (who reads it), a stranger (refused) and an anonymous visitor
(sent to sign in), answers `Cache-Control: no-store` and `Pragma: no-cache`. The vendored static
files alone stay cacheable."""

from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import NoReverseMatch, reverse

from agencies.models import User
from tests.test_endpoint_permissions import ENDPOINTS, EXEMPT, World, _client
from tests.test_endpoint_permissions import stranger as stranger  # the table's fixtures, registered here
from tests.test_endpoint_permissions import world as world

pytestmark = pytest.mark.django_db


def _not_stored(response: Any) -> None:
    directives = {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= directives, response.headers.get("Cache-Control")
    assert response.headers.get("Pragma") == "no-cache"


def test_every_endpoint_answers_no_store_to_everyone(request: pytest.FixtureRequest) -> None:
    world: World = request.getfixturevalue("world")
    stranger: User = request.getfixturevalue("stranger")
    for user in (world.case.owner, stranger, None):
        for endpoint in ENDPOINTS:
            client = _client(endpoint, user)
            client.raise_request_exception = False
            # A GET of every route: a page, a form with the case's data, a list, or a refusal.
            response = client.get(endpoint.url(world))
            _not_stored(response)


@pytest.mark.parametrize("name", sorted(name for name in EXEMPT if ":" not in name and name != "api-logout"))
def test_the_pages_without_case_data_are_not_stored_either(name: str, caseworker: User) -> None:
    client = Client()
    client.force_login(caseworker)
    client.raise_request_exception = False
    _not_stored(client.get(_url(name)))


def _url(name: str) -> str:
    """The route with a placeholder id or token where it takes one (the answer, a page or a
    refusal, must not be stored either)."""
    for args in ([], [1], ["x"], [1, 1]):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    raise AssertionError(f"{name}: no placeholder arguments fit")


def test_a_download_is_not_stored(request: pytest.FixtureRequest) -> None:
    world: World = request.getfixturevalue("world")
    client = Client()
    client.force_login(world.case.owner)
    attachment = world.entries["attachment"]
    response = client.get(reverse("cases:attachment_file", args=[world.case.pk, attachment.pk]))
    assert response.status_code == 200
    _not_stored(response)


def test_the_vendored_static_files_stay_cacheable() -> None:
    assert finders.find("vendor/htmx/htmx.min.js")
    response = Client().get("/static/vendor/htmx/htmx.min.js")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
