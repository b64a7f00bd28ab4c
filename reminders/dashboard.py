"""What the home page shows of deadlines: the user's due this week and overdue (referrals to triage
among them), and a coordinator's overdue items across their panels. A fixed number of queries,
whatever the caseload."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.access import Action
from cases.models import Case
from interventions.models import FollowUp
from referrals.models import Referral

from .kinds import FirstContact, FollowUpDue, Review, Triage

__all__ = ["DueItem", "coordinator_overdue", "due_for", "due_lists"]

# (column, condition for the deadline to be open, label): the kind's label, as in its reminders.
CASE_DEADLINES = [
    ("first_contact_due_on", "first_contact_on", FirstContact.label),
    ("next_review_on", None, Review.label),
]


@dataclass(frozen=True)
class DueItem:
    """One deadline: what is due (a case's, or a referral's to triage), by a date or an hour."""

    case: Case | None
    what: str
    due_on: datetime.date
    due_at: datetime.datetime | None = None  # deadlines counted in hours
    referral: Referral | None = None

    @property
    def overdue(self) -> bool:
        if self.due_at is not None:
            return self.due_at < timezone.now()
        return self.due_on < timezone.localdate()

    @property
    def url(self) -> str:
        obj = self.case or self.referral
        return obj.get_absolute_url() if obj is not None else ""

    @property
    def label(self) -> str:
        return self.case.reference if self.case is not None else str(self.referral)


def _to_triage(referrals: Any, until: datetime.datetime) -> list[DueItem]:
    """Referrals waiting for triage whose deadline falls before `until` (one query)."""
    rows = referrals.filter(status=Referral.Status.NEW, triage_due_at__lt=until).order_by("triage_due_at")[:50]
    return [
        DueItem(None, str(Triage.label), timezone.localdate(r.triage_due_at), due_at=r.triage_due_at, referral=r)
        for r in rows
    ]


def _items(user: Any, cases: Any, until: datetime.date) -> list[DueItem]:
    """Each deadline up to `until`: one query over the open cases, one over the follow-ups.

    `cases` is restricted for `user` already; its deadlines are part of the case's summary. A
    follow-up is read with the full file (`case_child`), so a summary-level reader of the case (a
    coordinator across the panel) does not learn of it."""
    condition = Q()
    for column, done, _label in CASE_DEADLINES:
        condition |= Q(**{f"{column}__lte": until, **({f"{done}__isnull": True} if done else {})})
    items: list[DueItem] = []
    for case in cases.filter(condition, closed_at__isnull=True)[:100]:
        for column, done, label in CASE_DEADLINES:
            due_on = getattr(case, column)
            if due_on is not None and due_on <= until and (done is None or getattr(case, done) is None):
                items.append(DueItem(case, str(label), due_on))
    # Post-exit follow-ups fall due on closed cases; a reopened case's old ones are not pending.
    follow_ups = (
        FollowUp.objects.restrict(user, Action.VIEW).pending().filter(case__in=cases.values("pk"), due_on__lte=until)
    )
    for follow_up in follow_ups.select_related("case")[:50]:
        items.append(DueItem(follow_up.case, str(FollowUpDue.label), follow_up.due_on))
    return sorted(items, key=lambda item: item.due_on)


def due_for(user: Any) -> dict[str, list[DueItem]]:
    """The deadlines of the cases the user owns, and the referrals their agencies received (or
    were routed) that wait for triage: overdue, and due within the coming week."""
    from agencies.access import UserAccess

    today = timezone.localdate()
    owned = Case.objects.restrict(user, Action.VIEW).filter(owner=user)
    items = _items(user, owned, today + datetime.timedelta(days=7))
    agencies = UserAccess.of(user).casework_agency_ids
    if agencies:
        received = Referral.objects.restrict(user, Action.MANAGE).filter(
            Q(received_by_id__in=agencies) | Q(routed_to_id__in=agencies)
        )
        items = sorted([*items, *_to_triage(received, timezone.now() + datetime.timedelta(days=7))], key=_when)
    return {
        "overdue": [item for item in items if item.overdue],
        "due_this_week": [item for item in items if not item.overdue],
    }


def _when(item: DueItem) -> datetime.date:
    return item.due_on


def coordinator_overdue(user: Any) -> list[DueItem]:
    """Overdue deadlines of cases on the panels the user coordinates (summary level)."""
    from agencies.access import UserAccess

    access = UserAccess.of(user)
    panels = access.coordinated_panel_ids
    if not panels:
        return []
    cases = Case.objects.restrict(user, Action.VIEW_SUMMARY).filter(panel_id__in=panels)
    items = _items(user, cases, timezone.localdate() - datetime.timedelta(days=1))
    # Referrals overdue for triage at the panel's agencies (those of the user's own agencies are in
    # their own list).
    others = Referral.objects.restrict(user, Action.MANAGE).exclude(
        Q(received_by_id__in=access.casework_agency_ids) | Q(routed_to_id__in=access.casework_agency_ids)
    )
    return [*_to_triage(others, timezone.now()), *items]


def due_lists(user: Any) -> list[tuple[str, list[DueItem]]]:
    """The home page's lists, titled: overdue, due this week, and (coordinators) across the panel."""
    mine = due_for(user)
    lists = [(str(_("Overdue")), mine["overdue"]), (str(_("Due this week")), mine["due_this_week"])]
    across = coordinator_overdue(user)
    if across:
        lists.append((str(_("Overdue on my panels")), across))
    return lists
