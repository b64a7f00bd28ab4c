"""Shared fixtures: the named roles of style.md §10, the demo scenario, and cache hygiene."""

import copy
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation
from rest_framework.test import APIClient, ForceAuthClientHandler

from agencies.access import forget_access
from agencies.induction import GENERATION_KEY, NONE_IN_FORCE
from agencies.models import Agency, Membership, Panel, User
from cases.models import Case
from tests.factories import AgencyFactory, CaseFactory, MembershipFactory, PanelFactory, UserFactory

Role = Membership.Role

# A page's read is recorded in one insert: beat's chaining step gives the record its place in the
# chain, not the request (decision 170).
AUDIT_READ = 1


@pytest.fixture(autouse=True)
def _clear_caches() -> Iterator[None]:
    # Content types are cached per process; a flushed database gives them new ids. The cache
    # holds sign-in throttling counts, which must not carry from one test to the next.
    ContentType.objects.clear_cache()
    cache.clear()
    # No protocol is in force in a new test's database: the induction gate asks nothing (decision
    # 118). A test that publishes one through `agencies.induction.publish_protocol` changes this.
    cache.set(GENERATION_KEY, NONE_IN_FORCE, None)
    translation.activate(settings.LANGUAGE_CODE)
    yield
    ContentType.objects.clear_cache()
    translation.activate(settings.LANGUAGE_CODE)


def member(agency: Agency, *roles: str, username: str | None = None) -> User:
    user = UserFactory(**({"username": username} if username else {}))
    for role in roles or (Role.PRACTITIONER,):
        MembershipFactory(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def agency(db: None) -> Agency:
    return AgencyFactory(name="Social services", sector=Agency.Sector.SOCIAL_CARE)


@pytest.fixture
def other_agency(db: None) -> Agency:
    return AgencyFactory(name="Police", sector=Agency.Sector.POLICE)


@pytest.fixture
def caseworker(agency: Agency) -> User:
    """Owns `case`; practitioner in `agency`."""
    return member(agency, Role.PRACTITIONER, username="caseworker")


@pytest.fixture
def colleague(agency: Agency) -> User:
    """Another practitioner in the same agency."""
    return member(agency, Role.PRACTITIONER, username="colleague")


@pytest.fixture
def caseworker_other_agency(other_agency: Agency) -> User:
    return member(other_agency, Role.PRACTITIONER, username="caseworker_other")


@pytest.fixture
def supervisor(agency: Agency) -> User:
    return member(agency, Role.SUPERVISOR, username="supervisor")


@pytest.fixture
def coordinator(db: None) -> User:
    municipality = AgencyFactory(name="Municipality", sector=Agency.Sector.LOCAL_AUTHORITY)
    return member(municipality, Role.COORDINATOR, username="coordinator")


@pytest.fixture
def panel(agency: Agency, other_agency: Agency, coordinator: User) -> Panel:
    panel = PanelFactory(name="Info-house", coordinator=coordinator)
    panel.agencies.set([agency, other_agency, coordinator.memberships.get().agency])
    return panel


@pytest.fixture
def panel_member(other_agency: Agency) -> User:
    return member(other_agency, Role.PANEL_MEMBER, username="panel_member")


@pytest.fixture
def auditor_readonly(other_agency: Agency) -> User:
    """Sees `case` in full through a share, but may not change or manage it."""
    return member(other_agency, Role.POLICE_LIAISON, username="auditor_readonly")


@pytest.fixture
def anonymous() -> None:
    return None


@pytest.fixture
def case(caseworker: User, agency: Agency) -> Case:
    return CaseFactory(owner=caseworker, owning_agency=agency)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


class _RequestsOwnUser(ForceAuthClientHandler):
    """Each request is given its own copy of the user, as a real one is (the session or the token
    reads the user again): what a request remembers of the user's access (`UserAccess`, the case
    conditions, for two seconds) is not carried into the next one, where it would make a query
    count depend on how long the test took between two requests."""

    def get_response(self, request: Any) -> Any:
        user = self._force_user
        if user is None:
            return super().get_response(request)
        self._force_user = copy.copy(user)
        forget_access(self._force_user)
        try:
            return super().get_response(request)
        finally:
            self._force_user = user


def api_as(user: User) -> APIClient:
    client = APIClient()
    client.handler = _RequestsOwnUser(enforce_csrf_checks=False)
    client.force_authenticate(user)
    return client


@pytest.fixture
def demo(db: None) -> dict[str, User]:
    """The demo scenario of `seed_demo`, with its users by username."""
    call_command("seed_demo", stdout=io.StringIO())
    return {user.username: user for user in User.objects.all()}
