"""The entries API: the same rows, drafts and confidentiality as the browser, every write through
a service, bad input refused with nothing saved."""

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Membership, Panel, User
from cases import services
from cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseNote,
    ChildNeeds,
    Contact,
    NeedsAssessment,
    RiskRecord,
)
from families.models import DisclosureRestriction, Person
from tests.conftest import api_as, member
from tests.factories import AgencyFactory, CaseFactory, PersonFactory, relative, share

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def officer(other_agency: Agency) -> User:
    return member(other_agency, Role.POLICE_LIAISON, username="officer")


@pytest.fixture
def police_read_the_file(case: Case, other_agency: Agency, officer: User) -> Case:
    share(case, other_agency)
    return case


def url(name: str, *args: Any) -> str:
    return reverse(f"cases-api:{name}", args=args)


def visit(case: Case, **overrides: Any) -> dict[str, Any]:
    return {
        "case": case.pk,
        "kind": "home_visit",
        "occurred_at": (timezone.now() - datetime.timedelta(hours=2)).isoformat(),
        "visitors": [case.owner_id],
        "cooperation": "hesitant",
        "discussed": "The father's worries about his son's new friends",
        **overrides,
    }


class TestContacts:
    def test_a_pair_records_a_home_visit_and_it_goes_on_the_timeline(
        self, police_read_the_file: Case, caseworker: User, officer: User
    ) -> None:
        case = police_read_the_file
        mother = PersonFactory(family=case.family, relationship="parent")
        response = api_as(caseworker).post(
            url("contact-list"), visit(case, visitors=[caseworker.pk, officer.pk], present=[mother.pk]), format="json"
        )
        assert response.status_code == 201, response.data
        assert sorted(response.data["visitors"]) == sorted([caseworker.pk, officer.pk])
        assert response.data["present"] == [mother.pk] and response.data["content_visible"] is True
        events = api_as(caseworker).get(url("caseevent-list"), {"case": case.pk, "kind": "contact"}).data["results"]
        assert [event["entry"] for event in events] == [{"kind": "contact", "id": response.data["id"]}]
        case.refresh_from_db()
        # the day the visit was held, two hours ago (yesterday, just after midnight)
        held = datetime.datetime.fromisoformat(response.data["occurred_at"])
        assert case.first_contact_on == timezone.localtime(held).date()

    def test_a_visit_in_the_future_is_refused_and_nothing_is_saved(self, case: Case, caseworker: User) -> None:
        future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
        response = api_as(caseworker).post(url("contact-list"), visit(case, occurred_at=future), format="json")
        assert response.status_code == 400
        assert "before it happens" in str(response.data)
        assert not Contact.objects.exists() and not CaseEvent.objects.filter(kind="contact").exists()

    def test_a_visitor_from_an_agency_outside_the_file_is_refused(
        self, case: Case, caseworker: User, caseworker_other_agency: User
    ) -> None:
        response = api_as(caseworker).post(
            url("contact-list"), visit(case, visitors=[caseworker_other_agency.pk]), format="json"
        )
        assert response.status_code == 400 and "visitor" in str(response.data)
        assert not Contact.objects.exists()

    def test_a_member_of_another_family_cannot_be_present(self, case: Case, caseworker: User) -> None:
        # given a person of a case the caseworker also owns, in another family
        stranger = CaseFactory(owner=caseworker, owning_agency=case.owning_agency).index_person
        response = api_as(caseworker).post(url("contact-list"), visit(case, present=[stranger.pk]), format="json")
        assert response.status_code == 400 and "family" in str(response.data)

    def test_a_visit_nobody_answered_is_recorded_without_anyone_present(self, case: Case, caseworker: User) -> None:
        response = api_as(caseworker).post(
            url("contact-list"), visit(case, outcome="nobody_home", cooperation=""), format="json"
        )
        assert response.status_code == 201
        case.refresh_from_db()
        assert case.first_contact_on is None  # the deadline is met by a contact that took place


