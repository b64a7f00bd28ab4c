"""Known people offered when adding a member (decision 83): besides the registers the user reads
in full, the subjects of earlier referrals the user may read, across Albanian spellings. A
referral the user may not read is offered to nobody, and looking for its name costs what looking
for a name nobody holds costs."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agencies.access import forget_access
from agencies.models import User
from cases.models import Case
from families.search import known_people
from referrals.models import Referral
from tests.conftest import api_as
from tests.factories import PersonFactory, ReferralFactory
from tests.referrals.test_matching_work import HIDDEN, NOWHERE, _Work

pytestmark = pytest.mark.django_db


def _adding(case: Case, user: User, family_name: str) -> Any:
    """The add-member page, posted with a new member's names (as the owner types them)."""
    client = Client()
    client.force_login(user)
    data = {
        "given_name": "Ardit",
        "family_name": family_name,
        "relationship": "sibling",
        "lives_in_household": "on",
    }
    return client.post(reverse("cases:member_add", args=[case.pk]), data)


def test_an_earlier_referral_is_offered_across_spellings(case: Case, caseworker: User) -> None:
    # given an earlier referral received by the caseworker's agency, spelt "Krasnici"
    earlier = ReferralFactory(
        received_by=case.owning_agency, subject_given_name="Ardit", subject_family_name="Krasnici"
    )
    # when the owner adds "Ardit Krasniqi"
    response = _adding(case, caseworker, "Krasniqi")
    # then the referral's subject is offered, with a link to it, and nothing is added yet
    assert response.status_code == 200
    assert [match.referral for match in response.context["known"]] == [earlier]
    assert earlier.get_absolute_url() in response.content.decode()
    assert not case.family.members.filter(given_name="Ardit").exists()


def test_the_api_offers_an_earlier_referral(case: Case, caseworker: User) -> None:
    earlier = ReferralFactory(
        received_by=case.owning_agency, subject_given_name="Ardit", subject_family_name="Krasniçi"
    )
    rows = (
        api_as(caseworker)
        .get(reverse("cases-api:familymember-known"), {"given_name": "Ardit", "family_name": "Krasniqi"})
        .json()
    )
    assert rows == [
        {
            "id": None,
            "name": "Ardit Krasniçi",
            "family": None,
            "referral": earlier.pk,
            "date_of_birth": None,
            "reason": "same names",
        }
    ]


def test_a_referral_the_user_may_not_read_is_not_offered(case: Case, caseworker: User) -> None:
    # given a referral of another agency, of the same name
    ReferralFactory(subject_given_name="Ardit", subject_family_name="Krasniqi")
    assert Referral.objects.count() == 1
    response = _adding(case, caseworker, "Krasniqi")
    # then nothing is offered: the form goes on and adds the member
    assert response.status_code == 302
    assert case.family.members.filter(given_name="Ardit").exists()


class TestTheSameWork:
    """A hidden referral's name and a name nobody holds: the same statements, the same rows."""

    @pytest.fixture(autouse=True)
    def hidden_referrals(self) -> None:
        ReferralFactory.create_batch(2, subject_given_name="Ardit", subject_family_name=HIDDEN)

    def test_the_api_does_the_same_work(self, case: Case, caseworker: User) -> None:
        client, url = api_as(caseworker), reverse("cases-api:familymember-known")

        def known(family: str) -> Any:
            def run() -> Any:
                forget_access(caseworker)
                response = client.get(url, {"given_name": "Ardit", "family_name": family})
                assert response.status_code == 200 and response.json() == []
                return response

            return run

        known(NOWHERE)()  # the first request resolves what every later one reuses
        hidden, nowhere = _Work(known(HIDDEN), HIDDEN), _Work(known(NOWHERE), NOWHERE)
        assert [s for s in hidden.statements if "audit_auditevent" not in s] == [
            s for s in nowhere.statements if "audit_auditevent" not in s
        ]
        assert hidden.rows == nowhere.rows

    def test_the_known_lookup_does_the_same_work(self, case: Case, caseworker: User) -> None:
        from families.search import known_people

        def known(family: str) -> Any:
            def run() -> Any:
                forget_access(caseworker)
                assert known_people(caseworker, given_name="Ardit", family_name=family) == []

            return run

        known(NOWHERE)()
        hidden, nowhere = _Work(known(HIDDEN), HIDDEN), _Work(known(NOWHERE), NOWHERE)
        assert hidden.statements == nowhere.statements and hidden.rows == nowhere.rows


@pytest.mark.parametrize("family_name", ["Li", "Krasniqi"])
def test_a_member_known_by_another_name_is_offered_whatever_its_length(
    case: Case, caseworker: User, family_name: str
) -> None:
    # given a member of a family the caseworker reads in full, known also as "<family_name>", and
    # another whose other name holds it only inside a word
    aliased = PersonFactory(family=case.family, given_name="Ardit", family_name="Hoxha", other_names=family_name)
    PersonFactory(family=case.family, given_name="Ardit", family_name="Gashi", other_names=f"Xa{family_name.lower()}")
    # when someone named "Ardit <family_name>" is being added
    known = known_people(caseworker, given_name="Ardit", family_name=family_name)
    # then the member known by that name is offered, the other not
    assert [match.person for match in known] == [aliased]
