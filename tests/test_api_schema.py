"""The API's contract: drf-spectacular's own validation with warnings as failures, an
independent validator (openapi-spec-validator), and the rules integrators rely on: JSON bodies,
integer ids, one error format on every operation, tags by resource, one filter name for the case,
ordering on every list, and the error format as the server really sends it."""

import io
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from agencies.api.errors import ERROR_STATUSES
from agencies.models import IdempotentRequest, User
from cases.models import Case
from tests.conftest import api_as

UPLOADS = {"/api/v1/attachments/", "/api/v1/library/"}  # the only bodies with a file


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    out = io.StringIO()
    # --fail-on-warn: any warning (an unresolvable type, a duplicate name...) is a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    loaded: dict[str, Any] = yaml.safe_load(out.getvalue())
    return loaded


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


def test_an_independent_validator_accepts_the_schema(schema: dict[str, Any]) -> None:
    validate(schema)  # raises on the first error


def test_bodies_are_json_and_multipart_only_for_files(schema: dict[str, Any]) -> None:
    kinds = {
        (path, content)
        for path, _method, op in operations(schema)
        for content in op.get("requestBody", {}).get("content", {})
    }
    assert {content for _path, content in kinds} == {"application/json", "multipart/form-data"}
    assert {path for path, content in kinds if content != "application/json"} == UPLOADS
    assert ("/api/v1/attachments/", "application/json") not in kinds


def test_ids_in_paths_are_integers(schema: dict[str, Any]) -> None:
    types = {
        (param["name"], param["schema"]["type"])
        for _path, _method, op in operations(schema)
        for param in op.get("parameters", [])
        if param["in"] == "path"
    }
    assert types == {("id", "integer")}


def test_every_operation_declares_the_error_format_and_a_resource_tag(schema: dict[str, Any]) -> None:
    error = {"$ref": "#/components/schemas/Error"}
    for path, method, op in operations(schema):
        for status in ERROR_STATUSES:
            assert op["responses"][str(status)]["content"]["application/json"]["schema"] == error, (path, method)
        [tag] = op["tags"]
        assert path.startswith(f"/api/v1/{tag}/"), (path, tag)
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail", "code"]


def test_lists_filter_by_case_and_order(schema: dict[str, Any]) -> None:
    unordered = []
    for path, method, op in operations(schema):
        names = {param["name"] for param in op.get("parameters", []) if param["in"] == "query"}
        assert not {"case_id", "agency_id"} & names, path
        paged = "results" in str(op["responses"]["200"]) if "200" in op["responses"] else False
        if method == "get" and paged and "ordering" not in names:
            unordered.append(path)
    assert unordered == []
    info = schema["paths"]["/api/v1/information-requests/"]["get"]["parameters"]
    assert {"name": "case", "in": "query", "schema": {"type": "integer"}} in info
    audit = schema["paths"]["/api/v1/audit-events/"]["get"]
    assert "cursor" in {param["name"] for param in audit["parameters"]}


def test_no_default_outside_its_enum(schema: dict[str, Any]) -> None:
    requests = schema["components"]["schemas"]
    assert "default" not in requests["DecisionRequest"]["properties"]["urgency"]
    assert "default" not in requests["TriageRequest"]["properties"]["reason"]


@pytest.mark.django_db
class TestErrorsAsSent:
    def test_a_malformed_id_is_a_json_404(self, case: Case, caseworker: User) -> None:
        for address in ("/api/v1/cases/abc/", "/api/v1/cases/1.5/", "/api/v1/nothing-here/"):
            response = api_as(caseworker).get(address)
            assert response.status_code == 404 and response["Content-Type"] == "application/json"
            assert response.json() == {"detail": "Not found.", "code": "not_found"}
        # Outside the API, the page.
        assert "text/html" in Client().get("/cases/abc/")["Content-Type"]

    def test_too_many_query_parameters_is_a_json_400(self, case: Case, caseworker: User) -> None:
        query = "&".join(f"p{number}=1" for number in range(1100))
        response = api_as(caseworker).get(f"/api/v1/cases/?{query}")
        assert response.status_code == 400 and response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Something is wrong with this request.", "code": "invalid"}
        # Outside the API, the page.
        client = Client()
        client.force_login(caseworker)
        page = client.get(f"/cases/?{query}")
        assert page.status_code == 400 and "text/html" in page["Content-Type"]

    def test_every_refusal_has_detail_and_code(self, case: Case, caseworker: User, auditor_readonly: User) -> None:
        detail = reverse("cases-api:case-detail", args=[case.pk])
        assert Client().get(detail).json()["code"] in ("not_authenticated", "authentication_failed")
        assert api_as(caseworker).get(reverse("cases-api:case-detail", args=[987654])).json()["code"] == "not_found"
        assign = reverse("cases-api:case-assign-owner", args=[case.pk])
        refused = api_as(caseworker).post(assign, {"owner": "x"}, format="json").json()
        assert (refused["code"], refused["detail"]) == ("invalid", "Invalid input.") and "owner" in refused
        form = api_as(caseworker).post(assign, {"owner": caseworker.pk}, format="multipart")
        assert form.status_code == 415 and form.json()["code"] == "unsupported_media_type", form.json()

    def test_an_unfinished_idempotent_request_is_a_json_409(self, case: Case, caseworker: User) -> None:
        IdempotentRequest.objects.create(user=caseworker, key="k" * 12, method="POST", path="/api/v1/reminders/")
        _, token = AuthToken.objects.create(caseworker)
        answer = APIClient().post(
            reverse("reminders-api:reminder-read-all"),
            format="json",
            HTTP_IDEMPOTENCY_KEY="k" * 12,
            HTTP_AUTHORIZATION=f"Token {token}",
        )
        assert answer.status_code == 409 and answer.json()["code"] == "conflict"
