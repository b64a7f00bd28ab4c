"""Recording the work with the family: contacts, drafts, confidentiality of entries,
children's needs, the needs assessment and the risk level, stage moves, the key worker, what must
not be told, and attached files."""

import datetime
import io
import re
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, models, transaction
from django.test import Client
from django.utils import timezone

from agencies.access import Action
from agencies.models import Agency, Membership, Panel, User
from audit.models import AuditEvent
from cases import services
from cases.children import children_of
from cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseNote,
    ChildNeeds,
    Contact,
    NeedsAssessment,
    NetworkLink,
    RiskRecord,
    SecurityAssessment,
    Visibility,
)
from cases.risk import RiskLevel
from cases.services import STAGE_MOVES
from cases.uploads import safe_name
from families.models import DisclosureRestriction, Person
from tests.conftest import member
from tests.factories import AgencyFactory, CaseFactory, PersonFactory, relative, turning_18_in

pytestmark = pytest.mark.django_db
Role = Membership.Role
Outcome, Cooperation = Contact.Outcome, Contact.Cooperation
Band = ChildNeeds.AgeBand
OWN = Visibility.OWN_AGENCY


def visit(case: Case, **fields: Any) -> Contact:
    """A home visit two hours ago, not yet saved."""
    fields.setdefault("occurred_at", timezone.now() - datetime.timedelta(hours=2))
    return Contact(case=case, **fields)


def note(case: Case, text: str = "Spoke with the school.", **fields: Any) -> CaseNote:
    return CaseNote(case=case, text=text, **fields)


def content_visible(model: Any, entry: Any, user: User) -> bool:
    visible: bool = model.objects.restrict(user, Action.VIEW).annotate_content(user).get(pk=entry.pk).content_visible
    return visible


