"""The wide dashboards count open cases from an index alone (decision 167): at a million cases the
panel's 300,000 cases by step, or ten agencies' cases by owner, read from the case rows took 30-80 ms
per figure; read from a covering index, a few. Each figure's query is asked for a plan with the
scans that read case rows forbidden: it must still find a scan of its index that needs no row."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Agency, Membership, Panel, User
from cases.models import Case
from interventions import services as plans
from stats.figures import panel_board, supervisor_board
from tests.conftest import member
from tests.factories import CaseFactory, share

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="covering indexes and plans are PostgreSQL's"),
    # VACUUM (which marks the rows visible to all, as autovacuum does in production) runs outside a
    # transaction.
    pytest.mark.django_db(transaction=True),
]


def plan_of(sql: str) -> str:
    """The plan PostgreSQL chooses for `sql` when it may not scan the whole table nor gather rows
    found in an index (a handful of rows would be read whole: cheaper than any index)."""
    with connection.cursor() as cursor:
        # The rows of tests rolled back before this one in the same worker (an order the parallel
        # run chooses) leave index pages that VACUUM empties but keeps: a bloated index costs more
        # to scan than a smaller one, and the plan then depends on which tests ran first (seen: 31
        # pages of the panel's index against 6 of another). Rebuilt, each index is the size of the
        # rows present, as in a database of only these rows.
        cursor.execute("REINDEX TABLE cases_case")
        cursor.execute("VACUUM ANALYZE cases_case")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def the_query(captured: CaptureQueriesContext, starts: str) -> str:
    [sql] = [query["sql"] for query in captured.captured_queries if query["sql"].startswith(starts)]
    return sql


@pytest.fixture
def open_cases(panel: Panel, agency: Agency, caseworker: User) -> list[Case]:
    due = timezone.localdate() + datetime.timedelta(days=3)
    cases = []
    for _n in range(3):
        case = CaseFactory(owning_agency=agency, owner=caseworker, panel=panel, first_contact_due_on=due)
        cases.append(case)
    return cases


@pytest.fixture
def seat_who_works_cases(panel: Panel, other_agency: Agency) -> User:
    """Works the police's cases and sits on the panel for them: restrict() asks about the owning
    agency too."""
    return member(other_agency, Membership.Role.POLICE_LIAISON, Membership.Role.PANEL_MEMBER, username="liaison")


@pytest.mark.parametrize("seat", ["coordinator", "seat_who_works_cases"])
def test_the_panels_open_cases_by_step_and_first_contacts_are_counted_from_an_index(
    open_cases: list[Case], seat: str, request: pytest.FixtureRequest
) -> None:
    with CaptureQueriesContext(connection) as captured:
        panel_board(request.getfixturevalue(seat), timezone.localdate())
    by_step = the_query(captured, 'SELECT "cases_case"."stage" AS "stage", COUNT(')
    assert "Index Only Scan using cases_case_panel_stage_open" in plan_of(by_step)
    contacts = the_query(captured, 'SELECT COUNT("cases_case"."id") FILTER (WHERE "cases_case"."first_contact_on" <=')
    assert "Index Only Scan using cases_case_panel_contact_idx" in plan_of(contacts)


def test_the_supervised_agencies_open_cases_by_owner_and_deadline_are_counted_from_an_index(
    open_cases: list[Case], supervisor: User
) -> None:
    with CaptureQueriesContext(connection) as captured:
        supervisor_board(supervisor, timezone.localdate())
    # by owner and agency: the caseloads, the deadlines passed and the cases left without a worker
    by_owner = the_query(captured, 'SELECT "cases_case"."owner_id" AS "owner_id", "cases_case"."owning_agency_id"')
    assert "Index Only Scan using cases_case_agency_open_cover" in plan_of(by_owner)
    assert not [
        query for query in captured.captured_queries if 'FROM "cases_case"' in query["sql"] and query["sql"] != by_owner
    ]


def test_the_panels_endings_are_counted_from_their_own_indexes_not_from_its_cases(
    panel: Panel, agency: Agency, other_agency: Agency, caseworker: User, coordinator: User
) -> None:
    # given a case of the panel closed, reopened and withdrawn from, through the services
    officer = member(other_agency, Membership.Role.POLICE_LIAISON, username="officer")
    case = CaseFactory(owning_agency=agency, owner=caseworker, panel=panel)
    share(case, other_agency)
    today = timezone.localdate()
    agreements = [{"agency": agency, "user": caseworker}, {"agency": other_agency, "user": officer}]
    plans.close_case(case, decided_on=today, reason="Goals met", agreements=agreements, actor=caseworker)
    plans.reopen_case(case, reason="A new concern", actor=caseworker)
    plans.record_withdrawal(case, withdrawn_on=today, reason="Enough", open_door_message="Call us", actor=caseworker)
    with connection.cursor() as cursor:
        for table in ("interventions_closure", "interventions_withdrawal"):
            cursor.execute(f"VACUUM ANALYZE {table}")

    # when the coordinator's board is counted
    with CaptureQueriesContext(connection) as captured:
        panel_board(coordinator, today)

    # then its endings are one query, each count an index-only scan by panel and date, no case read
    [endings] = [query["sql"] for query in captured.captured_queries if "interventions_closure" in query["sql"]]
    plan = plan_of(endings)
    for index in ("interventions_closed_panel_idx", "interventions_reopen_panel_idx", "interventions_withdrew_pnl_idx"):
        assert f"Index Only Scan using {index}" in plan
    assert "cases_case" not in endings
