"""Recording in the browser: the forms keep what was typed, drafts stay their author's,
entries kept by one agency show the others only their abstract, and nobody outside the file
reaches any of it."""

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from agencies.models import Agency, Panel, User
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
    SecurityAssessment,
)
from cases.risk import RiskLevel
from families.models import DisclosureRestriction, Person
from tests.cases.test_entries import PDF, attach, note, visit
from tests.factories import CaseFactory, PersonFactory, relative, turning_18_in

pytestmark = pytest.mark.django_db
OWN = "own_agency"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(user: User, url: str) -> str:
    response = client_for(user).get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def create_url(case: Case, kind: str) -> str:
    return reverse("cases:entry_create", args=[case.pk, kind])


def entry_url(entry: Any) -> str:
    url: str = entry.get_absolute_url()
    return url


def edit_url(entry: Any) -> str:
    return reverse("cases:entry_edit", args=[entry.case_id, entry.kind_slug(), entry.pk])


def timeline_url(case: Case) -> str:
    return reverse("cases:timeline", args=[case.pk])


def two_hours_ago() -> str:
    return (timezone.localtime() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")


def checked(body: str, name: str, value: object) -> bool:
    """Whether the checkbox or radio `name`=`value` is ticked in the page."""
    return re.search(rf'name="{name}"[^>]*value="{value}"[^>]*checked', body) is not None


class TestRecordingAHomeVisit:
    def data(self, **overrides: Any) -> dict[str, Any]:
        return {
            "kind": "home_visit",
            "outcome": "held",
            "occurred_at": two_hours_ago(),
            "location": "At the family's flat",
            "outside_school_hours": "on",
            "cooperation": "cooperative",
            "discussed": "The boxing club and the school",
            "next_steps": "Meet the coach",
            "next_contact_on": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
            "visibility": "case_team",
            **overrides,
        }

    def test_the_owner_records_a_visit_with_the_police_and_sees_it_on_the_timeline(
        self, case: Case, caseworker: User, police_officer: User
    ) -> None:
        mother = relative(case, "Mimoza", 44, Person.Relationship.PARENT)
        form = client_for(caseworker).get(create_url(case, "contact")).context["form"]
        assert police_officer in form.fields["visitors"].queryset
        assert form.initial["visitors"] == [caseworker.pk]
        # when
        response = client_for(caseworker).post(
            create_url(case, "contact"),
            self.data(visitors=[caseworker.pk, police_officer.pk], present=[case.index_person.pk, mother.pk]),
        )
        # then
        contact = Contact.objects.get()
        assert response.status_code == 302 and response.url == entry_url(contact)
        assert (contact.discussed, contact.location, contact.cooperation) == (
            "The boxing club and the school",
            "At the family's flat",
            "cooperative",
        )
        assert set(contact.visitors.all()) == {caseworker, police_officer}
        assert set(contact.present.all()) == {case.index_person, mother}
        assert "Home visit: Took place." in page(caseworker, timeline_url(case))
        assert "The boxing club and the school" in page(police_officer, entry_url(contact))

    def test_a_refused_form_keeps_everything_typed(self, case: Case, caseworker: User) -> None:
        mother = relative(case, "Mimoza", 44, Person.Relationship.PARENT)
        future = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        response = client_for(caseworker).post(
            create_url(case, "contact"),
            self.data(occurred_at=future, cooperation="hesitant", present=[mother.pk], interpreter="Arabic, Hana"),
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert "A contact cannot be recorded before it happens." in body
        assert f'value="{future}"' in body
        assert "The boxing club and the school</textarea>" in body and "Meet the coach</textarea>" in body
        assert 'value="Arabic, Hana"' in body and 'value="At the family&#x27;s flat"' in body
        assert checked(body, "cooperation", "hesitant") and checked(body, "present", mother.pk)
        assert not Contact.objects.exists()

    def test_a_refusal_from_the_service_is_shown_with_the_form_as_typed(self, case: Case, caseworker: User) -> None:
        response = client_for(caseworker).post(
            create_url(case, "contact"), self.data(outcome="nobody_home", present=[case.index_person.pk])
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert "Nobody was present at a contact that did not take place." in body
        assert checked(body, "outcome", "nobody_home") and checked(body, "present", case.index_person.pk)
        assert not Contact.objects.exists()

    def test_a_draft_is_kept_for_its_author_until_she_records_it(
        self, case: Case, caseworker: User, colleague: User, supervisor: User, police_officer: User
    ) -> None:
        response = client_for(caseworker).post(create_url(case, "contact"), self.data(draft="1"))
        draft = Contact.objects.get()
        assert draft.is_draft and response.url == entry_url(draft)
        # nobody else sees it
        for reader in (colleague, supervisor, police_officer):
            assert client_for(reader).get(entry_url(draft)).status_code == 404
            assert client_for(reader).get(edit_url(draft)).status_code == 404
            assert "The boxing club" not in page(reader, timeline_url(case))
            assert "My drafts" not in page(reader, case.get_absolute_url())
        assert f'href="{edit_url(draft)}"' in page(caseworker, case.get_absolute_url())
        # she reopens it: what she typed is there
        form = client_for(caseworker).get(edit_url(draft)).context["form"]
        assert form["discussed"].value() == "The boxing club and the school"
        # and records it
        response = client_for(caseworker).post(edit_url(draft), self.data(discussed="Done: the boxing club"))
        final = Contact.objects.get()
        assert response.url == entry_url(final)
        assert (final.pk, final.is_draft, final.discussed) == (draft.pk, False, "Done: the boxing club")
        assert CaseEvent.objects.filter(kind="contact", entry_id=final.pk).count() == 1
        assert "Done: the boxing club" in page(colleague, entry_url(final))
        assert "Home visit: Took place." in page(colleague, timeline_url(case))

    def test_a_final_entry_is_not_edited_by_anyone(
        self, case: Case, caseworker: User, supervisor: User, stranger: User
    ) -> None:
        contact = services.record_contact(visit(case, discussed="As it was"), actor=caseworker)
        for reader in (caseworker, supervisor):  # they read it, so they are told they may not change it
            assert client_for(reader).get(edit_url(contact)).status_code == 403
            assert client_for(reader).post(edit_url(contact), self.data(discussed="Rewritten")).status_code == 403
        assert client_for(stranger).get(edit_url(contact)).status_code == 404
        assert Contact.objects.get().discussed == "As it was"

    def test_an_unknown_kind_of_entry_is_not_found(self, case: Case, caseworker: User) -> None:
        assert client_for(caseworker).get(create_url(case, "diary")).status_code == 404


class TestConfidentiality:
    def test_a_health_team_keeps_its_note_and_the_others_read_the_abstract(
        self, case: Case, caseworker: User, police_officer: User, therapist: User, health_team: Agency
    ) -> None:
        form = client_for(therapist).get(create_url(case, "casenote")).context["form"]
        assert form.initial["visibility"] == OWN
        # the abstract is required to keep it for the team
        refused = client_for(therapist).post(
            create_url(case, "casenote"), {"text": "PTSD, on medication", "visibility": OWN}
        )
        assert "Write the abstract the other agencies will read." in refused.content.decode()
        assert not CaseNote.objects.exists()
        client_for(therapist).post(
            create_url(case, "casenote"),
            {"text": "PTSD, on medication", "visibility": OWN, "abstract": "In treatment with us"},
        )
        entry = CaseNote.objects.get()
        assert "PTSD, on medication" in page(therapist, entry_url(entry))
        for other in (caseworker, police_officer):
            for url in (entry_url(entry), timeline_url(case), case.get_absolute_url()):
                body = page(other, url)
                assert "In treatment with us" in body and "Mental health team" in body
                assert "PTSD" not in body and "medication" not in body

    def test_the_police_assessment_is_read_in_full_by_the_police_only(
        self, case: Case, caseworker: User, police_officer: User
    ) -> None:
        url = create_url(case, "securityassessment")
        assert client_for(caseworker).get(url).status_code == 403
        assert client_for(caseworker).post(url, {"risk_level": "high", "assessment": "x"}).status_code == 403
        assert client_for(police_officer).get(url).context["form"].initial["visibility"] == OWN
        client_for(police_officer).post(
            url,
            {
                "risk_level": "high",
                "under_investigation": "on",
                "assessment": "Known to counter-terrorism unit",
                "visibility": OWN,
                "abstract": "Assessed; the police follow up",
            },
        )
        assessment = SecurityAssessment.objects.get()
        assert assessment.under_investigation and assessment.author_agency.name == "Police"
        assert "counter-terrorism" in page(police_officer, entry_url(assessment))
        for url in (entry_url(assessment), timeline_url(case), case.get_absolute_url()):
            body = page(caseworker, url)
            assert "Assessed; the police follow up" in body
            assert "counter-terrorism" not in body and "investigation" not in body.lower()

    def test_an_attachment_kept_by_an_agency_does_not_show_its_name_or_file(
        self, case: Case, caseworker: User, therapist: User
    ) -> None:
        attachment = attach(case, therapist, "Ardit_psychiatric_report.pdf", PDF, visibility=OWN, abstract="A letter")
        body = page(caseworker, entry_url(attachment))
        assert "A letter" in body and "psychiatric" not in body
        file_url = reverse("cases:attachment_file", args=[case.pk, attachment.pk])
        assert client_for(caseworker).get(file_url).status_code == 403
        assert client_for(therapist).get(file_url).status_code == 200

    def test_nobody_outside_the_file_reaches_an_entry(
        self, case: Case, caseworker: User, summary_reader: User, stranger: User
    ) -> None:
        entry = services.record_note(note(case, "Only for the case team"), actor=caseworker)
        draft = services.record_note(note(case, "Unfinished"), actor=caseworker, finalise=False)
        attachment = attach(case, caseworker, "letter.pdf", PDF)
        urls = [
            entry_url(entry),
            edit_url(draft),
            entry_url(attachment),
            timeline_url(case),
            reverse("cases:attachment_file", args=[case.pk, attachment.pk]),
        ]
        for user in (summary_reader, stranger):
            for url in urls:
                assert client_for(user).get(url).status_code == 404, (user, url)
        # recording is a write: the summary reader knows the case and is refused; the stranger is not told
        assert client_for(summary_reader).get(create_url(case, "casenote")).status_code == 403
        assert client_for(stranger).get(create_url(case, "casenote")).status_code == 404

    def test_a_panel_member_is_turned_away_before_any_entry_is_looked_up(
        self, case: Case, caseworker: User, panel: Panel, panel_member: User
    ) -> None:
        # a panel seat reads summaries only: entry pages are closed to the role as a whole, so the
        # answer is the same whether the entry exists or not
        Case.objects.filter(pk=case.pk).update(panel=panel)
        entry = services.record_note(note(case), actor=caseworker)
        attachment = attach(case, caseworker, "letter.pdf", PDF)
        missing = entry.pk + attachment.pk + 1000
        for existing, absent in [
            (entry_url(entry), reverse("cases:entry", args=[case.pk, "casenote", missing])),
            (timeline_url(case), timeline_url(case).replace(str(case.pk), str(case.pk + 1000))),
            (
                reverse("cases:attachment_file", args=[case.pk, attachment.pk]),
                reverse("cases:attachment_file", args=[case.pk, missing]),
            ),
        ]:
            assert client_for(panel_member).get(existing).status_code == 403
            assert client_for(panel_member).get(absent).status_code == 403
        assert client_for(panel_member).get(case.get_absolute_url()).status_code == 200

    def test_anonymous_is_sent_to_sign_in(self, case: Case, caseworker: User) -> None:
        entry = services.record_note(note(case), actor=caseworker)
        for url in (entry_url(entry), timeline_url(case), create_url(case, "contact")):
            response = Client().get(url)
            assert response.status_code == 302 and response.url.startswith(reverse("login"))


class TestChildren:
    def test_a_child_from_a_conflict_zone_is_flagged_on_the_case(self, case: Case, caseworker: User) -> None:
        child = relative(case, "Jon", 6, Person.Relationship.CHILD)
        form = client_for(caseworker).get(create_url(case, "childneeds") + f"?child={child.pk}").context["form"]
        assert form.initial["child"] == child.pk
        client_for(caseworker).post(
            create_url(case, "childneeds"),
            {
                "child": child.pk,
                "age_band": "under_12",
                "exposures": ["conflict_zone", "trauma"],
                "schooling": "not_attending",
                "needs": "Trauma care",
                "visibility": "case_team",
            },
        )
        assert ChildNeeds.objects.get().conflict_zone is True
        body = page(caseworker, case.get_absolute_url())
        assert re.search(rf"{child.given_name}.*?Born or raised in a conflict zone", body, re.DOTALL)

    def test_an_adult_is_not_offered_as_a_child(self, case: Case, caseworker: User) -> None:
        adult = relative(case, "Besnik", 19)
        child = relative(case, "Drita", 12)
        choices = client_for(caseworker).get(create_url(case, "childneeds")).context["form"].fields["child"].queryset
        assert child in choices and adult not in choices

    def test_a_record_kept_by_another_agency_does_not_hide_a_conflict_zone(
        self, case: Case, caseworker: User, therapist: User
    ) -> None:
        # given the team's record of a child from a conflict zone, then a later one kept by the health team
        child = relative(case, "Dua", 8)
        team = ChildNeeds(case=case, child=child, age_band="under_12", schooling="attending")
        team.exposures = ["conflict_zone"]
        services.record_child_needs(team, actor=caseworker)
        kept = ChildNeeds(case=case, child=child, age_band="under_12", schooling="attending")
        kept.visibility, kept.abstract = "own_agency", "Therapy started"
        services.record_child_needs(kept, actor=therapist)
        # then the case page still flags the child
        assert "Born or raised in a conflict zone" in page(caseworker, case.get_absolute_url())

    @pytest.mark.parametrize(("days_to_18", "shown"), [(150, True), (213, False), (-40, False)])
    def test_a_child_approaching_18_is_shown_on_the_case(
        self, case: Case, caseworker: User, days_to_18: int, shown: bool
    ) -> None:
        PersonFactory(
            family=case.family, given_name="Ardian", relationship="sibling", date_of_birth=turning_18_in(days_to_18)
        )
        body = page(caseworker, case.get_absolute_url())
        assert ("plan the hand-over to adult services" in body) is shown


class TestNeedsAssessment:
    def data(self, **overrides: Any) -> dict[str, Any]:
        return {
            "practical_problems": ["housing"],
            "concern_level": "moderate",
            "summary": "Overcrowded flat; isolated at school",
            "visibility": "case_team",
            "network-TOTAL_FORMS": "3",
            "network-INITIAL_FORMS": "0",
            "network-0-kind": "sports",
            "network-0-name": "Boxing club",
            "network-0-influence": "positive",
            "network-1-kind": "online",
            "network-1-name": "Telegram channel",
            "network-1-influence": "negative",
            "network-2-influence": "unknown",
            **overrides,
        }

    def test_the_assessment_is_recorded_with_its_network_and_sets_the_risk(
        self, case: Case, caseworker: User, agency: Agency
    ) -> None:
        response = client_for(caseworker).post(create_url(case, "needsassessment"), self.data())
        assessment = NeedsAssessment.objects.get()
        assert response.url == entry_url(assessment)
        assert sorted(assessment.network.values_list("name", "influence")) == [
            ("Boxing club", "positive"),
            ("Telegram channel", "negative"),
        ]
        case.refresh_from_db()
        assert case.risk_level == RiskLevel.MODERATE
        assert RiskRecord.objects.get().source == RiskRecord.Source.NEEDS_ASSESSMENT
        body = page(caseworker, entry_url(assessment))
        assert "Boxing club" in body and "Telegram channel" in body

    def test_finishing_a_draft_keeps_its_network(self, case: Case, caseworker: User) -> None:
        client_for(caseworker).post(create_url(case, "needsassessment"), self.data(draft="1"))
        draft = NeedsAssessment.objects.get()
        body = page(caseworker, edit_url(draft))
        assert 'value="Boxing club"' in body and 'value="Telegram channel"' in body
        # the page posts back what it shows: the two rows recorded, and three empty ones
        empty = {f"network-{row}-influence": "unknown" for row in (2, 3, 4)}
        data = self.data(**{"network-TOTAL_FORMS": "5", "network-INITIAL_FORMS": "2", **empty})
        client_for(caseworker).post(edit_url(draft), data)
        final = NeedsAssessment.objects.get()
        assert not final.is_draft
        assert sorted(final.network.values_list("name", flat=True)) == ["Boxing club", "Telegram channel"]

    def test_a_wrong_network_row_keeps_the_assessment_as_typed(self, case: Case, caseworker: User) -> None:
        response = client_for(caseworker).post(
            create_url(case, "needsassessment"), self.data(**{"network-2-kind": "family", "network-2-name": ""})
        )
        assert response.status_code == 200
        assert "Overcrowded flat; isolated at school</textarea>" in response.content.decode()
        assert not NeedsAssessment.objects.exists()

    def test_the_risk_history_is_shown_in_order_with_who_and_when(
        self, case: Case, caseworker: User, supervisor: User
    ) -> None:
        client_for(caseworker).post(
            reverse("cases:case_risk", args=[case.pk]), {"level": "low", "rationale": "Protective family"}
        )
        client_for(supervisor).post(
            reverse("cases:case_risk", args=[case.pk]), {"level": "high", "rationale": "Travel plans found"}
        )
        assert list(RiskRecord.objects.values_list("level", "source")) == [("high", "manual"), ("low", "manual")]
        body = page(caseworker, case.get_absolute_url())
        history = body[body.index("Risk level over time") :]
        assert history.index("Travel plans found") < history.index("Protective family")
        assert str(supervisor) in history and str(caseworker) in history
        assert date_format(timezone.localdate(), "SHORT_DATE_FORMAT") in history


class TestCaseChanges:
    def test_the_owner_and_a_supervisor_move_the_case_along_the_table(
        self, case: Case, caseworker: User, supervisor: User
    ) -> None:
        url = reverse("cases:case_stage", args=[case.pk])
        choices = [value for value, _ in client_for(caseworker).get(url).context["form"].fields["stage"].choices]
        assert set(choices) == services.STAGE_MOVES[Case.Stage.IDENTIFY]
        assert client_for(caseworker).post(url, {"stage": Case.Stage.DISCUSS}).status_code == 302
        assert client_for(supervisor).post(url, {"stage": Case.Stage.CONTACT}).status_code == 302
        case.refresh_from_db()
        assert case.stage == Case.Stage.CONTACT

    def test_an_illegal_move_is_refused_on_the_form(self, case: Case, caseworker: User) -> None:
        response = client_for(caseworker).post(reverse("cases:case_stage", args=[case.pk]), {"stage": Case.Stage.PLAN})
        assert response.status_code == 200 and response.context["form"].errors
        case.refresh_from_db()
        assert case.stage == Case.Stage.IDENTIFY

    @pytest.mark.parametrize("name", ["cases:case_stage", "cases:case_risk", "cases:case_key_worker"])
    def test_only_the_owner_and_supervisors_change_the_case(
        self, case: Case, colleague: User, police_officer: User, stranger: User, name: str
    ) -> None:
        url = reverse(name, args=[case.pk])
        data = {"stage": Case.Stage.DISCUSS, "level": "high", "rationale": "x", "note": "The coach"}
        for reader in (colleague, police_officer):
            assert client_for(reader).get(url).status_code == 403
            assert client_for(reader).post(url, data).status_code == 403
        assert client_for(stranger).post(url, data).status_code == 404
        case.refresh_from_db()
        assert (case.stage, case.risk_level, case.key_worker_note) == (Case.Stage.IDENTIFY, "not_assessed", "")

    def test_the_owner_records_the_key_worker(self, case: Case, caseworker: User) -> None:
        uncle = relative(case, "Agim", 40, Person.Relationship.OTHER_RELATIVE)
        url = reverse("cases:case_key_worker", args=[case.pk])
        assert client_for(caseworker).post(url, {"person": uncle.pk, "note": "Trusted"}).status_code == 302
        body = page(caseworker, case.get_absolute_url())
        assert re.search(r"Key worker</dt>\s*<dd[^>]*>Agim [^<]* · Trusted", body)


class TestRestrictions:
    def test_the_case_team_records_what_must_not_be_told(
        self, case: Case, police_officer: User, summary_reader: User, stranger: User
    ) -> None:
        url = reverse("cases:restriction_create", args=[case.pk])
        data = {
            "person": case.index_person.pk,
            "knows": "A social worker visits",
            "must_not_be_told": "His mother called",
        }
        assert client_for(summary_reader).post(url, data).status_code == 403
        assert client_for(stranger).post(url, data).status_code == 404
        assert not DisclosureRestriction.objects.exists()
        assert client_for(police_officer).post(url, data).status_code == 302
        assert DisclosureRestriction.objects.get().recorded_by == police_officer

    def test_everyone_who_opens_the_case_is_warned_until_it_is_lifted(
        self,
        case: Case,
        caseworker: User,
        police_officer: User,
        summary_reader: User,
        stranger: User,
    ) -> None:
        restriction = services.add_restriction(
            case,
            person=case.index_person,
            knows="A social worker visits",
            must_not_be_told="His mother called",
            actor=caseworker,
        )
        for user in (caseworker, police_officer):
            body = page(user, case.get_absolute_url())
            assert "Before you talk to the family" in body
            assert "A social worker visits" in body and "must not be told: His mother called" in body
        assert "His mother called" in page(caseworker, create_url(case, "contact"))
        # the summary reader is warned too, without who or what: that would name who asked for help
        body = page(summary_reader, case.get_absolute_url())
        assert "Speak to the case owner before any contact with the family." in body
        assert "His mother called" not in body and "A social worker visits" not in body
        assert client_for(stranger).get(case.get_absolute_url()).status_code == 404
        # a reader may not lift it; the owner does, and the warning goes
        lift = reverse("cases:restriction_lift", args=[case.pk, restriction.pk])
        assert client_for(police_officer).post(lift).status_code == 403
        assert client_for(caseworker).post(lift).status_code == 302
        for user in (caseworker, police_officer):
            assert "His mother called" not in page(user, case.get_absolute_url())
        assert "Speak to the case owner" not in page(summary_reader, case.get_absolute_url())


class TestAttachments:
    def test_a_file_is_uploaded_and_downloaded_safely(self, case: Case, caseworker: User, police_officer: User) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("scan.png", PDF, content_type="image/png")
        response = client_for(caseworker).post(
            create_url(case, "attachment"),
            {"kind": "email", "description": "Letter from the school", "visibility": "case_team", "upload": upload},
        )
        attachment = Attachment.objects.get()
        assert response.url == entry_url(attachment)
        assert (attachment.content_type, attachment.original_name) == ("application/pdf", "scan.png.pdf")
        download = client_for(police_officer).get(reverse("cases:attachment_file", args=[case.pk, attachment.pk]))
        assert download.status_code == 200
        assert download.getvalue() == PDF
        assert download["Content-Type"] == "application/pdf"
        assert download["Content-Disposition"] == 'attachment; filename="scan.png.pdf"'
        assert download["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in download["Cache-Control"]

    def test_a_disguised_file_is_refused_on_the_form(self, case: Case, caseworker: User) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile(
            "letter.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
        )
        response = client_for(caseworker).post(
            create_url(case, "attachment"),
            {"kind": "document", "description": "Letter", "visibility": "case_team", "upload": upload},
        )
        body = response.content.decode()
        assert response.status_code == 200 and "This kind of file is not accepted" in body
        assert 'value="Letter"' in body
        assert not Attachment.objects.exists()

    def test_a_file_of_another_case_is_not_found(self, case: Case, caseworker: User) -> None:
        other = CaseFactory(owner=caseworker, owning_agency=case.owning_agency)
        attachment = attach(other, caseworker, "letter.pdf", PDF)
        assert (
            client_for(caseworker).get(reverse("cases:attachment_file", args=[case.pk, attachment.pk])).status_code
            == 404
        )


class TestTimeline:
    def test_the_timeline_filters_by_kind(self, case: Case, caseworker: User) -> None:
        services.record_contact(visit(case, outcome="refused"), actor=caseworker)
        services.record_note(note(case), actor=caseworker)
        events = client_for(caseworker).get(timeline_url(case) + "?kind=contact").context["events"]
        assert [event.kind for event in events] == ["contact"]
        everything = client_for(caseworker).get(timeline_url(case) + "?kind=nonsense").context["events"]
        assert {"contact", "note"} <= {event.kind for event in everything}

    def test_repeated_refusals_bring_the_guidance_to_the_case_page(self, case: Case, caseworker: User) -> None:
        services.record_contact(visit(case, outcome="refused"), actor=caseworker)
        assert "The family has refused contact" not in page(caseworker, case.get_absolute_url())
        services.record_contact(visit(case, cooperation="refuses"), actor=caseworker)
        body = page(caseworker, case.get_absolute_url())
        assert "The family has refused contact 2 times." in body
        assert "the key worker" in body and "a decision for the panel" in body

    def fill(self, case: Case, author: User, count: int) -> None:
        for number in range(count):
            services.record_note(note(case, f"Note {number}"), actor=author)

    def test_the_timeline_costs_the_same_whatever_its_length(
        self, case: Case, caseworker: User, therapist: User, django_assert_max_num_queries: Callable[..., Any]
    ) -> None:
        self.fill(case, therapist, 2)
        self.fill(case, caseworker, 3)
        client = client_for(caseworker)
        with CaptureQueriesContext(connection) as few:
            assert client.get(timeline_url(case)).status_code == 200
        self.fill(case, therapist, 15)
        services.record_note(note(case, visibility=OWN, abstract="Kept"), actor=therapist)
        self.fill(case, caseworker, 20)
        assert CaseEvent.objects.filter(case=case).count() >= 40
        with django_assert_max_num_queries(len(few)):
            assert client.get(timeline_url(case)).status_code == 200

    def test_the_case_page_costs_the_same_whatever_the_file_holds(
        self, case: Case, caseworker: User, therapist: User, django_assert_max_num_queries: Callable[..., Any]
    ) -> None:
        def grow(count: int) -> None:
            for number in range(count):
                child = relative(case, f"Child{number}", 5 + number % 10)
                services.record_child_needs(
                    ChildNeeds(
                        case=case,
                        child=child,
                        age_band="under_12" if (child.age() or 0) < 12 else "12_17",
                        schooling="attending",
                    ),
                    actor=caseworker,
                    finalise=number % 2 == 0,
                )
                services.add_restriction(case, person=child, must_not_be_told=f"Secret {number}", actor=caseworker)
                services.set_risk_level(
                    case, level=["low", "high"][number % 2], source=RiskRecord.Source.MANUAL, actor=caseworker
                )
                services.record_contact(visit(case, outcome="refused"), actor=caseworker, finalise=number % 3 == 0)
                services.record_note(note(case, visibility=OWN, abstract="Kept"), actor=therapist)

        grow(2)
        client = client_for(caseworker)
        with CaptureQueriesContext(connection) as few:
            assert client.get(case.get_absolute_url()).status_code == 200
        grow(12)
        with django_assert_max_num_queries(len(few)):
            assert client.get(case.get_absolute_url()).status_code == 200