class TestContacts:
    def test_a_home_visit_by_a_pair_goes_on_the_timeline(
        self, case: Case, caseworker: User, police_officer: User, agency: Agency
    ) -> None:
        mother = relative(case, "Mimoza", 44, Person.Relationship.PARENT)
        # when the social worker records the visit she made with a police officer
        services.record_contact(
            visit(case, cooperation=Cooperation.COOPERATIVE, discussed="School, the mosque", next_steps="Call"),
            actor=caseworker,
            visitors=[caseworker, police_officer],
            present=[case.index_person, mother],
        )
        # then
        contact = Contact.objects.get()
        assert set(contact.visitors.all()) == {caseworker, police_officer}
        assert set(contact.present.all()) == {case.index_person, mother}
        assert (contact.author, contact.author_agency, contact.is_draft) == (caseworker, agency, False)
        event = CaseEvent.objects.get(case=case, kind="contact")
        assert event.describe() == "Home visit: Took place."
        assert (event.entry_url, event.visibility, event.author_agency) == (
            contact.get_absolute_url(),
            Visibility.CASE_TEAM,
            agency,
        )
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.ENTRY_RECORDED, object_id=str(contact.pk), case_id=case.pk
        ).exists()

    def test_the_author_is_the_visitor_unless_told_otherwise(self, case: Case, caseworker: User) -> None:
        contact = services.record_contact(visit(case, kind=Contact.Kind.PHONE), actor=caseworker)
        assert list(contact.visitors.all()) == [caseworker]

    @pytest.mark.parametrize(
        ("build", "message"),
        [
            pytest.param(
                lambda case: (visit(case, occurred_at=timezone.now() + datetime.timedelta(hours=1)), []),
                "cannot be recorded before it happens",
                id="in-the-future",
            ),
            pytest.param(
                lambda case: (visit(case, next_contact_on=timezone.localdate() - datetime.timedelta(days=3)), []),
                "The next contact must come after this one",
                id="next-contact-before-the-visit",
            ),
            pytest.param(
                lambda case: (visit(case, minor_present=True, outside_school_hours=False), []),
                "A minor may take part only outside school hours",
                id="minor-in-school-hours",
            ),
            pytest.param(
                lambda case: (visit(case, outcome=Outcome.NOBODY_HOME), [case.index_person]),
                "Nobody was present at a contact that did not take place",
                id="present-at-a-visit-that-did-not-happen",
            ),
            pytest.param(
                lambda case: (visit(case), [PersonFactory()]),
                "Only members of the family",
                id="someone-from-another-family",
            ),
        ],
    )
    def test_a_contact_that_cannot_be_right_is_refused_and_nothing_is_saved(
        self, case: Case, caseworker: User, build: Callable[[Case], tuple[Contact, list[Person]]], message: str
    ) -> None:
        contact, present = build(case)
        with pytest.raises(ValidationError, match=message):
            services.record_contact(contact, actor=caseworker, present=present)
        assert not Contact.objects.exists()
        assert not CaseEvent.objects.filter(kind="contact").exists()

    def test_a_child_present_is_a_minor_taking_part_even_if_the_box_was_not_ticked(
        self, case: Case, caseworker: User
    ) -> None:
        sister = relative(case, "Drita", 12)
        with pytest.raises(ValidationError, match="outside school hours"):
            services.record_contact(
                visit(case, minor_present=False, outside_school_hours=False), actor=caseworker, present=[sister]
            )
        # adults only, in school hours, are fine; after school, the child may join
        mother = relative(case, "Mimoza", 44, Person.Relationship.PARENT)
        services.record_contact(visit(case, outside_school_hours=False), actor=caseworker, present=[mother])
        services.record_contact(visit(case), actor=caseworker, present=[sister])
        assert sorted(Contact.objects.values_list("minor_present", flat=True)) == [False, True]

    def test_the_people_present_may_be_given_as_any_iterable(self, case: Case, caseworker: User) -> None:
        mother = relative(case, "Mimoza", 44, Person.Relationship.PARENT)
        services.record_contact(visit(case), actor=caseworker, present=(person for person in [mother]))
        assert list(Contact.objects.get().present.all()) == [mother]

    @pytest.mark.parametrize(
        ("outcome", "label"), [(Outcome.NOBODY_HOME, "Nobody at home"), (Outcome.REFUSED, "The family refused")]
    )
    def test_a_visit_that_did_not_happen_is_recorded(
        self, case: Case, caseworker: User, outcome: str, label: str
    ) -> None:
        services.record_contact(visit(case, outcome=outcome), actor=caseworker)
        assert Contact.objects.get().outcome == outcome
        assert CaseEvent.objects.get(kind="contact").describe() == f"Home visit: {label}."
        case.refresh_from_db()
        assert case.first_contact_on is None

    def test_the_first_contact_held_sets_the_date_and_later_ones_keep_it(self, case: Case, caseworker: User) -> None:
        three_days_ago = timezone.now() - datetime.timedelta(days=3)
        services.record_contact(visit(case, occurred_at=three_days_ago), actor=caseworker)
        case.refresh_from_db()
        assert case.first_contact_on == timezone.localdate(three_days_ago)
        # a later visit, a draft and a refusal change nothing
        services.record_contact(visit(case), actor=caseworker)
        services.record_contact(
            visit(case, occurred_at=timezone.now() - datetime.timedelta(days=9)), actor=caseworker, finalise=False
        )
        services.record_contact(
            visit(case, occurred_at=timezone.now() - datetime.timedelta(days=8), outcome=Outcome.REFUSED),
            actor=caseworker,
        )
        case.refresh_from_db()
        assert case.first_contact_on == timezone.localdate(three_days_ago)
        # a visit recorded late but held earlier was the first
        earlier = timezone.now() - datetime.timedelta(days=6)
        services.record_contact(visit(case, occurred_at=earlier), actor=caseworker)
        case.refresh_from_db()
        assert case.first_contact_on == timezone.localdate(earlier)

    def test_refusals_counts_the_final_refusals_of_this_case(
        self, case: Case, caseworker: User, colleague: User
    ) -> None:
        services.record_contact(visit(case, outcome=Outcome.REFUSED), actor=caseworker)
        services.record_contact(visit(case, cooperation=Cooperation.REFUSES), actor=caseworker)
        services.record_contact(visit(case, outcome=Outcome.NOBODY_HOME), actor=caseworker)
        services.record_contact(visit(case, cooperation=Cooperation.HESITANT), actor=caseworker)
        services.record_contact(visit(case, outcome=Outcome.REFUSED), actor=colleague, finalise=False)
        other = CaseFactory(owner=caseworker, owning_agency=case.owning_agency)
        services.record_contact(visit(other, outcome=Outcome.REFUSED), actor=caseworker)
        assert services.refusals(case, caseworker) == 2
        assert services.refusals(case, colleague) == 2  # a draft is not a refusal yet

    def test_a_cooperative_visit_starts_the_count_of_refusals_again(self, case: Case, caseworker: User) -> None:
        def at(days_ago: int, **fields: Any) -> None:
            when = timezone.now() - datetime.timedelta(days=days_ago)
            services.record_contact(visit(case, occurred_at=when, **fields), actor=caseworker)

        # given four refusals, then two cooperative visits
        for days_ago in (40, 35, 30, 25):
            at(days_ago, outcome=Outcome.REFUSED)
        at(20, cooperation=Cooperation.COOPERATIVE)
        at(10, cooperation=Cooperation.COOPERATIVE)
        # then the family is no longer counted as refusing
        assert services.refusals(case, caseworker) == 0
        # a hesitant visit does not start it again; a refusal since the last cooperative visit counts
        at(8, outcome=Outcome.REFUSED)
        at(6, cooperation=Cooperation.HESITANT)
        at(4, cooperation=Cooperation.REFUSES)
        assert services.refusals(case, caseworker) == 2

    def test_without_a_minor_school_hours_are_not_recorded_as_an_answer(self, case: Case, caseworker: User) -> None:
        # given a visit with the mother alone, the school-hours box left as it came
        mother = relative(case, "Mimoza", 44, Person.Relationship.PARENT)
        contact = services.record_contact(visit(case, outside_school_hours=True), actor=caseworker, present=[mother])
        # then no answer is stored for a question that was not asked
        assert Contact.objects.get(pk=contact.pk).outside_school_hours is None
        # and with a child present, the answer is kept
        sister = relative(case, "Drita", 12)
        services.record_contact(visit(case, outside_school_hours=True), actor=caseworker, present=[sister])
        assert Contact.objects.get(minor_present=True).outside_school_hours is True

    def test_the_next_contact_is_the_one_agreed_at_the_latest_visit(self, case: Case, caseworker: User) -> None:
        today = timezone.localdate()
        # given a visit that agreed to meet in three days, and a later one that agreed ten days
        earlier = visit(case, occurred_at=timezone.now() - datetime.timedelta(days=5))
        earlier.next_contact_on = today + datetime.timedelta(days=3)
        services.record_contact(earlier, actor=caseworker)
        later = services.record_contact(
            visit(case, next_contact_on=today + datetime.timedelta(days=10)), actor=caseworker
        )
        # then the later agreement is the next contact
        assert services.next_contact(case, caseworker) == later
        # and a later visit that agreed a date now past leaves no next contact to show
        Contact.objects.filter(pk=later.pk).update(next_contact_on=today - datetime.timedelta(days=1))
        assert services.next_contact(case, caseworker) is None

    def test_refusals_count_only_the_contacts_the_reader_reads_in_full(
        self, case: Case, therapist: User, police_officer: User, caseworker: User
    ) -> None:
        # given two refusals recorded by the health team and kept to itself
        for _ in range(2):
            contact = Contact(case=case, outcome="refused", visibility="own_agency", abstract="We called")
            services.record_contact(contact, actor=therapist)
        # then the police, reading only the abstracts, count none, and their case page warns of none
        assert services.refusals(case, police_officer) == 0
        assert services.refusals(case, therapist) == 2
        client = Client()
        client.force_login(police_officer)
        assert "The family has refused contact" not in client.get(case.get_absolute_url()).content.decode()

    def test_a_closed_case_takes_a_follow_up_contact_but_not_an_assessment(self, case: Case, caseworker: User) -> None:
        Case.objects.filter(pk=case.pk).update(closed_at=timezone.now())
        case.refresh_from_db()
        services.record_contact(visit(case, kind=Contact.Kind.FOLLOW_UP), actor=caseworker)
        with pytest.raises(ValidationError, match="The case is closed"):
            services.record_needs_assessment(NeedsAssessment(case=case, summary="x"), actor=caseworker)
        assert Contact.objects.count() == 1 and not NeedsAssessment.objects.exists()


