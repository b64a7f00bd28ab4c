"""What the issue-4 review found, now refused: confidentiality through filters and the risk
history, writes through services without the file, the API accepting what the browser never
offers, stale dates on closed cases, double submits."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from agencies.models import Agency, Membership, User
from cases import services
from cases.involvement import involved_people
from cases.models import Attachment, Case, CaseNote, ChildNeeds, Contact, NeedsAssessment, RiskRecord
from families.models import Person
from interventions import services as plans
from interventions.models import Review
from tests.conftest import api_as, member
from tests.factories import AgencyFactory, CaseFactory, relative, share

pytestmark = pytest.mark.django_db
Role = Membership.Role


def body(user: User, url: str) -> str:
    client = Client()
    client.force_login(user)
    return client.get(url).content.decode()


def close(case: Case, other_agency: Agency) -> None:
    partner = member(other_agency, Role.PRACTITIONER)
    share(case, other_agency)
    agreements = [{"agency": case.owning_agency, "user": case.owner}, {"agency": other_agency, "user": partner}]
    plans.close_case(case, decided_on=timezone.localdate(), reason="Goals met", agreements=agreements, actor=case.owner)
    case.refresh_from_db()


class TestConfidentiality:
    def test_summary_readers_get_no_restriction_over_the_api(
        self, case: Case, caseworker: User, summary_reader: User
    ) -> None:
        mother = relative(case, "Mimoza", 45, relationship=Person.Relationship.PARENT)
        services.add_restriction(
            case, person=mother, knows="Her son's chat group", must_not_be_told="x", actor=caseworker
        )
        assert api_as(summary_reader).get("/api/v1/disclosure-restrictions/").json()["count"] == 0
        assert "Her son's chat group" not in body(summary_reader, case.get_absolute_url())
        assert api_as(caseworker).get("/api/v1/disclosure-restrictions/").json()["results"][0]["knows"]

    @pytest.mark.parametrize(
        ("path", "query"),
        [
            ("needs-assessments", "concern_level=high"),
            ("child-needs", "conflict_zone=true"),
            ("contacts", "outcome=refused"),
        ],
    )
    def test_a_filter_does_not_tell_what_an_abstract_hides(
        self, path: str, query: str, case: Case, therapist: User, police_officer: User
    ) -> None:
        kept = {"visibility": "own_agency", "abstract": "Known to our team"}
        services.record_needs_assessment(NeedsAssessment(case=case, concern_level="high", **kept), actor=therapist)
        child = relative(case, "Dua", 8)
        needs = ChildNeeds(case=case, child=child, age_band="under_12", schooling="attending", **kept)
        needs.exposures = ["conflict_zone"]
        services.record_child_needs(needs, actor=therapist)
        services.record_contact(Contact(case=case, outcome="refused", **kept), actor=therapist)
        client = api_as(police_officer)
        assert client.get(f"/api/v1/{path}/?case={case.pk}").json()["count"] == 1  # the abstract is there
        assert client.get(f"/api/v1/{path}/?case={case.pk}&{query}").json()["count"] == 0
        assert api_as(therapist).get(f"/api/v1/{path}/?case={case.pk}&{query}").json()["count"] == 1

    def test_an_assessment_kept_by_its_agency_does_not_set_the_case_risk(
        self, health_team: Agency, police_officer: User
    ) -> None:
        owner = member(health_team, Role.PRACTITIONER)
        case = CaseFactory(owner=owner, owning_agency=health_team)
        visibility = services.default_visibility(NeedsAssessment, owner, case)
        assessment = NeedsAssessment(case=case, concern_level="high", visibility=visibility, abstract="Ours")
        services.record_needs_assessment(assessment, actor=owner)
        assert visibility == "own_agency"
        assert not RiskRecord.objects.exists()
        case.refresh_from_db()
        assert case.risk_level == "not_assessed"

    def test_refusals_are_counted_among_contacts_read_in_full(
        self, case: Case, therapist: User, police_officer: User, caseworker: User
    ) -> None:
        for _ in range(2):
            contact = Contact(case=case, outcome="refused", visibility="own_agency", abstract="We called")
            services.record_contact(contact, actor=therapist)
        assert services.refusals(case, police_officer) == 0
        assert services.refusals(case, therapist) == 2
        assert "The family has refused contact" not in body(police_officer, case.get_absolute_url())

    def test_a_kept_record_neither_hides_nor_reveals_a_conflict_zone(
        self, case: Case, caseworker: User, therapist: User
    ) -> None:
        child = relative(case, "Dua", 8)
        team = ChildNeeds(case=case, child=child, age_band="under_12", schooling="attending")
        team.exposures = ["conflict_zone"]
        services.record_child_needs(team, actor=caseworker)
        kept = ChildNeeds(case=case, child=child, age_band="under_12", schooling="attending")
        kept.visibility, kept.abstract = "own_agency", "Therapy started"
        services.record_child_needs(kept, actor=therapist)
        assert "Born or raised in a conflict zone" in body(caseworker, case.get_absolute_url())


class TestWritesGoThroughTheFile:
    def test_a_stranger_or_a_summary_reader_writes_nothing_through_the_services(
        self, case: Case, stranger: User, summary_reader: User
    ) -> None:
        with pytest.raises(ValidationError, match="may not"):
            services.record_note(CaseNote(case=case, text="planted"), actor=stranger)
        with pytest.raises(ValidationError, match="may not"):
            services.record_contact(Contact(case=case, outcome="nobody_home"), actor=summary_reader)
        assert not CaseNote.objects.exists() and not Contact.objects.exists()

    def test_an_attachment_belongs_to_an_assessment_of_its_own_case(
        self, case: Case, caseworker: User, agency: Agency
    ) -> None:
        other = CaseFactory(owner=caseworker, owning_agency=agency)
        foreign = services.record_needs_assessment(NeedsAssessment(case=other), actor=caseworker)
        upload = SimpleUploadedFile("a.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
        response = api_as(caseworker).post(
            "/api/v1/attachments/",
            {"case": case.pk, "kind": "document", "description": "d", "assessment": foreign.pk, "upload": upload},
            format="multipart",
        )
        assert response.status_code == 400 and "another case" in str(response.json())
        assert not Attachment.objects.exists()

    def test_a_closed_case_takes_no_risk_level_or_key_worker(
        self, case: Case, caseworker: User, other_agency: Agency
    ) -> None:
        close(case, other_agency)
        with pytest.raises(ValidationError, match="closed"):
            services.set_risk_level(case, level="critical", source="manual", actor=caseworker, rationale="x")
        with pytest.raises(ValidationError, match="closed"):
            services.set_key_worker(case, actor=caseworker, note="A teacher")
        assert case.next_review_on is None  # its deadlines are the follow-ups now


class TestClosureAgreements:
    def agree(self, case: Case, agency: Agency, user: User) -> Any:
        return api_as(case.owner).post(
            "/api/v1/closures/",
            {
                "case": case.pk,
                "decided_on": timezone.localdate().isoformat(),
                "reason": "Goals met",
                "agreements": [
                    {"agency": case.owning_agency_id, "user": case.owner_id},
                    {"agency": agency.pk, "user": user.pk},
                ],
            },
            format="json",
        )

    def test_an_agency_with_nothing_to_do_with_the_case_does_not_agree(self, case: Case) -> None:
        outsider_agency = AgencyFactory(name="Unrelated prison service")
        response = self.agree(case, outsider_agency, member(outsider_agency, Role.PRACTITIONER))
        assert response.status_code == 400 and "working the case" in str(response.json())

    def test_a_refusal_names_nobody(self, case: Case, other_agency: Agency) -> None:
        share(case, other_agency)
        someone = member(AgencyFactory(name="Far away"), Role.PRACTITIONER)
        someone.first_name, someone.last_name = "Secret", "Officer"
        someone.save()
        response = self.agree(case, other_agency, someone)
        assert response.status_code == 400 and "Secret" not in str(response.json())

    def test_data_protection_officers_are_not_offered(self, case: Case, agency: Agency) -> None:
        dpo = member(agency, Role.DATA_PROTECTION_OFFICER)
        assert dpo not in involved_people(case) and case.owner in involved_people(case)


def test_a_review_sent_twice_is_recorded_once(case: Case, caseworker: User) -> None:
    today = timezone.localdate()
    action = {"type": "pragmatic", "measure": "housing", "provider_agency": case.owning_agency, "due_on": today}
    plan = plans.create_plan(
        case, goals=[{"text": "A home", "actions": [action]}], agreed_by_family=True, agreed_by="The mother",
        agreed_on=today, actor=caseworker,
    )  # fmt: skip
    progress = [{"goal": goal, "progress": "some"} for goal in plan.goals.all()]
    arguments = {"held_on": today, "risk_level": "low", "next_review_on": today + datetime.timedelta(days=90)}
    plans.record_review(case, progress=progress, actor=caseworker, **arguments)
    with pytest.raises(ValidationError, match="already has a review on that day"):
        plans.record_review(case, progress=progress, actor=caseworker, **arguments)
    assert Review.objects.count() == 1


def test_a_leap_day_child_turns_18_when_age_says_so() -> None:
    person = Person(date_of_birth=datetime.date(2008, 2, 29))
    turns = person.eighteenth_birthday()
    assert turns == datetime.date(2026, 3, 1)
    assert person.age(on=turns) == 18 and person.age(on=turns - datetime.timedelta(days=1)) == 17
