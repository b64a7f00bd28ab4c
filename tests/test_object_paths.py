"""An object reached through the URL of another case (or another meeting) does not exist there:
404, as for an id that does not exist, never 403, which would confirm where it belongs
(decision 60). Every endpoint of the table whose URL names a case (or a meeting) and then an object
of it is tried with another case the user reads and changes (another meeting they run)."""

from typing import Any

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from agencies.models import User
from tests.factories import CaseFactory
from tests.test_endpoint_permissions import ENDPOINTS, Endpoint, World, _client, world  # noqa: F401

pytestmark = pytest.mark.django_db


def _kwargs_of(name: str) -> list[str]:
    """The URL's parameters, in order."""
    namespace, _sep, url_name = name.rpartition(":")
    resolver = get_resolver()
    for part in namespace.split(":") if namespace else []:
        resolver = resolver.namespace_dict[part][1]
    return list(resolver.reverse_dict.getlist(url_name)[0][0][0][1])


def _nested(endpoint: Endpoint) -> bool:
    """A browser URL naming a case (or a meeting) first, then one of its objects."""
    params = _kwargs_of(endpoint.name)
    nested = len(params) >= 2 and params[0] in ("pk", "case_pk", "meeting_pk") and params[-1] != "kind"
    return nested and not endpoint.api


# A merge is a supervisor's: anyone else is refused (403) before any record is looked up.
NOT_LOOKED_UP = {"cases:member_merge"}
NESTED = [endpoint for endpoint in ENDPOINTS if _nested(endpoint) and endpoint.name not in NOT_LOOKED_UP]


def test_nested_urls_are_found() -> None:
    assert len(NESTED) >= 10


@pytest.mark.parametrize("endpoint", NESTED, ids=lambda e: f"{e.method}:{e.name}")
def test_an_object_through_another_cases_url_is_missing(endpoint: Endpoint, world: World) -> None:
    from panels import services as panel_services

    # given another case its owner reads and changes, and another meeting its coordinator runs
    owner = world.case.owner
    other_case = CaseFactory(owner=owner, owning_agency=world.case.owning_agency)
    other_meeting = panel_services.schedule_meeting(world.panel, scheduled_for=timezone.now(), actor=world.coordinator)
    args: list[Any] = endpoint.args(world)
    first = _kwargs_of(endpoint.name)[0]
    user: User = world.coordinator if first == "meeting_pk" else owner
    args[0] = other_meeting.pk if first == "meeting_pk" else other_case.pk
    # when they ask for the object through it
    client = _client(endpoint, user)
    response = getattr(client, endpoint.method)(reverse(endpoint.name, args=args), {})
    # then it is not there
    assert response.status_code == 404
