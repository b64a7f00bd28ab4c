"""Practitioners' safety (step 10, decision 40): each user chooses how their name appears to other
agencies; their own agency always sees the full name."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency, Membership, User
from agencies.people import display_name
from cases.models import Case
from tests.conftest import api_as, member
from tests.factories import CaseFactory, share

Shown = User.NameShown


@pytest.fixture
def owner(caseworker: User) -> User:
    caseworker.first_name, caseworker.last_name = "Arta", "Hoxha"
    caseworker.save()
    return caseworker


@pytest.fixture
def officer(case: Case, other_agency: Agency) -> User:
    share(case, other_agency)
    return member(other_agency, Membership.Role.POLICE_LIAISON, username="officer")


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (Shown.FULL_NAME, "Arta Hoxha"),
        (Shown.FIRST_NAME_INITIAL, "Arta H."),
        (Shown.ROLE_AND_AGENCY, "Practitioner, Social services"),
    ],
)
def test_another_agency_sees_the_chosen_form(
    owner: User, officer: User, colleague: User, choice: str, expected: str
) -> None:
    owner.name_shown_to_others = choice
    owner.save()
    assert display_name(owner, officer) == expected
    assert display_name(owner, None) == expected  # e-mails and background work: the chosen form
    assert display_name(owner, colleague) == "Arta Hoxha"
    assert display_name(owner, owner) == "Arta Hoxha"


def test_the_case_page_and_the_api_show_the_chosen_form(
    owner: User, officer: User, colleague: User, case: Case
) -> None:
    owner.name_shown_to_others = Shown.ROLE_AND_AGENCY
    owner.save()
    client = Client()
    client.force_login(officer)
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "Arta Hoxha" not in page and "Hoxha" not in page
    assert "Practitioner, Social services" in page
    answer = api_as(officer).get(reverse("cases-api:case-detail", args=[case.pk])).content.decode()
    assert "Hoxha" not in answer

    client.force_login(colleague)
    assert "Arta Hoxha" in client.get(reverse("cases:case", args=[case.pk])).content.decode()


def test_a_user_chooses_their_form(owner: User) -> None:
    client = Client()
    client.force_login(owner)
    assert client.get(reverse("name_shown")).status_code == 200
    response = client.post(reverse("name_shown"), {"name_shown_to_others": Shown.FIRST_NAME_INITIAL})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.name_shown_to_others == Shown.FIRST_NAME_INITIAL
    assert client.post(reverse("name_shown"), {"name_shown_to_others": "nickname"}).status_code == 400


def test_a_list_asks_about_a_person_once(owner: User, officer: User, case: Case, other_agency: Agency) -> None:
    owner.name_shown_to_others = Shown.FIRST_NAME_INITIAL
    owner.save()
    client = Client()
    client.force_login(officer)
    url = reverse("cases:case_list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        page = client.get(url)
    assert "Arta H." in page.content.decode()
    for _ in range(3):
        share(CaseFactory(owner=owner, owning_agency=case.owning_agency), other_agency)
    with CaptureQueriesContext(connection) as four:
        page = client.get(url)
    assert page.content.decode().count("Arta H.") >= 4
    assert len(four) == len(one)


def test_the_api_does_not_give_away_the_name_in_the_username(owner: User, officer: User, case: Case) -> None:
    # Usernames are often made of names ("arta.hoxha"): another agency does not see one.
    User.objects.filter(pk=owner.pk).update(username="arta.hoxha", name_shown_to_others=Shown.ROLE_AND_AGENCY)
    answer = api_as(officer).get(reverse("cases-api:case-detail", args=[case.pk])).content.decode()
    assert "arta.hoxha" not in answer and "Practitioner, Social services" in answer


def test_the_access_log_shows_readers_of_other_agencies_as_they_chose(owner: User, officer: User, case: Case) -> None:
    User.objects.filter(pk=officer.pk).update(
        first_name="Fatos", last_name="Dushku", name_shown_to_others=Shown.ROLE_AND_AGENCY
    )
    reader = Client()
    reader.force_login(User.objects.get(pk=officer.pk))
    assert reader.get(reverse("cases:case", args=[case.pk])).status_code == 200
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("audit:case_access_log", args=[case.pk])).content.decode()
    assert "Dushku" not in page and "Police liaison" in page
