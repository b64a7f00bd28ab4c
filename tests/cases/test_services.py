"""Sharing, revoking and assigning: the case, its permissions, timeline and audit move together."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies.access import Action, forget_access
from agencies.models import Agency, Membership, Panel, User
from audit.models import AuditEvent
from cases import services
from cases.models import Case, CaseEvent, CaseShare
from tests.conftest import member
from tests.factories import AgencyFactory, FamilyFactory, PersonFactory, share

pytestmark = pytest.mark.django_db
Role = Membership.Role


def sees(user: User, case: Case, action: str = Action.VIEW) -> bool:
    forget_access(user)
    return Case.objects.restrict(user, action).filter(pk=case.pk).exists()


class TestShareCase:
    def test_it_grants_the_agency_group_and_records_it(
        self, case: Case, other_agency: Agency, auditor_readonly: User
    ) -> None:
        # when
        result = share(case, other_agency, CaseShare.Scope.FULL)
        # then
        assert sees(auditor_readonly, case)
        # no guardian row mirrors it (decision 96): nothing read it
        assert not other_agency.group.groupobjectpermission_set.exists()
        assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.SHARED).count() == 1
        audit = AuditEvent.objects.get(action=AuditEvent.Action.CASE_SHARED)
        assert (audit.case_id, audit.actor_id, audit.object_id) == (case.pk, case.owner_id, str(result.pk))

    def test_a_new_share_replaces_the_active_one(
        self, case: Case, other_agency: Agency, auditor_readonly: User
    ) -> None:
        first = share(case, other_agency, CaseShare.Scope.FULL)
        second = share(case, other_agency, CaseShare.Scope.SUMMARY)
        first.refresh_from_db()
        assert first.revoked_at is not None and second.is_active
        assert sees(auditor_readonly, case, Action.VIEW_SUMMARY)
        assert not sees(auditor_readonly, case, Action.VIEW)

    def test_it_refuses_the_owning_agency(self, case: Case, agency: Agency) -> None:
        with pytest.raises(ValidationError, match="already sees"):
            share(case, agency)
        assert not CaseShare.objects.exists()

    def test_consent_needs_who_and_when(self, case: Case, other_agency: Agency) -> None:
        with pytest.raises(ValidationError):
            share(case, other_agency, consent_given_by="", consent_given_on=None)
        assert not CaseShare.objects.exists()

    def test_an_override_needs_a_justification(self, case: Case, other_agency: Agency) -> None:
        with pytest.raises(ValidationError):
            share(case, other_agency, basis=CaseShare.Basis.SAFEGUARDING, justification="  ")
        assert not CaseShare.objects.exists()

    def test_an_end_in_the_past_is_refused(self, case: Case, other_agency: Agency) -> None:
        with pytest.raises(ValidationError, match="future"):
            share(case, other_agency, ends_at=timezone.now() - datetime.timedelta(minutes=1))

    def test_a_coordinator_cannot_share_the_full_file_they_do_not_read(
        self, case: Case, panel: Panel, coordinator: User, other_agency: Agency
    ) -> None:
        # given a coordinator who manages the panel's case at summary level
        Case.objects.filter(pk=case.pk).update(panel=panel)
        # when they try to open the full file to another agency, then it is refused
        with pytest.raises(ValidationError, match="full file"):
            share(case, other_agency, CaseShare.Scope.FULL, actor=coordinator)
        assert not CaseShare.objects.exists()

    def test_a_coordinator_cannot_open_a_case_to_their_own_agency(
        self, case: Case, panel: Panel, coordinator: User
    ) -> None:
        Case.objects.filter(pk=case.pk).update(panel=panel)
        own = coordinator.memberships.get().agency
        with pytest.raises(ValidationError, match="your own agency"):
            share(case, own, CaseShare.Scope.SUMMARY, actor=coordinator)


class TestRevokeShare:
    def test_it_removes_the_permission_in_the_same_step(
        self, case: Case, other_agency: Agency, auditor_readonly: User, caseworker: User
    ) -> None:
        active = share(case, other_agency)
        services.revoke_share(active, reason="Consent withdrawn", actor=caseworker)
        active.refresh_from_db()
        assert (active.revoked_by, active.revoke_reason) == (caseworker, "Consent withdrawn")
        assert not sees(auditor_readonly, case, Action.VIEW_SUMMARY)
        assert AuditEvent.objects.filter(action=AuditEvent.Action.SHARE_REVOKED, case_id=case.pk).exists()

    def test_it_needs_a_reason(self, case: Case, other_agency: Agency, caseworker: User) -> None:
        active = share(case, other_agency)
        with pytest.raises(ValidationError):
            services.revoke_share(active, reason=" ", actor=caseworker)
        active.refresh_from_db()
        assert active.is_active

    def test_a_revoked_share_cannot_be_revoked_again(self, case: Case, other_agency: Agency, caseworker: User) -> None:
        active = share(case, other_agency)
        services.revoke_share(active, reason="Done", actor=caseworker)
        with pytest.raises(ValidationError, match="already ended"):
            services.revoke_share(active, reason="Again", actor=caseworker)


class TestAssignOwner:
    def test_the_owner_agency_becomes_the_owning_agency(
        self, case: Case, panel: Panel, coordinator: User, caseworker: User, other_agency: Agency
    ) -> None:
        # given a case on the panel and a police officer as the new owner
        Case.objects.filter(pk=case.pk).update(panel=panel)
        officer = member(other_agency, Role.POLICE_LIAISON)
        # when the coordinator assigns them
        services.assign_owner(case, owner=officer, actor=coordinator)
        # then the police own it and the previous owner keeps nothing
        case.refresh_from_db()
        assert (case.owner, case.owning_agency) == (officer, other_agency)
        assert sees(officer, case) and not sees(caseworker, case, Action.VIEW_SUMMARY)
        assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.OWNER_ASSIGNED).exists()

    def test_a_change_that_takes_the_case_out_of_reach_is_refused(
        self, case: Case, supervisor: User, other_agency: Agency
    ) -> None:
        officer = member(other_agency, Role.POLICE_LIAISON)
        with pytest.raises(ValidationError, match="out of your reach"):
            services.assign_owner(case, owner=officer, actor=supervisor)
        case.refresh_from_db()
        assert case.owner.username == "caseworker"
        assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.OWNER_ASSIGNED).exists()

    def test_the_owner_hands_over_to_a_colleague(self, case: Case, caseworker: User, colleague: User) -> None:
        services.assign_owner(case, owner=colleague, actor=caseworker)
        assert sees(caseworker, case) and sees(colleague, case, Action.MANAGE)

    def test_an_owner_must_work_cases_for_a_partner_agency(self, case: Case, supervisor: User) -> None:
        nobody = User.objects.create_user("nobody")
        panelist = member(AgencyFactory(), Role.PANEL_MEMBER)
        for candidate in (nobody, panelist):
            with pytest.raises(ValidationError, match="works cases in no partner agency"):
                services.assign_owner(case, owner=candidate, actor=supervisor)

    def test_an_owner_in_two_agencies_needs_the_agency_named(
        self, case: Case, supervisor: User, colleague: User
    ) -> None:
        second = AgencyFactory()
        Membership.objects.create(user=colleague, agency=second, role=Role.PRACTITIONER)
        with pytest.raises(ValidationError, match="several agencies"):
            services.assign_owner(case, owner=colleague, actor=supervisor)
        services.assign_owner(case, owner=colleague, agency=case.owning_agency, actor=supervisor)

    def test_the_named_agency_must_be_the_owners(self, case: Case, supervisor: User, colleague: User) -> None:
        with pytest.raises(ValidationError, match="does not work cases for"):
            services.assign_owner(case, owner=colleague, agency=AgencyFactory(), actor=supervisor)

    def test_a_case_that_changed_hands_since_it_was_loaded_is_refused_not_changed(
        self, case: Case, supervisor: User, colleague: User, other_agency: Agency
    ) -> None:
        # given the supervisor loaded the case, then it moved to another agency
        loaded = Case.objects.get(pk=case.pk)
        police = member(other_agency, Role.POLICE_LIAISON)
        Case.objects.filter(pk=case.pk).update(owning_agency=other_agency, owner=police)
        # when the supervisor acts on what they loaded
        with pytest.raises(ValidationError, match="no longer manage"):
            services.assign_owner(loaded, owner=colleague, actor=supervisor)
        # then the case stays with its new owner
        case.refresh_from_db()
        assert case.owner == police


class TestOpenCase:
    def test_it_numbers_cases_per_year(self, caseworker: User) -> None:
        family = FamilyFactory()
        person = PersonFactory(family=family)
        first = services.open_case(family=family, index_person=person, owner=caseworker, actor=caseworker)
        second = services.open_case(family=family, index_person=person, owner=caseworker, actor=caseworker)
        year = timezone.localdate().year
        assert (first.reference, second.reference) == (f"{year}-0001", f"{year}-0002")

    def test_the_index_person_belongs_to_the_family(self, caseworker: User) -> None:
        with pytest.raises(ValidationError, match="member of the family"):
            services.open_case(family=FamilyFactory(), index_person=PersonFactory(), owner=caseworker, actor=caseworker)
        assert not Case.objects.exists()


class TestExpireShares:
    def test_it_ends_shares_past_their_end(self, case: Case, other_agency: Agency, auditor_readonly: User) -> None:
        ending = share(case, other_agency, ends_at=timezone.now() + datetime.timedelta(hours=1))
        CaseShare.objects.filter(pk=ending.pk).update(ends_at=timezone.now() - datetime.timedelta(seconds=1))
        assert services.expire_case_shares() == 1
        assert services.expire_case_shares() == 0
        assert not sees(auditor_readonly, case, Action.VIEW_SUMMARY)
        assert AuditEvent.objects.filter(action=AuditEvent.Action.SHARE_EXPIRED).count() == 1

    def test_the_task_runs_the_sweep(self, case: Case, other_agency: Agency) -> None:
        from cases.tasks import expire_case_shares_task

        ending = share(case, other_agency, ends_at=timezone.now() + datetime.timedelta(hours=1))
        CaseShare.objects.filter(pk=ending.pk).update(ends_at=timezone.now() - datetime.timedelta(seconds=1))
        assert expire_case_shares_task.delay().get() == 1