class TestDrafts:
    def test_a_draft_is_its_authors_alone(
        self, case: Case, caseworker: User, colleague: User, supervisor: User, police_officer: User
    ) -> None:
        draft = services.record_note(note(case, "Half-written"), actor=caseworker, finalise=False)
        assert draft.is_draft
        for reader in (colleague, supervisor, police_officer):
            assert not CaseNote.objects.restrict(reader, Action.VIEW).exists()
        assert list(CaseNote.objects.restrict(caseworker, Action.VIEW)) == [draft]
        assert not CaseEvent.objects.filter(kind="note").exists()
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.ENTRY_RECORDED).exists()

    def test_the_author_finishes_a_draft_and_it_goes_on_the_timeline_once(
        self, case: Case, caseworker: User, colleague: User
    ) -> None:
        draft = services.record_note(note(case, "Half-written"), actor=caseworker, finalise=False)
        draft.text = "Finished"
        services.record_note(draft, actor=caseworker, finalise=False)
        services.record_note(draft, actor=caseworker)
        final = CaseNote.objects.get()
        assert (final.text, final.is_draft) == ("Finished", False)
        assert CaseNote.objects.restrict(colleague, Action.VIEW).get() == final
        assert CaseEvent.objects.filter(kind="note", entry_id=final.pk).count() == 1
        # a final entry is added to, not edited: even its author cannot record it again
        final.text = "Changed afterwards"
        with pytest.raises(ValidationError, match="A final entry is not edited"):
            services.record_note(final, actor=caseworker)
        assert CaseNote.objects.get().text == "Finished"
        assert CaseEvent.objects.filter(kind="note").count() == 1

    def test_nobody_else_changes_a_draft(self, case: Case, caseworker: User, supervisor: User) -> None:
        services.record_note(note(case, "Mine"), actor=caseworker, finalise=False)
        taken = CaseNote.objects.get()
        taken.text = "Theirs"
        with pytest.raises(ValidationError, match="Only its author changes a draft"):
            services.record_note(taken, actor=supervisor)
        assert CaseNote.objects.get().text == "Mine"


class TestConfidentiality:
    @pytest.mark.parametrize(
        ("sector", "model", "expected"),
        [
            (Agency.Sector.SOCIAL_CARE, Contact, Visibility.CASE_TEAM),
            (Agency.Sector.SOCIAL_CARE, CaseNote, Visibility.CASE_TEAM),
            (Agency.Sector.MENTAL_HEALTH, CaseNote, Visibility.OWN_AGENCY),
            (Agency.Sector.HEALTH, Contact, Visibility.OWN_AGENCY),
            (Agency.Sector.POLICE, Contact, Visibility.CASE_TEAM),
            (Agency.Sector.POLICE, SecurityAssessment, Visibility.OWN_AGENCY),
        ],
    )
    def test_health_and_the_police_assessment_default_to_own_agency(
        self, case: Case, sector: str, model: Any, expected: str
    ) -> None:
        user = member(AgencyFactory(sector=sector))
        assert services.default_visibility(model, user, case) == expected

    def test_an_own_agency_entry_is_read_in_full_by_its_agency_only(
        self, case: Case, caseworker: User, police_officer: User, therapist: User, health_team: Agency
    ) -> None:
        team_mate = member(health_team, username="team_mate")
        entry = services.record_note(
            note(case, "Diagnosis: PTSD", visibility=OWN, abstract="In therapy; ask the team"), actor=therapist
        )
        assert entry.author_agency == health_team
        assert content_visible(CaseNote, entry, therapist) and content_visible(CaseNote, entry, team_mate)
        assert not content_visible(CaseNote, entry, caseworker)
        assert not content_visible(CaseNote, entry, police_officer)
        event = CaseEvent.objects.filter(kind="note").annotate_content(caseworker).get()
        assert (event.content_visible, event.visibility, event.author_agency) == (False, OWN, health_team)
        assert event.data["abstract"] == "In therapy; ask the team"
        assert "PTSD" not in str(event.data)

    def test_an_own_agency_entry_needs_an_abstract(self, case: Case, therapist: User) -> None:
        with pytest.raises(ValidationError, match="needs an abstract for the partners"):
            services.record_note(note(case, visibility=OWN, abstract="   "), actor=therapist)
        assert not CaseNote.objects.exists()

    def test_the_database_refuses_an_own_agency_entry_without_an_abstract(self, case: Case, caseworker: User) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            CaseNote.objects.create(
                case=case, author=caseworker, author_agency=case.owning_agency, text="x", visibility=OWN
            )

    def test_the_network_of_an_own_agency_assessment_is_content(
        self, case: Case, caseworker: User, therapist: User
    ) -> None:
        services.record_needs_assessment(
            NeedsAssessment(case=case, visibility=OWN, abstract="Needs support", summary="Isolated"),
            actor=therapist,
            network=[{"kind": NetworkLink.Kind.ONLINE, "name": "A preacher's channel", "influence": "negative"}],
        )
        assert NetworkLink.objects.restrict(therapist, Action.VIEW).count() == 1
        assert not NetworkLink.objects.restrict(caseworker, Action.VIEW).exists()

    def test_only_the_police_write_the_security_assessment(
        self, case: Case, caseworker: User, police_officer: User, other_agency: Agency
    ) -> None:
        def assessment() -> SecurityAssessment:
            return SecurityAssessment(
                case=case, risk_level=RiskLevel.HIGH, assessment="Known to us", visibility=OWN, abstract="Assessed"
            )

        with pytest.raises(ValidationError, match="The security assessment is the police's"):
            services.record_security_assessment(assessment(), actor=caseworker)
        assert not SecurityAssessment.objects.exists()
        saved = services.record_security_assessment(assessment(), actor=police_officer)
        assert (saved.author_agency, saved.visibility) == (other_agency, OWN)
        assert not content_visible(SecurityAssessment, saved, caseworker)

    def test_a_stranger_or_a_summary_reader_writes_nothing_through_the_services(
        self, case: Case, stranger: User, summary_reader: User
    ) -> None:
        with pytest.raises(ValidationError, match="may not"):
            services.record_note(CaseNote(case=case, text="planted"), actor=stranger)
        with pytest.raises(ValidationError, match="may not"):
            services.record_contact(Contact(case=case, outcome="nobody_home"), actor=summary_reader)
        assert not CaseNote.objects.exists() and not Contact.objects.exists()


