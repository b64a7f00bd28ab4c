"""The data protection officer, and a case on a panel so that it has a coordinator."""

import pytest

from agencies.models import Agency, Membership, Panel, User
from cases.models import Case
from tests.conftest import member
from tests.factories import AgencyFactory


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
def outside_supervisor(db: None) -> User:
    """A supervisor of an agency with no link to `case`."""
    return member(AgencyFactory(name="Youth services"), Membership.Role.SUPERVISOR, username="outside_supervisor")
