"""Case pages in the browser: levels, forms that call services, refusals, and query counts."""

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from agencies.models import Agency, Membership, Panel, User
from cases.models import Case, CaseShare
from tests.conftest import member
from tests.factories import CaseFactory, agreement, share

pytestmark = pytest.mark.django_db
Role = Membership.Role


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestCasePage:
    def test_the_owner_sees_the_file(self, case: Case, caseworker: User) -> None:
        response = client_for(caseworker).get(case.get_absolute_url())
        assert response.status_code == 200
        assert response.context["case"].access_full is True
        assert case.index_person.given_name in response.content.decode()
        assert b"History" in response.content

    def test_a_panel_member_sees_the_summary_only(self, case: Case, panel: Panel, panel_member: User) -> None:
        # given a sibling recorded in the full file only
        from tests.factories import PersonFactory

        sibling = PersonFactory(family=case.family, relationship="sibling", given_name="Zamira")
        Case.objects.filter(pk=case.pk).update(panel=panel)
        response = client_for(panel_member).get(case.get_absolute_url())
        body = response.content.decode()
        assert response.status_code == 200
        assert response.context["case"].access_full is False
        assert sibling.given_name not in body
        assert "History" not in body

    def test_a_stranger_gets_404(self, case: Case, caseworker_other_agency: User) -> None:
        assert client_for(caseworker_other_agency).get(case.get_absolute_url()).status_code == 404

    def test_anonymous_is_sent_to_sign_in(self, case: Case) -> None:
        response = Client().get(case.get_absolute_url())
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


