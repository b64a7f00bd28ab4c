"""The interventions section of a case that never had a plan, but has a withdrawal, a standing
closure or a closure since reopened (decision 166 lets the section skip its reads only when none of
its tables holds a row of the case): it shows the row, exactly as when every table is read."""

from collections.abc import Callable

import pytest

from agencies.models import Agency, User
from cases.models import Case
from interventions import services
from interventions.models import InterventionPlan
from interventions.sections import Interventions
from tests.interventions.conftest import agreements, days
from tests.pages.test_section_budgets import _read
from tests.pages.test_sections_of_a_case_without_rows import _shown, _the_long_way

pytestmark = pytest.mark.django_db


def _withdrawn(case: Case, other: Agency, other_user: User) -> str:
    services.record_withdrawal(
        case, withdrawn_on=days(0), reason="Qzx withdrew", open_door_message="Call us", actor=case.owner
    )
    return "Qzx withdrew"


def _closed(case: Case, other: Agency, other_user: User) -> str:
    services.close_case(
        case, decided_on=days(0), reason="Qzx closed", agreements=agreements(case, other, other_user), actor=case.owner
    )
    return "Qzx closed"


def _reopened(case: Case, other: Agency, other_user: User) -> str:
    _closed(case, other, other_user)
    services.reopen_case(case, reason="Qzx reopened", actor=case.owner)
    return "Qzx reopened"


@pytest.mark.parametrize("record", [_withdrawn, _closed, _reopened], ids=lambda record: record.__name__)
def test_a_case_without_a_plan_shows_what_it_has(
    record: Callable[[Case, Agency, User], str], case: Case, other_agency: Agency, auditor_readonly: User
) -> None:
    # given a case that never had a plan, with only a withdrawal or a closure
    shown_text = record(case, other_agency, auditor_readonly)
    assert not InterventionPlan.objects.filter(case=case).exists()
    section = Interventions()
    # when its owner reads the section as the page reads it, and again with every table read
    html, _ = _shown(section, _read(case, case.owner), case.owner)
    expected, _ = _shown(section, _the_long_way(_read(case, case.owner)), case.owner)
    # then it shows the row, as the long way does
    assert shown_text in expected
    assert html == expected
