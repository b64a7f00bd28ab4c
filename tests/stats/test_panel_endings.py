"""The panel's board counts its endings from the panel kept on each closure and withdrawal
(decision 172): those counts must be the closures, reopenings and withdrawals of the cases
`restrict()` gives the seat on the seat's panels, whoever the seat is and wherever else cases end."""

import datetime

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from agencies.access import Action, UserAccess
from agencies.models import Agency, Membership, Panel, User
from cases.models import Case
from interventions import services as plans
from interventions.models import Closure, Withdrawal
from stats.figures import panel_board, quarters_back
from tests.conftest import member
from tests.factories import CaseFactory, PanelFactory, share
from tests.pages import test_section_budgets as budgets

pytestmark = pytest.mark.django_db


def _board_endings(user: User, today: datetime.date) -> dict[str, int]:
    [endings] = [figure for figure in panel_board(user, today).figures if figure.key == "closures"]
    return {column: sum(row.values[i] or 0 for row in endings.rows) for i, column in enumerate(endings.columns)}


def _hand_endings(user: User, today: datetime.date) -> dict[str, int]:
    """The same counts from the cases `restrict()` gives the seat on its panels, row by row."""
    known: QuerySet[Case] = Case.objects.restrict(user, Action.VIEW_SUMMARY).filter(
        panel_id__in=UserAccess.of(user).panel_ids
    )
    ids = set(known.values_list("pk", flat=True))
    first = quarters_back(today)[0]
    closures = [closure for closure in Closure._base_manager.all() if closure.case_id in ids]
    return {
        "Closed": sum(first <= closure.decided_on <= today for closure in closures),
        "Family withdrew": sum(
            first <= withdrawal.withdrawn_on <= today
            for withdrawal in Withdrawal._base_manager.all()
            if withdrawal.case_id in ids
        ),
        "Reopened": sum(
            closure.reopened_at is not None and first <= timezone.localdate(closure.reopened_at) <= today
            for closure in closures
        ),
    }


@pytest.fixture
def ended(agency: Agency, other_agency: Agency, panel: Panel, caseworker: User) -> dict[str, Case]:
    """Cases ended through the services: on the panel, on another panel, and on none."""
    today = timezone.localdate()
    officer = member(other_agency, Membership.Role.POLICE_LIAISON, username="officer")
    agreements = [{"agency": agency, "user": caseworker}, {"agency": other_agency, "user": officer}]
    elsewhere = PanelFactory(name="Another info-house")
    elsewhere.agencies.set([agency, other_agency])
    cases = {
        "closed": CaseFactory(owning_agency=agency, owner=caseworker, panel=panel),
        "reopened": CaseFactory(owning_agency=agency, owner=caseworker, panel=panel),
        "withdrawn": CaseFactory(owning_agency=agency, owner=caseworker, panel=panel),
        "closed elsewhere": CaseFactory(owning_agency=agency, owner=caseworker, panel=elsewhere),
        "withdrawn elsewhere": CaseFactory(owning_agency=agency, owner=caseworker, panel=elsewhere),
        "closed on no panel": CaseFactory(owning_agency=agency, owner=caseworker, panel=None),
        "police case closed on no panel": CaseFactory(owning_agency=other_agency, owner=officer, panel=None),
    }
    for key in ("closed", "reopened", "closed elsewhere", "closed on no panel"):
        share(cases[key], other_agency)
        plans.close_case(cases[key], decided_on=today, reason="Goals met", agreements=agreements, actor=caseworker)
    share(cases["police case closed on no panel"], agency)
    plans.close_case(
        cases["police case closed on no panel"],
        decided_on=today,
        reason="Goals met",
        agreements=[{"agency": other_agency, "user": officer}, {"agency": agency, "user": caseworker}],
        actor=officer,
    )
    plans.reopen_case(cases["reopened"], reason="A new concern", actor=caseworker)
    for key in ("withdrawn", "withdrawn elsewhere"):
        plans.record_withdrawal(
            cases[key], withdrawn_on=today, reason="Enough", open_door_message="Call us", actor=caseworker
        )
    return cases


