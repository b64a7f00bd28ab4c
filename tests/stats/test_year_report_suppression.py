"""No count under 5 can be worked out from the yearly report's tables together (decision 138): not
the late ones from the medians' "Measured" less those on time, not a quarter's "<5" from another
referral table's complete row of the same quarter."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import User
from cases.models import Case
from stats.figures import HIDDEN, Figure, Row, protected

COLUMNS = ("On time", "Late", "Not yet, overdue", "Not yet, still in time")


def _deadlines(triage: tuple[int, ...], contact: tuple[int, ...] = (10, 10, 0, 0)) -> Figure:
    return Figure("deadlines_met", "Deadlines", COLUMNS, (Row("Triage", triage), Row("Contact", contact)), "")


def _waits(measured: tuple[int, int]) -> Figure:
    rows = (Row("Triage, hours", (12, measured[0])), Row("Contact, days", (3, measured[1])))
    return Figure("median_times", "Waits", ("Median", "Measured"), rows, "", median=True)


def _referrals(key: str, rows: list[tuple[int, ...]]) -> Figure:
    columns = tuple(f"{key} {index}" for index in range(len(rows[0])))
    return Figure(key, key, columns, tuple(Row(f"Q{n + 1}", values) for n, values in enumerate(rows)), "")


def _printed(figures: list[Figure]) -> dict[str, list[tuple[str, ...]]]:
    return {figure.key: [cells for _label, cells in figure.suppressed_rows()] for figure in figures}


def test_measured_less_on_time_does_not_give_back_the_late_ones() -> None:
    # given 20 referrals triaged on time and 3 late: the medians' 23 measured less 20 is 3
    figures = protected([_deadlines((20, 3, 0, 0)), _waits((23, 20))])
    printed = _printed(figures)
    triage, measured = printed["deadlines_met"][0], printed["median_times"][0][1]
    # then the 3 is "<5" and either the 20 or the 23 is hidden
    assert triage[1] == "<5"
    assert HIDDEN in (triage[0], measured)
    assert not (triage[0].isdigit() and measured.isdigit() and int(measured) - int(triage[0]) == 3)
    # and the contact row, with nothing small, is printed whole
    assert printed["deadlines_met"][1] == ("10", "10", "0", "0") and printed["median_times"][1][1] == "20"


def test_a_quarter_under_five_is_not_given_back_by_another_table_of_the_same_referrals() -> None:
    # given one quarter of 12 referrals: 9 and 3 by channel, 6 and 6 by concern (nothing small there)
    figures = protected(
        [_referrals("referrals_by_channel", [(9, 3), (8, 8)]), _referrals("referrals_by_concern", [(6, 6), (10, 6)])]
    )
    printed = _printed(figures)
    channel, concern = printed["referrals_by_channel"][0], printed["referrals_by_concern"][0]
    # then the 3 is "<5", and 6 + 6 less 9 does not give it back: the smallest that frees it, a 6, is hidden
    assert channel == ("9", "<5")
    assert concern == (HIDDEN, "6")
    # and the other quarter, with nothing small, is printed whole
    assert printed["referrals_by_channel"][1] == ("8", "8") and printed["referrals_by_concern"][1] == ("10", "6")


def test_tables_that_do_not_add_up_to_each_other_are_not_linked() -> None:
    # given two tables whose quarters hold different referrals (their sums differ): no sum links them
    figures = protected([_referrals("referrals_by_channel", [(9, 3)]), _referrals("referrals_by_concern", [(7, 6)])])
    assert _printed(figures)["referrals_by_channel"][0] == ("9", "<5")


@pytest.mark.django_db
def test_the_yearly_report_hides_the_year_total_that_gives_back_two_quarters(
    coordinator: User, cohort: list[Case]
) -> None:
    # given the cohort's year: seven referrals in its first quarter, one in its third, one in its fourth,
    # none triaged yet: nine overdue, which less the seven leaves 2 for two quarters of "<5", 1 and 1
    client = Client()
    client.force_login(coordinator)
    response = client.get(reverse("stats:year_report"), {"year": cohort[0].opened_at.year})
    figures = {figure.key: figure.suppressed_rows() for figure in response.context["figures"]}
    report = response.content.decode()

    # then each referral table prints the seven and the two "<5"
    for key in ("referrals_by_channel", "referrals_by_concern", "referrals_by_age", "referrals_by_outcome"):
        rows = [cells for _label, cells in figures[key]]
        assert "7" in rows[0] and "<5" in rows[2] and "<5" in rows[3]
    # and the nine overdue are hidden, on the page as in the figure
    assert figures["deadlines_met"][0][1] == ("0", "0", HIDDEN, "0")
    assert "[c]" in report and ">9<" not in report
    assert not [
        cell for cell in re.findall(r'<td class="text-end">([^<]*)</td>', report) if cell in {"1", "2", "3", "4"}
    ]
