"""Information-sharing agreements: the register (pages, API, who reads and changes it) and the rule
that a share, a panel's involvement or the six checks without consent name the current agreement
covering both agencies, or an emergency override told to the data protection officer."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.access import Action
from agencies.models import Agency, Membership, Panel, User
from audit.models import AuditEvent
from cases import services
from cases.models import Case, CaseShare, DisclosureCheck, SharingAgreement
from outbox.models import Message
from panels import services as panel_services
from reminders.models import Reminder
from tests.conftest import api_as, member
from tests.factories import AgencyFactory, PanelFactory, agreement, share

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
WHY = "Threats against a teacher were made yesterday."
OVERRIDE = "The school must know tonight; the covenant is being signed next week."


def client_for(user: User, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def share_form(other_agency: Agency, **extra: object) -> dict[str, object]:
    return {"agency": other_agency.pk, "scope": "summary", "basis": "safeguarding", "justification": WHY, **extra}


class TestSharingWithoutConsent:
    def test_a_share_without_an_agreement_is_refused_in_the_browser_saying_what_is_missing(
        self, case: Case, other_agency: Agency
    ) -> None:
        # when the owner shares on a safeguarding basis with the police, with no agreement between them
        response = client_for(case.owner).post(reverse("cases:case_share", args=[case.pk]), share_form(other_agency))
        # then nothing is shared, and the page says which agreement is missing and what to do
        assert response.status_code == 200 and not CaseShare.objects.exists()
        text = response.content.decode()
        assert "No current information-sharing agreement covers Police and Social services" in text
        assert "emergency" in text and WHY in text  # what was typed is kept

    def test_a_share_without_an_agreement_is_refused_in_the_api_saying_what_is_missing(
        self, case: Case, other_agency: Agency
    ) -> None:
        body = {"case": case.pk, **share_form(other_agency)}
        response = api_as(case.owner).post("/api/v1/case-shares/", body, format="json")
        assert response.status_code == 400 and not CaseShare.objects.exists()
        assert "No current information-sharing agreement covers Police and Social services" in response.content.decode()

    def test_the_refusal_is_in_albanian_for_an_albanian_user(self, case: Case, other_agency: Agency) -> None:
        response = client_for(case.owner, "sq").post(
            reverse("cases:case_share", args=[case.pk]), share_form(other_agency)
        )
        assert "Asnjë marrëveshje" in response.content.decode()

    def test_with_one_current_agreement_the_share_names_it(self, case: Case, other_agency: Agency) -> None:
        # given a covenant between the two agencies (and an expired one, which does not count)
        covenant = agreement(case.owning_agency, other_agency, title="Safety-house covenant")
        agreement(case.owning_agency, other_agency, title="Old covenant", review_in_days=-1)
        # when the owner shares in the browser
        response = client_for(case.owner).post(reverse("cases:case_share", args=[case.pk]), share_form(other_agency))
        # then the share names the covenant, and the case page shows it
        assert response.status_code == 302
        assert CaseShare.objects.get().agreement == covenant
        page = client_for(case.owner).get(case.get_absolute_url()).content.decode()
        assert "Safety-house covenant" in page

    def test_the_api_names_the_agreement_too(self, case: Case, other_agency: Agency) -> None:
        covenant = agreement(case.owning_agency, other_agency, title="Safety-house covenant")
        body = {"case": case.pk, **share_form(other_agency)}
        response = api_as(case.owner).post("/api/v1/case-shares/", body, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["agreement"] == covenant.pk
        assert response.json()["agreement_title"] == "Safety-house covenant"

    def test_among_several_agreements_one_is_chosen(self, case: Case, other_agency: Agency) -> None:
        first = agreement(case.owning_agency, other_agency, title="Covenant")
        second = agreement(case.owning_agency, other_agency, title="Data-processing agreement")
        with pytest.raises(ValidationError, match="Several current agreements cover Police and Social services"):
            share(case, other_agency, basis=CaseShare.Basis.SAFEGUARDING, justification=WHY)
        made = share(case, other_agency, basis=CaseShare.Basis.SAFEGUARDING, justification=WHY, agreement=second)
        assert made.agreement == second and first != second

    def test_an_agreement_that_leaves_out_an_agency_is_refused(self, case: Case, other_agency: Agency) -> None:
        school = AgencyFactory(name="School", sector=Agency.Sector.EDUCATION)
        with_school = agreement(case.owning_agency, school, title="School protocol")
        with pytest.raises(ValidationError, match="not a current information-sharing agreement covering"):
            share(case, other_agency, basis=CaseShare.Basis.SAFEGUARDING, justification=WHY, agreement=with_school)

    def test_consent_needs_no_agreement(self, case: Case, other_agency: Agency) -> None:
        assert share(case, other_agency).agreement is None

    def test_a_legal_duty_needs_one_too(self, case: Case, other_agency: Agency) -> None:
        with pytest.raises(ValidationError, match="No current information-sharing agreement"):
            share(case, other_agency, basis=CaseShare.Basis.LEGAL_DUTY, justification=WHY, legal_duty="Art. 5")


class TestEmergencyOverride:
    def test_an_override_shares_and_tells_the_data_protection_officer(
        self, case: Case, other_agency: Agency, agency: Agency
    ) -> None:
        # given a data protection officer
        dpo = member(AgencyFactory(name="Municipality DPO"), Membership.Role.DATA_PROTECTION_OFFICER, username="dpo")
        User.objects.filter(pk=dpo.pk).update(email="dpo@example.org")
        # when the owner shares in an emergency with no agreement, saying why
        response = client_for(case.owner).post(
            reverse("cases:case_share", args=[case.pk]), share_form(other_agency, agreement_override=OVERRIDE)
        )
        # then the share is made under the override, recorded with its justification
        assert response.status_code == 302
        made = CaseShare.objects.get()
        assert made.agreement is None and made.agreement_override == OVERRIDE
        event = AuditEvent.objects.get(action=AuditEvent.Action.AGREEMENT_OVERRIDDEN)
        assert event.case_id == case.pk and event.reason == OVERRIDE
        assert event.data["agency_ids"] == sorted([agency.pk, other_agency.pk])
        # and the officer finds a notice under the bell, naming no case; the owner gets none
        notices = list(Reminder.objects.restrict(dpo, Action.VIEW).filter(kind="agreement_overridden"))
        assert len(notices) == 1 and notices[0].case_id is None
        assert not Reminder.objects.restrict(case.owner, Action.VIEW).filter(kind="agreement_overridden").exists()
        assert client_for(dpo).get(reverse("reminders:reminder_list")).status_code == 200
        # and an e-mail waits in the outbox, naming the case by reference and repeating no justification
        message = Message.objects.get(kind="agreement_overridden")
        assert message.to == "dpo@example.org" and case.reference in message.body and OVERRIDE not in message.body

    def test_an_override_is_explained(self, case: Case, other_agency: Agency) -> None:
        with pytest.raises(ValidationError, match="at least 20 characters"):
            share(case, other_agency, basis=CaseShare.Basis.SAFEGUARDING, justification=WHY, agreement_override="now")
        assert not CaseShare.objects.exists()

    def test_the_api_takes_the_override_and_hides_it_from_summary_managers(
        self, case: Case, other_agency: Agency
    ) -> None:
        body = {"case": case.pk, **share_form(other_agency, agreement_override=OVERRIDE)}
        response = api_as(case.owner).post("/api/v1/case-shares/", body, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["agreement"] is None and response.json()["agreement_override"] == OVERRIDE


class TestExpiredAgreement:
    def test_a_share_citing_an_expired_agreement_is_flagged(self, case: Case, other_agency: Agency) -> None:
        covenant = agreement(case.owning_agency, other_agency, title="Covenant")
        share(case, other_agency, basis=CaseShare.Basis.SAFEGUARDING, justification=WHY)
        # when the review date passes without renewal
        SharingAgreement.objects.filter(pk=covenant.pk).update(review_on=TODAY() - datetime.timedelta(days=1))
        # then the case page warns on the share, and the API says so
        page = client_for(case.owner).get(case.get_absolute_url()).content.decode()
        assert "agreement-expired" in page and "no longer current" in page
        shares = api_as(case.owner).get("/api/v1/case-shares/").json()["results"]
        assert shares[0]["agreement_expired"] is True

    def test_a_current_agreement_raises_no_flag(self, case: Case, other_agency: Agency) -> None:
        agreement(case.owning_agency, other_agency)
        share(case, other_agency, basis=CaseShare.Basis.SAFEGUARDING, justification=WHY)
        assert "agreement-expired" not in client_for(case.owner).get(case.get_absolute_url()).content.decode()


class TestSixChecksAndPanels:
    def _checks(self, case: Case, agency: Agency, other_agency: Agency, **extra: object) -> DisclosureCheck:
        day = TODAY()
        return services.record_disclosure_check(
            case, agency=agency, actor=case.owner, shared_with=[other_agency], concern_verified_on=day,
            discussed_with_client_on=day, colleagues_consulted_on=day, managers_consulted_on=day,
            risk_assessed_on=day, shared_on=day, basis="safeguarding", basis_detail=WHY, **extra,
        )  # fmt: skip

    def test_the_six_checks_without_an_agreement_are_refused(
        self, case: Case, agency: Agency, other_agency: Agency
    ) -> None:
        with pytest.raises(ValidationError, match="No current information-sharing agreement covers Police"):
            self._checks(case, agency, other_agency)
        assert not DisclosureCheck.objects.exists()

    def test_the_six_checks_name_the_agreement(self, case: Case, agency: Agency, other_agency: Agency) -> None:
        covenant = agreement(agency, other_agency)
        assert self._checks(case, agency, other_agency).agreement == covenant

    def test_the_six_checks_in_the_browser_name_what_is_missing(
        self, case: Case, agency: Agency, other_agency: Agency
    ) -> None:
        day = TODAY().isoformat()
        body = {
            "concern_verified_on": day, "discussed_with_client_on": day, "colleagues_consulted_on": day,
            "managers_consulted_on": day, "risk_assessed_on": day, "shared_on": day,
            "shared_with": [other_agency.pk], "basis": "safeguarding", "basis_detail": WHY,
        }  # fmt: skip
        url = reverse("cases:disclosurecheck_create", args=[case.pk])
        response = client_for(case.owner).post(url, body)
        assert response.status_code == 200 and "No current information-sharing agreement" in response.content.decode()
        covenant = agreement(agency, other_agency)
        assert client_for(case.owner).post(url, body).status_code == 302
        assert DisclosureCheck.objects.get().agreement == covenant

    def test_a_panel_involving_an_agency_without_an_agreement_is_refused(
        self, case: Case, panel: Panel, coordinator: User, other_agency: Agency
    ) -> None:
        Case.objects.filter(pk=case.pk).update(panel=panel, next_review_on=TODAY())
        meeting = panel_services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
        item = meeting.items.get(case=case)
        decision = panel_services.PanelDecision(
            first_contact_agency=other_agency, share_basis="safeguarding", share_justification=WHY
        )
        with pytest.raises(ValidationError, match="No current information-sharing agreement covers Police"):
            panel_services.record_decision(item, decision, actor=coordinator)
        covenant = agreement(case.owning_agency, other_agency, panels=(panel,))
        panel_services.record_decision(item, decision, actor=coordinator)
        assert CaseShare.objects.get(agency=other_agency).agreement == covenant


class TestRegister:
    def test_the_coordinator_records_an_agreement_in_the_browser(
        self, coordinator: User, panel: Panel, agency: Agency, other_agency: Agency, caseworker: User
    ) -> None:
        # given the coordinator of the panel
        client = client_for(coordinator)
        assert client.get(reverse("agreements:agreement_create")).status_code == 200
        body = {
            "title": "Safety-house covenant", "instrument": "covenant", "parties": [agency.pk, other_agency.pk],
            "panels": [panel.pk], "purpose": "Protect people at risk", "data_categories": "Identity; risk",
            "sharing_rules": "Share the minimum necessary.", "signatories": "The mayor\nThe police chief",
            "signed_on": TODAY().isoformat(), "review_on": (TODAY() + datetime.timedelta(days=365)).isoformat(),
            "status": "current", "upload": SimpleUploadedFile("covenant.pdf", b"%PDF-1.4 covenant"),
        }  # fmt: skip
        # when they record an agreement with its signed document
        response = client.post(reverse("agreements:agreement_create"), body)
        # then it is in the register, recorded in the audit trail, readable by a party's worker
        assert response.status_code == 302, response.content
        covenant = SharingAgreement.objects.get()
        assert covenant.is_current and covenant.document_name == "covenant.pdf"
        assert set(covenant.parties.all()) == {agency, other_agency}
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.AGREEMENT_RECORDED, object_id=str(covenant.pk)
        ).exists()
        worker = client_for(caseworker)
        assert "Safety-house covenant" in worker.get(reverse("agreements:agreement_list")).content.decode()
        assert worker.get(covenant.get_absolute_url()).status_code == 200
        document = worker.get(reverse("agreements:agreement_document", args=[covenant.pk]))
        assert document.status_code == 200 and b"".join(document.streaming_content).startswith(b"%PDF")

    def test_a_document_that_is_not_a_document_is_refused(
        self, coordinator: User, panel: Panel, agency: Agency, other_agency: Agency
    ) -> None:
        with pytest.raises(ValidationError):
            services.record_agreement(
                actor=coordinator, parties=[agency, other_agency], panels=[panel], title="X", instrument="covenant",
                purpose="-", data_categories="-", review_on=TODAY(), status="draft",
                document=SimpleUploadedFile("run.pdf", b"MZ\x90\x00 an executable"),
            )  # fmt: skip
        assert not SharingAgreement.objects.exists()

    def test_outsiders_do_not_know_of_it_and_party_readers_may_not_change_it(
        self, coordinator: User, panel: Panel, agency: Agency, other_agency: Agency, caseworker: User
    ) -> None:
        covenant = services.record_agreement(
            actor=coordinator, parties=[agency, other_agency], panels=[panel], title="Covenant",
            instrument="covenant", purpose="-", data_categories="-", signed_on=TODAY(),
            review_on=TODAY() + datetime.timedelta(days=30), status="current",
            document=SimpleUploadedFile("covenant.pdf", b"%PDF-1.4 covenant"),
        )  # fmt: skip
        stranger = member(AgencyFactory(name="Housing office"), username="stranger")
        assert client_for(stranger).get(covenant.get_absolute_url()).status_code == 404
        assert api_as(stranger).get(f"/api/v1/sharing-agreements/{covenant.pk}/").status_code == 404
        assert "Covenant" not in client_for(stranger).get(reverse("agreements:agreement_list")).content.decode()
        edit = reverse("agreements:agreement_edit", args=[covenant.pk])
        assert client_for(caseworker).get(edit).status_code == 403
        assert client_for(caseworker).get(reverse("agreements:agreement_create")).status_code == 403

    def test_an_agency_administrator_of_a_party_renews_it(
        self, coordinator: User, panel: Panel, agency: Agency, other_agency: Agency
    ) -> None:
        covenant = agreement(agency, other_agency, review_in_days=10)
        admin = member(agency, Membership.Role.AGENCY_ADMIN, username="admin")
        renewed = (TODAY() + datetime.timedelta(days=730)).isoformat()
        response = api_as(admin).patch(
            f"/api/v1/sharing-agreements/{covenant.pk}/", {"review_on": renewed}, format="json"
        )
        assert response.status_code == 200, response.content
        assert response.json()["review_on"] == renewed and response.json()["state"] == "current"
        event = AuditEvent.objects.get(action=AuditEvent.Action.AGREEMENT_CHANGED)
        assert event.data["fields"] == ["review_on"]

    def test_an_agency_administrator_may_not_record_one_their_agency_is_not_party_to(
        self, agency: Agency, other_agency: Agency
    ) -> None:
        admin = member(AgencyFactory(name="Housing office"), Membership.Role.AGENCY_ADMIN, username="admin")
        body = {
            "title": "X", "instrument": "covenant", "parties": [agency.pk, other_agency.pk], "purpose": "-",
            "data_categories": "-", "review_on": "2099-01-01", "status": "draft",
        }  # fmt: skip
        response = api_as(admin).post("/api/v1/sharing-agreements/", body, format="json")
        assert response.status_code == 400 and not SharingAgreement.objects.exists()

    def test_an_agreement_has_two_parties_and_a_current_one_is_signed(
        self, coordinator: User, agency: Agency, other_agency: Agency, panel: Panel
    ) -> None:
        fields = {"title": "X", "instrument": "covenant", "purpose": "-", "data_categories": "-", "panels": [panel]}
        review = TODAY() + datetime.timedelta(days=30)
        with pytest.raises(ValidationError, match="at least two parties"):
            services.record_agreement(actor=coordinator, parties=[agency], review_on=review, status="draft", **fields)
        with pytest.raises(ValidationError, match="signed"):
            services.record_agreement(
                actor=coordinator, parties=[agency, other_agency], review_on=review, status="current", **fields
            )

    def test_the_protocol_is_readable_in_both_languages_from_the_share_form(
        self, case: Case, other_agency: Agency
    ) -> None:
        form = client_for(case.owner).get(reverse("cases:case_share", args=[case.pk])).content.decode()
        assert reverse("agreements:protocol") in form
        english = client_for(case.owner).get(reverse("agreements:protocol")).content.decode()
        albanian = client_for(case.owner, "sq").get(reverse("agreements:protocol")).content.decode()
        assert "Recognise, analyse and verify the concern." in english
        assert "Njohja, analizimi dhe verifikimi i shqetësimit." in albanian


def _covenant_fields(**extra: object) -> dict[str, object]:
    return {
        "title": "Covenant", "instrument": "covenant", "purpose": "-", "data_categories": "-",
        "signed_on": TODAY(), "review_on": TODAY() + datetime.timedelta(days=90), **extra,
    }  # fmt: skip


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("covenant.pdf", b"%PDF-1.4 covenant")


class TestWhoMakesAnAgreementCurrent:
    def test_an_agency_administrator_alone_cannot_bind_other_agencies(
        self, agency: Agency, other_agency: Agency, panel: Panel
    ) -> None:
        # given the administrator of one party
        admin = member(agency, Membership.Role.AGENCY_ADMIN, username="admin")
        # when they record a current agreement naming the police, with its document
        with pytest.raises(ValidationError, match="Only the coordinator of a panel the agreement names"):
            services.record_agreement(
                actor=admin, parties=[agency, other_agency], panels=[panel], status="current", document=_pdf(),
                **_covenant_fields(),
            )  # fmt: skip
        # then nothing is current; a draft is theirs to record
        assert not SharingAgreement.objects.exists()
        draft = services.record_agreement(
            actor=admin, parties=[agency, other_agency], panels=[panel], status="draft", **_covenant_fields()
        )
        # and the API refuses them making it current too
        response = api_as(admin).patch(f"/api/v1/sharing-agreements/{draft.pk}/", {"status": "current"}, format="json")
        assert response.status_code == 400 and "Only the coordinator" in response.content.decode()
        draft.refresh_from_db()
        assert draft.status == "draft"

    def test_the_coordinator_of_a_named_panel_makes_it_current_only_with_its_document(
        self, coordinator: User, agency: Agency, other_agency: Agency, panel: Panel
    ) -> None:
        with pytest.raises(ValidationError, match="signed document"):
            services.record_agreement(
                actor=coordinator, parties=[agency, other_agency], panels=[panel], status="current",
                **_covenant_fields(),
            )  # fmt: skip
        with pytest.raises(ValidationError, match="Only the coordinator of a panel"):
            services.record_agreement(
                actor=coordinator, parties=[agency, other_agency], status="current", document=_pdf(),
                **_covenant_fields(),
            )  # fmt: skip
        made = services.record_agreement(
            actor=coordinator, parties=[agency, other_agency], panels=[panel], status="current", document=_pdf(),
            **_covenant_fields(),
        )  # fmt: skip
        assert made.is_current

    def test_a_party_administrator_cannot_add_parties_to_a_current_agreement(
        self, agency: Agency, other_agency: Agency, panel: Panel
    ) -> None:
        covenant = agreement(agency, other_agency, panels=(panel,))
        admin = member(agency, Membership.Role.AGENCY_ADMIN, username="admin")
        school = AgencyFactory(name="School", sector=Agency.Sector.EDUCATION)
        with pytest.raises(ValidationError, match="Only the coordinator"):
            services.change_agreement(
                covenant, actor=admin, parties=[agency, other_agency, school], panels=[panel], status="current"
            )
        assert set(covenant.parties.all()) == {agency, other_agency}


class TestWhatAnAgreementCovers:
    def test_an_agreement_naming_panels_covers_only_cases_on_them(
        self, case: Case, other_agency: Agency, panel: Panel
    ) -> None:
        # given a covenant for another panel's table, and the case on this panel
        elsewhere = PanelFactory(name="Another panel", coordinator=panel.coordinator)
        agreement(case.owning_agency, other_agency, panels=(elsewhere,), title="Other panel's covenant")
        Case.objects.filter(pk=case.pk).update(panel=panel)
        case.refresh_from_db()
        with pytest.raises(ValidationError, match="No current information-sharing agreement"):
            share(case, other_agency, basis=CaseShare.Basis.SAFEGUARDING, justification=WHY)
        # when the covenant names this panel too, it covers the case
        covenant = SharingAgreement.objects.get()
        covenant.panels.add(panel)
        assert share(case, other_agency, basis=CaseShare.Basis.SAFEGUARDING, justification=WHY).agreement == covenant

    def test_the_six_checks_shared_with_nobody_named_are_refused(
        self, case: Case, agency: Agency, other_agency: Agency
    ) -> None:
        agreement(agency, other_agency)
        day = TODAY()
        with pytest.raises(ValidationError, match="Name the partner agencies"):
            services.record_disclosure_check(
                case, agency=agency, actor=case.owner, shared_with=[], concern_verified_on=day,
                discussed_with_client_on=day, colleagues_consulted_on=day, managers_consulted_on=day,
                risk_assessed_on=day, shared_on=day, basis="safeguarding", basis_detail=WHY,
            )  # fmt: skip
        assert not DisclosureCheck.objects.exists()
