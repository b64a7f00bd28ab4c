"""The wide boards (a supervisor's, a panel's) are counted at most every few minutes and say when
they were counted; a practitioner's own board is counted on every visit; what the viewer may reach
keys the cache, so a membership gained or lost is never answered with the old figures."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Membership, Panel, User
from stats.figures import Board, Figure, boards_for
from tests.conftest import member
from tests.factories import AgencyFactory, CaseFactory

pytestmark = pytest.mark.django_db


def _stages(boards: list[Board], key: str) -> int:
    figure: Figure = next(f for b in boards for f in b.figures if f.key == key)
    return sum(value or 0 for row in figure.rows for value in row.values[:1])


def test_a_panel_board_is_kept_for_a_few_minutes_and_says_when_it_was_counted(
    agency: Agency, panel: Panel, coordinator: User
) -> None:
    today = timezone.localdate()
    CaseFactory(owning_agency=agency, panel=panel)
    first = boards_for(coordinator, today)
    counted = next(board for board in first if board.key == "panel").counted_at
    assert counted is not None
    # a case added in the meantime is counted at the next counting, not on every visit
    CaseFactory(owning_agency=agency, panel=panel)
    again = boards_for(coordinator, today)
    assert _stages(again, "panel_stages") == _stages(first, "panel_stages") == 1
    with override_settings(URA_DASHBOARD_CACHE_SECONDS=0):
        assert _stages(boards_for(coordinator, today), "panel_stages") == 2


def test_the_practitioners_own_board_is_counted_on_every_visit(agency: Agency, caseworker: User) -> None:
    today = timezone.localdate()
    CaseFactory(owning_agency=agency, owner=caseworker)
    before = _stages(boards_for(caseworker, today), "my_caseload")
    CaseFactory(owning_agency=agency, owner=caseworker)
    after = boards_for(caseworker, today)
    assert _stages(after, "my_caseload") == before + 1
    assert all(board.counted_at is None for board in after)


def test_a_new_membership_is_not_answered_with_the_old_figures(agency: Agency) -> None:
    today = timezone.localdate()
    other = AgencyFactory()
    boss = member(agency, Membership.Role.SUPERVISOR, username="boss")
    CaseFactory(owning_agency=other)
    CaseFactory(owning_agency=other)
    before = boards_for(boss, today)
    Membership.objects.create(user=boss, agency=other, role=Membership.Role.SUPERVISOR)
    boss = User.objects.get(pk=boss.pk)  # what she may reach, read afresh as a new request would
    after = boards_for(boss, today)
    supervised = next(board for board in after if board.key == "supervisor")
    assert supervised.counted_at is not None
    assert after != before


def test_the_page_says_when_a_kept_board_was_counted(coordinator: User, panel: Panel) -> None:
    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("stats:dashboard")).content.decode()
    assert "these figures are counted again every few minutes" in page


def test_without_a_reachable_cache_the_board_is_counted(
    agency: Agency, panel: Panel, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stats import cache as board_cache

    class Unreachable:
        def get(self, *args: object) -> None:
            raise ConnectionError("cache down")

        set = get

    monkeypatch.setattr(board_cache, "cache", Unreachable())
    CaseFactory(owning_agency=agency, panel=panel)
    boards = boards_for(coordinator, timezone.localdate())
    assert _stages(boards, "panel_stages") == 1
