"""The dashboards: as each demo person, every figure equals a count made by hand over what they may
see; a summary reader learns no content; each board costs the same whatever the caseload."""

import datetime
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.access import Action, UserAccess
from agencies.models import Agency, Membership, Panel, User
from cases.models import Case
from interventions import services as plans
from referrals.models import Referral
from stats.figures import Board, Figure, boards_for, panel_board, practitioner_board, quarters_back, supervisor_board
from tests.conftest import api_as, member
from tests.factories import CaseFactory, ReferralFactory, share

pytestmark = pytest.mark.django_db


def _figure(boards: list[Board], key: str) -> Figure:
    return next(figure for board in boards for figure in board.figures if figure.key == key)


def _column(figure: Figure, index: int = 0) -> dict[str, int]:
    return {row.label: row.values[index] for row in figure.rows if row.values[index]}


def _by_stage(cases: list[Case]) -> dict[str, int]:
    return {str(Case.Stage(stage).label): n for stage, n in Counter(case.stage for case in cases).items()}


def _hand_counts(user: User, today: datetime.date) -> dict[str, Any]:
    """The figures, counted in Python over the rows the user may see."""
    access = UserAccess.of(user)
    full = list(Case.objects.restrict(user, Action.VIEW))
    known = list(Case.objects.restrict(user, Action.VIEW_SUMMARY))
    since = timezone.make_aware(datetime.datetime.combine(quarters_back(today)[0], datetime.time.min))
    referrals = [
        r
        for r in Referral.objects.restrict(user, Action.VIEW)
        if r.received_at >= since and r.panel_id in access.panel_ids
    ]
    mine = [c for c in full if c.owner_id == user.pk and c.closed_at is None]
    supervised = [c for c in full if c.owning_agency_id in access.supervised_agency_ids and c.closed_at is None]
    return {
        "my_caseload": _by_stage(mine),
        "first_contact_overdue": sum(
            1 for c in mine if c.first_contact_on is None and c.first_contact_due_on and c.first_contact_due_on < today
        ),
        "caseload": sorted(Counter(c.owner_id for c in supervised).values(), reverse=True),
        "panel_stages": _by_stage([c for c in known if c.panel_id in access.panel_ids and c.closed_at is None]),
        "referrals": len(referrals),
        "channels": {str(Referral.Channel(c).label): n for c, n in Counter(r.channel for r in referrals).items()},
    }


def test_every_demo_person_sees_the_counts_of_what_they_may_see(demo: dict[str, User]) -> None:
    today = timezone.localdate()
    shown_boards = {}
    for username, user in demo.items():
        # given the counts made by hand, when the dashboard is drawn for them
        hand = _hand_counts(user, today)
        boards = boards_for(user, today)
        shown_boards[username] = [board.key for board in boards]
        keys = {board.key for board in boards}
        # then each figure of each of their boards is the same
        if "practitioner" in keys:
            assert _column(_figure(boards, "my_caseload")) == hand["my_caseload"], username
            due = _figure(boards, "my_due")
            assert due.rows[0].values[0] == hand["first_contact_overdue"], username
        if "supervisor" in keys:
            assert [row.values[0] for row in _figure(boards, "caseload_per_worker").rows] == hand["caseload"], username
        if "panel" in keys:
            assert _column(_figure(boards, "panel_stages")) == hand["panel_stages"], username
            assert _figure(boards, "referrals_by_concern").total == hand["referrals"], username
            assert _figure(boards, "referrals_by_age").total == hand["referrals"], username
            assert _figure(boards, "referrals_by_outcome").total == hand["referrals"], username
            channels = _figure(boards, "referrals_by_channel")
            totals = {column: sum(row.values[i] for row in channels.rows) for i, column in enumerate(channels.columns)}
            assert {column: n for column, n in totals.items() if n} == hand["channels"], username
    assert shown_boards["coord.arta"] == ["panel"]
    assert shown_boards["sup.elira"] == ["practitioner", "supervisor"]
    assert shown_boards["sw.blerina"] == ["practitioner"]
    assert shown_boards["dpo.mira"] == [] and shown_boards["admin"] == []
    # the demo has something to show: the coordinator's panel holds four open cases
    assert sum(_column(_figure(boards_for(demo["coord.arta"], today), "panel_stages")).values()) == 4


def test_a_summary_reader_learns_no_content_from_the_dashboard(demo: dict[str, User]) -> None:
    coordinator = demo["coord.arta"]
    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("stats:dashboard"))
    api = api_as(coordinator).get("/api/v1/stats/dashboard/")
    assert page.status_code == 200 and api.status_code == 200
    secrets = [case.reference for case in Case.objects.all()] + [case.family.name for case in Case.objects.all()]
    secrets += [referral.concern for referral in Referral.objects.all()]
    for text in (page.content.decode(), api.content.decode()):
        for secret in secrets:
            assert secret not in text


