"""Regression tests for the findings of the first security review of the foundation."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.access import Action, forget_access
from agencies.models import Agency, Membership, Panel, User
from cases.models import Case, CaseShare
from tests.conftest import api_as, member
from tests.factories import share

pytestmark = pytest.mark.django_db
Role = Membership.Role


def sees(user: User, case: Case, action: str = Action.VIEW_SUMMARY) -> bool:
    forget_access(user)
    return Case.objects.restrict(user, action).filter(pk=case.pk).exists()


def test_a_coordinator_cannot_share_the_full_file_they_do_not_read(
    case: Case, panel: Panel, coordinator: User, other_agency: Agency
) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    with pytest.raises(ValidationError, match="full file"):
        share(case, other_agency, CaseShare.Scope.FULL, actor=coordinator)
    assert not CaseShare.objects.exists()


def test_a_coordinator_cannot_open_a_case_to_their_own_agency(case: Case, panel: Panel, coordinator: User) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    own = coordinator.memberships.get().agency
    with pytest.raises(ValidationError, match="your own agency"):
        share(case, own, CaseShare.Scope.SUMMARY, actor=coordinator)


def test_an_ended_share_grants_nothing_even_before_the_sweep(
    case: Case, other_agency: Agency, auditor_readonly: User
) -> None:
    # given a share whose end has passed, and no sweep run since
    ended = share(case, other_agency, ends_at=timezone.now() + datetime.timedelta(hours=1))
    CaseShare.objects.filter(pk=ended.pk).update(ends_at=timezone.now() - datetime.timedelta(days=3))
    # then the agency no longer reaches the case
    assert not sees(auditor_readonly, case)


def test_summary_managers_read_no_particulars_of_a_share_through_the_api(
    case: Case, panel: Panel, coordinator: User, other_agency: Agency, caseworker: User
) -> None:
    from cases import services

    Case.objects.filter(pk=case.pk).update(panel=panel)
    revoked = share(case, other_agency, purpose="Mentoring")
    services.revoke_share(revoked, reason="Father threatened the teacher", actor=caseworker)
    row = api_as(coordinator).get(reverse("cases-api:caseshare-list")).data["results"][0]
    for name in ("revoke_reason", "consent_given_by", "consent_given_on", "justification", "purpose"):
        assert row[name] is None, name


def test_a_membership_moved_to_another_person_leaves_the_first_persons_groups(agency: Agency) -> None:
    first, second = member(agency), User.objects.create_user("second")
    membership = first.memberships.get()
    membership.user = second
    membership.save()
    assert not first.groups.filter(pk=agency.group_id).exists()
    assert second.groups.filter(pk=agency.group_id).exists()


def test_a_coordinator_who_loses_the_role_loses_the_panel(case: Case, panel: Panel, coordinator: User) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    assert sees(coordinator, case, Action.MANAGE)
    Membership.objects.filter(user=coordinator).update(role=Role.PRACTITIONER)
    assert not sees(coordinator, case, Action.MANAGE) and not sees(coordinator, case)


def test_a_coordinator_manages_no_family_rows_it_cannot_read(case: Case, panel: Panel, coordinator: User) -> None:
    from families.models import Person

    Case.objects.filter(pk=case.pk).update(panel=panel)
    forget_access(coordinator)
    assert not Person.objects.restrict(coordinator, Action.MANAGE).exists()


def test_an_unknown_http_method_is_a_405_not_a_500(caseworker: User) -> None:
    response = api_as(caseworker).generic("PROPFIND", reverse("cases-api:case-list"))
    assert response.status_code == 405


def test_the_schema_is_for_signed_in_users_only(caseworker: User) -> None:
    assert APIClient().get(reverse("api-schema")).status_code in (401, 403)
    assert APIClient().get(reverse("api-docs")).status_code in (401, 403)


def test_a_hidden_case_in_a_share_filter_is_refused_like_a_missing_one(
    case: Case, caseworker_other_agency: User
) -> None:
    client = api_as(caseworker_other_agency)
    hidden = client.get(reverse("cases-api:caseshare-list"), {"case": case.pk})
    missing = client.get(reverse("cases-api:caseshare-list"), {"case": 987654})
    assert hidden.status_code == missing.status_code == 400
    assert str(hidden.data).replace(str(case.pk), "N") == str(missing.data).replace("987654", "N")


def test_the_api_answers_json_only(case: Case, caseworker_other_agency: User) -> None:
    # the browsable API would render filter forms listing every case
    response = api_as(caseworker_other_agency).get(reverse("cases-api:caseshare-list"), HTTP_ACCEPT="text/html")
    assert response.status_code in (200, 406)
    assert case.family.name.encode() not in response.content


def test_a_case_that_changed_hands_is_refused_not_changed(
    case: Case, supervisor: User, colleague: User, other_agency: Agency
) -> None:
    from cases import services

    # given the supervisor loaded the case, then it moved to another agency
    loaded = Case.objects.get(pk=case.pk)
    police = member(other_agency, Role.POLICE_LIAISON)
    Case.objects.filter(pk=case.pk).update(owning_agency=other_agency, owner=police)
    # when the supervisor acts on what they loaded
    with pytest.raises(ValidationError, match="no longer manage"):
        services.assign_owner(loaded, owner=colleague, actor=supervisor)
    case.refresh_from_db()
    assert case.owner == police


def test_sign_in_for_a_token_is_throttled(caseworker: User) -> None:
    client = APIClient()
    answers = [
        client.post(reverse("api-token"), {"username": "caseworker", "password": "wrong"}).status_code
        for _ in range(12)
    ]
    assert answers[-1] == 429 and 400 in answers
