"""The cases API: same rows as the browser, `access` per case, tokens, and refusals."""

import os

import pytest
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from agencies.models import Agency, Membership, Panel, User
from cases.models import Case, CaseShare
from tests.conftest import api_as, member
from tests.factories import CaseFactory, agreement, share

pytestmark = pytest.mark.django_db
Role = Membership.Role
LIST = reverse("cases-api:case-list")


def detail(case: Case) -> str:
    return reverse("cases-api:case-detail", args=[case.pk])


class TestTokenAuth:
    def test_a_token_from_username_and_password_opens_the_api(self, caseworker: User, case: Case) -> None:
        client = APIClient()
        response = client.post(
            reverse("api-token"), {"username": "caseworker", "password": "test-password-1"}, format="json"
        )
        assert response.status_code == 200 and response.data["expiry"]
        client.credentials(HTTP_AUTHORIZATION=f"Token {response.data['token']}")
        assert [row["id"] for row in client.get(LIST).data["results"]] == [case.pk]

    def test_wrong_password_gets_no_token(self, caseworker: User) -> None:
        response = APIClient().post(reverse("api-token"), {"username": "caseworker", "password": "nope"})
        assert response.status_code == 400
        assert "token" not in response.data

    def test_a_revoked_token_stops_working(self, caseworker: User) -> None:
        client = APIClient()
        token = client.post(reverse("api-token"), {"username": "caseworker", "password": "test-password-1"}).data
        client.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
        assert client.post(reverse("api-logout")).status_code == 204
        assert client.get(LIST).status_code == 401

    def test_anonymous_gets_nothing(self, case: Case) -> None:
        assert APIClient().get(LIST).status_code in (401, 403)
        assert APIClient().get(detail(case)).status_code in (401, 403)


class TestCases:
    def test_access_and_family_name_per_case(self, case: Case, panel: Panel, other_agency: Agency) -> None:
        # given a police officer on the panel, with a full share of one case and not the other
        officer = member(other_agency, Role.POLICE_LIAISON, Role.PANEL_MEMBER)
        other = CaseFactory(panel=panel)
        Case.objects.filter(pk=case.pk).update(panel=panel)
        share(case, other_agency)
        # when
        rows = api_as(officer).get(LIST).data["results"]
        # then
        assert {row["id"]: row["access"] for row in rows} == {case.pk: "full", other.pk: "summary"}
        assert {row["family"] for row in rows} == {case.family.name, other.family.name}

    def test_detail_gives_the_family_only_with_full_access(self, case: Case, panel: Panel, panel_member: User) -> None:
        Case.objects.filter(pk=case.pk).update(panel=panel)
        summary = api_as(panel_member).get(detail(case)).data
        full = api_as(case.owner).get(detail(case)).data
        assert summary["access"] == "summary" and summary["members"] is None and summary["shares"] is None
        assert full["access"] == "full" and [m["id"] for m in full["members"]] == [case.index_person_id]

    def test_a_stranger_gets_404_like_a_missing_case(self, case: Case, caseworker_other_agency: User) -> None:
        client = api_as(caseworker_other_agency)
        hidden, missing = client.get(detail(case)), client.get(reverse("cases-api:case-detail", args=[999999]))
        assert hidden.status_code == missing.status_code == 404
        assert hidden.data == missing.data

    def test_a_non_numeric_id_is_a_404(self, caseworker: User) -> None:
        assert api_as(caseworker).get("/api/v1/cases/abc/").status_code == 404

    def test_filters_apply_within_what_the_user_sees(self, agency: Agency, caseworker: User) -> None:
        high = CaseFactory(owning_agency=agency, risk_level="high")
        CaseFactory(owning_agency=agency, risk_level="low")
        CaseFactory(risk_level="high")  # another agency's
        rows = api_as(caseworker).get(LIST, {"risk_level": "high"}).data["results"]
        assert [row["id"] for row in rows] == [high.pk]

    def test_an_owner_filter_for_an_unknown_person_is_refused_not_answered(self, case: Case, caseworker: User) -> None:
        stranger_case = CaseFactory()
        response = api_as(caseworker).get(LIST, {"owner": stranger_case.owner_id})
        assert response.status_code == 400

    @pytest.mark.parametrize("rows", [1, 15])
    def test_list_queries_are_constant(
        self,
        rows: int,
        agency: Agency,
        caseworker: User,
        django_assert_max_num_queries: DjangoAssertNumQueries,
    ) -> None:
        CaseFactory.create_batch(rows, owning_agency=agency)
        client = api_as(caseworker)
        with django_assert_max_num_queries(8):
            assert client.get(LIST).status_code == 200


@pytest.mark.parametrize("rows", [1, 12])
def test_share_list_queries_are_constant(
    rows: int,
    agency: Agency,
    caseworker: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    from tests.factories import AgencyFactory

    for case in CaseFactory.create_batch(rows, owning_agency=agency, owner=caseworker):
        share(case, AgencyFactory())
    client = api_as(caseworker)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("cases-api:caseshare-list"))
    assert response.data["count"] == rows


