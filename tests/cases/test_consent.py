"""Consent to support is a record of its own; a share on consent rests on a current one, and
withdrawing it flags the shares on the case (decisions 42, 43)."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from agencies.models import Agency, Panel, User
from audit.models import AuditEvent
from cases import services
from cases.models import Case, CaseEvent, CaseShare
from families.models import Consent, Person
from tests.conftest import api_as
from tests.factories import AgencyFactory, agreement, relative, share

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def consent(case: Case, *, agencies: list[Agency] | None = None, **kwargs: Any) -> Consent:
    values: dict[str, Any] = {
        "person": case.index_person,
        "given_by": case.index_person,
        "given_on": TODAY(),
        "purposes": [Consent.Purpose.SUPPORT_PLAN, Consent.Purpose.SHARING],
        "agencies": agencies or [],
        "actor": case.owner,
    }
    return services.record_consent(case, **{**values, **kwargs})


class TestRecordConsent:
    def test_it_records_timeline_and_audit(self, case: Case) -> None:
        # when
        result = consent(case)
        # then
        assert result.family_id == case.family_id and result.is_current
        assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CONSENT_RECORDED).count() == 1
        audit = AuditEvent.objects.get(action=AuditEvent.Action.CONSENT_RECORDED)
        assert (audit.case_id, audit.object_id) == (case.pk, str(result.pk))

    def test_a_parent_consents_for_a_child(self, case: Case) -> None:
        # given: the index person is 16 (the factory's default)
        mother = relative(case, "Mimoza", 45, Person.Relationship.PARENT)
        # when
        result = consent(case, given_by=mother)
        # then
        assert result.given_by == mother

    def test_a_sibling_cannot_consent_for_a_child(self, case: Case) -> None:
        brother = relative(case, "Arben", 25, Person.Relationship.SIBLING)
        with pytest.raises(ValidationError, match="not a parent"):
            consent(case, given_by=brother)

    def test_a_lodger_cannot_consent_for_a_child_of_the_household(self, case: Case) -> None:
        # given a child whose parents Ura cannot tell from the relationships to the index person
        cousin = relative(case, "Dita", 9, Person.Relationship.OTHER_RELATIVE)
        lodger = relative(case, "Besim", 35, Person.Relationship.HOUSEHOLD)
        # then no adult of the household consents for her
        with pytest.raises(ValidationError, match="not a parent"):
            consent(case, person=cousin, given_by=lodger)

    def test_an_adult_consents_for_themself(self, case: Case) -> None:
        adult = relative(case, "Agron", 40, Person.Relationship.PARENT)
        mother = relative(case, "Mimoza", 45, Person.Relationship.PARENT)
        with pytest.raises(ValidationError, match="own consent"):
            consent(case, person=adult, given_by=mother)

    def test_the_giver_is_of_the_same_family(self, case: Case) -> None:
        from tests.factories import PersonFactory

        outsider = PersonFactory(date_of_birth=datetime.date(1980, 1, 1))
        with pytest.raises(ValidationError, match="same family"):
            consent(case, given_by=outsider)

    def test_it_is_not_given_in_the_future(self, case: Case) -> None:
        with pytest.raises(ValidationError, match="future"):
            consent(case, given_on=TODAY() + datetime.timedelta(days=1))

    def test_a_reader_who_does_not_manage_cannot_record(self, case: Case, auditor_readonly: User) -> None:
        share(case, auditor_readonly.memberships.get().agency)
        with pytest.raises(ValidationError, match="Only the case owner"):
            consent(case, actor=auditor_readonly)


class TestShareBasis:
    def test_a_share_on_consent_links_the_record(self, case: Case, other_agency: Agency) -> None:
        record = consent(case, agencies=[other_agency])
        result = share(case, other_agency, consent=record, consent_given_by="", consent_given_on=None)
        assert result.consent == record and result.consent_given_on == record.given_on
        assert result.consent_given_by == str(case.index_person)

    def test_a_withdrawn_consent_is_refused(self, case: Case, other_agency: Agency) -> None:
        record = consent(case)
        services.withdraw_consent(case, record, reason="Changed her mind", actor=case.owner)
        with pytest.raises(ValidationError, match="withdrawn"):
            share(case, other_agency, consent=record)

    def test_a_consent_naming_other_agencies_is_refused(self, case: Case, other_agency: Agency) -> None:
        record = consent(case, agencies=[AgencyFactory(name="School")])
        with pytest.raises(ValidationError, match="does not name"):
            share(case, other_agency, consent=record)

    def test_a_consent_not_covering_sharing_is_refused(self, case: Case, other_agency: Agency) -> None:
        record = consent(case, purposes=[Consent.Purpose.HOME_VISITS])
        with pytest.raises(ValidationError, match="does not cover"):
            share(case, other_agency, consent=record)

    def test_another_familys_consent_is_refused(self, case: Case, other_agency: Agency) -> None:
        from tests.factories import CaseFactory

        elsewhere = CaseFactory(owner=case.owner, owning_agency=case.owning_agency)
        record = consent(elsewhere)
        with pytest.raises(ValidationError, match="this family"):
            share(case, other_agency, consent=record)

    def test_an_override_needs_a_real_justification(self, case: Case, other_agency: Agency) -> None:
        with pytest.raises(ValidationError, match="at least"):
            share(case, other_agency, basis=CaseShare.Basis.SAFEGUARDING, justification="risk")

    def test_a_legal_duty_is_named(self, case: Case, other_agency: Agency) -> None:
        why = "The court ordered the disclosure of the file."
        with pytest.raises(ValidationError, match="legal duty"):
            share(case, other_agency, basis=CaseShare.Basis.LEGAL_DUTY, justification=why)
        agreement(case.owning_agency, other_agency)
        result = share(case, other_agency, basis=CaseShare.Basis.LEGAL_DUTY, justification=why, legal_duty="Art. 5")
        assert result.legal_duty == "Art. 5"


class TestWithdrawConsent:
    def test_shares_on_it_are_flagged_not_revoked(self, case: Case, other_agency: Agency) -> None:
        # given
        record = consent(case)
        shared = share(case, other_agency, consent=record)
        # when
        services.withdraw_consent(case, record, reason="The mother withdrew", actor=case.owner)
        # then
        shared.refresh_from_db()
        assert shared.is_active and shared.consent_withdrawn
        audit = AuditEvent.objects.get(action=AuditEvent.Action.CONSENT_WITHDRAWN)
        assert audit.data["shares_flagged"] == [{"case": case.pk, "agency": other_agency.name}]
        assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CONSENT_WITHDRAWN).exists()

    def test_it_needs_a_reason_and_happens_once(self, case: Case) -> None:
        record = consent(case)
        with pytest.raises(ValidationError, match="why"):
            services.withdraw_consent(case, record, reason=" ", actor=case.owner)
        services.withdraw_consent(case, record, reason="No", actor=case.owner)
        with pytest.raises(ValidationError, match="already"):
            services.withdraw_consent(case, record, reason="No", actor=case.owner)

    def test_a_summary_level_coordinator_cannot_withdraw_it(self, case: Case, panel: Panel, coordinator: User) -> None:
        # given a coordinator who manages the case from its summary (consent is file content)
        Case.objects.filter(pk=case.pk).update(panel=panel)
        record = consent(case)
        # when / then
        with pytest.raises(ValidationError, match="owner or a supervisor"):
            services.withdraw_consent(case, record, reason="Asked by phone", actor=coordinator)
        record.refresh_from_db()
        assert record.is_current

    def test_a_full_reader_who_may_not_change_the_case_cannot_withdraw_it(
        self, case: Case, auditor_readonly: User, other_agency: Agency
    ) -> None:
        share(case, other_agency)
        record = consent(case)
        with pytest.raises(ValidationError, match="owner or a supervisor"):
            services.withdraw_consent(case, record, reason="Asked by phone", actor=auditor_readonly)


class TestConsentPages:
    def test_the_case_page_shows_consent_and_the_flag(self, client: Client, case: Case, other_agency: Agency) -> None:
        record = consent(case, purpose_text="Zyxw purpose")
        share(case, other_agency, consent=record)
        services.withdraw_consent(case, record, reason="Qxv reason", actor=case.owner)
        client.force_login(case.owner)
        body = client.get(case.get_absolute_url()).content.decode()
        assert "Zyxw purpose" in body and "Qxv reason" in body and "consent-withdrawn" in body

    def test_the_owner_records_and_withdraws_in_the_browser(self, client: Client, case: Case) -> None:
        client.force_login(case.owner)
        person = case.index_person.pk
        response = client.post(
            reverse("cases:consent_create", args=[case.pk]),
            {"person": person, "given_by": person, "given_on": TODAY().isoformat(), "purposes": ["support_plan"]},
        )
        assert response.status_code == 302
        record = Consent.objects.get()
        response = client.post(reverse("cases:consent_withdraw", args=[case.pk, record.pk]), {"reason": "No more"})
        assert response.status_code == 302
        record.refresh_from_db()
        assert record.withdrawn_at is not None and record.withdrawn_by == case.owner

    def test_a_summary_level_coordinator_cannot_withdraw_in_the_browser(
        self,
        client: Client,
        case: Case,
        panel: Panel,
        coordinator: User,
    ) -> None:
        # given a coordinator who may manage the case (share, assign) but reads only its summary
        Case.objects.filter(pk=case.pk).update(panel=panel)
        record = consent(case)
        client.force_login(coordinator)
        url = reverse("cases:consent_withdraw", args=[case.pk, record.pk])
        # when they open or post the withdrawal
        # then they are refused (they know the case, not its consents), and the consent stays current
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "Asked by phone"}).status_code == 403
        record.refresh_from_db()
        assert record.is_current

    def test_a_full_reading_coordinator_may_not_withdraw_in_the_browser(
        self,
        client: Client,
        case: Case,
        panel: Panel,
        coordinator: User,
    ) -> None:
        # given a coordinator whose agency holds a full share: they read the consent, but only the
        # owner or a supervisor withdraws it (decision 42)
        Case.objects.filter(pk=case.pk).update(panel=panel)
        share(case, coordinator.memberships.get().agency)
        record = consent(case)
        client.force_login(coordinator)
        url = reverse("cases:consent_withdraw", args=[case.pk, record.pk])
        assert client.post(url, {"reason": "Asked by phone"}).status_code == 403
        record.refresh_from_db()
        assert record.is_current

    def test_a_full_reading_coordinator_may_not_withdraw_through_the_api(
        self, case: Case, panel: Panel, coordinator: User
    ) -> None:
        Case.objects.filter(pk=case.pk).update(panel=panel)
        share(case, coordinator.memberships.get().agency)
        record = consent(case)
        url = f"/api/v1/consents/{record.pk}/withdraw/"
        response = api_as(coordinator).post(url, {"case": case.pk, "reason": "No"}, format="json")
        assert response.status_code == 403
        record.refresh_from_db()
        assert record.is_current

    def test_the_api_records_lists_and_withdraws(self, case: Case, auditor_readonly: User) -> None:
        client = api_as(case.owner)
        person = case.index_person.pk
        body = {"case": case.pk, "person": person, "given_by": person, "given_on": TODAY().isoformat()}
        response = client.post("/api/v1/consents/", {**body, "purposes": ["sharing"]}, format="json")
        assert response.status_code == 201, response.content
        pk = response.json()["id"]
        assert [row["id"] for row in client.get("/api/v1/consents/", {"case": case.pk}).json()["results"]] == [pk]
        response = client.post(f"/api/v1/consents/{pk}/withdraw/", {"case": case.pk, "reason": "No"}, format="json")
        assert response.status_code == 200 and response.json()["withdrawn_at"]

    def test_the_consent_list_has_constant_queries(
        self,
        case: Case,
        django_assert_max_num_queries: DjangoAssertNumQueries,
    ) -> None:
        for _ in range(5):
            consent(case, agencies=[AgencyFactory()])
        client = api_as(case.owner)
        with django_assert_max_num_queries(8):
            assert len(client.get("/api/v1/consents/").json()["results"]) == 5


class TestDisclosureCheckBasis:
    STEPS = {"concern_verified_on", "colleagues_consulted_on", "managers_consulted_on", "risk_assessed_on"}

    def steps(self) -> dict[str, object]:
        today = TODAY()
        return {**dict.fromkeys(self.STEPS, today), "not_discussed_because": "Would alert him", "shared_on": today}

    def test_sharing_after_the_checks_names_its_basis(self, case: Case, agency: Agency, other_agency: Agency) -> None:
        with pytest.raises(ValidationError, match="lawful basis"):
            services.record_disclosure_check(
                case, agency=agency, actor=case.owner, shared_with=[other_agency], **self.steps()
            )
        with pytest.raises(ValidationError, match="at least"):
            services.record_disclosure_check(
                case, agency=agency, actor=case.owner, shared_with=[other_agency], basis="safeguarding",
                basis_detail="risk", **self.steps(),
            )  # fmt: skip

    def test_a_consent_basis_links_a_current_consent_naming_the_partners(
        self, case: Case, agency: Agency, other_agency: Agency
    ) -> None:
        record = consent(case, agencies=[other_agency])
        check = services.record_disclosure_check(
            case, agency=agency, actor=case.owner, shared_with=[other_agency], basis="consent", consent=record,
            **self.steps(),
        )  # fmt: skip
        assert check.consent == record and check.basis == "consent"
        services.withdraw_consent(case, record, reason="No", actor=case.owner)
        with pytest.raises(ValidationError, match="withdrawn"):
            services.record_disclosure_check(
                case, agency=agency, actor=case.owner, shared_with=[other_agency], basis="consent", consent=record,
                **self.steps(),
            )  # fmt: skip


class TestShareWithConsentRecord:
    def test_the_share_form_offers_the_familys_current_consents(
        self, client: Client, case: Case, other_agency: Agency
    ) -> None:
        record = consent(case)
        client.force_login(case.owner)
        url = reverse("cases:case_share", args=[case.pk])
        response = client.post(
            url, {"agency": other_agency.pk, "scope": "full", "basis": "consent", "consent": record.pk}
        )
        assert response.status_code == 302
        shared = CaseShare.objects.get()
        assert shared.consent == record
        audit = AuditEvent.objects.get(action=AuditEvent.Action.CASE_SHARED)
        assert audit.data["consent"] == record.pk

    def test_the_share_form_asks_for_the_legal_duty(self, client: Client, case: Case, other_agency: Agency) -> None:
        agreement(case.owning_agency, other_agency)
        client.force_login(case.owner)
        url = reverse("cases:case_share", args=[case.pk])
        body = {"agency": other_agency.pk, "scope": "full", "basis": "legal_duty", "justification": "x" * 25}
        response = client.post(url, body)
        assert response.status_code == 200 and not CaseShare.objects.exists()
        assert client.post(url, {**body, "legal_duty": "Child protection act, art. 5"}).status_code == 302

    def test_the_api_shares_on_a_consent_record(self, case: Case, other_agency: Agency) -> None:
        record = consent(case)
        body = {
            "case": case.pk,
            "agency": other_agency.pk,
            "scope": "summary",
            "basis": "consent",
            "consent": record.pk,
        }
        response = api_as(case.owner).post("/api/v1/case-shares/", body, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["consent"] == record.pk

    def test_a_stranger_cannot_name_a_consent_they_cannot_see(
        self, case: Case, other_agency: Agency, caseworker_other_agency: User
    ) -> None:
        from tests.factories import CaseFactory

        record = consent(case)
        theirs = CaseFactory(owner=caseworker_other_agency, owning_agency=other_agency)
        body = {
            "case": theirs.pk,
            "agency": case.owning_agency_id,
            "scope": "summary",
            "basis": "consent",
            "consent": record.pk,
        }
        response = api_as(caseworker_other_agency).post("/api/v1/case-shares/", body, format="json")
        assert response.status_code == 400 and "consent" in response.json()


def test_the_api_flags_shares_on_withdrawn_consent(case: Case, other_agency: Agency) -> None:
    record = consent(case)
    shared = share(case, other_agency, consent=record)
    services.withdraw_consent(case, record, reason="No", actor=case.owner)
    rows = api_as(case.owner).get("/api/v1/case-shares/").json()["results"]
    assert [(row["id"], row["consent_withdrawn"]) for row in rows] == [(shared.pk, True)]


def test_the_consent_button_names_the_action_in_both_languages(client: Client, case: Case) -> None:
    # given a current consent on a case its owner reads
    record = consent(case)
    withdraw = reverse("cases:consent_withdraw", args=[case.pk, record.pk])
    client.force_login(case.owner)
    # then the button and its page say what the owner does ("Withdraw consent"), not the state after
    page = client.get(case.get_absolute_url()).content.decode()
    button = page[page.index(f'href="{withdraw}"') :].split("</a>")[0]
    assert "Withdraw consent" in button and "Withdrawn" not in button
    form = client.get(withdraw).content.decode()
    assert "Withdraw consent</button>" in form
    case.owner.language = "sq"
    case.owner.save(update_fields=["language"])
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Tërhiq pëlqimin" in page[page.index(f'href="{withdraw}"') :].split("</a>")[0]
