"""Who may own a case, with each worker's open caseload: for whoever assigns that case (its owner,
a supervisor, the panel's coordinator), never a list of every worker's caseload for everyone."""

import pytest
from django.urls import reverse

from agencies.models import User
from cases.models import Case
from tests.conftest import api_as

pytestmark = pytest.mark.django_db
URL = reverse("panels-api:owner-candidate-list")


def test_who_assigns_the_case_sees_the_candidates_and_their_caseloads(case: Case, caseworker: User) -> None:
    response = api_as(caseworker).get(URL, {"case": case.pk})
    assert response.status_code == 200
    mine = next(row for row in response.data if row["user"]["id"] == caseworker.pk)
    assert mine["open_cases"] == 1


def test_a_practitioner_who_may_not_assign_the_case_reads_no_caseload(
    case: Case, caseworker_other_agency: User, colleague: User
) -> None:
    # a practitioner of another agency knows nothing of the case; a colleague reads it, not assigns it
    assert api_as(caseworker_other_agency).get(URL, {"case": case.pk}).status_code == 404
    assert api_as(colleague).get(URL, {"case": case.pk}).status_code == 403
    # and no case named, no list
    response = api_as(colleague).get(URL)
    assert response.status_code == 400 and "case" in response.data
