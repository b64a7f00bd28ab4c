"""No count under 5 can be worked out from the evaluation (decision 138): not from the page, the CSV
or the API, by year or by quarter, by subtracting any cell from its total, a part from the whole,
the other quarters from their year, or any chain of these.

The attacker here knows only what the columns mean (which counts are parts of which) and reads
what the three channels print; the cohorts are made through the services, their dates moved back."""

import csv
import datetime
import html
import io
import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Panel, User
from cases import services as case_services
from cases.models import Case, Contact
from interventions import services as plans
from interventions.models import Closure, Typology
from tests.conftest import api_as
from tests.factories import CaseFactory, share

pytestmark = pytest.mark.django_db

Table = dict[str, dict[str, str]]  # row label -> column title -> the cell as printed

# What the columns mean, as a reader of the page knows it.
CASES = "Cases"
BANDS = (
    "Steps 1-2: identified and discussed",
    "Steps 3-5: contacted and assessed",
    "Steps 6-8: plan agreed and monitored",
    "Steps 9-10: reducing involvement",
)
MADE, ON_TIME = "First contact made", "First contact on time"
# Counts of some of the cohort's cases: the cases less any of them are the others.
SUBSETS = (
    "Reopened after a closure",
    "Family withdrew",
    MADE,
    "Referred again within 12 months of a closure",
    *(f"Turned out: {label}" for label in Typology.labels),
)
AVERAGE = "Average days from opening to the first closure"


def _moment(year: int, month: int) -> datetime.datetime:
    return datetime.datetime(year, month, 1, 10, 0, tzinfo=timezone.get_current_timezone())


class Cohorts:
    """Cases of the panel, made as their owner makes them, then moved back to when they were opened."""

    def __init__(self, panel: Panel, agency: Agency, other_agency: Agency, caseworker: User, officer: User) -> None:
        self.panel, self.agency, self.other_agency = panel, agency, other_agency
        self.caseworker, self.officer = caseworker, officer

    def case(self, opened: datetime.datetime, contact: str = "") -> Case:
        """A case opened then; `contact`: "on_time" (five days in, due in seven), "late" (ten days
        in), or none yet."""
        case = CaseFactory(owning_agency=self.agency, owner=self.caseworker, panel=self.panel)
        share(case, self.other_agency)
        due = opened.date() + datetime.timedelta(days=7)
        if contact:
            case_services.record_contact(Contact(case=case), actor=self.caseworker)
        made = opened.date() + datetime.timedelta(days=5 if contact == "on_time" else 10) if contact else None
        Case.objects.filter(pk=case.pk).update(opened_at=opened, first_contact_due_on=due, first_contact_on=made)
        case.refresh_from_db()
        return case

    def close(self, case: Case, typology: str, after_days: int = 100) -> None:
        agreements = [
            {"agency": self.agency, "user": self.caseworker},
            {"agency": self.other_agency, "user": self.officer},
        ]
        plans.close_case(
            case, decided_on=timezone.localdate(), reason="Goals met", agreements=agreements,
            actor=self.caseworker, typology=typology,
        )  # fmt: skip
        closed = case.opened_at + datetime.timedelta(days=after_days)
        Case.objects.filter(pk=case.pk).update(closed_at=closed)
        Closure._base_manager.filter(case_id=case.pk).update(decided_on=closed.date(), created_at=closed)

    def withdraw(self, case: Case, typology: str) -> None:
        plans.record_withdrawal(
            case, withdrawn_on=timezone.localdate(), reason="Enough", open_door_message="Call us",
            actor=self.caseworker, typology=typology,
        )  # fmt: skip


@pytest.fixture
def cohorts(panel: Panel, agency: Agency, other_agency: Agency, caseworker: User, officer: User) -> Cohorts:
    return Cohorts(panel, agency, other_agency, caseworker, officer)


# --- The three channels ---------------------------------------------------------------------------