class TestShareAndAssignApi:
    def test_the_owner_shares_and_revokes(self, case: Case, other_agency: Agency, auditor_readonly: User) -> None:
        agreement(case.owning_agency, other_agency)
        client = api_as(case.owner)
        created = client.post(
            reverse("cases-api:caseshare-list"),
            {
                "case": case.pk,
                "agency": other_agency.pk,
                "scope": "summary",
                "basis": "legal_duty",
                "justification": "The court ordered the disclosure",
                "legal_duty": "Court order",
            },
        )
        assert created.status_code == 201, created.data
        assert api_as(auditor_readonly).get(detail(case)).data["access"] == "summary"
        revoked = client.post(
            reverse("cases-api:caseshare-revoke", args=[created.data["id"]]), {"reason": "Order ended"}
        )
        assert revoked.status_code == 200 and revoked.data["revoked_at"]
        assert api_as(auditor_readonly).get(detail(case)).status_code == 404

    def test_sharing_a_case_you_cannot_manage_looks_like_a_missing_case(
        self, case: Case, other_agency: Agency, caseworker_other_agency: User
    ) -> None:
        payload = {"agency": other_agency.pk, "scope": "full", "basis": "legal_duty", "justification": "x"}
        hidden = api_as(caseworker_other_agency).post(reverse("cases-api:caseshare-list"), {**payload, "case": case.pk})
        missing = api_as(caseworker_other_agency).post(reverse("cases-api:caseshare-list"), {**payload, "case": 999999})
        assert hidden.status_code == missing.status_code == 400
        assert str(hidden.data["case"][0]).replace(str(case.pk), "N") == str(missing.data["case"][0]).replace(
            "999999", "N"
        )
        assert not CaseShare.objects.exists()

    def test_bad_share_input_is_a_clear_400_and_saves_nothing(self, case: Case, other_agency: Agency) -> None:
        response = api_as(case.owner).post(
            reverse("cases-api:caseshare-list"),
            {"case": case.pk, "agency": other_agency.pk, "scope": "full", "basis": "consent"},
        )
        assert response.status_code == 400
        assert not CaseShare.objects.exists()

    def test_a_full_share_reader_gets_403_on_assign(
        self, case: Case, other_agency: Agency, auditor_readonly: User, colleague: User
    ) -> None:
        share(case, other_agency)
        url = reverse("cases-api:case-assign-owner", args=[case.pk])
        assert api_as(auditor_readonly).post(url, {"owner": colleague.pk}).status_code == 403

    def test_assign_refused_when_it_takes_the_case_out_of_reach(
        self, case: Case, supervisor: User, other_agency: Agency
    ) -> None:
        officer = member(other_agency, Role.POLICE_LIAISON)
        response = api_as(supervisor).post(
            reverse("cases-api:case-assign-owner", args=[case.pk]), {"owner": officer.pk}
        )
        assert response.status_code == 400 and "reach" in str(response.data)
        case.refresh_from_db()
        assert case.owner.username == "caseworker"

    def test_the_coordinator_assigns_through_the_api(
        self, case: Case, panel: Panel, coordinator: User, colleague: User
    ) -> None:
        Case.objects.filter(pk=case.pk).update(panel=panel)
        response = api_as(coordinator).post(
            reverse("cases-api:case-assign-owner", args=[case.pk]), {"owner": colleague.pk}
        )
        assert response.status_code == 200 and response.data["owner"]["id"] == colleague.pk
        assert response.data["access"] == "summary"


def test_the_schema_and_its_page_are_served(caseworker: User) -> None:
    client = APIClient()
    client.force_login(caseworker)
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200 and b"/api/v1/cases/" in schema.content
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200 and b"swagger-ui" in page.content.lower()


def test_a_coordinator_manages_shares_without_reading_their_particulars(
    case: Case, panel: Panel, coordinator: User, other_agency: Agency
) -> None:
    # given a share whose justification is case content
    Case.objects.filter(pk=case.pk).update(panel=panel)
    agreement(case.owning_agency, other_agency)
    share(case, other_agency, basis=CaseShare.Basis.SAFEGUARDING, justification="Threats against a teacher")
    # when the coordinator and the owner read the shares
    as_coordinator = api_as(coordinator).get(reverse("cases-api:caseshare-list")).data["results"]
    as_owner = api_as(case.owner).get(reverse("cases-api:caseshare-list")).data["results"]
    # then only the owner reads the justification
    assert as_coordinator[0]["basis"] == "safeguarding" and as_coordinator[0]["justification"] is None
    assert as_owner[0]["justification"] == "Threats against a teacher"


def test_a_coordinator_reads_none_of_a_revoked_shares_particulars(
    case: Case, panel: Panel, coordinator: User, other_agency: Agency, caseworker: User
) -> None:
    from cases import services

    # given a share on the panel's case, revoked by the owner with a reason
    Case.objects.filter(pk=case.pk).update(panel=panel)
    revoked = share(case, other_agency, purpose="Mentoring")
    services.revoke_share(revoked, reason="Father threatened the teacher", actor=caseworker)
    # then the coordinator, who manages the case at summary level, reads none of its particulars
    row = api_as(coordinator).get(reverse("cases-api:caseshare-list")).data["results"][0]
    for name in ("revoke_reason", "consent_given_by", "consent_given_on", "justification", "purpose"):
        assert row[name] is None, name


def test_the_schema_is_valid_and_generates_without_warnings() -> None:
    # The schema is what client authors read: a guessed serializer or a clashing enum name is a bug.
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", os.devnull)