class TestChildNeeds:
    def needs(self, case: Case, child: Person, band: str, **fields: Any) -> ChildNeeds:
        return ChildNeeds(case=case, child=child, age_band=band, schooling=ChildNeeds.Schooling.ATTENDING, **fields)

    @pytest.mark.parametrize(
        ("age", "band"),
        [
            (0, Band.UNDER_12),
            (11, Band.UNDER_12),
            (12, Band.FROM_12_TO_17),
            (17, Band.FROM_12_TO_17),
            (14, Band.YOUNG_ADULT),
            (18, Band.YOUNG_ADULT),
        ],
    )
    def test_an_age_band_that_fits_is_recorded(self, case: Case, caseworker: User, age: int, band: str) -> None:
        child = relative(case, "Drita", age)
        services.record_child_needs(self.needs(case, child, band), actor=caseworker)
        assert ChildNeeds.objects.get().age_band == band

    @pytest.mark.parametrize(
        ("age", "band"),
        [(12, Band.UNDER_12), (11, Band.FROM_12_TO_17), (18, Band.FROM_12_TO_17), (13, Band.YOUNG_ADULT)],
    )
    def test_an_age_band_that_does_not_fit_is_refused(self, case: Case, caseworker: User, age: int, band: str) -> None:
        child = relative(case, "Drita", age)
        with pytest.raises(ValidationError, match=f"does not fit a child of {age}"):
            services.record_child_needs(self.needs(case, child, band), actor=caseworker)
        assert not ChildNeeds.objects.exists()

    def test_an_unknown_age_band_is_refused(self, case: Case, caseworker: User) -> None:
        child = relative(case, "Drita", 8)
        with pytest.raises(ValidationError, match="Choose the child's age band"):
            services.record_child_needs(self.needs(case, child, "teenager"), actor=caseworker)

    def test_an_adult_is_refused(self, case: Case, caseworker: User) -> None:
        brother = relative(case, "Besnik", 19)
        with pytest.raises(ValidationError, match="is an adult"):
            services.record_child_needs(self.needs(case, brother, Band.YOUNG_ADULT), actor=caseworker)
        assert not ChildNeeds.objects.exists()

    def test_a_child_of_another_family_is_refused(self, case: Case, caseworker: User) -> None:
        stranger = PersonFactory(date_of_birth=timezone.localdate() - datetime.timedelta(days=8 * 365))
        with pytest.raises(ValidationError, match="Only members of the family"):
            services.record_child_needs(self.needs(case, stranger, Band.UNDER_12), actor=caseworker)
        assert not ChildNeeds.objects.exists()

    def test_a_conflict_zone_sets_the_flag(self, case: Case, caseworker: User) -> None:
        child = relative(case, "Jon", 6)
        exposures = [ChildNeeds.Exposure.CONFLICT_ZONE, ChildNeeds.Exposure.TRAUMA]
        services.record_child_needs(self.needs(case, child, Band.UNDER_12, exposures=exposures), actor=caseworker)
        assert ChildNeeds.objects.get().conflict_zone is True
        event = CaseEvent.objects.get(kind="child_needs")
        assert event.describe() == f"Needs of {child} recorded."

    def test_an_unknown_exposure_is_refused(self, case: Case, caseworker: User) -> None:
        child = relative(case, "Jon", 6)
        with pytest.raises(ValidationError, match="Unknown exposure: gaming"):
            services.record_child_needs(self.needs(case, child, Band.UNDER_12, exposures=["gaming"]), actor=caseworker)

    @pytest.mark.parametrize(
        ("days_to_18", "approaching"),
        [(1, True), (150, True), (183, True), (213, False), (0, False), (-40, False)],
        ids=["tomorrow", "in-5-months", "in-6-months", "in-7-months", "today", "already-18"],
    )
    def test_a_child_approaching_18_is_flagged_six_months_ahead(
        self, case: Case, caseworker: User, days_to_18: int, approaching: bool
    ) -> None:
        child = PersonFactory(family=case.family, relationship="sibling", date_of_birth=turning_18_in(days_to_18))
        members = list(Person.objects.filter(family=case.family))
        found = {c.person: c for c in children_of(members, case, caseworker)}
        assert found[child].approaching_18 is approaching

    def test_the_family_picture_lists_children_and_not_adults(self, case: Case, caseworker: User) -> None:
        sister = relative(case, "Drita", 12)
        relative(case, "Mimoza", 44, Person.Relationship.PARENT)
        relative(case, "Besnik", 19)
        members = list(Person.objects.filter(family=case.family))
        assert {c.person for c in children_of(members, case, caseworker)} == {case.index_person, sister}


