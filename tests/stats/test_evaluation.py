"""The anonymised evaluation: cohorts with small cells suppressed, the same numbers before and
after the retention anonymisation, a CSV that says who made it and is recorded."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, User
from audit.models import AuditEvent
from cases.models import Case
from interventions import services as plans
from privacy import retention
from stats.evaluation import HIDDEN, Cell, evaluation
from stats.figures import panel_board, quarters_of
from tests.conftest import api_as
from tests.factories import CaseFactory, share
from tests.interventions.conftest import goals_for

pytestmark = pytest.mark.django_db


def _cells(user: User, period: str = "year") -> dict[str, dict[str, str]]:
    table = evaluation(user, period)
    return {label: dict(zip(table.columns, cells, strict=True)) for label, *cells in table.table()}


def test_a_cohort_counts_its_cases_and_hides_cells_under_five(coordinator: User, cohort: list[Case]) -> None:
    year = str(cohort[0].opened_at.year)

    row = _cells(coordinator)[year]

    assert row["Cases"] == "7"
    assert row["Still open"] == "<5"
    assert row["Steps 1-2: identified and discussed"] == "7"
    assert row["Average days from opening to the first closure"] == "100"
    # two families referred again within the year after closure, one three years later
    assert row["Referred again within 12 months of a closure"] == "<5"
    assert row["Family withdrew"] == "0"
    # no case of the cohort was closed with its goals' outcomes recorded
    assert (row["Goals achieved"], row["Goals partly achieved"], row["Goals not achieved"]) == ("0", "0", "0")


def test_the_numbers_are_the_same_after_the_old_cases_are_anonymised(
    coordinator: User, caseworker: User, cohort: list[Case]
) -> None:
    # given the evaluation and the year's figures, as the coordinator and as the case owner
    year = cohort[0].opened_at.year
    today = timezone.localdate()
    before = {
        user.username: (_cells(user), _cells(user, "quarter"), panel_board(user, today, quarters_of(year)))
        for user in (coordinator, caseworker)
    }
    # when every closed case of the cohort is anonymised under retention
    for case in cohort[:6]:
        retention.anonymise_case(case)
    assert not Case.objects.filter(pk__in=[c.pk for c in cohort[:6]]).exclude(index_family_name_key="").exists()

    # then every number is as it was
    after = {
        user.username: (_cells(user), _cells(user, "quarter"), panel_board(user, today, quarters_of(year)))
        for user in (coordinator, caseworker)
    }
    assert after == before
    assert before["coordinator"][2].figures[1].total == 9  # the year's referrals, the later one not


def test_the_evaluation_costs_the_same_whatever_the_number_of_cases(
    coordinator: User, cohort: list[Case], django_assert_max_num_queries: object
) -> None:
    evaluation(coordinator)  # the user's access resolved once, as in a request
    with django_assert_max_num_queries(2):  # type: ignore[operator]  # the cohorts, their goals' outcomes
        evaluation(coordinator, "quarter")


def test_the_csv_says_who_made_it_and_is_recorded_with_its_rows(coordinator: User, cohort: list[Case]) -> None:
    client = Client()
    client.force_login(coordinator)

    response = client.get(reverse("stats:evaluation_csv"), {"period": "quarter"})

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].lstrip('"').startswith(f"Anonymised evaluation statistics made by {coordinator.full_name} on ")
    assert lines[1].startswith("Cohort,Cases,")
    assert lines[2].startswith(f"{cohort[0].opened_at.year} Q1,7,")
    exported = AuditEvent.objects.get(action=AuditEvent.Action.STATISTICS_EXPORTED)
    assert exported.actor == coordinator and exported.data["rows"] == 1


def test_the_evaluation_names_no_family_and_no_word_of_a_file(coordinator: User, cohort: list[Case]) -> None:
    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("stats:evaluation")).content.decode()
    report = client.get(reverse("stats:year_report"), {"year": cohort[0].opened_at.year}).content.decode()
    api = api_as(coordinator).get("/api/v1/stats/evaluation/").content.decode()
    for text in (page, report, api):
        for case in cohort:
            assert case.family.name not in text and case.reference not in text
        assert "Qwerty" not in text and "Zxcv" not in text


def test_a_caseworker_without_a_panel_seat_gets_no_evaluation(caseworker: User, cohort: list[Case]) -> None:
    client = Client()
    client.force_login(caseworker)
    assert client.get(reverse("stats:evaluation")).status_code == 403
    assert client.get(reverse("stats:evaluation_csv")).status_code == 403
    assert api_as(caseworker).get("/api/v1/stats/evaluation/").status_code == 403


def test_the_api_refuses_an_unknown_period_in_words(coordinator: User) -> None:
    response = api_as(coordinator).get("/api/v1/stats/evaluation/", {"period": "decade"})
    assert response.status_code == 400
    assert "year or quarter" in response.content.decode()


def test_the_report_of_an_impossible_year_says_so_and_shows_this_year(coordinator: User) -> None:
    client = Client()
    client.force_login(coordinator)
    response = client.get(reverse("stats:year_report"), {"year": "1066"})
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year
    assert "Ensure this value is greater than or equal to 2000." in response.content.decode()


def test_a_referral_counts_in_the_age_band_of_its_year_of_birth(coordinator: User, cohort: list[Case]) -> None:
    year = cohort[0].opened_at.year
    board = panel_board(coordinator, timezone.localdate(), quarters_of(year))
    by_age = next(figure for figure in board.figures if figure.key == "referrals_by_age")
    totals = {column: sum(row.values[i] for row in by_age.rows) for i, column in enumerate(by_age.columns)}
    # born in November fifteen years before: fifteen by the years, whatever the day
    assert totals["14 to 17"] == 7 and totals["Age not known"] == 2 and sum(totals.values()) == 9


def _raw(user: User, period: str = "year") -> dict[str, dict[str, Cell]]:
    table = evaluation(user, period)
    return {label: dict(zip(table.columns, cells, strict=True)) for label, cells in table.rows}


def test_a_cell_under_five_beside_a_shown_total_hides_the_next_smallest_too(
    coordinator: User, cohort: list[Case]
) -> None:
    # given a cohort of seven cases, one still open and six closed
    row = _cells(coordinator)[str(cohort[0].opened_at.year)]
    # then the one open case is under five, and the six closed would give it back from the total
    assert (row["Cases"], row["Still open"], row["Closed"]) == ("7", "<5", HIDDEN)


def test_a_reopened_case_keeps_its_closure_in_the_evaluation_and_the_figures(
    coordinator: User, caseworker: User, cohort: list[Case]
) -> None:
    # given the cohort's first case, closed six years ago and referred again within the year, reopened now
    year = cohort[0].opened_at.year
    plans.reopen_case(cohort[0], reason="A new concern", actor=caseworker)

    # when the evaluation and the year's figures are made
    row = _raw(coordinator)[str(year)]
    board = panel_board(coordinator, timezone.localdate(), quarters_of(year))
    endings = next(figure for figure in board.figures if figure.key == "closures")

    # then its closure still counts: in the duration, the re-referrals and the year's closures
    assert row["Average days from opening to the first closure"].behind == 6
    assert row["Referred again within 12 months of a closure"].value == 2
    assert row["Reopened after a closure"].value == 1
    assert sum(r.values[0] or 0 for r in endings.rows) == 6


def test_the_coordinator_counts_the_withdrawals_of_the_cases_she_knows_of(
    coordinator: User, caseworker: User, cohort: list[Case]
) -> None:
    # given the family of the cohort's open case withdrew (a row of a file the coordinator does not read)
    today = timezone.localdate()
    plans.record_withdrawal(
        cohort[6], withdrawn_on=today, reason="Enough", open_door_message="Call us", actor=caseworker
    )
    # then the evaluation counts it, as a number
    assert _raw(coordinator)[str(cohort[0].opened_at.year)]["Family withdrew"].value == 1


def test_goal_outcomes_are_suppressed_by_the_cases_behind_them(
    coordinator: User, agency: Agency, other_agency: Agency, caseworker: User, cohort: list[Case]
) -> None:
    # given one case of the panel whose six goals were all achieved when it closed
    case = CaseFactory(owning_agency=agency, owner=caseworker, panel=cohort[0].panel)
    share(case, other_agency)
    plan = plans.create_plan(
        case,
        goals=goals_for(agency, goals=6),
        actor=caseworker,
        agreed_by_family=True,
        agreed_by="The mother",
        agreed_on=timezone.localdate(),
    )
    officer = User.objects.get(username="officer")
    plans.close_case(
        case,
        decided_on=timezone.localdate(),
        reason="Goals met",
        agreements=[{"agency": agency, "user": caseworker}, {"agency": other_agency, "user": officer}],
        actor=caseworker,
        typology="vulnerable",
        outcomes=[{"goal": goal, "outcome": "achieved", "note": ""} for goal in plan.goals.all()],
    )
    # then six goals of one case show as under five
    row = _cells(coordinator)[str(case.opened_at.year)]
    assert row["Goals achieved"] == "<5"


def test_the_evaluation_counts_what_the_cases_turned_out_to_be(coordinator: User, cohort: list[Case]) -> None:
    row = _raw(coordinator)[str(cohort[0].opened_at.year)]
    assert row["Turned out: Vulnerable to radicalisation"].value == 6
    assert str(row["Turned out: Radicalised"]) == "0"
    # six of the seven cases: printed, it would tell that one case turned out otherwise (decision 138)
    assert str(row["Turned out: Vulnerable to radicalisation"]) == HIDDEN


def test_the_csv_opens_in_a_spreadsheet_with_its_letters(coordinator: User, cohort: list[Case]) -> None:
    client = Client()
    client.force_login(coordinator)
    response = client.get(reverse("stats:evaluation_csv"))
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Disposition"].startswith('attachment; filename="ura-evaluation-year-')


def test_the_yearly_report_shows_no_count_under_five_and_no_undated_funnel(
    coordinator: User, cohort: list[Case]
) -> None:
    client = Client()
    client.force_login(coordinator)
    # the year of the cohort holds two later referrals, one in each of two quarters
    report = client.get(reverse("stats:year_report"), {"year": cohort[0].opened_at.year}).content.decode()
    cells = re.findall(r'<td class="text-end">([^<]*)</td>', report)
    assert cells and not [cell for cell in cells if cell.strip() in {"1", "2", "3", "4"}]
    assert "&lt;5" in report
    assert "open cases by step" not in report
