"""A client generated from the served schema works: openapi-python-client (a generator
nobody here wrote, pinned in requirements-dev) builds a package from `/api/schema/`, every module of
it imports, and a script drives it against a live server. The client parses every answer by the
schema's types and raises on a status the schema does not document, so a mismatch fails here.
"""

import datetime
import importlib
import json
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import time_machine
from django.utils import timezone

from agencies.models import Agency, Membership, User
from cases import services
from cases.models import Case, Contact, InformationRequest
from reminders.sweep import sweep
from tests.conftest import member
from tests.factories import PASSWORD, AgencyFactory, share

# Minutes of fuzzing and a client generated in a subprocess: make contract, which CI runs.
pytestmark = pytest.mark.contract

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "ura_api_client"


@pytest.fixture
def client_package(live_server: Any, caseworker: User, tmp_path: Path) -> Iterator[ModuleType]:
    """The client generated from the schema the live server serves, importable for the test."""
    token = _token(live_server.url, caseworker)
    served = httpx.get(
        f"{live_server.url}/api/schema/?format=json", headers={"Authorization": f"Token {token}"}, timeout=60
    )
    assert served.status_code == 200, served.text
    schema = tmp_path / "schema.json"
    schema.write_text(served.text)
    config = tmp_path / "config.json"
    names = {"project_name_override": PACKAGE, "package_name_override": PACKAGE}
    config.write_text(json.dumps({"post_hooks": [], **names}))
    generated = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(schema), "--config", str(config), "--meta", "none",
         "--output-path", str(tmp_path / PACKAGE)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    # The generator says "Warning" for every schema it had to drop: none may be dropped.
    assert generated.returncode == 0 and "Unable to" not in generated.stdout + generated.stderr, generated
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _token(base_url: str, user: User) -> str:
    body = {"username": user.username, "password": PASSWORD}
    answer = httpx.post(f"{base_url}/api/v1/auth/token/", json=body, timeout=60)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


def _every_module_imports(client_package: ModuleType) -> None:
    names = [info.name for info in pkgutil.walk_packages(client_package.__path__, f"{PACKAGE}.")]
    for name in names:
        importlib.import_module(name)
    operations = [name for name in names if name.startswith(f"{PACKAGE}.api.") and name.count(".") == 3]
    # Every operation of the schema has its module: none was dropped (decide and triage were, once).
    assert f"{PACKAGE}.api.agenda_items.agenda_items_decide_create" in operations
    assert f"{PACKAGE}.api.referrals.referrals_triage_create" in operations
    assert len(operations) > 100


@pytest.fixture
def school(case: Case) -> Agency:
    school = AgencyFactory(name="School", sector=Agency.Sector.EDUCATION)
    share(case, school, scope="summary")
    return school


@pytest.fixture
def teacher(school: Agency) -> User:
    return member(school, Membership.Role.PRACTITIONER, username="teacher")


