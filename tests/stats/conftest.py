"""A panel's cohort of cases, opened and closed years ago through the services, with referrals."""

import datetime

import pytest
from django.utils import timezone

from agencies.models import Agency, Membership, Panel, User
from cases.models import Case
from interventions import services as plans
from interventions.models import Closure
from tests.conftest import member
from tests.factories import CaseFactory, ReferralFactory, share


def opened_years_ago(case: Case, years: int, closed_after_days: int | None = None) -> Case:
    """Move a case's dates back: opened `years` ago (on 1 March), closed some days later."""
    opened = datetime.datetime(timezone.localdate().year - years, 3, 1, 10, 0, tzinfo=timezone.get_current_timezone())
    closed = opened + datetime.timedelta(days=closed_after_days) if closed_after_days is not None else None
    Case.objects.filter(pk=case.pk).update(opened_at=opened, closed_at=closed)
    if closed is not None:  # the closure decided on the day the case closed
        Closure._base_manager.filter(case_id=case.pk).update(decided_on=closed.date(), created_at=closed)
    case.refresh_from_db()
    return case


@pytest.fixture
def officer(other_agency: Agency) -> User:
    return member(other_agency, Membership.Role.POLICE_LIAISON, username="officer")


@pytest.fixture
def cohort(panel: Panel, agency: Agency, other_agency: Agency, caseworker: User, officer: User) -> list[Case]:
    """Seven cases of the panel opened six years ago; six closed 100 days later (through the
    closing service, found vulnerable to radicalisation), one still open; two families referred
    again within the year after closure, one three years after; the index people born in years
    that make them 15 at the referral."""
    cases = []
    for _n in range(7):
        case = CaseFactory(owning_agency=agency, owner=caseworker, panel=panel)
        share(case, other_agency)
        cases.append(case)
    agreements = [{"agency": agency, "user": caseworker}, {"agency": other_agency, "user": officer}]
    for case in cases[:6]:
        plans.close_case(
            case,
            decided_on=timezone.localdate(),
            reason="Goals met Qwerty",
            agreements=agreements,
            actor=caseworker,
            typology="vulnerable",
        )
    for index, case in enumerate(cases):
        opened_years_ago(case, 6, 100 if index < 6 else None)
        ReferralFactory(
            received_by=agency,
            panel=panel,
            case=case,
            family=case.family,
            received_at=case.opened_at - datetime.timedelta(days=2),
            channel="police",
            ideology="right_wing",
            subject_date_of_birth=datetime.date(case.opened_at.year - 15, 11, 30),
            concern="Concern words Zxcv",
        )
    for case, days in ((cases[0], 30), (cases[1], 200), (cases[2], 3 * 365)):
        assert case.closed_at is not None
        again = case.closed_at + datetime.timedelta(days=days)
        ReferralFactory(received_by=agency, panel=panel, family=case.family, received_at=again)
    return cases