class TestNeedsAssessmentAndRisk:
    def test_the_network_overview_is_saved_with_the_assessment(self, case: Case, caseworker: User) -> None:
        assessment = services.record_needs_assessment(
            NeedsAssessment(case=case, practical_problems=["housing", "schooling"], summary="Overcrowded flat"),
            actor=caseworker,
            network=[
                {"kind": NetworkLink.Kind.SPORTS, "name": "Boxing club", "influence": "positive"},
                {"kind": NetworkLink.Kind.ONLINE, "name": "Telegram channel", "influence": "negative", "notes": "?"},
            ],
        )
        links = sorted((link.name, link.influence) for link in assessment.network.all())
        assert links == [("Boxing club", "positive"), ("Telegram channel", "negative")]
        assert NeedsAssessment.objects.get().practical_problems == ["housing", "schooling"]

    def test_an_unknown_practical_problem_is_refused(self, case: Case, caseworker: User) -> None:
        with pytest.raises(ValidationError, match="Unknown practical problem: gambling"):
            services.record_needs_assessment(
                NeedsAssessment(case=case, practical_problems=["housing", "gambling"]), actor=caseworker
            )
        assert not NeedsAssessment.objects.exists()

    def test_a_wrong_network_link_saves_nothing(self, case: Case, caseworker: User) -> None:
        with pytest.raises(ValidationError):
            services.record_needs_assessment(
                NeedsAssessment(case=case, summary="x"), actor=caseworker, network=[{"kind": "cult", "name": "X"}]
            )
        assert not NeedsAssessment.objects.exists()
        assert not CaseEvent.objects.filter(kind="needs_assessment").exists()

    def test_a_final_assessment_sets_the_risk_level_of_a_case_its_author_may_change(
        self, case: Case, caseworker: User, agency: Agency
    ) -> None:
        services.record_needs_assessment(NeedsAssessment(case=case, concern_level=RiskLevel.MODERATE), actor=caseworker)
        case.refresh_from_db()
        assert case.risk_level == RiskLevel.MODERATE
        change = RiskRecord.objects.get()
        assert (change.source, change.previous_level, change.level) == (
            RiskRecord.Source.NEEDS_ASSESSMENT,
            RiskLevel.NOT_ASSESSED,
            RiskLevel.MODERATE,
        )
        assert (change.recorded_by, change.agency) == (caseworker, agency)

    @pytest.mark.parametrize("author", ["colleague", "police_officer"])
    def test_an_assessment_by_someone_who_may_not_change_the_case_leaves_the_level(
        self, case: Case, author: str, request: pytest.FixtureRequest
    ) -> None:
        services.record_needs_assessment(
            NeedsAssessment(case=case, concern_level=RiskLevel.HIGH), actor=request.getfixturevalue(author)
        )
        case.refresh_from_db()
        assert case.risk_level == RiskLevel.NOT_ASSESSED and not RiskRecord.objects.exists()

    def test_an_assessment_kept_by_its_agency_does_not_set_the_case_risk(
        self, health_team: Agency, police_officer: User
    ) -> None:
        # given a case owned by the health team, whose assessments default to being kept by it
        owner = member(health_team, Role.PRACTITIONER)
        case = CaseFactory(owner=owner, owning_agency=health_team)
        visibility = services.default_visibility(NeedsAssessment, owner, case)
        assessment = NeedsAssessment(case=case, concern_level="high", visibility=visibility, abstract="Ours")
        # when its owner records one at high concern
        services.record_needs_assessment(assessment, actor=owner)
        # then the case's risk level, which every partner reads, does not tell it
        assert visibility == "own_agency"
        assert not RiskRecord.objects.exists()
        case.refresh_from_db()
        assert case.risk_level == "not_assessed"

    @pytest.mark.parametrize(("draft", "level"), [(True, RiskLevel.HIGH), (False, RiskLevel.NOT_ASSESSED)])
    def test_a_draft_or_an_unassessed_level_leaves_the_risk_level(
        self, case: Case, caseworker: User, draft: bool, level: str
    ) -> None:
        services.record_needs_assessment(
            NeedsAssessment(case=case, concern_level=level), actor=caseworker, finalise=not draft
        )
        assert not RiskRecord.objects.exists()

    def test_the_risk_history_keeps_each_change(self, case: Case, caseworker: User, supervisor: User) -> None:
        services.set_risk_level(case, level=RiskLevel.LOW, source=RiskRecord.Source.MANUAL, actor=caseworker)
        services.set_risk_level(
            case, level=RiskLevel.HIGH, source=RiskRecord.Source.PANEL, actor=supervisor, rationale=" Travel plans "
        )
        history = list(RiskRecord.objects.filter(case=case).values_list("previous_level", "level", "recorded_by"))
        assert history == [
            (RiskLevel.LOW, RiskLevel.HIGH, supervisor.pk),
            (RiskLevel.NOT_ASSESSED, RiskLevel.LOW, caseworker.pk),
        ]
        first = RiskRecord.objects.first()
        assert first is not None and first.rationale == "Travel plans"
        events = CaseEvent.objects.filter(kind=CaseEvent.Kind.RISK_CHANGED)
        assert [event.describe() for event in events] == ["Risk level: Low → High.", "Risk level: Not assessed → Low."]
        assert AuditEvent.objects.filter(action=AuditEvent.Action.RISK_CHANGED, case_id=case.pk).count() == 2

    def test_the_same_level_again_records_nothing(self, case: Case, caseworker: User) -> None:
        services.set_risk_level(case, level=RiskLevel.LOW, source=RiskRecord.Source.MANUAL, actor=caseworker)
        again = services.set_risk_level(case, level=RiskLevel.LOW, source=RiskRecord.Source.MANUAL, actor=caseworker)
        assert again is None
        assert RiskRecord.objects.count() == 1
        assert CaseEvent.objects.filter(kind=CaseEvent.Kind.RISK_CHANGED).count() == 1

    def test_an_unknown_level_is_refused(self, case: Case, caseworker: User) -> None:
        with pytest.raises(ValidationError, match="Unknown risk level"):
            services.set_risk_level(case, level="severe", source=RiskRecord.Source.MANUAL, actor=caseworker)
        assert not RiskRecord.objects.exists()

    def test_every_partner_speaks_one_scale(self) -> None:
        scales = [
            Case._meta.get_field("risk_level"),
            NeedsAssessment._meta.get_field("concern_level"),
            SecurityAssessment._meta.get_field("risk_level"),
            RiskRecord._meta.get_field("level"),
            RiskRecord._meta.get_field("previous_level"),
        ]
        assert all(isinstance(field, models.Field) and field.choices == RiskLevel.choices for field in scales)


LEGAL_MOVES = [(start, end) for start, ends in STAGE_MOVES.items() for end in sorted(ends)]