class TestDrafts:
    def test_a_draft_is_its_authors_alone_until_finished(self, case: Case, caseworker: User, supervisor: User) -> None:
        created = api_as(caseworker).post(
            url("casenote-list"), {"case": case.pk, "text": "Half a thought", "is_draft": True}, format="json"
        )
        assert created.status_code == 201 and created.data["is_draft"] is True
        note = url("casenote-detail", created.data["id"])
        assert api_as(supervisor).get(note).status_code == 404
        assert api_as(supervisor).get(url("casenote-list"), {"case": case.pk}).data["count"] == 0
        assert not CaseEvent.objects.filter(kind="note").exists()
        # when the author finishes it
        finished = api_as(caseworker).patch(note, {"text": "A whole thought", "is_draft": False}, format="json")
        assert finished.status_code == 200 and finished.data["is_draft"] is False
        assert api_as(supervisor).get(note).data["text"] == "A whole thought"
        assert CaseEvent.objects.filter(kind="note").count() == 1

    def test_a_final_entry_is_not_edited(self, case: Case, caseworker: User) -> None:
        created = api_as(caseworker).post(url("casenote-list"), {"case": case.pk, "text": "Said"}, format="json")
        response = api_as(caseworker).patch(url("casenote-detail", created.data["id"]), {"text": "Unsaid"})
        assert response.status_code == 403
        assert CaseNote.objects.get().text == "Said"

    def test_someone_elses_draft_does_not_exist_for_you(self, case: Case, caseworker: User, supervisor: User) -> None:
        created = api_as(caseworker).post(
            url("casenote-list"), {"case": case.pk, "text": "Mine", "is_draft": True}, format="json"
        )
        response = api_as(supervisor).patch(url("casenote-detail", created.data["id"]), {"text": "Ours"})
        assert response.status_code == 404

    def test_updating_a_draft_keeps_its_visitors(self, case: Case, caseworker: User) -> None:
        created = api_as(caseworker).post(url("contact-list"), visit(case, is_draft=True), format="json")
        finished = api_as(caseworker).patch(
            url("contact-detail", created.data["id"]), {"is_draft": False, "next_steps": "Call on Friday"}
        )
        assert finished.status_code == 200, finished.data
        assert finished.data["visitors"] == [caseworker.pk] and finished.data["next_steps"] == "Call on Friday"


