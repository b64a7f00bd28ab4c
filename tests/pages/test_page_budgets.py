"""The home page, a panel's page and the dashboard as whole requests (decision 150): each
costs the same number of queries with one row of everything it shows as with six, for every kind of
reader, and that number is the budget below, exactly, so a budget cannot sit loose above what the
page does. Measured through the test client: session, middleware, context processors, template and
the read's audit record included."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Membership, Panel, User
from cases import services
from cases.models import Case, InformationRequest
from panels.models import PanelMeeting
from panels.views import upcoming_and_past
from referrals.models import Referral
from tests.conftest import AUDIT_READ, member
from tests.factories import CaseFactory, PanelFactory, ReferralFactory

pytestmark = pytest.mark.django_db

# Every signed-in page: the session and the user. A user with a membership adds the memberships
# (with whether they hold an individual grant), a panel role the panels they sit on; every page
# with the navigation the role's permissions (own and groups', one query) and the header's unread
# count.
SIGNED_IN = 2
# The read's audit record: one insert, chained after the request (audit.services.append).
AUDIT_WRITE = AUDIT_READ

# The home page's sections (tests/pages/test_section_budgets.py), the counts of one's own cases
# once for both sections that show them (cases.sections.owned_counts).
HOME_BUDGETS: dict[str, int] = {
    # memberships, permissions, unread; visits out; deadlines and follow-ups, referrals to triage;
    # questions to the agency; the open and closed counts, the page of open cases
    "practitioner": SIGNED_IN + 3 + 1 + 3 + 1 + 2 + AUDIT_WRITE,
    # memberships, panels, permissions, unread; questions; the panels. Their agency works no case
    # and holds none by a share (read with the memberships, decision 160): the sections of cases
    # read in full (visits out, deadlines and follow-ups, the counts) have nothing to ask.
    "panel member": SIGNED_IN + 4 + 1 + 1 + AUDIT_WRITE,
    # as a panel member, and the deadlines across the panels coordinated: the panel's cases and
    # the referrals overdue for triage at the panel's agencies (their follow-ups are the full
    # file's: nothing to ask either)
    "coordinator": SIGNED_IN + 4 + 2 + 1 + 1 + AUDIT_WRITE,
    # permissions, memberships (none), unread: no section has a row to read
    "no membership": SIGNED_IN + 3 + AUDIT_WRITE,
}
# A panel's page: memberships, panels, permissions, unread; the panel; the count and the page of
# its cases; its meetings, upcoming and past together; the referrals on its agenda.
PANEL_PAGE = SIGNED_IN + 4 + 1 + 2 + 1 + 1 + AUDIT_WRITE
# The dashboard writes no audit record (counts, no row). A practitioner's board, counted on every
# visit: their cases by stage, their deadlines, their follow-ups. The panel's board when it is
# counted: the panel's open cases by step, the referrals' four tables in one query, triage and
# first contact against their deadlines (two), the closures, reopenings and withdrawals in one
# (decision 172); while it is kept (stats.cache), none.
DASHBOARD: dict[tuple[str, str], int] = {
    ("practitioner", "counted"): SIGNED_IN + 3 + 3,
    ("practitioner", "kept"): SIGNED_IN + 3 + 3,
    ("coordinator", "counted"): SIGNED_IN + 4 + 5,
    ("coordinator", "kept"): SIGNED_IN + 4,
}


@pytest.fixture
def readers(agency: Agency, caseworker: User, panel: Panel, panel_member: User, coordinator: User) -> dict[str, User]:
    nobody = User.objects.create_user(username="nobody", password="not-a-real-password-1")
    return {
        "practitioner": caseworker,
        "panel member": panel_member,
        "coordinator": coordinator,
        "no membership": nobody,
    }


def add_rows(n: int, agency: Agency, caseworker: User, panel: Panel, panel_member: User) -> None:
    """`n` rows of everything the three pages show: the caseworker's cases (open, due, on the
    panel and overdue there, closed, visited, asked about), referrals to triage and on the panel's
    agenda, meetings, and panels the panel member sits on."""
    today, now = timezone.localdate(), timezone.now()
    seat = panel_member.memberships.get().agency
    for i in range(n):
        due = CaseFactory(owner=caseworker, owning_agency=agency, next_review_on=today + datetime.timedelta(days=2))
        overdue = CaseFactory(owner=caseworker, owning_agency=agency, panel=panel, stage=1 + i % 5)
        Case.objects.filter(pk=overdue.pk).update(
            next_review_on=today - datetime.timedelta(days=3), first_contact_due_on=today - datetime.timedelta(days=i)
        )
        closed = CaseFactory(owner=caseworker, owning_agency=agency)
        Case.objects.filter(pk=closed.pk).update(closed_at=timezone.now())
        services.plan_visit(due, expected_back_at=now + datetime.timedelta(hours=2), actor=caseworker)
        InformationRequest.objects.create(
            case=due, to_agency=agency, question=f"Question {i}?", asked_by=caseworker, due_at=now
        )
        triage = ReferralFactory(received_by=agency, panel=panel, channel="police", subject_age=10 + i)
        Referral.objects.filter(pk=triage.pk).update(triage_due_at=now - datetime.timedelta(hours=1 + i))
        ReferralFactory(received_by=agency, panel=panel, status=Referral.Status.ON_AGENDA)
        PanelMeeting.objects.create(
            panel=panel,
            scheduled_for=now + datetime.timedelta(days=7 * (i + 1)),
            record_mode=panel.record_mode,
            created_by=panel.coordinator,
        )
        PanelMeeting.objects.create(
            panel=panel,
            scheduled_for=now - datetime.timedelta(days=7 * (i + 1)),
            status=PanelMeeting.Status.HELD,
            record_mode=panel.record_mode,
            created_by=panel.coordinator,
        )
        PanelFactory().agencies.add(seat)


def cost(user: User, url: str) -> tuple[int, str]:
    """The queries of a GET of `url` as `user`, whose session was used once already (the session's
    first refresh of its last-seen time is a write that is not the page's cost)."""
    client = Client()
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


Rows = Callable[[int], None]


@pytest.fixture
def rows(agency: Agency, caseworker: User, panel: Panel, panel_member: User) -> Rows:
    return lambda n: add_rows(n, agency, caseworker, panel, panel_member)


@pytest.mark.parametrize("reader", HOME_BUDGETS)
def test_the_home_page_costs_the_same_for_one_row_and_for_six(
    reader: str, readers: dict[str, User], rows: Rows
) -> None:
    rows(1)
    one, shown_one = cost(readers[reader], reverse("home"))
    rows(5)
    six, shown_six = cost(readers[reader], reverse("home"))
    assert reader == "no membership" or len(shown_six) > len(shown_one)
    assert six == one == HOME_BUDGETS[reader]


@pytest.mark.parametrize("reader", ["coordinator", "panel member"])
def test_a_panels_page_costs_the_same_for_one_row_and_for_six(
    reader: str, readers: dict[str, User], rows: Rows, panel: Panel
) -> None:
    rows(1)
    one, shown_one = cost(readers[reader], panel.get_absolute_url())
    rows(5)
    six, shown_six = cost(readers[reader], panel.get_absolute_url())
    assert len(shown_six) > len(shown_one)
    assert six == one == PANEL_PAGE


@pytest.mark.parametrize(("reader", "board"), DASHBOARD)
def test_the_dashboard_costs_the_same_for_one_row_and_for_six(
    reader: str, board: str, readers: dict[str, User], rows: Rows, settings: Any
) -> None:
    if board == "counted":
        settings.URA_DASHBOARD_CACHE_SECONDS = 0  # every visit counts, as the first in five minutes
    rows(1)
    one, _shown = cost(readers[reader], reverse("stats:dashboard"))
    rows(5)
    six, _shown = cost(readers[reader], reverse("stats:dashboard"))
    assert six == one == DASHBOARD[reader, board]


def test_a_panels_page_lists_its_next_meetings_and_its_last_ones(
    readers: dict[str, User], rows: Rows, panel: Panel
) -> None:
    # given more meetings, planned and past, than the page lists
    rows(6)
    PanelMeeting.objects.filter(pk__in=PanelMeeting.objects.filter(status="held").values("pk")[:2]).update(
        status=PanelMeeting.Status.CANCELLED
    )
    meetings = PanelMeeting.objects.restrict(readers["panel member"], "view").filter(panel=panel)
    # then the page's one query gives what a query for each list would
    upcoming, past = upcoming_and_past(meetings)
    assert upcoming == list(meetings.filter(status="scheduled").order_by("scheduled_for")[:3])
    assert past == list(meetings.exclude(status="scheduled")[:5])
    assert len(upcoming) == 3 and len(past) == 5


def test_the_permissions_are_django_s_in_one_query(agency: Agency) -> None:
    # given a user with a role's group permissions and one of their own
    from django.contrib.auth.models import Permission

    user = member(agency, Membership.Role.SUPERVISOR, username="boss")
    user.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    fresh = User.objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as queries:
        perms = fresh.get_all_permissions()
    # then they are read once, and are what Django's own backend reads in two
    assert len(queries) == 1
    django_reads = User.objects.get(pk=user.pk)
    from django.contrib.auth.backends import ModelBackend

    backend = ModelBackend()
    assert perms == backend.get_user_permissions(django_reads) | backend.get_group_permissions(django_reads)
    assert "audit.view_auditevent" in perms and fresh.has_perm("audit.view_auditevent")
    assert fresh.get_user_permissions() == {"audit.view_auditevent"}