def _from_page(client: Client, period: str) -> Table:
    page = client.get(reverse("stats:evaluation"), {"period": period}).content.decode()
    table = page[page.index("<table") : page.index("</table>")]
    columns = [html.unescape(title) for title in re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', table)][1:]
    rows: Table = {}
    for label, cells in re.findall(r'<tr>\s*<th scope="row">([^<]*)</th>(.*?)</tr>', table, flags=re.S):
        values = [html.unescape(cell) for cell in re.findall(r'<td class="text-end">([^<]*)</td>', cells)]
        rows[html.unescape(label)] = dict(zip(columns, values, strict=True))
    return rows


def _from_csv(client: Client, period: str) -> Table:
    content = client.get(reverse("stats:evaluation_csv"), {"period": period}).content.decode("utf-8-sig")
    _made_by, header, *lines = list(csv.reader(io.StringIO(content)))
    return {line[0]: dict(zip(header[1:], line[1:], strict=True)) for line in lines}


def _from_api(user: User, period: str) -> Table:
    answer = api_as(user).get("/api/v1/stats/evaluation/", {"period": period}).json()
    return {row["cohort"]: dict(zip(answer["columns"], row["cells"], strict=True)) for row in answer["cohorts"]}


def _published(user: User) -> tuple[Table, Table]:
    """The year table and the quarter table, the same on the page, in the CSV and in the API."""
    client = Client()
    client.force_login(user)
    tables = []
    for period in ("year", "quarter"):
        page, sheet, api = _from_page(client, period), _from_csv(client, period), _from_api(user, period)
        assert page == sheet == api, period
        tables.append(page)
    return tables[0], tables[1]


# --- The attacker ---------------------------------------------------------------------------------


def _relations(years: Table, quarters: Table) -> Iterator[tuple[tuple[str, str], list[tuple[str, str]]]]:
    """(total, parts) for every sum the reader knows of; "~" cells are printed nowhere."""
    for row in [*years, *quarters]:
        yield (row, CASES), [(row, band) for band in BANDS]
        yield (row, CASES), [(row, "Still open"), (row, "Closed")]
        yield (row, MADE), [(row, ON_TIME), (row, "~made not on time")]
        for column in SUBSETS:
            yield (row, CASES), [(row, column), (row, f"~not: {column}")]
    columns = [column for column in next(iter(years.values())) if column != AVERAGE]
    for year in years:
        these = [quarter for quarter in quarters if quarter.startswith(f"{year} Q")]
        for column in [*columns, "~made not on time", *(f"~not: {column}" for column in SUBSETS)]:
            yield (year, column), [(quarter, column) for quarter in these]


def _worked_out(years: Table, quarters: Table) -> dict[tuple[str, str], int]:
    """Every cell that subtraction gives back, chains included: whenever all cells of a sum but one
    are known, that one is; until nothing more follows."""
    known = {
        (row, column): int(cell)
        for table in (years, quarters)
        for row, cells in table.items()
        for column, cell in cells.items()
        if cell.isdigit() and column != AVERAGE
    }
    relations = list(_relations(years, quarters))
    found: dict[tuple[str, str], int] = {}
    progress = True
    while progress:
        progress = False
        for total, parts in relations:
            missing = [cell for cell in (total, *parts) if cell not in known]
            if len(missing) != 1:
                continue
            [cell] = missing
            rest = sum(known[part] for part in parts if part != cell)
            known[cell] = found[cell] = known[total] - rest if cell != total else rest
            progress = True
    return found


def _given_back(user: User) -> dict[tuple[str, str], int]:
    """The counts under 5 that the published tables give back: a cell printed "<5", or one printed
    nowhere, worked out all the same."""
    years, quarters = _published(user)
    printed = {
        (row, column): cell
        for table in (years, quarters)
        for row, cells in table.items()
        for column, cell in cells.items()
    }
    return {
        cell: value
        for cell, value in _worked_out(years, quarters).items()
        if printed.get(cell) == "<5" or (cell[1].startswith("~") and 0 < value < 5)
    }


def _pinned(user: User) -> dict[tuple[str, str], int]:
    """The counts under 5 that what a reader knows of the cells not shown gives back: a "<5" is 1 to
    4, a "[c]" is not below zero, a cell printed nowhere neither; each sum narrows the least and the
    most of its cells until nothing narrows more, and a cell whose least is its most is known."""
    years, quarters = _published(user)
    printed = {
        (row, column): cell
        for table in (years, quarters)
        for row, cells in table.items()
        for column, cell in cells.items()
        if column != AVERAGE
    }
    relations = list(_relations(years, quarters))
    least: dict[tuple[str, str], float] = {}
    most: dict[tuple[str, str], float] = {}
    for total, parts in relations:
        for cell in (total, *parts):
            shown = printed.get(cell, "")
            least[cell], most[cell] = (
                (int(shown), int(shown)) if shown.isdigit() else (1, 4) if shown == "<5" else (0, float("inf"))
            )
    progress = True
    while progress:
        progress = False
        for total, parts in relations:
            narrower = {total: (sum(least[part] for part in parts), sum(most[part] for part in parts))}
            for part in parts:
                others = [other for other in parts if other != part]
                narrower[part] = (
                    least[total] - sum(most[other] for other in others),
                    most[total] - sum(least[other] for other in others),
                )
            for cell, (low, high) in narrower.items():
                if low > least[cell] or high < most[cell]:
                    least[cell], most[cell] = max(least[cell], low), min(most[cell], high)
                    progress = True
    return {
        cell: int(least[cell])
        for cell in least
        if least[cell] == most[cell]
        and (printed.get(cell) == "<5" or (cell[1].startswith("~") and 0 < least[cell] < 5))
    }


# --- The tests ------------------------------------------------------------------------------------


def test_first_contact_on_time_cannot_be_worked_out_by_subtraction(coordinator: User, cohorts: Cohorts) -> None:
    # given a year whose first quarter's eight cases were contacted, six on time and two late, and
    # whose second quarter's six were contacted, three on time (a count under 5) and three late
    year = timezone.localdate().year - 6
    for contact in ["on_time"] * 6 + ["late"] * 2:
        cohorts.case(_moment(year, 2), contact)
    for contact in ["on_time"] * 3 + ["late"] * 3:
        cohorts.case(_moment(year, 5), contact)

    # when the coordinator reads the evaluation by year and by quarter, on the page, in the CSV and the API
    years, quarters = _published(coordinator)

    # then the quarter's three on time are printed as under 5 and the cases are counted as they are
    assert quarters[f"{year} Q2"][ON_TIME] == "<5"
    assert (years[str(year)][CASES], quarters[f"{year} Q1"][CASES], quarters[f"{year} Q2"][CASES]) == ("14", "8", "6")
    # and neither the year less the first quarter, nor made less on time, gives back a count under 5:
    # not the three on time of the second quarter, not the two late of the first
    assert _given_back(coordinator) == {}
    q1, whole = quarters[f"{year} Q1"], years[str(year)]
    if whole[ON_TIME].isdigit() and q1[ON_TIME].isdigit():
        assert int(whole[ON_TIME]) - int(q1[ON_TIME]) != 3
    if q1[MADE].isdigit() and q1[ON_TIME].isdigit():
        assert int(q1[MADE]) - int(q1[ON_TIME]) != 2


def test_no_difference_of_published_cells_gives_back_a_count_under_five(
    coordinator: User, caseworker: User, cohorts: Cohorts
) -> None:
    # given a small cohort with a little of everything: two years, quarters of 7, 5, 1 and 9 cases;
    # contacts on time, late and not yet; closures, one reopened; withdrawals; what they turned out to be
    year = timezone.localdate().year - 6
    first = [cohorts.case(_moment(year, 2), contact) for contact in ["on_time"] * 5 + ["late", ""]]
    for case in first[:6]:
        cohorts.close(case, Typology.VULNERABLE)
    plans.reopen_case(first[0], reason="A new concern", actor=caseworker)
    second = [cohorts.case(_moment(year, 5), "late") for _n in range(5)]
    for case in second[:2]:
        cohorts.withdraw(case, Typology.NOT_RADICALISATION)
    cohorts.case(_moment(year, 8), "on_time")
    for contact in ["on_time"] * 8 + [""]:
        cohorts.case(_moment(year + 1, 3), contact)

    # when every published row is read and every difference tried, chains of them included
    years, quarters = _published(coordinator)
    given_back = _given_back(coordinator)

    # then none gives back a count under 5; every other cell is a number
    assert given_back == {}
    assert (years[str(year)][CASES], years[str(year + 1)][CASES]) == ("13", "9")
    assert quarters[f"{year} Q3"][CASES] == "<5"
    for table in (years, quarters):
        for cells in table.values():
            assert all(cell in ("<5", "[c]") or cell.isdigit() for column, cell in cells.items() if column != AVERAGE)


def test_a_table_with_nothing_small_is_printed_whole(coordinator: User, cohorts: Cohorts) -> None:
    # given a year of ten cases opened in one quarter, all contacted on time
    year = timezone.localdate().year - 6
    for _n in range(10):
        cohorts.case(_moment(year, 2), "on_time")
    # then nothing is hidden, by year or by quarter
    years, quarters = _published(coordinator)
    assert "[c]" not in years[str(year)].values() and "<5" not in years[str(year)].values()
    assert quarters[f"{year} Q1"] == years[str(year)]


def test_a_total_beside_parts_under_five_that_can_only_be_four_is_hidden(coordinator: User, cohorts: Cohorts) -> None:
    # given eight cases opened in one quarter, four of them closed: 8 = "<5" + "<5" is 4 + 4
    year = timezone.localdate().year - 6
    cases = [cohorts.case(_moment(year, 2)) for _n in range(8)]
    for case in cases[:4]:
        cohorts.close(case, Typology.VULNERABLE)

    # when the coordinator reads the evaluation by year and by quarter, on the page, in the CSV and the API
    years, quarters = _published(coordinator)

    # then still open and closed are under 5, and neither the year nor the quarter prints the 8 beside them
    for row in (years[str(year)], quarters[f"{year} Q1"]):
        assert (row["Still open"], row["Closed"]) == ("<5", "<5")
        assert row[CASES] == "[c]"
    # and no count under 5 follows, by subtraction or by what "<5" and "[c]" say of the cells
    assert _given_back(coordinator) == {}
    assert _pinned(coordinator) == {}
