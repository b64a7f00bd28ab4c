"""Fixtures of the audit tests: the data protection officer, a case on a panel (so it has a
coordinator), a supervisor from elsewhere. Imported by the test modules (not a conftest, so as not
to collide with the privacy tests' conftest in this folder)."""

import pytest

from agencies.models import Agency, Membership, Panel, User
from cases.models import Case
from tests.conftest import member
from tests.factories import AgencyFactory, PanelFactory

__all__ = ["dpo", "outside_supervisor", "panel_case"]


@pytest.fixture
def dpo(db: None) -> User:
    office = AgencyFactory(name="Data protection office", sector=Agency.Sector.LOCAL_AUTHORITY)
    return member(office, Membership.Role.DATA_PROTECTION_OFFICER, username="dpo")


@pytest.fixture
def panel_case(case: Case, panel: Panel) -> Case:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    case.refresh_from_db()
    return case


@pytest.fixture
def outside_supervisor(agency: Agency) -> User:
    """A supervisor of an agency with no link to `case` but a partner of its agency on a panel of
    theirs: the glass opens the partnership's cases (decision 61)."""
    youth = AgencyFactory(name="Youth services")
    PanelFactory(name="Youth partnership").agencies.set([youth, agency])
    return member(youth, Membership.Role.SUPERVISOR, username="outside_supervisor")