class TestStageMoves:
    def at(self, case: Case, stage: int) -> Case:
        Case.objects.filter(pk=case.pk).update(stage=stage)
        case.refresh_from_db()
        return case

    @pytest.mark.parametrize(("start", "end"), LEGAL_MOVES)
    def test_every_legal_move_is_allowed(self, case: Case, caseworker: User, start: int, end: int) -> None:
        moved = services.move_stage(self.at(case, start), stage=end, actor=caseworker)
        assert moved.stage == end
        event = CaseEvent.objects.get(kind=CaseEvent.Kind.STAGE_CHANGED)
        assert event.data == {"stage": end, "previous": start}
        assert AuditEvent.objects.filter(action=AuditEvent.Action.STAGE_CHANGED, case_id=case.pk).exists()

    @pytest.mark.parametrize("start", Case.Stage.values)
    def test_every_other_move_is_refused_with_a_clear_message(self, case: Case, caseworker: User, start: int) -> None:
        self.at(case, start)
        for end in set(Case.Stage.values) - STAGE_MOVES[start]:
            message = f"A case at {Case.Stage(start).label} does not move to {Case.Stage(end).label}."
            with pytest.raises(ValidationError, match=re.escape(message)):
                services.move_stage(case, stage=end, actor=caseworker)
        case.refresh_from_db()
        assert case.stage == start
        assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.STAGE_CHANGED).exists()

    def test_the_steps_go_forward_and_back(self) -> None:
        # design.md §3: the ten steps form a circle; each reaches the next and the one before
        assert set(STAGE_MOVES) == set(Case.Stage.values)
        for stage in Case.Stage.values[:-1]:
            assert stage + 1 in STAGE_MOVES[stage] and stage in STAGE_MOVES[stage + 1]

    def test_no_such_step_is_refused(self, case: Case, caseworker: User) -> None:
        with pytest.raises(ValidationError, match="There is no such step"):
            services.move_stage(case, stage=42, actor=caseworker)

    def test_a_closed_case_does_not_move(self, case: Case, caseworker: User) -> None:
        Case.objects.filter(pk=case.pk).update(closed_at=timezone.now())
        with pytest.raises(ValidationError, match="The case is closed"):
            services.move_stage(case, stage=Case.Stage.DISCUSS, actor=caseworker)

    def test_only_the_owner_and_supervisors_move_a_case(
        self, case: Case, colleague: User, supervisor: User, police_officer: User
    ) -> None:
        for reader in (colleague, police_officer):
            with pytest.raises(ValidationError, match="may not"):
                services.move_stage(case, stage=Case.Stage.DISCUSS, actor=reader)
        assert services.move_stage(case, stage=Case.Stage.DISCUSS, actor=supervisor).stage == Case.Stage.DISCUSS


class TestKeyWorkerAndRestrictions:
    def test_the_key_worker_is_recorded(self, case: Case, caseworker: User) -> None:
        uncle = relative(case, "Agim", 40, Person.Relationship.OTHER_RELATIVE)
        case = services.set_key_worker(case, person=uncle, note=" Sees him every week ", actor=caseworker)
        assert (case.key_worker_person, case.key_worker_note) == (uncle, "Sees him every week")
        assert CaseEvent.objects.filter(kind=CaseEvent.Kind.KEY_WORKER).count() == 1
        assert AuditEvent.objects.filter(action=AuditEvent.Action.KEY_WORKER_SET, case_id=case.pk).exists()

    def test_a_key_worker_from_another_family_is_refused(self, case: Case, caseworker: User) -> None:
        with pytest.raises(ValidationError, match="Only members of the family"):
            services.set_key_worker(case, person=PersonFactory(), actor=caseworker)
        case.refresh_from_db()
        assert case.key_worker_person is None

    def test_a_restriction_warns_everyone_who_may_open_the_case(
        self,
        case: Case,
        caseworker: User,
        police_officer: User,
        summary_reader: User,
        panel: Panel,
        panel_member: User,
        stranger: User,
    ) -> None:
        Case.objects.filter(pk=case.pk).update(panel=panel)
        restriction = services.add_restriction(
            case,
            person=case.index_person,
            knows="A social worker visits",
            must_not_be_told=" That his mother called ",
            actor=police_officer,
        )
        assert (restriction.person, restriction.must_not_be_told) == (case.index_person, "That his mother called")
        assert restriction.family == case.family
        # panel_member's agency holds a full share of the case.
        for user in (caseworker, police_officer, panel_member):
            assert DisclosureRestriction.objects.restrict(user, Action.VIEW).get() == restriction
        # Summary readers learn that restrictions exist (the generic warning), never what they say.
        assert not DisclosureRestriction.objects.restrict(summary_reader, Action.VIEW).exists()
        assert DisclosureRestriction.objects.restrict(summary_reader, Action.VIEW_SUMMARY).get() == restriction
        assert not DisclosureRestriction.objects.restrict(stranger, Action.VIEW_SUMMARY).exists()
        event = CaseEvent.objects.get(kind=CaseEvent.Kind.RESTRICTION)
        assert event.describe() == f"Disclosure restriction recorded for {case.index_person}."
        assert AuditEvent.objects.filter(action=AuditEvent.Action.RESTRICTION_ADDED, case_id=case.pk).exists()

    def test_a_restriction_on_someone_from_another_family_is_refused(self, case: Case, caseworker: User) -> None:
        with pytest.raises(ValidationError, match="Only members of the family"):
            services.add_restriction(case, person=PersonFactory(), must_not_be_told="x", actor=caseworker)
        assert not DisclosureRestriction.objects.exists()

    def test_a_restriction_says_what_must_not_be_told(self, case: Case, caseworker: User) -> None:
        with pytest.raises(ValidationError, match="Say what they must not be told"):
            services.add_restriction(case, person=case.index_person, must_not_be_told="  ", actor=caseworker)
        assert not DisclosureRestriction.objects.exists()

    def test_lifting_ends_the_warning_once(self, case: Case, caseworker: User) -> None:
        restriction = services.add_restriction(case, person=case.index_person, must_not_be_told="x", actor=caseworker)
        services.lift_restriction(restriction, actor=caseworker)
        lifted_at = DisclosureRestriction.objects.get().lifted_at
        assert lifted_at is not None
        services.lift_restriction(DisclosureRestriction.objects.get(), actor=caseworker)
        assert DisclosureRestriction.objects.get().lifted_at == lifted_at
        assert AuditEvent.objects.filter(action=AuditEvent.Action.RESTRICTION_LIFTED).count() == 1


PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
EML = (
    "From: Ardit <ardit@example.org>\r\nTo: Mimoza <mimoza@example.org>\r\nSubject: Më fal\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\nDo të vij në shtëpi të dielën.\r\n"
).encode()


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODS = zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<office/>"})
ODT_TYPE = b"application/vnd.oasis.opendocument.text"


