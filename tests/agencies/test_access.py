"""`restrict()` on cases: each branch of the access model, and what it must never let through."""

import datetime

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from agencies.access import Action, CaseAccess, Level, UserAccess, forget_access
from agencies.models import Agency, Membership, Panel, User
from cases.models import Case, CaseShare
from tests.conftest import member
from tests.factories import CaseFactory, share

pytestmark = pytest.mark.django_db
Role = Membership.Role


def visible(user: User, action: str = Action.VIEW) -> set[int]:
    forget_access(user)
    return set(Case.objects.restrict(user, action).values_list("pk", flat=True))


def test_owning_agency_caseworkers_see_the_file(case: Case, caseworker: User, colleague: User) -> None:
    assert visible(caseworker) == {case.pk}
    assert visible(colleague) == {case.pk}


def test_other_agency_sees_nothing_without_a_share(case: Case, caseworker_other_agency: User) -> None:
    assert visible(caseworker_other_agency, Action.VIEW_SUMMARY) == set()


def test_anonymous_and_inactive_users_see_nothing(case: Case, caseworker: User) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not Case.objects.restrict(AnonymousUser(), Action.VIEW_SUMMARY).exists()
    caseworker.is_active = False
    assert visible(caseworker, Action.VIEW_SUMMARY) == set()


def test_superuser_reads_no_case_through_restrict(case: Case) -> None:
    admin = User.objects.create_superuser("root", password="x" * 12)
    assert visible(admin, Action.VIEW_SUMMARY) == set()


def test_agency_admin_role_reads_no_case(case: Case, agency: Agency) -> None:
    admin = member(agency, Role.AGENCY_ADMIN)
    assert visible(admin, Action.VIEW_SUMMARY) == set()


def test_full_share_gives_the_file_to_the_agency(case: Case, other_agency: Agency, auditor_readonly: User) -> None:
    share(case, other_agency, CaseShare.Scope.FULL)
    assert visible(auditor_readonly, Action.VIEW) == {case.pk}
    assert visible(auditor_readonly, Action.CHANGE) == set()
    assert visible(auditor_readonly, Action.MANAGE) == set()


def test_summary_share_gives_only_the_summary(case: Case, other_agency: Agency, auditor_readonly: User) -> None:
    share(case, other_agency, CaseShare.Scope.SUMMARY)
    assert visible(auditor_readonly, Action.VIEW_SUMMARY) == {case.pk}
    assert visible(auditor_readonly, Action.VIEW) == set()


def test_an_ended_share_grants_nothing_even_before_the_sweep(
    case: Case, other_agency: Agency, auditor_readonly: User
) -> None:
    # given a share whose end has passed, and no sweep run since
    ended = share(case, other_agency, ends_at=timezone.now() + datetime.timedelta(hours=1))
    CaseShare.objects.filter(pk=ended.pk).update(ends_at=timezone.now() - datetime.timedelta(days=3))
    # then the agency no longer reaches the case
    assert visible(auditor_readonly, Action.VIEW_SUMMARY) == set()


def test_share_with_an_agency_admin_group_member_does_not_reach_the_admin(case: Case, other_agency: Agency) -> None:
    admin = member(other_agency, Role.AGENCY_ADMIN)
    share(case, other_agency, CaseShare.Scope.FULL)
    assert visible(admin, Action.VIEW_SUMMARY) == set()


def grant(case: Case, user: User) -> None:
    """An individual grant by the case owner, through the service (decision 96)."""
    from cases.services import grant_access

    reason = "A second opinion on the safety plan."
    ends_at = timezone.now() + datetime.timedelta(days=3)
    grant_access(case, user=user, scope="view_case", reason=reason, ends_at=ends_at, actor=case.owner)


def test_individual_grant_is_a_guardian_user_permission(case: Case, caseworker_other_agency: User) -> None:
    grant(case, caseworker_other_agency)
    assert visible(caseworker_other_agency, Action.VIEW) == {case.pk}
    assert caseworker_other_agency.has_perm("cases.view_case", case)


def test_panel_members_see_summaries_of_the_panel_cases(
    case: Case, panel: Panel, panel_member: User, coordinator: User
) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    for user in (panel_member, coordinator):
        assert visible(user, Action.VIEW_SUMMARY) == {case.pk}
        assert visible(user, Action.VIEW) == set()


def test_a_caseworker_of_a_panel_agency_is_not_a_panel_member(
    case: Case, panel: Panel, caseworker_other_agency: User
) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    assert visible(caseworker_other_agency, Action.VIEW_SUMMARY) == set()


def test_owner_and_supervisor_change_colleague_only_views(
    case: Case, caseworker: User, colleague: User, supervisor: User
) -> None:
    assert visible(caseworker, Action.CHANGE) == {case.pk}
    assert visible(supervisor, Action.CHANGE) == {case.pk}
    assert visible(colleague, Action.CHANGE) == set()


def test_coordinator_manages_panel_cases_without_reading_them(case: Case, panel: Panel, coordinator: User) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    assert visible(coordinator, Action.MANAGE) == {case.pk}
    assert visible(coordinator, Action.CHANGE) == set()
    assert CaseAccess.of(Case.objects.with_access(coordinator).get(pk=case.pk), coordinator).level == Level.SUMMARY


def test_a_coordinator_who_loses_the_role_loses_the_panel(case: Case, panel: Panel, coordinator: User) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    assert visible(coordinator, Action.MANAGE) == {case.pk}
    # when their role changes, though the panel still names them as its coordinator
    Membership.objects.filter(user=coordinator).update(role=Role.PRACTITIONER)
    assert visible(coordinator, Action.MANAGE) == set() and visible(coordinator, Action.VIEW_SUMMARY) == set()


