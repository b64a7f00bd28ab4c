"""The bench's filled case ("every section filled, five rows each", bench/pages.py) is built with
the section budgets' builders, one after another on one case. Each builder was written for a case
of its own: `_decisions` moves the case to a new panel of one agency after `_involved` put it on a
panel of five, and `_service_referrals` deletes the plans `_plan` made (the active one and the
draft). The page timed then shows one panel agency and no draft or earlier plan."""

import pytest

from cases.models import Case
from interventions.models import InterventionPlan
from tests.conftest import member
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_the_filled_case_has_five_rows_in_the_sections_its_builders_fill() -> None:
    from bench.pages import _filled_case

    owner = member(AgencyFactory())
    case = Case.objects.get(pk=_filled_case(owner))
    assert case.panel is not None
    # involvement: the agencies of the case's panel (`_involved` adds five)
    assert case.panel.agencies.count() >= 5
    # interventions: the active plan and the drafts and earlier ones beside it (`_plan` makes two)
    assert InterventionPlan.objects.filter(case=case).count() >= 2


def test_the_filled_case_is_built_beside_rows_the_factories_made_since_a_build_a_moment_ago() -> None:
    import time

    from bench.pages import FILLED, _filled_case

    owner = member(AgencyFactory())
    _filled_case(owner)
    Case.objects.filter(reference=FILLED).update(reference="an earlier build")
    # the factories go on from where the first build left them, seconds later
    for _ in range(3):
        AgencyFactory()
    time.sleep(1)
    again = member(AgencyFactory())
    assert Case.objects.get(pk=_filled_case(again)).reference == FILLED
