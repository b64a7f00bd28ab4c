"""Who may ask for the people who may own a case, with their caseloads (decision 153):
whoever chooses people somewhere — a supervisor, a panel's coordinator, whoever has a referral to
triage, and, for a meeting's attendance, whoever manages a meeting — never any practitioner; and
nobody is found by a username when they hide their name (decision 40)."""

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, Membership, User
from cases.directory import find_candidate
from tests.conftest import member
from tests.factories import PanelFactory, ReferralFactory

pytestmark = pytest.mark.django_db

URL = "cases:candidate_suggestions"


def _ask(user: User, **params: str) -> int:
    client = Client()
    client.force_login(user)
    return client.get(reverse(URL), {"q": "Ag", **params}).status_code


def test_a_practitioner_with_nothing_to_triage_reads_no_caseloads(caseworker: User, other_agency: Agency) -> None:
    member(other_agency, username="someone")
    assert _ask(caseworker) == 403
    assert _ask(caseworker, among="attending") == 403


def test_a_practitioner_with_a_referral_to_triage_may_choose_its_owner(caseworker: User, agency: Agency) -> None:
    ReferralFactory(received_by=agency)
    assert _ask(caseworker) == 200
    assert _ask(caseworker, among="attending") == 403  # attendance is the meeting's manager's


def test_a_supervisor_and_a_coordinator_may_choose(supervisor: User, coordinator: User, agency: Agency) -> None:
    PanelFactory(coordinator=coordinator).agencies.add(agency)
    assert _ask(supervisor) == 200
    assert _ask(coordinator) == 200


def test_nobody_is_found_by_a_username_when_they_hide_their_name(supervisor: User, other_agency: Agency) -> None:
    hidden = member(other_agency, username="hidden.worker")
    User.objects.filter(pk=hidden.pk).update(name_shown_to_others=User.NameShown.ROLE_AND_AGENCY)
    shown = member(other_agency, username="shown.worker")
    assert find_candidate(supervisor, "hidden.worker") is None
    found = find_candidate(supervisor, "shown.worker")
    assert found is not None and found.user == shown
    assert Membership.objects.filter(user=hidden).exists()