class TestShareView:
    def url(self, case: Case) -> str:
        return reverse("cases:case_share", args=[case.pk])

    def test_the_owner_shares_with_a_lawful_basis(self, case: Case, caseworker: User, other_agency: Agency) -> None:
        agreement(case.owning_agency, other_agency)
        response = client_for(caseworker).post(
            self.url(case),
            {
                "agency": other_agency.pk,
                "scope": "full",
                "basis": "safeguarding",
                "justification": "Risk to others in the family",
            },
        )
        assert response.status_code == 302
        assert CaseShare.objects.get().justification == "Risk to others in the family"

    def test_a_missing_basis_detail_keeps_what_was_typed(
        self, case: Case, caseworker: User, other_agency: Agency
    ) -> None:
        response = client_for(caseworker).post(
            self.url(case),
            {"agency": other_agency.pk, "scope": "full", "basis": "consent", "consent_given_by": "Mother"},
        )
        assert response.status_code == 200
        assert "Say when consent was given." in response.content.decode()
        assert 'value="Mother"' in response.content.decode()
        assert not CaseShare.objects.exists()

    def test_a_full_share_reader_gets_403_on_share(
        self, case: Case, other_agency: Agency, auditor_readonly: User
    ) -> None:
        share(case, other_agency)
        assert client_for(auditor_readonly).get(self.url(case)).status_code == 403
        assert client_for(auditor_readonly).post(self.url(case), {}).status_code == 403

    def test_a_stranger_gets_404_on_share(self, case: Case, caseworker_other_agency: User) -> None:
        assert client_for(caseworker_other_agency).post(self.url(case), {}).status_code == 404

    def test_a_refusal_from_the_service_is_shown_on_the_form(
        self, case: Case, caseworker: User, other_agency: Agency
    ) -> None:
        # the form offers no owning agency; posting it anyway is refused with a clear message
        response = client_for(caseworker).post(
            self.url(case),
            {"agency": case.owning_agency_id, "scope": "full", "basis": "legal_duty", "justification": "x"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors
        assert not CaseShare.objects.exists()


class TestRevokeView:
    def test_the_coordinator_revokes_without_reading_the_file(
        self, case: Case, panel: Panel, coordinator: User, other_agency: Agency
    ) -> None:
        Case.objects.filter(pk=case.pk).update(panel=panel)
        active = share(case, other_agency)
        url = reverse("cases:caseshare_revoke", args=[case.pk, active.pk])
        response = client_for(coordinator).post(url, {"reason": "Consent withdrawn"})
        assert response.status_code == 302
        active.refresh_from_db()
        assert active.revoked_at is not None

    def test_an_empty_reason_is_refused(self, case: Case, caseworker: User, other_agency: Agency) -> None:
        active = share(case, other_agency)
        url = reverse("cases:caseshare_revoke", args=[case.pk, active.pk])
        response = client_for(caseworker).post(url, {"reason": ""})
        assert response.status_code == 200 and response.context["form"].errors
        active.refresh_from_db()
        assert active.is_active

    def test_a_share_of_another_case_is_not_found(self, case: Case, caseworker: User, other_agency: Agency) -> None:
        other_case = CaseFactory()
        other_share = share(other_case, other_agency)
        url = reverse("cases:caseshare_revoke", args=[case.pk, other_share.pk])
        assert client_for(caseworker).post(url, {"reason": "x"}).status_code == 404


class TestAssignView:
    def test_the_coordinator_assigns_a_partner_practitioner(
        self, case: Case, panel: Panel, coordinator: User, other_agency: Agency
    ) -> None:
        Case.objects.filter(pk=case.pk).update(panel=panel)
        officer = member(other_agency, Role.POLICE_LIAISON)
        url = reverse("cases:case_assign", args=[case.pk])
        response = client_for(coordinator).post(
            url, {"agency": other_agency.pk, "owner": f"{officer.pk}:{other_agency.pk}"}
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.owner == officer

    def test_a_refused_move_keeps_the_owner_and_explains(
        self, case: Case, supervisor: User, other_agency: Agency
    ) -> None:
        officer = member(other_agency, Role.POLICE_LIAISON)
        url = reverse("cases:case_assign", args=[case.pk])
        response = client_for(supervisor).post(
            url, {"agency": other_agency.pk, "owner": f"{officer.pk}:{other_agency.pk}"}
        )
        assert response.status_code == 200
        assert "out of your reach" in response.content.decode()
        case.refresh_from_db()
        assert case.owner.username == "caseworker"

    def test_the_page_shows_each_candidates_caseload_languages_and_gender(
        self, case: Case, supervisor: User, colleague: User
    ) -> None:
        User.objects.filter(pk=colleague.pk).update(spoken_languages="Albanian, Turkish", gender="female")
        response = client_for(supervisor).get(reverse("cases:case_assign", args=[case.pk]))
        rows = {c.user.username: c for c in response.context["candidates"]}
        assert rows["caseworker"].open_cases == 1 and rows["colleague"].open_cases == 0
        body = response.content.decode()
        assert "Albanian, Turkish" in body and "Female" in body

    def test_a_practitioner_who_is_not_the_owner_gets_403(self, case: Case, colleague: User) -> None:
        url = reverse("cases:case_assign", args=[case.pk])
        assert client_for(colleague).get(url).status_code == 403


class TestListsQueryCounts:
    @pytest.mark.parametrize("panels", [1, 6])
    def test_panel_index_is_constant(
        self,
        panels: int,
        coordinator: User,
        agency: Agency,
        django_assert_max_num_queries: DjangoAssertNumQueries,
    ) -> None:
        from tests.factories import PanelFactory

        for _ in range(panels):
            PanelFactory(coordinator=coordinator).agencies.add(agency)
        client = client_for(coordinator)
        # 8, and the header's unread reminder count
        with django_assert_max_num_queries(12):  # +3: the read's audit record (chain head, insert)
            response = client.get(reverse("panels:panel_list"))
        assert len(response.context["panels"]) == panels

    @pytest.mark.parametrize("rows", [1, 12])
    def test_case_list_is_constant(
        self,
        rows: int,
        agency: Agency,
        caseworker: User,
        django_assert_max_num_queries: DjangoAssertNumQueries,
    ) -> None:
        CaseFactory.create_batch(rows, owning_agency=agency, owner=caseworker)
        client = client_for(caseworker)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("cases:case_list"), {"stage": ["1"], "owner": caseworker.pk})
        assert response.status_code == 200

    @pytest.mark.parametrize("rows", [1, 12])
    def test_home_is_constant(
        self,
        rows: int,
        agency: Agency,
        caseworker: User,
        django_assert_max_num_queries: DjangoAssertNumQueries,
    ) -> None:
        CaseFactory.create_batch(rows, owning_agency=agency)
        client = client_for(caseworker)
        client.get(reverse("home"))  # the session's last-seen time written once, not in the count
        # 9, the header's unread reminder count, and the deadlines (cases, follow-ups, referrals to triage)
        with django_assert_max_num_queries(16):  # +3: the read's audit record (chain head, insert)
            assert client.get(reverse("home")).status_code == 200

    @pytest.mark.parametrize("rows", [1, 12])
    def test_panel_list_is_constant(
        self,
        rows: int,
        panel: Panel,
        panel_member: User,
        django_assert_max_num_queries: DjangoAssertNumQueries,
    ) -> None:
        CaseFactory.create_batch(rows, panel=panel)
        client = client_for(panel_member)
        # 12, and the header's unread reminder count
        with django_assert_max_num_queries(16):  # +3: the read's audit record (chain head, insert)
            response = client.get(reverse("panels:panel", args=[panel.pk]), {"risk_level": "low"})
        assert response.status_code == 200


def test_the_case_page_hides_share_particulars_from_a_summary_manager(
    case: Case, panel: Panel, coordinator: User, other_agency: Agency
) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    justification, purpose = "Threats against a teacher", "Mentoring Qzx"
    agreement(case.owning_agency, other_agency)
    share(case, other_agency, basis=CaseShare.Basis.SAFEGUARDING, justification=justification, purpose=purpose)
    body = client_for(coordinator).get(case.get_absolute_url()).content.decode()
    assert "Safeguarding or security override" in body
    # the particulars (why, and what for) are case content: not in the shares, not in who is involved
    assert justification not in body and purpose not in body
    owners = client_for(case.owner).get(case.get_absolute_url()).content.decode()
    assert justification in owners and purpose in owners