def test_the_page_says_what_it_counts_and_gives_each_chart_its_table(coordinator: User, panel: Panel) -> None:
    client = Client()
    client.force_login(coordinator)

    page = client.get(reverse("stats:dashboard")).content.decode()

    assert "Every figure counts only what you may know of" in page
    assert 'id="chart-panel_stages" type="application/json"' in page
    assert 'data-chart="chart-panel_stages"' in page
    assert "Counts the cases you know of, at summary level or in full." in page
    assert page.count("<table") == 8
    assert "vendor/chart.js/chart.umd.min.js" in page and "<script>" not in page


def test_the_dashboard_speaks_albanian(coordinator: User, panel: Panel) -> None:
    User.objects.filter(pk=coordinator.pk).update(language="sq")
    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("stats:dashboard")).content.decode()
    assert "Referrals by channel" not in page and "Referimet sipas kanalit" in page


def _queries(build: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        build()
    return len(queries)


def _cases(n: int, agency: Agency, owner: User, panel: Panel) -> None:
    today = timezone.localdate()
    for index in range(n):
        case = CaseFactory(owning_agency=agency, owner=owner, panel=panel, stage=1 + index % 10)
        Case.objects.filter(pk=case.pk).update(first_contact_due_on=today - datetime.timedelta(days=index))
        ReferralFactory(received_by=agency, panel=panel, case=case, channel="police", subject_age=10 + index)


def test_each_board_costs_the_same_whatever_the_caseload(
    agency: Agency, panel: Panel, caseworker: User, coordinator: User
) -> None:
    supervisor = member(agency, Membership.Role.SUPERVISOR, username="boss")
    today = timezone.localdate()
    boards = {
        "practitioner": lambda: practitioner_board(caseworker, today),
        "supervisor": lambda: supervisor_board(supervisor, today),
        "panel": lambda: panel_board(coordinator, today),
    }
    _cases(1, agency, caseworker, panel)
    for build in boards.values():
        build()  # each user's access resolved once, as in a request
    one = {key: _queries(build) for key, build in boards.items()}

    _cases(12, agency, member(agency, username="second"), panel)

    assert {key: _queries(build) for key, build in boards.items()} == one
    assert one == {"practitioner": 3, "supervisor": 6, "panel": 5}


def test_the_supervisors_board_counts_each_owner_deadline_and_case_left_without_a_worker_by_hand(
    agency: Agency, other_agency: Agency
) -> None:
    # given: a supervisor of two agencies; one worker at both, one at the first only who owns a
    # case at the second, one who works cases no more at the first (its administrator now), and
    # deadlines passed of each kind, a closed case among them
    supervisor = member(agency, Membership.Role.SUPERVISOR, username="boss")
    Membership.objects.create(user=supervisor, agency=other_agency, role=Membership.Role.SUPERVISOR)
    both = member(agency, username="both")
    Membership.objects.create(user=both, agency=other_agency, role=Membership.Role.PRACTITIONER)
    first_only = member(agency, username="first")
    left = member(agency, Membership.Role.AGENCY_ADMIN, username="left")
    today = timezone.localdate()
    past, later = today - datetime.timedelta(days=2), today + datetime.timedelta(days=9)
    for owner, where, due, review in [
        (both, agency, past, None),
        (both, other_agency, later, past),
        (both, other_agency, past, past),
        (first_only, agency, later, later),
        (first_only, other_agency, past, None),
        (left, agency, None, past),
        (left, agency, later, None),
    ]:
        case = CaseFactory(owning_agency=where, owner=owner)
        Case.objects.filter(pk=case.pk).update(first_contact_due_on=due, next_review_on=review)
    closed = CaseFactory(owning_agency=agency, owner=left)
    Case.objects.filter(pk=closed.pk).update(closed_at=timezone.now(), next_review_on=past)
    # (the factory makes each owner a practitioner where the case is: those two no longer are)
    Membership.objects.filter(user=left, agency=agency, role=Membership.Role.PRACTITIONER).delete()
    Membership.objects.filter(user=first_only, agency=other_agency).delete()
    # when
    board = supervisor_board(supervisor, today)
    # then: each count is the count by hand over the open cases
    open_cases = list(Case.objects.filter(closed_at__isnull=True))
    first_contact = [
        c
        for c in open_cases
        if c.first_contact_on is None and c.first_contact_due_on and c.first_contact_due_on < today
    ]
    review = [c for c in open_cases if c.next_review_on and c.next_review_on < today]
    caseload = _figure([board], "caseload_per_worker")
    assert [row.values for row in caseload.rows] == [(3, 3), (2, 1), (2, 1)]
    overdue = _column(_figure([board], "overdue_by_kind"))
    assert (overdue["First contact"], overdue["Plan review"]) == (len(first_contact), len(review)) == (3, 3)
    # the case the first-only worker owns at the second agency and the two of the one who left
    assert _figure([board], "unallocated").rows[-1].values == (3,)


def _endings(user: User, today: datetime.date) -> dict[str, int]:
    endings = _figure([panel_board(user, today)], "closures")
    return {column: sum(row.values[i] or 0 for row in endings.rows) for i, column in enumerate(endings.columns)}


def test_the_coordinator_counts_the_withdrawals_closures_and_reopenings_of_the_panels_cases(
    agency: Agency, other_agency: Agency, panel: Panel, caseworker: User, coordinator: User
) -> None:
    # given three cases of the panel, worked by the caseworker: one closed, then reopened; one closed;
    # one the family withdrew from (the coordinator reads none of these files in full)
    today = timezone.localdate()
    officer = member(other_agency, Membership.Role.POLICE_LIAISON, username="officer")
    agreements = [{"agency": agency, "user": caseworker}, {"agency": other_agency, "user": officer}]
    reopened, closed, withdrawn = (CaseFactory(owning_agency=agency, owner=caseworker, panel=panel) for _n in "abc")
    for case in (reopened, closed):
        share(case, other_agency)
        plans.close_case(case, decided_on=today, reason="Goals met", agreements=agreements, actor=caseworker)
    plans.reopen_case(reopened, reason="A new concern", actor=caseworker)
    plans.record_withdrawal(
        withdrawn, withdrawn_on=today, reason="Enough", open_door_message="Call us", actor=caseworker
    )
    assert not Case.objects.restrict(coordinator, Action.VIEW).exists()

    # when the coordinator's board is drawn
    # then it counts the two closures (the reopened case's too), the withdrawal and the reopening
    assert _endings(coordinator, today) == {"Closed": 2, "Family withdrew": 1, "Reopened": 1}


def test_the_panels_board_counts_the_panels_referrals_alone(agency: Agency, panel: Panel, coordinator: User) -> None:
    # given a referral to the panel, and one at a partner agency overdue for triage (which the
    # coordinator may read, to chase it) that was never put to the panel
    ReferralFactory(received_by=agency, panel=panel, channel="police")
    overdue = ReferralFactory(received_by=agency, channel="school")
    Referral.objects.filter(pk=overdue.pk).update(triage_due_at=timezone.now() - datetime.timedelta(hours=1))
    assert Referral.objects.restrict(coordinator, Action.VIEW).count() == 2

    # when the coordinator's board is drawn, then its referral figures count the panel's one
    board = panel_board(coordinator, timezone.localdate())
    for key in ("referrals_by_channel", "referrals_by_concern", "referrals_by_age", "referrals_by_outcome"):
        assert _figure([board], key).total == 1, key
    assert sum(_figure([board], "deadlines_met").rows[0].values or ()) == 1  # type: ignore[arg-type]


def test_the_panels_board_gives_the_median_time_to_triage_and_to_first_contact(
    agency: Agency, panel: Panel, caseworker: User, coordinator: User
) -> None:
    # given three referrals to the panel triaged after 2, 5 and 30 hours, and three cases of the
    # panel contacted 1, 4 and 10 days after they opened
    now = timezone.now()
    for hours in (2, 5, 30):
        referral = ReferralFactory(received_by=agency, panel=panel)
        received = now - datetime.timedelta(days=3)
        Referral.objects.filter(pk=referral.pk).update(
            received_at=received, triaged_at=received + datetime.timedelta(hours=hours)
        )
    today = timezone.localdate()
    opened = timezone.make_aware(datetime.datetime.combine(quarters_back(today)[-1], datetime.time(12)))
    for days in (1, 4, 10):
        case = CaseFactory(owning_agency=agency, owner=caseworker, panel=panel)
        Case.objects.filter(pk=case.pk).update(
            opened_at=opened,
            first_contact_due_on=opened.date() + datetime.timedelta(days=5),
            first_contact_on=opened.date() + datetime.timedelta(days=days),
        )

    # when the coordinator's board is drawn
    waits = _figure([panel_board(coordinator, today)], "median_times")

    # then the medians are the database's, with the number measured beside them
    assert waits.columns == ("Median", "Measured")
    assert [row.values for row in waits.rows] == [(5, 3), (4, 3)]