def odt(body: str) -> bytes:
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
        ' xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
        f' xmlns:xlink="http://www.w3.org/1999/xlink"><office:body><office:text>{body}</office:text></office:body>'
        "</office:document-content>"
    )
    return zipped({"mimetype": ODT_TYPE, "content.xml": content.encode()})


DOCX_PARTS = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
_TYPES = '<Types><Override PartName="/{part}" ContentType="application/vnd.ms-{kind}"/></Types>'
XLSM_TYPES = _TYPES.format(part="xl/workbook.xml", kind="excel.sheet.macroEnabled.main+xml").encode()
XLAM_TYPES = _TYPES.format(part="xl/workbook.xml", kind="excel.addin.macroEnabled.main+xml").encode()
DOCM_TYPES = _TYPES.format(part="word/document.xml", kind="word.document.macroEnabled.main+xml").encode()
MACROSHEET_TYPES = _TYPES.format(part="xl/macrosheets/sheet1.xml", kind="excel.macrosheet+xml").encode()
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
TEMPLATE, OLE_OBJECT = _RELATIONSHIPS + "attachedTemplate", _RELATIONSHIPS + "oleObject"
EXTERNAL_BOOK, HYPERLINK = _RELATIONSHIPS + "externalLinkPath", _RELATIONSHIPS + "hyperlink"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a legacy binary Office file (.xls, .doc): never accepted


def rels(kind: str, mode: str, *more: tuple[str, str], encoding: str = "utf-8") -> bytes:
    """A relationships part with one relationship of `kind` in `mode` (and `more` such pairs)."""
    tags = "".join(
        f'<Relationship Id="rId{number}" Type="{kind}" Target="https://evil.example/t.dotm" TargetMode="{mode}"/>'
        for number, (kind, mode) in enumerate([(kind, mode), *more], start=1)
    )
    return f'<?xml version="1.0" encoding="{encoding}"?><Relationships>{tags}</Relationships>'.encode(encoding)


def _two_parts_of_one_name() -> bytes:
    """A zip holding `[Content_Types].xml` twice: the first macro-enabled, the last harmless."""
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name: it is the point
        archive.writestr("[Content_Types].xml", DOCM_TYPES)
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
    return buffer.getvalue()


def attach(case: Case, actor: User, name: str, content: bytes, **fields: Any) -> Attachment:
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    attachment = Attachment(case=case, kind=Attachment.Kind.DOCUMENT, description="From the family", **fields)
    return services.attach_file(attachment, upload, actor=actor)


