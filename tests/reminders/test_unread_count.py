"""The header's unread count reads the owner's reminders through the case owner index, one EXISTS a
reminder, instead of an OR across the join to the case: the same reminders as before."""

import datetime

import pytest
from django.db.models import Q

from agencies.access import Action
from agencies.models import Agency, User
from cases.models import Case
from reminders.models import OWNER, Reminder
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db
DUE = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


def remind(case: Case, recipient: User | None, stage: str = "due", read: bool = False) -> Reminder:
    return Reminder.objects.create(
        kind="review",
        content_type_id=1,
        object_id=case.pk,
        case=case,
        role="owner" if recipient is None else "supervisor",
        recipient=recipient,
        recipient_key=OWNER if recipient is None else recipient.pk,
        due_at=DUE,
        stage=stage,
        read_at=DUE if read else None,
    )


def before(user: User) -> set[int]:
    """The rule as it was: the OR across the join (the reference the new rule must match)."""
    mine = Q(recipient_id=user.pk) | Q(recipient__isnull=True, case__owner_id=user.pk)
    seen = Case.objects.restrict(user, Action.VIEW_SUMMARY).values("pk")
    return set(Reminder.objects.filter(mine, case_id__in=seen).unread().values_list("pk", flat=True))


def test_the_unread_count_finds_the_same_reminders(
    case: Case, caseworker: User, colleague: User, supervisor: User, agency: Agency
) -> None:
    # given reminders for the owner (none named), for named users, read and unread, on cases the
    # caseworker owns, owned once, and of a colleague
    theirs = CaseFactory(owner=colleague, owning_agency=agency)
    mine_too = CaseFactory(owner=caseworker, owning_agency=agency)
    for one in (case, theirs, mine_too):
        remind(one, None)
        remind(one, None, stage="overdue", read=True)
        remind(one, supervisor)
        remind(one, caseworker, stage="escalated")
    # the colleague's case changes hands: its owner reminders follow the new owner
    Case.objects.filter(pk=mine_too.pk).update(owner=colleague)
    # then each user's count is what the old rule found
    for user in (caseworker, colleague, supervisor):
        found = set(Reminder.objects.restrict(user, Action.VIEW).unread().values_list("pk", flat=True))
        assert found == before(user)
    assert Reminder.objects.restrict(caseworker, Action.VIEW).unread().count() == 4  # 1 owner + 3 named
    assert Reminder.objects.restrict(colleague, Action.VIEW).unread().count() == 2  # the two cases owned now