def test_a_generated_client_runs_the_integrators_script(
    client_package: ModuleType,
    live_server: Any,
    case: Case,
    caseworker: User,
    school: Agency,
    teacher: User,
    auditor_readonly: User,
) -> None:
    def op(name: str) -> Any:
        return importlib.import_module(f"{PACKAGE}.api.{name}")

    _every_module_imports(client_package)  # (one generation for both: a live server's test is slow to set up)
    models = importlib.import_module(f"{PACKAGE}.models")
    share(case, auditor_readonly.memberships.get().agency)  # a full reader who may not change the case
    # A question to the school, asked 22 hours ago: due in two, so the school is reminded.
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=22), tick=False):
        services.ask_information(case, to_agency=school, question="Does he attend?", actor=caseworker)
    sweep()

    timeout = httpx.Timeout(60)  # a loaded test machine is slow; the point is what comes back
    anonymous = client_package.Client(base_url=live_server.url, raise_on_unexpected_status=True, timeout=timeout)

    def signed_in(user: User) -> Any:
        body = models.TokenRequestRequest(username=user.username, password=PASSWORD)
        answer = op("auth.auth_token_create").sync_detailed(client=anonymous, body=body)
        assert answer.status_code == 200 and isinstance(answer.parsed, models.TokenResponse), answer.content
        assert answer.parsed.expiry > datetime.datetime.now(datetime.UTC)
        return client_package.AuthenticatedClient(
            base_url=live_server.url,
            token=answer.parsed.token,
            prefix="Token",
            raise_on_unexpected_status=True,
            timeout=timeout,
        )

    owner = signed_in(caseworker)

    # List cases and open one.
    listed = op("cases.cases_list").sync(client=owner, ordering="-id")
    assert isinstance(listed, models.PaginatedCaseList) and [c.id for c in listed.results] == [case.pk]
    opened = op("cases.cases_retrieve").sync(case.pk, client=owner)
    assert isinstance(opened, models.CaseDetail) and opened.id == case.pk

    # Record a home visit.
    visit = models.ContactRequest.from_dict(
        {
            "case": case.pk,
            "kind": "home_visit",
            "occurred_at": (timezone.now() - datetime.timedelta(hours=2)).isoformat(),
            "visitors": [caseworker.pk],
            "cooperation": "hesitant",
            "discussed": "School attendance",
        }
    )
    recorded = op("contacts.contacts_create").sync_detailed(client=owner, body=visit)
    assert recorded.status_code == 201 and isinstance(recorded.parsed, models.Contact), recorded.content
    assert Contact.objects.get(pk=recorded.parsed.id).case_id == case.pk

    # The school reads its reminders, answers the request, marks the reminders read.
    answerer = signed_in(teacher)
    reminders = op("reminders.reminders_list").sync(client=answerer)
    assert isinstance(reminders, models.PaginatedReminderList)
    assert [r.kind for r in reminders.results] == ["information_request"]
    asked = op("information_requests.information_requests_list").sync(client=answerer, case=case.pk)
    assert isinstance(asked, models.PaginatedInformationRequestList) and len(asked.results) == 1
    answered = op("information_requests.information_requests_answer_create").sync(
        asked.results[0].id, client=answerer, body=models.AnswerRequest(answer="Every day.")
    )
    assert isinstance(answered, models.InformationRequest)
    assert InformationRequest.objects.get().answer == "Every day."
    marked = op("reminders.reminders_read_all_create").sync(client=answerer)
    assert isinstance(marked, models.Marked) and marked.marked == 1

    # Errors come typed: a case that is not there (404), and one the reader may not change (403).
    missing = op("cases.cases_retrieve").sync_detailed(987654, client=owner)
    assert missing.status_code == 404 and isinstance(missing.parsed, models.Error)
    assert missing.parsed.code == "not_found" and missing.parsed.detail
    reader = signed_in(auditor_readonly)
    refused = op("cases.cases_assign_owner_create").sync_detailed(
        case.pk, client=reader, body=models.AssignOwnerRequest.from_dict({"owner": caseworker.pk})
    )
    assert refused.status_code == 403 and isinstance(refused.parsed, models.Error)
    assert refused.parsed.code == "permission_denied"
    invalid = op("contacts.contacts_create").sync_detailed(
        client=owner, body=models.ContactRequest.from_dict({**visit.to_dict(), "occurred_at": "2999-01-01T00:00:00Z"})
    )
    assert invalid.status_code == 400 and isinstance(invalid.parsed, models.Error) and invalid.parsed.code == "invalid"
    assert invalid.parsed.additional_properties  # the refused field, with its messages

    # A malformed id is the same JSON 404, not a page.
    malformed = httpx.get(
        f"{live_server.url}/api/v1/cases/abc/", headers={"Authorization": f"Token {owner.token}"}, timeout=60
    )
    assert malformed.status_code == 404 and malformed.headers["Content-Type"] == "application/json"
    assert models.Error.from_dict(malformed.json()).code == "not_found"