class TestConfidentiality:
    def test_an_entry_kept_by_the_police_reads_as_its_abstract_to_the_others(
        self, police_read_the_file: Case, caseworker: User, officer: User
    ) -> None:
        case = police_read_the_file
        created = api_as(officer).post(
            url("securityassessment-list"),
            {
                "case": case.pk,
                "risk_level": "high",
                "assessment": "Known to the counter-terrorism unit",
                "abstract": "The police advise visits in pairs.",
            },
            format="json",
        )
        assert created.status_code == 201, created.data
        assert created.data["visibility"] == "own_agency"  # the police's own by default
        as_owner = api_as(caseworker).get(url("securityassessment-detail", created.data["id"])).data
        assert as_owner["content_visible"] is False and as_owner["abstract"] == "The police advise visits in pairs."
        assert as_owner["assessment"] is None and as_owner["risk_level"] is None
        timeline = api_as(caseworker).get(url("caseevent-list"), {"case": case.pk}).data["results"]
        assert all("counter-terrorism" not in event["text"] for event in timeline)
        assert any("visits in pairs" in event["text"] for event in timeline)
        assert api_as(officer).get(url("securityassessment-detail", created.data["id"])).data["risk_level"] == "high"

    def test_only_the_police_write_a_security_assessment(self, case: Case, caseworker: User) -> None:
        body = {"case": case.pk, "risk_level": "low", "assessment": "-", "abstract": "-"}
        assert api_as(caseworker).post(url("securityassessment-list"), body, format="json").status_code == 403

    def test_an_own_agency_entry_needs_an_abstract(self, case: Case, caseworker: User) -> None:
        response = api_as(caseworker).post(
            url("casenote-list"), {"case": case.pk, "text": "x", "visibility": "own_agency"}, format="json"
        )
        assert response.status_code == 400 and "abstract" in response.data
        assert not CaseNote.objects.exists()

    @pytest.mark.parametrize(
        "name", ["contact", "needsassessment", "securityassessment", "childneeds", "casenote", "attachment"]
    )
    def test_summary_readers_and_strangers_reach_no_entry(
        self, name: str, case: Case, caseworker: User, panel: Panel, panel_member: User, caseworker_other_agency: User
    ) -> None:
        # given a note on a case the panel member sees the summary of
        Case.objects.filter(pk=case.pk).update(panel=panel)
        note = api_as(caseworker).post(url("casenote-list"), {"case": case.pk, "text": "x"}, format="json").data
        # then a panel member reads no case file at all, and another agency's worker finds nothing
        assert api_as(panel_member).get(url(f"{name}-list")).status_code == 403
        assert api_as(panel_member).get(url("casenote-detail", note["id"])).status_code == 403
        assert api_as(caseworker_other_agency).get(url(f"{name}-list")).data["count"] == 0
        assert api_as(caseworker_other_agency).get(url("casenote-detail", note["id"])).status_code == 404
        timeline = api_as(caseworker_other_agency).get(url("caseevent-list"), {"case": case.pk})
        assert timeline.status_code == 400  # a case you do not read is refused like a missing one
        assert api_as(caseworker_other_agency).get(url("caseevent-list")).data["count"] == 0

    def test_writing_on_a_case_you_do_not_read_is_refused_like_a_missing_case(
        self, case: Case, caseworker_other_agency: User
    ) -> None:
        response = api_as(caseworker_other_agency).post(
            url("casenote-list"), {"case": case.pk, "text": "x"}, format="json"
        )
        assert response.status_code == 400 and "does not exist" in str(response.data["case"])
        assert not CaseNote.objects.exists()

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
        # given an assessment, a child's record and a contact kept by the health team
        kept = {"visibility": "own_agency", "abstract": "Known to our team"}
        services.record_needs_assessment(NeedsAssessment(case=case, concern_level="high", **kept), actor=therapist)
        child = relative(case, "Dua", 8)
        needs = ChildNeeds(case=case, child=child, age_band="under_12", schooling="attending", **kept)
        needs.exposures = ["conflict_zone"]
        services.record_child_needs(needs, actor=therapist)
        services.record_contact(Contact(case=case, outcome="refused", **kept), actor=therapist)
        # then the police list the abstract, but filtering on its content finds nothing
        client = api_as(police_officer)
        assert client.get(f"/api/v1/{path}/?case={case.pk}").json()["count"] == 1
        assert client.get(f"/api/v1/{path}/?case={case.pk}&{query}").json()["count"] == 0
        assert api_as(therapist).get(f"/api/v1/{path}/?case={case.pk}&{query}").json()["count"] == 1


class TestAssessmentsAndChildren:
    def test_a_needs_assessment_keeps_its_network_and_sets_the_risk(self, case: Case, caseworker: User) -> None:
        body = {
            "case": case.pk,
            "practical_problems": ["housing", "debts"],
            "concern_level": "moderate",
            "network": [
                {"kind": "sports", "name": "Boxing club", "influence": "positive"},
                {"kind": "online", "name": "Telegram channel", "influence": "negative"},
            ],
        }
        response = api_as(caseworker).post(url("needsassessment-list"), body, format="json")
        assert response.status_code == 201, response.data
        assert {link["influence"] for link in response.data["network"]} == {"positive", "negative"}
        case.refresh_from_db()
        assert case.risk_level == "moderate"
        history = api_as(caseworker).get(url("riskrecord-list"), {"case": case.pk}).data["results"]
        assert [(row["level"], row["source"]) for row in history] == [("moderate", "needs_assessment")]

    def test_an_unknown_practical_problem_is_refused(self, case: Case, caseworker: User) -> None:
        body = {"case": case.pk, "practical_problems": ["boredom"]}
        assert api_as(caseworker).post(url("needsassessment-list"), body, format="json").status_code == 400

    def test_a_child_from_a_conflict_zone_is_flagged(self, case: Case, caseworker: User) -> None:
        child = PersonFactory(
            family=case.family, relationship="child", date_of_birth=timezone.localdate() - datetime.timedelta(days=3650)
        )
        body = {"case": case.pk, "child": child.pk, "age_band": "under_12", "exposures": ["conflict_zone"]}
        body["schooling"] = "attending"
        response = api_as(caseworker).post(url("childneeds-list"), body, format="json")
        assert response.status_code == 201, response.data
        assert response.data["conflict_zone"] is True
        assert ChildNeeds.objects.get().conflict_zone is True

    def test_an_age_band_that_does_not_fit_the_child_is_refused(self, case: Case, caseworker: User) -> None:
        child = PersonFactory(
            family=case.family, relationship="child", date_of_birth=timezone.localdate() - datetime.timedelta(days=3650)
        )
        body = {"case": case.pk, "child": child.pk, "age_band": "12_17", "schooling": "attending"}
        response = api_as(caseworker).post(url("childneeds-list"), body, format="json")
        assert response.status_code == 400 and "age band" in str(response.data)
        assert not ChildNeeds.objects.exists()


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("chat log.pdf", b"%PDF-1.4\n% chat export\n", content_type="application/pdf")


