"""Every endpoint, three unwelcome visitors: a stranger gets nothing (404, or an empty list), an
anonymous visitor is sent to sign in (401/403 on the API), a reader who may not write gets 403.

A new URL fails `test_every_endpoint_is_in_the_table` until it is added here.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from agencies.models import Agency, Panel, User
from cases.models import Case, CaseShare
from tests.factories import share

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    args: Callable[["World"], list[int]]
    kind: str  # "object": one case's data; "list": a list of rows; "write": changes an object
    api: bool = False
    role_gate: str = ""  # a global permission checked before any row is looked at

    def url(self, world: "World") -> str:
        return reverse(self.name, args=self.args(world))


@dataclass
class World:
    case: Case
    share: CaseShare
    panel: Panel


def no_args(world: World) -> list[int]:
    return []


def case_id(world: World) -> list[int]:
    return [world.case.pk]


def share_ids(world: World) -> list[int]:
    return [world.case.pk, world.share.pk]


ENDPOINTS = [
    Endpoint("home", "get", no_args, "list"),
    Endpoint("cases:case_list", "get", no_args, "list"),
    Endpoint("cases:case", "get", case_id, "object"),
    Endpoint("cases:case_share", "post", case_id, "write"),
    Endpoint("cases:case_assign", "post", case_id, "write"),
    Endpoint("cases:caseshare_revoke", "post", share_ids, "write"),
    Endpoint("agencies:panel_list", "get", no_args, "list", role_gate="agencies.view_panel"),
    Endpoint("agencies:panel", "get", lambda w: [w.panel.pk], "object", role_gate="agencies.view_panel"),
    Endpoint("cases-api:case-list", "get", no_args, "list", api=True),
    Endpoint("cases-api:case-detail", "get", case_id, "object", api=True),
    Endpoint("cases-api:case-assign-owner", "post", case_id, "write", api=True),
    Endpoint("cases-api:caseshare-list", "get", no_args, "list", api=True),
    Endpoint("cases-api:caseshare-detail", "get", lambda w: [w.share.pk], "object", api=True),
    Endpoint("cases-api:caseshare-revoke", "post", lambda w: [w.share.pk], "write", api=True),
]
# URL names that carry no case data, with the reason.
EXEMPT = {
    "login": "the sign-in page",
    "logout": "signs the user out",
    "set_language": "the user's own language",
    "api-token": "exchanges credentials for a token",
    "api-logout": "ends the caller's own token",
    "api-schema": "describes the API, holds no data",
    "api-docs": "the schema's documentation page",
    "cases-api:api-root": "links to the list endpoints",
}


def _names(patterns: list[Any], namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                yield from _names(
                    pattern.url_patterns, namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                )
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def test_every_endpoint_is_in_the_table() -> None:
    covered = {endpoint.name for endpoint in ENDPOINTS} | set(EXEMPT)
    assert sorted(set(_names(get_resolver().url_patterns)) - covered) == []


@pytest.fixture
def world(case: Case, panel: Panel, other_agency: Agency) -> World:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    case.refresh_from_db()
    return World(case=case, share=share(case, other_agency, CaseShare.Scope.FULL), panel=panel)


def _client(endpoint: Endpoint, user: User | None) -> Client | APIClient:
    client = APIClient() if endpoint.api else Client()
    if user is not None:
        client.force_login(user)
    return client


def _call(endpoint: Endpoint, user: User | None, world: World) -> Any:
    client = _client(endpoint, user)
    return getattr(client, endpoint.method)(endpoint.url(world), {})


@pytest.fixture
def stranger(db: None) -> User:
    """Works cases for an agency with no link to the case or the panel."""
    from tests.conftest import member
    from tests.factories import AgencyFactory

    return member(AgencyFactory(name="Housing office"), username="stranger")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_a_stranger_gets_nothing(endpoint: Endpoint, world: World, stranger: User) -> None:
    response = _call(endpoint, stranger, world)
    if endpoint.role_gate and not stranger.has_perm(endpoint.role_gate):
        # the role does not do this at all: refused for every id alike, so nothing is learnt
        assert response.status_code == 403
    elif endpoint.kind == "list":
        assert response.status_code == 200
        body = response.content.decode()
        assert world.case.family.name not in body and world.case.reference not in body
    else:
        assert response.status_code == 404
        assert world.case.family.name not in response.content.decode()


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_anonymous_is_turned_away(endpoint: Endpoint, world: World) -> None:
    response = _call(endpoint, None, world)
    if endpoint.api:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert world.case.family.name not in response.content.decode()


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.kind == "write"], ids=lambda e: e.name)
def test_a_reader_who_may_not_write_gets_403(endpoint: Endpoint, world: World, auditor_readonly: User) -> None:
    # the police liaison reads the file in full through the share, and manages nothing
    assert _call(endpoint, auditor_readonly, world).status_code == 403
    world.case.refresh_from_db()
    world.share.refresh_from_db()
    assert world.share.is_active and world.case.owner.username == "caseworker"


def test_a_member_of_another_panel_gets_404_for_this_panel(world: World) -> None:
    from agencies.models import Membership
    from tests.conftest import member
    from tests.factories import AgencyFactory, PanelFactory

    elsewhere = AgencyFactory(name="Other town police")
    PanelFactory(name="Other town").agencies.add(elsewhere)
    outsider = member(elsewhere, Membership.Role.PANEL_MEMBER)
    client = Client()
    client.force_login(outsider)
    assert client.get(reverse("agencies:panel", args=[world.panel.pk])).status_code == 404
    assert client.get(reverse("agencies:panel_list")).context["panels"].count() == 1
