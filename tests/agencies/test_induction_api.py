"""The induction gate holds for every API view, whoever signs the request (decision 118): a
caller with protocols to acknowledge reaches only the induction endpoints and the sign-in."""

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.views import APIView

from agencies import induction
from agencies.api.permissions import InductionCleared
from agencies.models import Membership, User
from cases.models import ExportJob, ReassignmentJob
from tests.conftest import member

pytestmark = pytest.mark.django_db

# The API views a caller reaches before acknowledging (or without signing in at all).
OPEN_BEFORE_INDUCTION = {
    "agencies.api.views.ObtainTokenView": "the sign-in that gives the token",
    "agencies.api.views.RevokeTokenView": "ending one's own token",
    "agencies.api.joining.InductionView": "the protocols still to acknowledge",
    "agencies.api.joining.AcknowledgeView": "acknowledging them",
    "referrals.api.door_views.PublicConcernView": "the public front door: no sign-in",
    "referrals.api.door_views.PublicStatusView": "the public follow-up code: no sign-in",
}


def _api_views(patterns: list[Any], prefix: str = "") -> set[type[APIView]]:
    found: set[type[APIView]] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found |= _api_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and (prefix + str(pattern.pattern)).startswith("api/v1/"):
            view = getattr(pattern.callback, "cls", None)
            if isinstance(view, type) and issubclass(view, APIView):
                found.add(view)
    return found


def _name(view: type) -> str:
    return f"{view.__module__}.{view.__qualname__}"


def test_every_api_view_asks_for_the_induction() -> None:
    views = _api_views(get_resolver().url_patterns)
    assert views
    ungated = {
        _name(view)
        for view in views
        if InductionCleared not in view.permission_classes and _name(view) not in OPEN_BEFORE_INDUCTION
    }
    assert ungated == set()
    assert set(OPEN_BEFORE_INDUCTION) <= {_name(view) for view in views}


def test_a_token_caller_with_protocols_to_acknowledge_reaches_only_the_induction(
    coordinator: User, caseworker: User
) -> None:
    # given: a protocol for every role, and a data protection officer signed with a token
    induction.publish_protocol(actor=coordinator, title="Sharing", text="Share within the agreement.", roles=[])
    officer = member(coordinator.memberships.get().agency, Membership.Role.DATA_PROTECTION_OFFICER, username="dpo")
    export = ExportJob.objects.create(requested_by=officer, format="csv")
    job = ReassignmentJob.objects.create(started_by=officer, worker=caseworker, total=0)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(officer)[1]}")
    # when / then: every view that is not a case viewset refuses too, with what to do
    for url in (
        reverse("cases-api:export-job", args=[export.pk]),
        reverse("cases-api:export-job-file", args=[export.pk]),
        reverse("cases-api:reassignment-job", args=[job.pk]),
        reverse("audit-api:auditevent-list"),
        reverse("learning-api:library"),
        reverse("learning-api:training"),
        reverse("panels-api:expert-list"),
        reverse("panels-api:agency-profile-list"),
        reverse("api-agencies"),
    ):
        refused = api.get(url)
        assert refused.status_code == 403, url
        assert refused.json()["code"] == "induction_required", url
        assert "protocols" in refused.json()["detail"]
    # the induction endpoints stay open, and once acknowledged the rest answers
    pending = api.get(reverse("api-induction"))
    assert pending.status_code == 200 and len(pending.json()) == 1
    acknowledged = api.post(
        reverse("api-induction-acknowledge"), {"protocols": [pending.json()[0]["id"]]}, format="json"
    )
    assert acknowledged.status_code == 200 and acknowledged.json() == []
    assert api.get(reverse("audit-api:auditevent-list")).status_code == 200
    assert api.get(reverse("cases-api:reassignment-job", args=[job.pk])).status_code == 200
