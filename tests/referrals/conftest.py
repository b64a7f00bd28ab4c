"""The front door's people: a school that sends concerns, and the panel's single point of contact."""

import pytest

from agencies.models import Agency, Membership, Panel, User
from tests.conftest import member
from tests.factories import AgencyFactory


@pytest.fixture
def school(db: None) -> Agency:
    return AgencyFactory(name="Skanderbeg school", sector=Agency.Sector.EDUCATION, partner_kind="ad_hoc")


@pytest.fixture
def teacher(school: Agency) -> User:
    """A practitioner of the school, which sits on no panel."""
    return member(school, Membership.Role.PRACTITIONER, username="teacher")


@pytest.fixture
def spoc(panel: Panel, agency: Agency) -> User:
    """The panel's single point of contact: a seat at the table, and a casework role to triage."""
    user = member(agency, Membership.Role.PANEL_MEMBER, Membership.Role.PRACTITIONER, username="spoc")
    Panel.objects.filter(pk=panel.pk).update(single_point_of_contact=user)
    return user
