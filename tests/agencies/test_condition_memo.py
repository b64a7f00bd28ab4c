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


def test_a_share_that_ends_is_not_kept_by_the_remembered_condition(case: Case, other_agency: Agency) -> None:
    reader = member(other_agency, username="reader")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        CaseShare.objects.create(
            case=case,
            agency=other_agency,
            scope=CaseShare.Scope.FULL,
            basis=CaseShare.Basis.CONSENT,
            consent_given_by="The person",
            consent_given_on=timezone.localdate(),
            granted_by=case.owner,
            ends_at=start + datetime.timedelta(seconds=1),
        )
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