class TestAttachments:
    def test_a_file_is_attached_by_its_content_and_downloaded_by_the_team(self, case: Case, caseworker: User) -> None:
        response = api_as(caseworker).post(
            url("attachment-list"),
            {"case": case.pk, "kind": "chat", "description": "Chats", "upload": pdf()},
            format="multipart",
        )
        assert response.status_code == 201, response.data
        assert response.data["content_type"] == "application/pdf" and response.data["original_name"] == "chat log.pdf"
        download = api_as(caseworker).get(url("attachment-file", response.data["id"]))
        assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
        assert b"".join(download.streaming_content).startswith(b"%PDF")
        # the download itself is recorded as such, like the browser's
        from audit.models import AuditEvent

        read = AuditEvent.objects.filter(action=AuditEvent.Action.ENTRY_READ).latest("pk")
        assert read.object_id == str(response.data["id"]) and read.data.get("file") is True

    def test_a_program_named_like_a_pdf_is_refused(self, case: Case, caseworker: User) -> None:
        program = SimpleUploadedFile(
            "letter.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff", content_type="application/pdf"
        )
        response = api_as(caseworker).post(
            url("attachment-list"),
            {"case": case.pk, "kind": "document", "description": "x", "upload": program},
            format="multipart",
        )
        assert response.status_code == 400 and "not accepted" in str(response.data["upload"])
        assert not Attachment.objects.exists()

    def test_a_file_kept_by_one_agency_is_not_downloaded_by_another(
        self, police_read_the_file: Case, caseworker: User, officer: User, caseworker_other_agency: User
    ) -> None:
        created = api_as(officer).post(
            url("attachment-list"),
            {
                "case": police_read_the_file.pk,
                "kind": "chat",
                "description": "Seized chats",
                "upload": pdf(),
                "visibility": "own_agency",
                "abstract": "The police hold chat logs.",
            },
            format="multipart",
        )
        assert created.status_code == 201, created.data
        file_url = url("attachment-file", created.data["id"])
        assert api_as(caseworker).get(file_url).status_code == 403
        listed = api_as(caseworker).get(url("attachment-list")).data["results"][0]
        assert listed["original_name"] is None and listed["file_url"] is None
        assert api_as(officer).get(file_url).status_code == 200
        stranger = member(AgencyFactory(), Role.PRACTITIONER)
        assert api_as(stranger).get(file_url).status_code == 404

    def test_an_attachment_belongs_to_an_assessment_of_its_own_case(
        self, case: Case, caseworker: User, agency: Agency
    ) -> None:
        other = CaseFactory(owner=caseworker, owning_agency=agency)
        foreign = services.record_needs_assessment(NeedsAssessment(case=other), actor=caseworker)
        upload = SimpleUploadedFile("a.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
        response = api_as(caseworker).post(
            url("attachment-list"),
            {"case": case.pk, "kind": "document", "description": "d", "assessment": foreign.pk, "upload": upload},
            format="multipart",
        )
        assert response.status_code == 400 and "another case" in str(response.json())
        assert not Attachment.objects.exists()


class TestCaseChanges:
    def test_the_owner_moves_the_case_along_the_legal_moves_only(self, case: Case, caseworker: User) -> None:
        moved = api_as(caseworker).post(url("case-move-stage", case.pk), {"stage": Case.Stage.DISCUSS})
        assert moved.status_code == 200 and moved.data["stage"] == Case.Stage.DISCUSS
        refused = api_as(caseworker).post(url("case-move-stage", case.pk), {"stage": Case.Stage.CAPACITY})
        assert refused.status_code == 400 and "does not move" in str(refused.data)

    def test_the_risk_level_is_kept_with_its_history(self, case: Case, caseworker: User) -> None:
        for level in ("moderate", "high"):
            response = api_as(caseworker).post(url("case-set-risk-level", case.pk), {"level": level, "rationale": "x"})
            assert response.status_code == 200
        history = RiskRecord.objects.filter(case=case).order_by("recorded_at", "pk")
        assert [(row.previous_level, row.level) for row in history] == [
            ("not_assessed", "moderate"),
            ("moderate", "high"),
        ]

    def test_a_summary_reader_changes_nothing(self, case: Case, panel: Panel, coordinator: User) -> None:
        Case.objects.filter(pk=case.pk).update(panel=panel)
        response = api_as(coordinator).post(url("case-set-risk-level", case.pk), {"level": "high", "rationale": "x"})
        assert response.status_code == 403
        assert not RiskRecord.objects.exists()

    def test_the_key_worker_is_named(self, case: Case, caseworker: User) -> None:
        response = api_as(caseworker).post(url("case-key-worker", case.pk), {"note": "The boxing coach"})
        assert response.status_code == 200
        case.refresh_from_db()
        assert case.key_worker_note == "The boxing coach"
        assert api_as(caseworker).post(url("case-key-worker", case.pk), {}).status_code == 400


class TestRestrictions:
    def test_what_a_son_must_not_be_told_is_recorded_and_lifted(
        self, case: Case, caseworker: User, caseworker_other_agency: User
    ) -> None:
        body = {"case": case.pk, "person": case.index_person_id, "must_not_be_told": "That his mother asked for help"}
        created = api_as(caseworker).post(url("disclosurerestriction-list"), body, format="json")
        assert created.status_code == 201, created.data
        listed = api_as(caseworker).get(url("disclosurerestriction-list"), {"case": case.pk, "active": True})
        assert [row["id"] for row in listed.data["results"]] == [created.data["id"]]
        lift = url("disclosurerestriction-lift", created.data["id"])
        assert api_as(caseworker_other_agency).post(lift).status_code == 404
        assert api_as(caseworker).post(lift).status_code == 200
        assert DisclosureRestriction.objects.get().lifted_at is not None

    def test_nothing_to_withhold_is_refused(self, case: Case, caseworker: User) -> None:
        body = {"case": case.pk, "person": case.index_person_id, "must_not_be_told": "  "}
        assert api_as(caseworker).post(url("disclosurerestriction-list"), body, format="json").status_code == 400
        assert not DisclosureRestriction.objects.exists()

    def test_a_summary_reader_reads_no_restriction(self, case: Case, caseworker: User, summary_reader: User) -> None:
        mother = relative(case, "Mimoza", 45, relationship=Person.Relationship.PARENT)
        services.add_restriction(
            case, person=mother, knows="Her son's chat group", must_not_be_told="x", actor=caseworker
        )
        # the school, reading the summary, learns neither through the API nor on the case page
        assert api_as(summary_reader).get(url("disclosurerestriction-list")).json()["count"] == 0
        client = Client()
        client.force_login(summary_reader)
        assert "Her son's chat group" not in client.get(case.get_absolute_url()).content.decode()
        assert api_as(caseworker).get(url("disclosurerestriction-list")).json()["results"][0]["knows"]


def test_the_timeline_costs_the_same_whatever_its_length(
    case: Case, caseworker: User, django_assert_max_num_queries: Any
) -> None:
    client = api_as(caseworker)
    for count in (3, 30):
        CaseEvent.objects.bulk_create(CaseEvent(case=case, kind="note", actor=caseworker) for _ in range(count))
        with django_assert_max_num_queries(9):  # +3: the read's audit record (chain head, insert)
            response = client.get(url("caseevent-list"), {"case": case.pk})
        assert response.status_code == 200


def test_an_entry_list_costs_the_same_whatever_its_length(
    case: Case, caseworker: User, django_assert_max_num_queries: Any
) -> None:
    client = api_as(caseworker)
    for count in (2, 20):
        for _ in range(count):
            client.post(url("contact-list"), visit(case), format="json")
        with django_assert_max_num_queries(11):  # +3: the read's audit record (chain head, insert)
            response = client.get(url("contact-list"), {"case": case.pk})
        assert response.status_code == 200 and len(response.data["results"]) > 0
