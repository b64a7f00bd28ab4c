"""The case search finds people the way matching does (decision 69): spelling-insensitive keys, a
slip in the first letters (trigram similarity on PostgreSQL, the matching ratio elsewhere), only
among the cases the user may know of, and only by the names a summary shows."""

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, Membership, User
from cases.models import Case
from families.models import Person
from tests.conftest import api_as, member
from tests.factories import AgencyFactory, CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db


def named(case: Case, given: str, family: str, **fields: object) -> Case:
    person = Person.objects.get(pk=case.index_person_id)
    person.given_name, person.family_name = given, family
    for name, value in fields.items():
        setattr(person, name, value)
    person.save()
    return case


def found(user: User, q: str) -> set[int]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("cases:case_list"), {"q": q})
    assert response.status_code == 200
    return {case.pk for case in response.context["cases"]}


@pytest.mark.parametrize("typed", ["Krasniqi", "Krasnici", "Krasniçi", "krasnići", "Karsniqi", "Grasniqi", "Ardit"])
def test_a_case_is_found_across_spellings_and_slips(typed: str, case: Case, caseworker: User) -> None:
    named(case, "Ardit", "Krasniqi")
    other = named(CaseFactory(owner=caseworker, owning_agency=case.owning_agency), "Besnik", "Gashi")
    result = found(caseworker, typed)
    assert case.pk in result and other.pk not in result


def test_an_alias_and_the_reference_find_the_case(case: Case, caseworker: User) -> None:
    named(case, "Ardit", "Krasniqi", other_names="Abu Ardit")
    assert case.pk in found(caseworker, "Abu")
    assert case.pk in found(caseworker, case.reference)


def test_a_case_the_user_may_not_know_is_not_found(case: Case, caseworker: User) -> None:
    # given a Krasniqi case held by an agency the caseworker has no link with
    elsewhere = AgencyFactory(name="Far away")
    hidden = CaseFactory(owner=member(elsewhere, Membership.Role.PRACTITIONER), owning_agency=elsewhere)
    named(hidden, "Ardit", "Krasniqi")
    named(case, "Drita", "Hoxha")
    assert found(caseworker, "Krasnici") == set()


def test_a_summary_reader_does_not_find_a_case_by_another_members_name(
    case: Case, caseworker: User, other_agency: Agency, panel_member: User, panel: object
) -> None:
    # given a sibling known to the full file only
    Case.objects.filter(pk=case.pk).update(panel=panel)
    PersonFactory(family=case.family, given_name="Zamira", family_name="Qorri", relationship="sibling")
    # then the panel member, who reads the summary, does not find the case by her name
    assert found(panel_member, "Qorri") == set()


def test_the_api_searches_alike(case: Case, caseworker: User) -> None:
    named(case, "Ardit", "Krasniqi")
    rows = api_as(caseworker).get(reverse("cases-api:case-list"), {"q": "Krasnici"}).json()["results"]
    assert [row["id"] for row in rows] == [case.pk]