def test_each_closure_and_withdrawal_keeps_its_cases_panel(ended: dict[str, Case]) -> None:
    for key, case in ended.items():
        for row in [*Closure._base_manager.filter(case=case), *Withdrawal._base_manager.filter(case=case)]:
            assert row.panel_id == case.panel_id, key


ON_THE_PANEL = {"Closed": 2, "Family withdrew": 1, "Reopened": 1}
ON_BOTH = {"Closed": 3, "Family withdrew": 2, "Reopened": 1}


@pytest.mark.parametrize(
    ("seat", "expected"), [("coordinator", ON_THE_PANEL), ("panel_member", ON_BOTH), ("liaison", ON_BOTH)]
)
def test_the_panels_endings_are_those_of_the_cases_restrict_gives_the_seat(
    ended: dict[str, Case], seat: str, expected: dict[str, int], other_agency: Agency, request: pytest.FixtureRequest
) -> None:
    # given a seat: the panel's coordinator; a member for the police, who sits on both panels the
    # police are on; or a police liaison on those panels who also works the police's own cases
    # (restrict() gives them a closed case on no panel besides the panels')
    if seat == "liaison":
        user = member(other_agency, Membership.Role.POLICE_LIAISON, Membership.Role.PANEL_MEMBER, username="liaison")
    else:
        user = request.getfixturevalue(seat)
    today = timezone.localdate()

    # when the board is drawn, then it counts what restrict() gives on the seat's panels, and only that
    assert _board_endings(user, today) == _hand_endings(user, today) == expected


def test_a_coordinator_of_both_panels_counts_the_endings_of_both(ended: dict[str, Case], coordinator: User) -> None:
    other = ended["closed elsewhere"].panel
    assert other is not None
    Panel.objects.filter(pk=other.pk).update(coordinator=coordinator)
    today = timezone.localdate()
    assert _board_endings(coordinator, today) == _hand_endings(coordinator, today) == ON_BOTH


def test_a_deleted_panel_leaves_its_endings_on_no_panel(ended: dict[str, Case], panel: Panel) -> None:
    panel.delete()
    assert not Closure._base_manager.filter(panel__isnull=False, case__panel__isnull=True).exists()
    assert Closure._base_manager.filter(case=ended["closed"], panel__isnull=True).exists()


def test_a_closure_and_a_withdrawal_saved_outside_the_services_keep_their_cases_panel(
    panel: Panel, agency: Agency, caseworker: User, coordinator: User
) -> None:
    # given a case of the panel whose closure and withdrawal are saved as a fixture, an import or
    # the test helpers do (`Model.objects.create`, not through the services)
    case = CaseFactory(owning_agency=agency, owner=caseworker, panel=panel)
    today = timezone.localdate()
    Withdrawal.objects.create(
        case=case, withdrawn_on=today, reason="Stopped", open_door_message="Call us", recorded_by=caseworker
    )
    Closure.objects.create(case=case, decided_on=today, reason="Goals met", recorded_by=caseworker)

    # then each row keeps its case's panel, and the panel's board counts both, as restrict() knows
    # the case (the board counted them before decision 172)
    for row in [*Closure._base_manager.filter(case=case), *Withdrawal._base_manager.filter(case=case)]:
        assert row.panel_id == case.panel_id, type(row).__name__
    assert _board_endings(coordinator, today) == {"Closed": 1, "Family withdrew": 1, "Reopened": 0}


def test_the_benchs_filled_case_keeps_its_panel_on_its_withdrawals_and_closures(
    panel: Panel, agency: Agency, caseworker: User
) -> None:
    # given the bench's filled case (bench/pages.py `_filled_case`), on a panel, with what follows
    # its plan added by the builder the bench uses
    case = CaseFactory(owning_agency=agency, owner=caseworker, panel=panel)
    plans.create_plan(case, goals=[{"text": "A goal", "actions": [budgets._action(case)]}], actor=caseworker)

    # when its reviews, withdrawals and reopened closures are added
    budgets.after_the_plan(case, 2)

    # then every withdrawal and closure keeps the case's panel (the bench's board counts them by it)
    rows = [*Closure._base_manager.filter(case=case), *Withdrawal._base_manager.filter(case=case)]
    assert len(rows) == 4
    assert {row.panel_id for row in rows} == {panel.pk}
