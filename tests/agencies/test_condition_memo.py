"""A request builds the condition of the cases a user may reach once, not once per section (issue
19), yet never answers with one older than two seconds or one made before the user's access was
forgotten: a share that ends is read at the time it is checked."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from agencies.access import Action, core, forget_access
from agencies.models import Agency, User
from cases.models import Case, CaseShare
from tests.conftest import member
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _built(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    calls: list[object] = []
    original = core._case_branches

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(core, "_case_branches", counting)
    return calls


def test_the_condition_is_built_once_for_many_reads(
    monkeypatch: pytest.MonkeyPatch, case: Case, caseworker: User
) -> None:
    built = _built(monkeypatch)
    for _ in range(5):
        assert Case.objects.restrict(caseworker, Action.VIEW).filter(pk=case.pk).exists()
    assert len(built) == 1
    forget_access(caseworker)
    Case.objects.restrict(caseworker, Action.VIEW).exists()
    assert len(built) == 2  # forgotten with the user's access


def _share(case: Case, agency: Agency, **more: object) -> CaseShare:
    return CaseShare.objects.create(
        case=case,
        agency=agency,
        scope=CaseShare.Scope.FULL,
        basis=CaseShare.Basis.CONSENT,
        consent_given_by="The person",
        consent_given_on=timezone.localdate(),
        granted_by=case.owner,
        **more,
    )


def test_a_share_that_ends_is_not_kept_by_the_remembered_condition(case: Case, other_agency: Agency) -> None:
    reader = member(other_agency, username="reader")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _share(case, other_agency, ends_at=start + datetime.timedelta(seconds=1))
        reader = User.objects.get(pk=reader.pk)
        assert Case.objects.restrict(reader, Action.VIEW).filter(pk=case.pk).exists()
        clock.shift(datetime.timedelta(seconds=3))  # the share has ended; the same user object asks again
        assert not Case.objects.restrict(reader, Action.VIEW).filter(pk=case.pk).exists()


def test_the_fingerprint_of_what_a_user_reaches_follows_its_contents_not_their_order() -> None:
    from agencies.access import UserAccess

    one = UserAccess(user_id=7, casework_agency_ids=frozenset([3, 1, 2]), panel_ids=frozenset([9, 4]))
    same = UserAccess(user_id=7, casework_agency_ids=frozenset([2, 3, 1]), panel_ids=frozenset([4, 9]))
    more = UserAccess(user_id=7, casework_agency_ids=frozenset([1, 2, 3]), panel_ids=frozenset([4, 9, 5]))
    assert one.fingerprint() == same.fingerprint() != more.fingerprint()


def test_a_share_made_after_the_ids_were_read_is_seen_at_once_by_the_same_user_object(
    case: Case, other_agency: Agency
) -> None:
    reader = member(other_agency, username="reader")
    assert not Case.objects.restrict(reader, Action.VIEW).filter(pk=case.pk).exists()  # ids read: none
    share = _share(case, other_agency)
    assert Case.objects.restrict(reader, Action.VIEW).filter(pk=case.pk).exists()
    share.revoked_at = timezone.now()
    share.save()
    assert not Case.objects.restrict(reader, Action.VIEW).filter(pk=case.pk).exists()


def test_a_user_holding_more_cases_by_name_than_the_cap_reads_them_through_the_share_table(
    monkeypatch: pytest.MonkeyPatch, case: Case, other_agency: Agency
) -> None:
    from agencies.access import held

    reader = member(other_agency, username="reader")
    second = CaseFactory(owning_agency=case.owning_agency, owner=case.owner)
    _share(case, other_agency)
    _share(second, other_agency)
    written = str(Case.objects.restrict(reader, Action.VIEW).query)
    assert "cases_caseshare" not in written
    monkeypatch.setattr(held, "LITERAL_CAP", 1)
    forget_access(reader)
    read = Case.objects.restrict(reader, Action.VIEW)
    assert "cases_caseshare" in str(read.query)
    assert set(read.values_list("pk", flat=True)) == {case.pk, second.pk}


def test_the_kinds_held_by_name_are_the_permissions_the_access_core_reads() -> None:
    from agencies.access import held

    assert held.SUMMARY_CODENAMES == core.SUMMARY_PERMS
    assert held._KINDS == core.SHARE_SCOPES
