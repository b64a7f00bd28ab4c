"""A section whose tables hold no row of the case reads none of them (decision 166), and shows
exactly what it showed when it read them and found nothing: for its owner, for a summary reader,
for each section of the case page."""

from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from agencies.access import CaseAccess
from agencies.models import Panel, User
from agencies.sections import CaseSection
from cases.models import Case
from pages.views import CaseView
from tests.pages.test_section_budgets import _read

pytestmark = pytest.mark.django_db

# What a section still reads for a case with no row of its own tables: for its owner, the family's
# members (every case has its index person) and the people the family met on any of its cases; for
# a member of the case's panel, the panel's agencies (who is involved).
STILL_READ = {
    "owner": {"members": 1, "children": 1, "field_safety": 1},
    "summary reader": {"involvement": 1},
}


def _shown(section: CaseSection, case: Case, user: User) -> tuple[str, int]:
    """The section's partial as the page renders it, and the queries it cost."""
    access = CaseAccess.of(case, user)
    with CaptureQueriesContext(connection) as queries:
        shown = section.show(case, user, access)
        html = (
            ""
            if shown is None
            else render_to_string(shown.template_name, {"case": case, "access": access, "user": user, **shown.context})
        )
    return html, len(queries)


def _the_long_way(case: Case) -> Case:
    """The same case read, with what it says of its tables' rows let go: every table is read."""
    vars(case)["rows_read"] = ""
    return case


@pytest.fixture(params=list(STILL_READ))
def reader(request: Any, case: Case, panel: Panel, panel_member: User) -> tuple[str, User]:
    if request.param == "owner":
        return request.param, case.owner
    Case.objects.filter(pk=case.pk).update(panel=panel)
    return request.param, panel_member


@pytest.mark.parametrize("section", CaseView.sections, ids=lambda section: section.name)
def test_a_section_without_rows_reads_nothing_and_shows_the_same(
    section: CaseSection, case: Case, reader: tuple[str, User]
) -> None:
    kind, user = reader
    # given a new case, with no row in any of its sections' tables, read as the page reads it
    _shown(section, _read(case, user), user)  # what every section shares (permissions) read once
    # when the section is shown, and again with every table read
    html, cost = _shown(section, _read(case, user), user)
    expected, _ = _shown(section, _the_long_way(_read(case, user)), user)
    # then it shows the same, and reads only what is not a row of its own tables
    assert html == expected
    assert cost == STILL_READ[kind].get(section.name, 0)