class TestAttachments:
    @pytest.mark.parametrize(
        ("name", "content", "content_type", "download_name"),
        [
            ("scan.pdf", PDF, "application/pdf", "scan.pdf"),
            ("scan.jpg", PDF, "application/pdf", "scan.jpg.pdf"),
            ("photo.PNG", PNG, "image/png", "photo.PNG"),
            ("message.eml", EML, "text/plain", "message.eml"),
            ("chat export", "Ardit: përshëndetje\n".encode(), "text/plain", "chat export.txt"),
            ("run.bat", b"@echo off\r\nformat c:\r\n", "text/plain", "run.bat.txt"),
            (
                "letter.docx",
                DOCX,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "letter.docx",
            ),
            ("budget.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet", "budget.ods"),
        ],
    )
    def test_a_file_is_accepted_by_its_content_whatever_its_name(
        self, case: Case, caseworker: User, name: str, content: bytes, content_type: str, download_name: str
    ) -> None:
        attachment = attach(case, caseworker, name, content)
        assert (attachment.content_type, attachment.original_name, attachment.size) == (
            content_type,
            download_name,
            len(content),
        )
        assert re.fullmatch(r"[0-9a-f]{32}\.[a-z]+", attachment.stored_name)
        assert attachment.file.name == f"attachments/{case.pk}/{attachment.stored_name}"
        with Attachment.objects.get().file.open("rb") as stored:
            assert stored.read() == content
        assert CaseEvent.objects.filter(kind="attachment", entry_id=attachment.pk).exists()

    @pytest.mark.parametrize(
        ("name", "content"),
        [
            ("report.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
            ("report.pdf", b"\xef\xbb\xbf \n<HTML><script>fetch('/cases/')</script></HTML>"),
            ("photo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
            ("photo.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
            ("letter.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),
            ("letter.pdf", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
            ("letter.docx", zipped({"[Content_Types].xml": b"<Types/>", "word/vbaProject.bin": b"\x00macro"})),
            ("letter.docx", zipped({"setup.exe": b"MZ\x90\x00"})),
            ("budget.ods", zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "Basic/m.xml": b""})),
        ],
        ids=[
            "html",
            "html-after-bom",
            "svg",
            "svg-xml",
            "windows-program",
            "linux-program",
            "macros",
            "zip",
            "odf-macros",
        ],
    )
    def test_a_file_that_is_not_an_accepted_kind_is_refused(
        self, case: Case, caseworker: User, name: str, content: bytes
    ) -> None:
        with pytest.raises(ValidationError, match="This kind of file is not accepted"):
            attach(case, caseworker, name, content)
        assert not Attachment.objects.exists()

    @pytest.mark.parametrize(
        ("name", "content"),
        [
            ("budget.xlsm", zipped({"[Content_Types].xml": XLSM_TYPES, "xl/workbook.xml": b"<workbook/>"})),
            ("addin.xlam", zipped({"[Content_Types].xml": XLAM_TYPES, "xl/workbook.xml": b"<workbook/>"})),
            ("letter.docm", zipped({"[Content_Types].xml": DOCM_TYPES, "word/document.xml": b"<w:document/>"})),
            ("slides.pptm", zipped({"[Content_Types].xml": b"<Types/>", "ppt/vbaProject.bin": b"\xd0\xcf\x11\xe0"})),
            ("budget.xlsx", zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                                    "xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"})),
            ("budget.xlsx", zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                                    "xl/intlMacrosheets/sheet1.xml": b"<xm:macrosheet/>"})),
            ("budget.xlsx", zipped({"[Content_Types].xml": MACROSHEET_TYPES, "xl/workbook.xml": b"<workbook/>"})),
            ("letter.docx", zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>",
                                    "word/vbaData.xml": b"<wne:vbaSuppData/>"})),
            ("letter.docx", zipped({**DOCX_PARTS, "word/_rels/settings.xml.rels": rels(TEMPLATE, "External")})),
            ("letter.docx", zipped({**DOCX_PARTS, "word/_rels/document.xml.rels": rels(OLE_OBJECT, "External")})),
            ("budget.xlsx", zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                                    "xl/externalLinks/_rels/externalLink1.xml.rels": rels(EXTERNAL_BOOK, "External")})),
            ("budget.xls", OLE2 + b"\x00" * 504),
            # What Office reads as the same thing, written so that a pattern over the bytes misses it
            ("letter.docx", zipped({**DOCX_PARTS,
                                    "word/_rels/settings.xml.rels": rels(TEMPLATE, "External", encoding="utf-16")})),
            ("letter.docx", zipped({**DOCX_PARTS, "word/_rels/settings.xml.rels": rels(TEMPLATE, "Externa&#108;")})),
            ("budget.xlsx", zipped({"[Content_Types].xml": MACROSHEET_TYPES.replace(b"macrosheet", b"macro&#115;heet"),
                                    "xl/workbook.xml": b"<workbook/>"})),
            ("budget.xlsx", zipped({"[Content_Types].xml": XLSM_TYPES.decode().encode("utf-16"),
                                    "xl/workbook.xml": b"<workbook/>"})),
            ("letter.docx", zipped({**DOCX_PARTS, "word/_rels/settings.xml.rels": b"<Relationships><Relationship"})),
            ("letter.docx", _two_parts_of_one_name()),
        ],
        ids=["xlsm", "xlam", "docm", "pptm-vba", "excel4-macrosheet", "excel4-intl-macrosheet",
             "excel4-content-type", "word-vba-data", "docx-external-template", "docx-linked-object",
             "xlsx-external-workbook", "ole-binary", "template-in-utf16", "template-by-character-reference",
             "macrosheet-by-character-reference", "xlsm-types-in-utf16", "rels-not-xml", "two-parts-of-one-name"],
    )  # fmt: skip
    def test_office_files_with_macros_or_outside_links_are_refused(
        self, case: Case, caseworker: User, name: str, content: bytes
    ) -> None:
        with pytest.raises(ValidationError, match="This kind of file is not accepted"):
            attach(case, caseworker, name, content)
        assert not Attachment.objects.exists()

    @pytest.mark.parametrize(
        "body",
        [
            '<text:section text:name="s"><text:section-source xlink:href="http://example.org/t.odt"/></text:section>',
            '<draw:frame><draw:image xlink:href="file:///C:/secret.png" xlink:actuate="onLoad"/></draw:frame>',
            '<draw:frame><draw:image xlink:href="\\\\server\\share\\p.png"/></draw:frame>',
            '<draw:frame><draw:object xlink:href="../outside.ods"/></draw:frame>',
        ],
        ids=["linked-section", "linked-image", "image-on-a-share", "object-outside-the-package"],
    )
    def test_an_odf_document_that_loads_something_outside_it_is_refused(
        self, case: Case, caseworker: User, body: str
    ) -> None:
        with pytest.raises(ValidationError, match="This kind of file is not accepted"):
            attach(case, caseworker, "letter.odt", odt(body))
        assert not Attachment.objects.exists()

    def test_an_odf_document_with_hyperlinks_and_its_own_pictures_is_accepted(
        self, case: Case, caseworker: User
    ) -> None:
        body = (
            '<text:p><text:a xlink:href="https://example.org/">a link</text:a></text:p>'
            '<draw:frame><draw:image xlink:href="Pictures/1.png"/></draw:frame>'
        )
        assert attach(case, caseworker, "letter.odt", odt(body)).content_type == ODT_TYPE.decode()

    def test_a_document_whose_links_are_hyperlinks_or_inside_it_is_accepted(self, case: Case, caseworker: User) -> None:
        links = rels(HYPERLINK, "External", (TEMPLATE, "Internal"))
        content = zipped({**DOCX_PARTS, "word/_rels/document.xml.rels": links})
        assert attach(case, caseworker, "letter.docx", content).content_type.endswith("wordprocessingml.document")

    def test_a_file_over_the_limit_is_refused(self, case: Case, caseworker: User, settings: Any) -> None:
        settings.URA_MAX_UPLOAD_BYTES = 1024 * 1024
        attach(case, caseworker, "at-the-limit.pdf", PDF.ljust(1024 * 1024, b" "))
        with pytest.raises(ValidationError, match="larger than 1 MB"):
            attach(case, caseworker, "too-large.pdf", PDF.ljust(1024 * 1024 + 1, b" "))
        assert Attachment.objects.count() == 1

    def test_an_empty_file_is_refused(self, case: Case, caseworker: User) -> None:
        with pytest.raises(ValidationError, match="The file is empty"):
            attach(case, caseworker, "empty.pdf", b"")
        assert not Attachment.objects.exists()

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("C:\\Users\\ardit\\Desktop\\chat.txt", "chat.txt"),
            ("invoice\u202efdp.exe", "invoicefdp.exe.pdf"),
            ('say "hi"\x07.pdf', "say hi.pdf"),
            ("...", "file.pdf"),
        ],
    )
    def test_the_original_name_is_cleaned(self, name: str, expected: str) -> None:
        from cases.uploads import Checked

        checked = Checked("application/pdf", "x.pdf", ("pdf",)) if expected.endswith(".pdf") else None
        assert safe_name(name, checked) == expected

    def test_a_refused_attachment_leaves_no_file_behind(
        self, case: Case, therapist: User, settings: Any, tmp_path: Path
    ) -> None:
        settings.MEDIA_ROOT = str(tmp_path)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
        }
        # kept for the agency, but without the abstract the partners need: refused after the upload
        with pytest.raises(ValidationError, match="needs an abstract"):
            attach(case, therapist, "notes.pdf", PDF, visibility=OWN)
        assert not [path for path in tmp_path.rglob("*") if path.is_file()]
        saved = attach(case, therapist, "notes.pdf", PDF, visibility=OWN, abstract="Clinical letter")
        assert [path.name for path in tmp_path.rglob("*") if path.is_file()] == [saved.stored_name]
