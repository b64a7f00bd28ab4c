"""The family register's services (decisions 66-68): each add, change, removal and merge is one
transaction that keeps the previous values, writes the timeline and the audit trail, and deletes
nothing that entries refer to."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from agencies.models import Agency, Membership, User
from audit.models import AuditEvent
from cases import services
from cases.models import Case, CaseEvent, ChildNeeds, Contact
from families.models import MemberChange, Person, Relation, Whereabouts
from interventions import services as plans
from interventions.models import PlanAction
from tests.conftest import member
from tests.factories import born, relative, share

pytestmark = pytest.mark.django_db


def add(case: Case, given_name: str, relationship: str = "sibling", **fields: object) -> Person:
    return services.add_member(
        case, given_name=given_name, family_name="Krasniqi", relationship=relationship, actor=case.owner, **fields
    )


class TestAddMember:
    def test_a_member_is_added_with_timeline_audit_and_history(self, case: Case) -> None:
        # when
        mother = add(
            case,
            "Mimoza",
            "parent",
            other_names="Mimosa, Mimi",
            birth_year=1980,
            gender="female",
            whereabouts="abroad",
            whereabouts_since=datetime.date(2024, 5, 1),
            civil_documents=["passport"],
            relation_kind="parent",
            relation_to=case.index_person,
        )
        # then
        assert mother.family_id == case.family_id and mother.estimated_age() == timezone.localdate().year - 1980
        assert mother.other_name_keys == "mimi mimosa"
        event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.MEMBER_ADDED)
        assert event.data == {"person_id": mother.pk} and "Mimoza Krasniqi added to the family." in event.describe()
        audit = AuditEvent.objects.get(action=AuditEvent.Action.MEMBER_ADDED)
        assert (audit.case_id, audit.object_id) == (case.pk, str(mother.pk))
        added = MemberChange.objects.get(person=mother)
        assert added.kind == "added" and added.changes["birth_year"] == [None, 1980]
        assert Whereabouts.objects.get(person=mother).place == "abroad"
        relation = Relation.objects.get(person=mother)
        assert (relation.other, relation.label()) == (case.index_person, "mother of")

    def test_contact_details_are_kept_only_where_the_family_agreed(self, case: Case) -> None:
        with pytest.raises(ValidationError, match="agreed"):
            add(case, "Arben", phone="+355 69 000 0000")
        assert not Person.objects.filter(given_name="Arben").exists()
        assert add(case, "Arben", contact_agreed=True, phone="+355 69 000 0000").phone

    def test_a_refused_addition_leaves_nothing_behind(self, case: Case) -> None:
        # given a relation to someone of another family (refused after the member is saved)
        stranger = relative(Case.objects.exclude(pk=case.pk).first() or _other_case(case), "Other", 30)
        with pytest.raises(ValidationError):
            add(case, "Arben", relation_kind="sibling", relation_to=stranger)
        # then the whole addition is undone
        assert not Person.objects.filter(given_name="Arben").exists()
        assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.MEMBER_ADDED).exists()
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.MEMBER_ADDED).exists()

    def test_only_who_changes_the_case_keeps_the_register(
        self, case: Case, other_agency: Agency, auditor_readonly: User, supervisor: User
    ) -> None:
        share(case, other_agency)
        with pytest.raises(ValidationError, match="owner or a supervisor"):
            services.add_member(case, given_name="X", family_name="Y", relationship="sibling", actor=auditor_readonly)
        assert services.add_member(case, given_name="X", family_name="Y", relationship="sibling", actor=supervisor)


def _other_case(case: Case) -> Case:
    from tests.factories import CaseFactory

    return CaseFactory(owner=case.owner, owning_agency=case.owning_agency)


class TestChangeMember:
    def test_a_change_keeps_the_previous_values(self, case: Case) -> None:
        # given
        child = add(case, "Drita", "sibling", date_of_birth=born(10))
        # when the date of birth is corrected and news of the whereabouts comes
        corrected = born(17, days=100)
        services.change_member(case, child, date_of_birth=corrected, whereabouts="in_care", actor=case.owner)
        # then
        change = MemberChange.objects.get(person=child, kind="changed")
        assert change.changes["date_of_birth"] == [born(10).isoformat(), corrected.isoformat()]
        assert dict((label, (before, after)) for label, before, after in change.rows())["whereabouts"] == (
            None,
            "In care",
        )
        assert Whereabouts.objects.filter(person=child).count() == 1
        assert CaseEvent.objects.filter(kind=CaseEvent.Kind.MEMBER_CHANGED).count() == 1
        assert AuditEvent.objects.get(action=AuditEvent.Action.MEMBER_CHANGED).data["fields"] == [
            "date_of_birth",
            "whereabouts",
        ]

    def test_changing_nothing_records_nothing(self, case: Case) -> None:
        services.change_member(case, case.index_person, given_name=case.index_person.given_name, actor=case.owner)
        assert not MemberChange.objects.exists()
        assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.MEMBER_CHANGED).exists()

    def test_the_index_person_stays_the_index_person(self, case: Case) -> None:
        with pytest.raises(ValidationError, match="index person"):
            services.change_member(case, case.index_person, relationship="sibling", actor=case.owner)


class TestRemoveMember:
    def test_a_removed_member_is_ended_never_deleted(self, case: Case) -> None:
        # given a child named by a needs record
        child = add(case, "Drita", date_of_birth=born(9))
        services.record_child_needs(
            ChildNeeds(case=case, child=child, age_band="under_12", schooling="attending"), actor=case.owner
        )
        # when
        services.remove_member(case, child, reason="Recorded in error", actor=case.owner)
        # then the record stays and still names the child; the register offers them no more
        child.refresh_from_db()
        assert child.ended_at is not None and child.end_reason == "Recorded in error"
        assert ChildNeeds.objects.get().child == child
        assert child not in Person.objects.current()
        assert MemberChange.objects.filter(person=child, kind="removed", reason="Recorded in error").exists()
        with pytest.raises(ValidationError, match="removed"):
            services.add_restriction(case, person=child, must_not_be_told="x", actor=case.owner)

    def test_removal_needs_a_reason_and_keeps_the_index_person(self, case: Case) -> None:
        with pytest.raises(ValidationError, match="why"):
            services.remove_member(case, add(case, "Drita"), reason=" ", actor=case.owner)
        with pytest.raises(ValidationError, match="index person"):
            services.remove_member(case, case.index_person, reason="Moved", actor=case.owner)


class TestMerge:
    def test_every_reference_moves_to_the_kept_record_in_one_step(
        self, case: Case, supervisor: User, agency: Agency
    ) -> None:
        # given the index person recorded twice: once by the referral ("Ardit Krasnici"), once by hand
        twin = add(case, "Ardit", "sibling", date_of_birth=case.index_person.date_of_birth)
        owner = case.owner
        contact = services.record_contact(
            Contact(case=case, occurred_at=timezone.now() - datetime.timedelta(hours=1)),
            present=[twin, case.index_person],
            actor=owner,
        )
        needs = services.record_child_needs(
            ChildNeeds(case=case, child=twin, age_band="12_17", schooling="attending"), actor=owner
        )
        restriction = services.add_restriction(case, person=twin, must_not_be_told="x", actor=owner)
        consent = services.record_consent(
            case, person=twin, given_by=twin, given_on=timezone.localdate(), purposes=["support_plan"], actor=owner
        )
        services.set_key_worker(case, person=twin, actor=owner)
        mother = add(case, "Mimoza", "parent", relation_kind="parent", relation_to=twin)
        action = {
            "type": "pragmatic",
            "measure": "housing",
            "provider_agency": agency,
            "due_on": timezone.localdate(),
            "beneficiary": twin,
        }
        plans.create_plan(case, goals=[{"text": "A home", "actions": [action]}], actor=owner)
        second_case = services.open_case(family=case.family, index_person=twin, owner=owner, actor=owner)
        # when a supervisor merges them
        kept = services.merge_members(case, case.index_person, twin, reason="The same boy", actor=supervisor)
        # then everything that named the second record names the kept one
        assert kept == case.index_person
        assert list(Contact.objects.get(pk=contact.pk).present.all()) == [kept]
        assert ChildNeeds.objects.get(pk=needs.pk).child == kept
        restriction.refresh_from_db()
        consent.refresh_from_db()
        assert restriction.person == kept and (consent.person, consent.given_by) == (kept, kept)
        assert Case.objects.get(pk=case.pk).key_worker_person == kept
        assert Case.objects.get(pk=second_case.pk).index_person == kept
        assert PlanAction.objects.get().beneficiary == kept
        assert Relation.objects.get(person=mother, ended_at__isnull=True).other == kept
        twin.refresh_from_db()
        assert twin.merged_into == kept and twin.ended_at is not None
        assert "Ardit Krasniqi" in Person.objects.get(pk=kept.pk).other_names or twin.given_name == kept.given_name
        # and the merge is explained: in both histories, on the timeline, and in the audit trail
        assert MemberChange.objects.filter(kind="merged").count() == 2
        audit = AuditEvent.objects.get(action=AuditEvent.Action.MEMBERS_MERGED)
        assert audit.data["merged"] == twin.pk and audit.reason == "The same boy"
        assert audit.data["moved"]["cases.childneeds.child"] == [needs.pk]
        out = __import__("io").StringIO()
        call_command("verify_audit", stdout=out)
        assert out.getvalue().startswith("OK")

    def test_only_a_supervisor_merges(self, case: Case) -> None:
        twin = add(case, "Ardit")
        with pytest.raises(PermissionDenied):
            services.merge_members(case, case.index_person, twin, reason="Same", actor=case.owner)
        assert Person.objects.get(pk=twin.pk).merged_into is None

    def test_a_record_of_another_family_is_not_merged_nor_revealed(self, case: Case, supervisor: User) -> None:
        # given a record in a family the supervisor's agency does not hold
        elsewhere = _hidden_person()
        with pytest.raises(ValidationError, match="current members of this family") as refused:
            services.merge_members(case, case.index_person, elsewhere, reason="Same", actor=supervisor)
        assert elsewhere.given_name not in str(refused.value)
        assert Person.objects.get(pk=elsewhere.pk).merged_into is None

    def test_two_family_records_are_not_merged_even_by_a_supervisor_of_both(
        self, case: Case, supervisor: User, agency: Agency
    ) -> None:
        # given the same boy as index person of two cases of two family records, both of the
        # supervisor's agency (decision 84: a person belongs to one family record)
        from tests.factories import CaseFactory

        other = CaseFactory(owner=case.owner, owning_agency=agency)
        elsewhere = other.index_person
        # when the supervisor merges them, then it is refused as for a record they may not see
        with pytest.raises(ValidationError, match="current members of this family"):
            services.merge_members(case, case.index_person, elsewhere, reason="Same", actor=supervisor)
        # and nothing moved
        assert Person.objects.get(pk=elsewhere.pk).merged_into is None
        assert Case.objects.get(pk=other.pk).index_person_id == elsewhere.pk
        assert not MemberChange.objects.filter(kind="merged").exists()


def _hidden_person() -> Person:
    from tests.factories import AgencyFactory, CaseFactory

    agency = AgencyFactory(name="Far away")
    owner = member(agency, Membership.Role.PRACTITIONER)
    return CaseFactory(owner=owner, owning_agency=agency).index_person


class TestConsentThroughRelations:
    def test_a_parent_named_in_the_register_consents_for_a_child(self, case: Case) -> None:
        # given a child of the household whose parent the relationship to the index person does not name
        cousin = add(case, "Lule", "other_relative", date_of_birth=born(8))
        aunt = add(case, "Vera", "other_relative", date_of_birth=born(40))
        with pytest.raises(ValidationError, match="not a parent"):
            services.check_consent_giver(cousin, aunt)
        # when the register records her as the child's guardian
        services.change_member(case, aunt, relation_kind="guardian", relation_to=cousin, actor=case.owner)
        # then she consents for the child
        services.check_consent_giver(cousin, aunt)
