"""The case page and the home page as a whole: each is its declared sections, in order, for the
reader they apply to; each costs a fixed number of queries (decision 57); a summary reader sees of a
share only what the API's summary gives her."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from agencies.models import Agency, Panel, User
from cases import services
from cases.models import Case, CaseShare
from families.models import Consent
from pages.views import CaseView, HomeView
from tests.conftest import AUDIT_READ
from tests.factories import CaseFactory, share
from tests.pages.test_section_budgets import BUDGETS, after_the_plan

pytestmark = pytest.mark.django_db


def signed_in(user: User, url: str) -> Client:
    """A client signed in as `user` whose session was already used once: a request that refreshes
    the session's last-seen time (once a minute) writes the session, which is not the page's cost."""
    client = Client()
    client.force_login(user)
    client.get(url)
    return client


def shown(response: Any) -> list[str]:
    return [section.name for section in response.context["sections"]]


def test_the_case_page_shows_a_full_reader_every_section_in_order(case: Case) -> None:
    response = signed_in(case.owner, case.get_absolute_url()).get(case.get_absolute_url())
    assert shown(response) == [section.name for section in CaseView.sections if section.name != "glass"]


def test_the_case_page_shows_a_summary_reader_the_summary_sections(
    case: Case, panel: Panel, panel_member: User
) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    response = signed_in(panel_member, case.get_absolute_url()).get(case.get_absolute_url())
    assert shown(response) == [
        "header",
        "restrictions",
        "safety_warnings",
        "summary",
        "progress",
        "plan_progress",
        "owner_questions",
        "involvement",
        "decisions",
        "referrals",
    ]


def test_the_home_page_shows_its_sections_in_order(caseworker: User) -> None:
    response = signed_in(caseworker, reverse("home")).get(reverse("home"))
    assert shown(response) == [section.name for section in HomeView.sections]


def test_a_page_of_my_cases_past_the_last_is_not_found(caseworker: User) -> None:
    assert signed_in(caseworker, reverse("home")).get(reverse("home") + "?page=9").status_code == 404


# What the case page costs outside its sections (decision 149): the session, the user, their
# permissions (one UNION), their memberships, the case with its access and the counts and dates its
# sections read with it, the header's unread count, and the read's audit record (one insert, chained
# after the request: decision 170).
CASE_PAGE_FLOOR = 6 + AUDIT_READ
# Every section with rows, for its owner: the sections' budgets (test_section_budgets), the shares
# read once for who is involved and the shares, the family's members once for the members and the
# children, and the short lists of fourteen sections read together in one query (decision 174):
# the sections' own reads of the plan (three), the shares and the panel's agencies (two), the
# members, the children's needs, the drafts, the people met, the events' names, and the lists. The
# most the page costs.
CASE_PAGE_FULL = CASE_PAGE_FLOOR + 11
# A new case, for its owner: a table without a row of the case is not read (decision 166); the
# family's members (its index person) and the people the family met are.
CASE_PAGE_NEW = CASE_PAGE_FLOOR + 2
# A summary reader, and the coordinator who manages the case from its summary (the shares with who
# is involved): the floor and the summary's sections.
SUMMARY_READER = COORDINATOR = 15


class TestPageTotals:
    # The page's own queries (CASE_PAGE_FLOOR) and the sum of its sections' budgets.
    def test_the_case_page_for_its_owner(
        self, case: Case, django_assert_max_num_queries: DjangoAssertNumQueries
    ) -> None:
        client = signed_in(case.owner, case.get_absolute_url())
        with django_assert_max_num_queries(CASE_PAGE_NEW) as captured:
            assert client.get(case.get_absolute_url()).status_code == 200
        assert len(captured) == CASE_PAGE_NEW

    @pytest.mark.parametrize("rows", [1, 3])
    def test_the_case_page_for_its_owner_with_every_section_filled(
        self, rows: int, case: Case, django_assert_max_num_queries: DjangoAssertNumQueries
    ) -> None:
        # given a case on which every section has rows, however many
        fill = {builder for _, builder in BUDGETS.values()}
        for builder in sorted(fill, key=lambda builder: builder.__name__):
            builder(case, rows)
        after_the_plan(case, rows)  # a later builder's plan replaced the reviewed one
        case.refresh_from_db()
        client = signed_in(case.owner, case.get_absolute_url())
        # when its owner opens it, then the whole request costs the same fixed number of queries
        with django_assert_max_num_queries(CASE_PAGE_FULL) as captured:
            response = client.get(case.get_absolute_url())
        assert response.status_code == 200
        assert len(captured) == CASE_PAGE_FULL
        assert shown(response) == [section.name for section in CaseView.sections if section.name != "glass"]

    def test_the_case_page_for_a_coordinator(
        self, case: Case, panel: Panel, coordinator: User, django_assert_max_num_queries: DjangoAssertNumQueries
    ) -> None:
        # a summary reader who manages the case: the shares too, read once with who is involved
        Case.objects.filter(pk=case.pk).update(panel=panel)
        client = signed_in(coordinator, case.get_absolute_url())
        with django_assert_max_num_queries(COORDINATOR):
            assert client.get(case.get_absolute_url()).status_code == 200

    def test_the_case_page_for_a_summary_reader(
        self, case: Case, panel: Panel, panel_member: User, django_assert_max_num_queries: DjangoAssertNumQueries
    ) -> None:
        Case.objects.filter(pk=case.pk).update(panel=panel)
        client = signed_in(panel_member, case.get_absolute_url())
        with django_assert_max_num_queries(SUMMARY_READER):
            assert client.get(case.get_absolute_url()).status_code == 200

    @pytest.mark.parametrize("rows", [1, 12])
    def test_the_home_page(
        self, rows: int, agency: Agency, caseworker: User, django_assert_max_num_queries: DjangoAssertNumQueries
    ) -> None:
        CaseFactory.create_batch(rows, owner=caseworker, owning_agency=agency)
        client = signed_in(caseworker, reverse("home"))
        with django_assert_max_num_queries(13):  # each kind of reader: test_page_budgets.py
            assert client.get(reverse("home")).status_code == 200


def test_a_coordinator_sees_of_a_share_what_the_api_summary_gives_her(
    case: Case, panel: Panel, coordinator: User, other_agency: Agency
) -> None:
    # given a share on a consent since withdrawn, with a purpose, on a panel case
    Case.objects.filter(pk=case.pk).update(panel=panel)
    consent = services.record_consent(
        case,
        person=case.index_person,
        given_by=case.index_person,
        given_on=case.opened_at.date(),
        purposes=[Consent.Purpose.SHARING],
        actor=case.owner,
    )
    shared = share(case, other_agency, consent=consent, purpose="Mentoring Qzx")
    services.withdraw_consent(case, consent, reason="The mother withdrew", actor=case.owner)
    # when the coordinator, who manages the case from its summary, opens it
    body = signed_in(coordinator, case.get_absolute_url()).get(case.get_absolute_url()).content.decode()
    api = Client()
    api.force_login(coordinator)
    [row] = api.get(reverse("cases-api:case-detail", args=[case.pk])).json()["shares"]
    # then the API's summary gives neither the purpose nor the withdrawal, and nor does the page
    assert row["id"] == shared.pk and row["purpose"] is None and row["consent_withdrawn"] is None
    assert reverse("cases:caseshare_revoke", args=[case.pk, shared.pk]) in body
    assert "Mentoring Qzx" not in body and "consent-withdrawn" not in body
    # while the owner, who reads the file, sees both
    owners = signed_in(case.owner, case.get_absolute_url()).get(case.get_absolute_url()).content.decode()
    assert "Mentoring Qzx" in owners and "consent-withdrawn" in owners
    assert CaseShare.objects.get(pk=shared.pk).consent_withdrawn