def test_union_lists_each_case_once(case: Case, panel: Panel, other_agency: Agency) -> None:
    # given a user reaching the case through three branches at once
    user = member(other_agency, Role.POLICE_LIAISON, Role.PANEL_MEMBER)
    Case.objects.filter(pk=case.pk).update(panel=panel)
    share(case, other_agency, CaseShare.Scope.FULL)
    grant(case, user)
    # then the list holds it once
    assert list(Case.objects.restrict(user, Action.VIEW_SUMMARY).values_list("pk", flat=True)) == [case.pk]


def test_access_is_resolved_once_per_user_object(
    case: Case, panel: Panel, coordinator: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # memberships, then the panels (looked up only for someone holding a panel role)
    forget_access(coordinator)
    with django_assert_num_queries(2):
        UserAccess.of(coordinator)
    with django_assert_num_queries(0):
        UserAccess.of(coordinator)


def test_annotate_access_marks_full_and_summary(case: Case, panel: Panel, other_agency: Agency) -> None:
    user = member(other_agency, Role.POLICE_LIAISON, Role.PANEL_MEMBER)
    second = CaseFactory(panel=panel)
    Case.objects.filter(pk=case.pk).update(panel=panel)
    share(case, other_agency, CaseShare.Scope.FULL)
    rows = dict(Case.objects.restrict(user, Action.VIEW_SUMMARY).annotate_access(user).values_list("pk", "access_full"))
    assert rows == {case.pk: True, second.pk: False}


def test_family_and_person_follow_their_case(case: Case, caseworker: User, other_agency: Agency) -> None:
    from families.models import Family, Person
    from tests.factories import PersonFactory

    sibling = PersonFactory(family=case.family, relationship="sibling")
    outsider = member(other_agency, Role.POLICE_LIAISON)
    assert set(Family.objects.restrict(caseworker, Action.VIEW)) == {case.family}
    assert set(Person.objects.restrict(caseworker, Action.VIEW)) == {case.index_person, sibling}
    share(case, other_agency, CaseShare.Scope.SUMMARY)
    forget_access(outsider)
    # a summary shows the index person only
    assert set(Person.objects.restrict(outsider, Action.VIEW_SUMMARY)) == {case.index_person}
    assert not Person.objects.restrict(outsider, Action.VIEW).exists()


def test_a_coordinator_manages_no_family_rows_they_cannot_read(case: Case, panel: Panel, coordinator: User) -> None:
    from families.models import Person

    # given a coordinator who manages the panel's case without reading its file
    Case.objects.filter(pk=case.pk).update(panel=panel)
    forget_access(coordinator)
    # then managing the case gives them none of the family's rows
    assert not Person.objects.restrict(coordinator, Action.MANAGE).exists()


def test_unknown_access_rule_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import ImproperlyConfigured

    from agencies.access import RestrictedQuerySet

    # a model with no rule, and one naming its rule by a string instead of the rule itself
    with pytest.raises(ImproperlyConfigured, match="declares no access_rule"):
        RestrictedQuerySet(model=Agency).restrict(AnonymousUser(), Action.VIEW)
    monkeypatch.setattr(Agency, "access_rule", "case", raising=False)
    with pytest.raises(ImproperlyConfigured, match="declares no access_rule"):
        RestrictedQuerySet(model=Agency).restrict(AnonymousUser(), Action.VIEW)


def test_records_hanging_off_a_case_are_never_read_at_summary_level(
    case: Case, panel: Panel, panel_member: User
) -> None:
    from cases.models import CaseEvent, RiskRecord

    # given a panel member who sees the case's summary, and the case's timeline and risk history
    Case.objects.filter(pk=case.pk).update(panel=panel)
    CaseEvent.objects.create(case=case, kind="note")
    assert Case.objects.restrict(panel_member, Action.VIEW_SUMMARY).filter(pk=case.pk).exists()
    # then asking for them at summary level answers as for the full file: nothing
    assert not CaseEvent.objects.restrict(panel_member, Action.VIEW_SUMMARY).exists()
    assert not RiskRecord.objects.restrict(panel_member, Action.VIEW_SUMMARY).exists()


def test_the_register_beyond_names_is_read_with_the_full_file_only(
    case: Case, caseworker: User, supervisor: User, other_agency: Agency, panel: Panel, coordinator: User
) -> None:
    from cases import services
    from families.models import MemberChange, Relation, Whereabouts

    # given a member with whereabouts, a relation and a history
    mother = services.add_member(
        case,
        given_name="Mimoza",
        family_name="Krasniqi",
        relationship="parent",
        whereabouts="abroad",
        relation_kind="parent",
        relation_to=case.index_person,
        actor=caseworker,
    )
    Case.objects.filter(pk=case.pk).update(panel=panel)
    reader = member(other_agency, Role.POLICE_LIAISON)
    share(case, other_agency, CaseShare.Scope.FULL)
    for model in (Whereabouts, Relation, MemberChange):
        # the owner, a supervisor and a full reader read it; the coordinator, at summary level, does not
        for user in (caseworker, supervisor, reader):
            assert model.objects.restrict(user, Action.VIEW).filter(person=mother).exists(), (model, user)
        assert not model.objects.restrict(coordinator, Action.VIEW_SUMMARY).exists(), model
        # only the owner and a supervisor change it
        assert model.objects.restrict(supervisor, Action.CHANGE).filter(person=mother).exists()
        assert not model.objects.restrict(reader, Action.CHANGE).exists(), model
