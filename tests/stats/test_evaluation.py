"""The anonymised evaluation: cohorts with small cells suppressed, the same numbers before and
after the retention anonymisation, a CSV that says who made it and is recorded."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import User
from audit.models import AuditEvent
from cases.models import Case
from privacy import retention
from stats.evaluation import evaluation
from stats.figures import panel_board, quarters_of
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def _cells(user: User, period: str = "year") -> dict[str, dict[str, str]]:
    table = evaluation(user, period)
    return {label: dict(zip(table.columns, cells, strict=True)) for label, *cells in table.table()}


def test_a_cohort_counts_its_cases_and_hides_cells_under_five(coordinator: User, cohort: list[Case]) -> None:
    year = str(cohort[0].opened_at.year)

    row = _cells(coordinator)[year]

    assert row["Cases"] == "7"
    assert row["Closed"] == "6"
    assert row["Still open"] == "<5"
    assert row["Steps 1-2: identified and discussed"] == "7"
    assert row["Average days from opening to closure"] == "100"
    # two families referred again within the year after closure, one three years later
    assert row["Referred again within 12 months of closure"] == "<5"
    # withdrawals are rows of the full file: the coordinator reads none of these files in full
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

    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("Anonymised evaluation statistics made by coordinator on ")
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
