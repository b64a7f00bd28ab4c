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
from referrals.models import Referral
from stats.figures import Board, Figure, boards_for, panel_board, practitioner_board, quarters_back, supervisor_board
from tests.conftest import api_as, member
from tests.factories import CaseFactory, ReferralFactory

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
    referrals = [r for r in Referral.objects.restrict(user, Action.VIEW) if r.received_at >= since]
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
    assert page.count("<table") == 7
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
    assert one == {"practitioner": 3, "supervisor": 7, "panel": 10}
