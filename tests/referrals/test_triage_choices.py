"""Triage's "add to this family" and "owner of the new case" are typed with suggestions, never a
list of every family or caseworker (decision 153): the suggestions are restricted, the
form takes only what the triager may choose, and a triage still opens the case end to end."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from agencies.models import Agency, Membership, User
from cases.models import Case
from referrals.models import Referral
from tests.conftest import member
from tests.factories import AgencyFactory, CaseFactory, FamilyFactory, ReferralFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role

REFUSED = "Choose one of the suggested families, which you may read in full."


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def suggested(user: User, name: str, q: str) -> list[str]:
    response = client_for(user).get(reverse(name), {"q": q})
    assert response.status_code == 200
    return [row["value"] for row in response.json()["results"]]


def triage(user: User, referral: Referral, **fields: str) -> Client:
    data = {"decision": "open_case", "notes": "", **fields}
    return client_for(user).post(reverse("referrals:referral_triage", args=[referral.pk]), data)


@pytest.fixture
def referral(agency: Agency) -> Referral:
    return ReferralFactory(received_by=agency, subject_given_name="Arta", subject_family_name="Leka")


class TestFamilySuggestions:
    def test_only_families_the_triager_reads_in_full_are_suggested(
        self, caseworker: User, agency: Agency, other_agency: Agency
    ) -> None:
        mine = CaseFactory(owner=caseworker, owning_agency=agency, family=FamilyFactory(name="Berisha", area="Prizren"))
        CaseFactory(owning_agency=other_agency, family=FamilyFactory(name="Berishaj"))  # the police's
        found = suggested(caseworker, "referrals:family_suggestions", "beri")
        assert found == [f"Berisha (Prizren) #{mine.family_id}"]

    def test_htmx_gets_options_and_nobody_gets_more_than_twenty(self, caseworker: User, agency: Agency) -> None:
        for _ in range(25):
            CaseFactory(owner=caseworker, owning_agency=agency, family=FamilyFactory(name="Gashi"))
        response = client_for(caseworker).get(
            reverse("referrals:family_suggestions"), {"family": "Gas"}, headers={"HX-Request": "true"}
        )
        assert response.content.decode().count("<option value=") == 20

    def test_a_role_that_does_not_triage_gets_403(self, panel_member: User) -> None:
        assert client_for(panel_member).get(reverse("referrals:family_suggestions"), {"q": "Ga"}).status_code == 403


class TestTriageByTypedChoices:
    def test_a_suggested_family_and_owner_open_the_case(
        self, caseworker: User, colleague: User, agency: Agency, referral: Referral
    ) -> None:
        family = CaseFactory(owner=caseworker, owning_agency=agency, family=FamilyFactory(name="Leka")).family
        found = suggested(caseworker, "cases:candidate_suggestions", colleague.first_name)
        [owner] = [value for value in found if value.endswith(f"#{colleague.pk}:{agency.pk}")]
        response = triage(caseworker, referral, family=f"Leka #{family.pk}", owner=owner)
        referral.refresh_from_db()
        assert response.status_code == 302 and referral.case is not None
        assert referral.case.family == family and referral.case.owner == colleague
        assert referral.case.owning_agency == agency

    def test_without_javascript_an_exact_name_and_a_username_are_taken(
        self, caseworker: User, colleague: User, agency: Agency, referral: Referral
    ) -> None:
        family = CaseFactory(owner=caseworker, owning_agency=agency, family=FamilyFactory(name="Leka")).family
        response = triage(caseworker, referral, family="leka", owner="colleague")
        referral.refresh_from_db()
        assert response.status_code == 302 and referral.case is not None
        assert referral.case.family == family and referral.case.owner == colleague

    def test_a_name_two_families_share_is_refused_until_one_is_chosen(
        self, caseworker: User, colleague: User, agency: Agency, referral: Referral
    ) -> None:
        for _ in range(2):
            CaseFactory(owner=caseworker, owning_agency=agency, family=FamilyFactory(name="Leka"))
        response = triage(caseworker, referral, family="Leka", owner=f"{colleague.pk}:{agency.pk}")
        assert response.status_code == 200 and not Case.objects.filter(referrals=referral).exists()
        assert "Several families have that name" in response.content.decode()

    def test_a_hidden_family_is_refused_as_one_that_does_not_exist(
        self, caseworker: User, colleague: User, agency: Agency, other_agency: Agency, referral: Referral
    ) -> None:
        hidden = CaseFactory(owning_agency=other_agency, family=FamilyFactory(name="Leka")).family
        answers = [
            triage(caseworker, referral, family=f"Leka #{family_id}", owner=f"{colleague.pk}:{agency.pk}")
            for family_id in (hidden.pk, hidden.pk + 1000)
        ]
        for response in answers:
            assert response.status_code == 200 and REFUSED in response.content.decode()
        assert answers[0].context["form"].errors == answers[1].context["form"].errors
        referral.refresh_from_db()
        assert referral.case is None and hidden.cases.count() == 1

    def test_an_owner_who_may_not_own_a_case_is_refused_as_one_who_does_not_exist(
        self, caseworker: User, agency: Agency, referral: Referral
    ) -> None:
        admin = member(agency, Role.AGENCY_ADMIN)
        answers = [triage(caseworker, referral, owner=f"{user_id}:{agency.pk}") for user_id in (admin.pk, 99999)]
        errors = [response.context["form"].errors["owner"] for response in answers]
        assert errors[0] == errors[1] == ["Choose one of the suggested people, who work cases in a partner agency."]
        referral.refresh_from_db()
        assert referral.case is None

    def test_the_api_still_takes_ids(
        self, caseworker: User, colleague: User, agency: Agency, referral: Referral
    ) -> None:
        from tests.conftest import api_as

        family = CaseFactory(owner=caseworker, owning_agency=agency).family
        body = {"decision": "open_case", "owner": colleague.pk, "owner_agency": agency.pk, "family": family.pk}
        response = api_as(caseworker).post(reverse("referrals-api:referral-triage", args=[referral.pk]), body)
        referral.refresh_from_db()
        assert response.status_code == 200 and referral.case is not None and referral.case.family == family


class TestOwnerSuggestions:
    def test_a_name_hidden_from_other_agencies_finds_nobody_there(
        self, caseworker: User, other_agency: Agency, referral: Referral
    ) -> None:
        # the caseworker has `referral` to triage: she chooses its owner (tests/cases/test_candidate_suggestions.py)
        officer = member(other_agency, Role.POLICE_LIAISON, username="officer")
        User.objects.filter(pk=officer.pk).update(
            first_name="Drilon", last_name="Hoxha", name_shown_to_others=User.NameShown.ROLE_AND_AGENCY
        )
        assert suggested(caseworker, "cases:candidate_suggestions", "Drilon") == []
        # found by the agency's name, shown as the viewer may see them
        [found] = suggested(caseworker, "cases:candidate_suggestions", "Police")
        assert "Drilon" not in found and found.endswith(f"#{officer.pk}:{other_agency.pk}")

    def test_at_most_twenty_people_in_three_queries(
        self, caseworker: User, referral: Referral, django_assert_max_num_queries: DjangoAssertNumQueries
    ) -> None:
        big = AgencyFactory(name="Schools")
        for _ in range(30):
            member(big, Role.PRACTITIONER)
        client = client_for(caseworker)
        client.get(reverse("home"))  # the session's first request settles what it reads once
        # the session, the user, their access, whether she has a referral to triage
        with django_assert_max_num_queries(3 + 5):
            assert len(client.get(reverse("cases:candidate_suggestions"), {"q": "Sch"}).json()["results"]) == 20


def test_the_triage_page_costs_the_same_for_any_number_of_people_and_families(
    caseworker: User, agency: Agency, referral: Referral
) -> None:
    client = client_for(caseworker)
    url = reverse("referrals:referral_triage", args=[referral.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    others = AgencyFactory(name="Health")
    for _ in range(40):
        CaseFactory(owner=member(others), owning_agency=others)
        CaseFactory(owner=caseworker, owning_agency=agency)
    assert queries() == before <= 14
    body = client.get(url).content.decode()
    assert 'list="family-suggestions"' in body and 'list="owner-suggestions"' in body
    assert body.count("<option") < 20  # the languages and the panels, never a person or a family
