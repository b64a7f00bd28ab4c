"""Referrals in the browser and the API: intake, triage, adding to an earlier record, the
reporter's identity, query counts."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from agencies.access import Action, forget_access
from agencies.models import Agency, Membership, Panel, User
from cases.models import Case
from referrals import services
from referrals.models import Referral, TriageDecision
from tests.conftest import api_as, member
from tests.factories import CaseFactory, PersonFactory, ReferralFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


INTAKE = {
    "channel": "general_hotline",
    "received_at": "2026-01-05T10:30",
    "subject_given_name": "Ardit",
    "subject_family_name": "Krasnici",
    "person_told": "unknown",
    "concern": "Talks about travelling to join a group.",
    "indicators": ["intent_to_travel", "online"],
    "ideology": "religious",
    "urgency": "routine",
}


class TestIntakeForm:
    def test_a_practitioner_records_a_referral_for_their_agency(self, caseworker: User, agency: Agency) -> None:
        response = client_for(caseworker).post(reverse("referrals:referral_create"), INTAKE)
        referral = Referral.objects.get()
        assert response.status_code == 302 and response.url == referral.get_absolute_url()
        assert referral.received_by == agency and sorted(referral.indicators.values_list("kind", flat=True)) == [
            "intent_to_travel",
            "online",
        ]

    def test_a_refused_referral_keeps_everything_typed(self, caseworker: User) -> None:
        tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
        data = {**INTAKE, "observed_on": tomorrow, "reporter_anonymous": "on", "reporter_name": "Mira"}
        response = client_for(caseworker).post(reverse("referrals:referral_create"), data)
        body = response.content.decode()
        assert response.status_code == 200 and not Referral.objects.exists()
        assert "cannot lie in the future" in body and "anonymous reporter" in body
        assert 'value="Krasnici"' in body and "Talks about travelling" in body
        assert re.search(r'value="intent_to_travel"[^>]*checked', body)

    def test_someone_who_works_no_cases_cannot_receive_one(self, panel_member: User) -> None:
        assert client_for(panel_member).get(reverse("referrals:referral_create")).status_code == 403


class TestReferralPage:
    def test_the_reporter_is_known_to_the_receiving_agency_only(
        self, caseworker: User, agency: Agency, panel: Panel, panel_member: User
    ) -> None:
        referral = ReferralFactory(
            received_by=agency, panel=panel, reporter_name="Mira Dedja", reporter_contact="+355 1"
        )
        mine = client_for(caseworker).get(referral.get_absolute_url()).content.decode()
        theirs = client_for(panel_member).get(referral.get_absolute_url()).content.decode()
        assert "Mira Dedja" in mine and "+355 1" in mine
        assert "Mira Dedja" not in theirs and "+355 1" not in theirs and referral.concern in theirs
        api = api_as(panel_member).get(reverse("referrals-api:referral-detail", args=[referral.pk])).data
        assert api["reporter"] is None and api["concern"] == referral.concern

    def test_matches_show_only_visible_records_and_can_be_joined(
        self, caseworker: User, agency: Agency, case: Case
    ) -> None:
        PersonFactory(family=case.family, given_name="Ardit", family_name="Krasniqi", relationship="sibling")
        hidden = CaseFactory()
        PersonFactory(family=hidden.family, given_name="Ardit", family_name="Krasniqi", relationship="sibling")
        referral = ReferralFactory(received_by=agency, subject_given_name="Ardit", subject_family_name="Krasnici")
        client = client_for(caseworker)
        page = client.get(referral.get_absolute_url())
        assert [match.obj for match in page.context["matches"].cases] == [case]
        assert hidden.reference not in page.content.decode()
        # adding to a hidden case is a 404, to the visible one works
        add = reverse("referrals:referral_add_to", args=[referral.pk])
        assert client.post(add, {"case": hidden.pk}).status_code == 404
        assert client.post(add, {"case": case.pk}).status_code == 302
        referral.refresh_from_db()
        assert referral.case == case and referral.status == Referral.Status.ADDED

    def test_the_live_match_fragment(self, caseworker: User, case: Case) -> None:
        index = case.index_person
        response = client_for(caseworker).get(
            reverse("referrals:matches"),
            {"subject_family_name": index.family_name, "subject_given_name": index.given_name},
        )
        assert response.status_code == 200 and case.reference in response.content.decode()

    def test_the_first_records_readers_read_the_concerns_added_to_it(
        self, caseworker: User, agency: Agency, other_agency: Agency
    ) -> None:
        # given a repeat concern received by social care, added to the police's earlier record
        officer = member(other_agency, Role.POLICE_LIAISON)
        first = ReferralFactory(received_by=other_agency)
        repeat = ReferralFactory(received_by=agency, reporter_name="Neighbour N")
        Referral.objects.filter(pk=repeat.pk).update(primary=first, status=Referral.Status.ADDED)
        # then the police read the concern, but not who reported it to another agency
        forget_access(officer)
        assert Referral.objects.restrict(officer, Action.VIEW).filter(pk=repeat.pk).exists()
        page = client_for(officer).get(repeat.get_absolute_url()).content.decode()
        assert repeat.concern in page and "Neighbour N" not in page

    def test_feedback_belongs_to_the_agency_that_knows_the_reporter(
        self, agency: Agency, panel: Panel, coordinator: User, caseworker: User
    ) -> None:
        # given a triaged referral on the panel, from a professional reporter
        referral = ReferralFactory(received_by=agency, panel=panel, reporter_is_professional=True, reporter_name="T")
        services.triage_referral(referral, decision=TriageDecision.Decision.ADVICE_GIVEN, actor=caseworker)
        # then the panel's coordinator gives no feedback, in the browser or the API
        url = reverse("referrals:referral_feedback", args=[referral.pk])
        assert client_for(coordinator).post(url, {"feedback": "x"}).status_code == 403
        api = reverse("referrals-api:referral-feedback", args=[referral.pk])
        assert api_as(coordinator).post(api, {"feedback": "x"}).status_code == 403
        referral.refresh_from_db()
        assert referral.reporter_feedback == ""
        # and the receiving agency does
        assert client_for(caseworker).post(url, {"feedback": "We gave advice"}).status_code == 302


class TestTriageView:
    def test_open_a_case_from_the_referral(self, caseworker: User, agency: Agency, colleague: User) -> None:
        referral = ReferralFactory(received_by=agency, subject_given_name="Arta", subject_family_name="Leka")
        response = client_for(caseworker).post(
            reverse("referrals:referral_triage", args=[referral.pk]),
            {"decision": "open_case", "owner": f"{colleague.pk}:{agency.pk}", "notes": "Crisis averted"},
        )
        referral.refresh_from_db()
        assert response.status_code == 302 and referral.case is not None
        assert response.url == referral.case.get_absolute_url() and referral.case.owner == colleague

    def test_a_refused_triage_keeps_the_notes(self, caseworker: User, agency: Agency) -> None:
        referral = ReferralFactory(received_by=agency)
        response = client_for(caseworker).post(
            reverse("referrals:referral_triage", args=[referral.pk]),
            {"decision": "no_further_action", "notes": "Keep these notes"},
        )
        assert response.status_code == 200 and "Keep these notes" in response.content.decode()
        assert not TriageDecision.objects.exists()

    def test_a_panel_member_may_read_but_not_triage(self, agency: Agency, panel: Panel, panel_member: User) -> None:
        referral = ReferralFactory(received_by=agency, panel=panel)
        assert (
            client_for(panel_member).post(reverse("referrals:referral_triage", args=[referral.pk]), {}).status_code
            == 403
        )


class TestApi:
    def test_intake_and_triage_through_the_api(self, caseworker: User, agency: Agency) -> None:
        client = api_as(caseworker)
        created = client.post(
            reverse("referrals-api:referral-list"),
            {**INTAKE, "received_at": "2026-01-05T10:30:00Z", "is_crisis": False},
            format="json",
        )
        assert created.status_code == 201, created.data
        assert created.data["reporter"]["reporter_anonymous"] is False
        triaged = client.post(
            reverse("referrals-api:referral-triage", args=[created.data["id"]]),
            {"decision": "no_further_action", "reason": "rebellion"},
            format="json",
        )
        assert triaged.status_code == 200 and triaged.data["status"] == "closed"
        assert triaged.data["decisions"][0]["decided_by"] == str(caseworker)

    def test_a_crisis_without_reason_is_a_400_and_saves_nothing(self, caseworker: User) -> None:
        response = api_as(caseworker).post(
            reverse("referrals-api:referral-list"), {**INTAKE, "is_crisis": True}, format="json"
        )
        assert response.status_code == 400 and not Referral.objects.exists()

    def test_matches_through_the_api(self, caseworker: User, case: Case, caseworker_other_agency: User) -> None:
        params = {
            "subject_family_name": case.index_person.family_name,
            "subject_given_name": case.index_person.given_name,
        }
        mine = api_as(caseworker).get(reverse("referrals-api:referral-matches"), params).data
        theirs = api_as(caseworker_other_agency).get(reverse("referrals-api:referral-matches"), params).data
        assert [row["id"] for row in mine["cases"]] == [case.pk]
        assert theirs == {"referrals": [], "cases": []}

    def test_a_linked_case_is_given_only_to_those_who_may_see_it(
        self, case: Case, agency: Agency, panel: Panel, panel_member: User, caseworker: User
    ) -> None:
        referral = ReferralFactory(received_by=agency, panel=panel, case=case)
        assert (
            api_as(caseworker).get(reverse("referrals-api:referral-detail", args=[referral.pk])).data["case"] == case.pk
        )
        assert (
            api_as(panel_member).get(reverse("referrals-api:referral-detail", args=[referral.pk])).data["case"] is None
        )


def test_the_referral_list_puts_open_referrals_first(caseworker: User, agency: Agency) -> None:
    closed = ReferralFactory(received_by=agency, status="closed", received_at=timezone.now())
    waiting = ReferralFactory(received_by=agency, received_at=timezone.now() - datetime.timedelta(days=3))
    rows = list(client_for(caseworker).get(reverse("referrals:referral_list")).context["referrals"])
    assert rows == [waiting, closed]


@pytest.mark.parametrize("rows", [1, 12])
def test_referral_lists_are_constant(
    rows: int, caseworker: User, agency: Agency, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for referral in ReferralFactory.create_batch(rows, received_by=agency):
        referral.indicators.create(kind="online")
    browser, api = client_for(caseworker), api_as(caseworker)
    with django_assert_max_num_queries(13):  # +3: the read's audit record (chain head, insert)
        assert browser.get(reverse("referrals:referral_list"), {"status": "new"}).status_code == 200
    with django_assert_max_num_queries(11):  # +3: the read's audit record (chain head, insert)
        assert api.get(reverse("referrals-api:referral-list")).data["count"] == rows
