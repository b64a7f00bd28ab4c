"""No API operation answers 5xx to malformed input, and every answer is one the schema promised
(its status is documented, its content type and its body match): schemathesis fuzzes
every operation of the schema the app serves (`/api/schema/`), signed in as a case owner who also
coordinates a panel.

Bounded: a few examples per operation (URA_FUZZ_EXAMPLES, default 10), no shrinking past a limit.
"""

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from knox.models import AuthToken
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from agencies.models import Agency, Membership, Panel, User
from cases.models import Case
from tests.factories import AgencyFactory, CaseFactory, MembershipFactory, PanelFactory, UserFactory

# Minutes of fuzzing and a client generated in a subprocess: make contract, which CI runs.
pytestmark = pytest.mark.contract

EXAMPLES = int(os.environ.get("URA_FUZZ_EXAMPLES", "10"))
# Not only "no 5xx": the status, the content type and the body are the ones the schema documents.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def wsgi_keeps_the_test_connection() -> Iterator[None]:
    """The raw WSGI app closes "old" connections at each request, and on PostgreSQL the test's
    connection (inside its transaction) counts as old; Django's test client unhooks this too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db: None, monkeypatch: pytest.MonkeyPatch, wsgi_keeps_the_test_connection: None) -> Any:
    # Throttling would answer 429 long before the examples run out.
    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)
    agency: Agency = AgencyFactory(name="Fuzz agency", sector=Agency.Sector.SOCIAL_CARE)
    user: User = UserFactory(username="fuzzer")
    for role in (Membership.Role.PRACTITIONER, Membership.Role.COORDINATOR, Membership.Role.PANEL_MEMBER):
        MembershipFactory(user=user, agency=agency, role=role)
    panel: Panel = PanelFactory(coordinator=user)
    panel.agencies.add(agency)
    case: Case = CaseFactory(owner=user, owning_agency=agency)
    assert case.pk
    _, token = AuthToken.objects.create(user)
    headers = {"Authorization": f"Token {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), headers=headers)
    schema.ura_headers = headers
    schema.ura_case_id = case.pk
    return schema


def test_no_operation_answers_a_server_error(api_schema: Any) -> None:
    headers = api_schema.ura_headers
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = 0
    # Signing out ends the token the rest use: last.
    every = sorted((result.ok() for result in api_schema.get_all_operations()), key=lambda op: "logout" in op.path)
    for operation in every:
        operations += 1

        # Valid requests about the world's objects (their ids are 1 in a fresh database), valid
        # requests about any id, and requests that break the schema.
        pinned = {"id": api_schema.ura_case_id} if "{id}" in operation.path else None
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE, path_parameters=pinned),
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(case=strategy)
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case: Any) -> None:
            response = case.call(headers=headers)
            statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS)

        try:
            fuzz()
        except Exception as error:
            failures.append(f"{operation.label}: {str(error)[:600]}")
    assert operations > 50
    # Signed in: most answers are not 401/403, and many succeed.
    assert statuses[200] + statuses[201] > operations, statuses
    assert statuses[401] <= EXAMPLES, statuses  # only the sign-out examples after the first
    assert failures == [], "\n\n".join(failures)
