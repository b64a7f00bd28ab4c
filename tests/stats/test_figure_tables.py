"""Each figure's table on the dashboard prints the board's own counts, row by row, in the reader's
language: a missing median as a dash, a figure with no rows as "nothing to count"."""

import re

import pytest
from django.template import Context, Template
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from agencies.models import Agency, Panel, User
from stats.figures import Figure, Row, boards_for
from stats.templatetags.figure_tables import figure_body
from tests.conftest import member
from tests.factories import CaseFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def _table(page: str, figure: Figure) -> str:
    match = re.search(rf'aria-labelledby="figure-{figure.key}">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert match, figure.key
    return match.group(1)


def _printed_rows(body: str) -> list[tuple[str, list[str]]]:
    rows = re.findall(r'<tr>\s*<th scope="row" class="fw-normal">(.*?)</th>(.*?)</tr>', body, re.S)
    return [(label, re.findall(r'<td class="text-end">(.*?)</td>', cells)) for label, cells in rows]


def _dashboard(user: User) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("stats:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_every_table_prints_its_figures_counts_row_by_row(
    agency: Agency, panel: Panel, caseworker: User, coordinator: User
) -> None:
    # given cases of the caseworker's on the panel at several steps, and a referral to the panel
    for stage in (1, 1, 3):
        CaseFactory(owning_agency=agency, owner=caseworker, panel=panel, stage=stage)
    ReferralFactory(received_by=agency, panel=panel, channel="police")

    for user in (caseworker, coordinator):
        # when each opens the dashboard
        page = _dashboard(user)
        # then each table holds the figure's rows, every count as counted, a missing median as a dash
        for board in boards_for(user, timezone.localdate()):
            for figure in board.figures:
                body = _table(page, figure)
                if not figure.rows:
                    assert "Nothing to count." in body, figure.key
                    continue
                expected = [
                    (escape(row.label), ["\u2013" if value is None else str(value) for value in row.values])
                    for row in figure.rows
                ]
                assert _printed_rows(body) == expected, figure.key


def test_a_median_over_nothing_is_a_dash_and_an_empty_figure_says_so_in_albanian(
    coordinator: User, panel: Panel, supervisor: User
) -> None:
    # given a panel with no referral yet, and a supervisor of an agency with no worker on a case
    User.objects.filter(pk__in=[coordinator.pk, supervisor.pk]).update(language="sq")
    today = timezone.localdate()
    [median] = [figure for board in boards_for(coordinator, today) for figure in board.figures if figure.median]
    [empty] = [figure for board in boards_for(supervisor, today) for figure in board.figures if not figure.rows]

    # when each opens the dashboard, in Albanian
    # then the medians over nothing are dashes, and the empty figure says there is nothing to count
    rows = _printed_rows(_table(_dashboard(User.objects.get(pk=coordinator.pk)), median))
    assert rows and all(values[0] == "\u2013" for _label, values in rows)
    body = _table(_dashboard(User.objects.get(pk=supervisor.pk)), empty)
    assert "Asgjë për të numëruar." in body and "Nothing to count." not in body


def test_a_workers_name_is_printed_as_text_not_markup(agency: Agency, supervisor: User) -> None:
    # given a worker whose name holds markup, with a case of the supervisor's agency
    worker = member(agency, username="worker")
    User.objects.filter(pk=worker.pk).update(first_name='<script>alert("x")</script>', last_name="&Co")
    CaseFactory(owning_agency=agency, owner=User.objects.get(pk=worker.pk))
    # when the supervisor opens the dashboard, then the name is in the caseloads' table as text
    page = _dashboard(supervisor)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;Co" in page


@pytest.mark.parametrize("language", ["en", "sq"])
def test_where_thousands_are_grouped_a_count_is_printed_as_a_template_prints_it(language: str) -> None:
    figure = Figure("big", "Big", ("Cases",), (Row("All", (1234,)),), "counts")
    with override_settings(USE_THOUSAND_SEPARATOR=True), translation.override(language):
        printed = Template("{{ value }}").render(Context({"value": 1234}))
        assert language != "en" or printed == "1,234"  # English groups thousands, Albanian's format does not
        assert _printed_rows(figure_body(figure)) == [("All", [printed])]
    assert _printed_rows(figure_body(figure)) == [("All", ["1234"])]
