"""Who works with the family besides the owner's agency: the police on joint home visits, a
mental-health team bound by patient confidentiality, and a school that reads only the summary."""

import pytest

from agencies.models import Agency, Membership, User
from cases.models import Case
from tests.conftest import member
from tests.factories import AgencyFactory, share

Role = Membership.Role


@pytest.fixture
def police_officer(case: Case, other_agency: Agency) -> User:
    """A police liaison officer reading `case` in full through a share (joint home visits)."""
    share(case, other_agency)
    return member(other_agency, Role.POLICE_LIAISON, username="officer")


@pytest.fixture
def health_team(case: Case) -> Agency:
    """A mental-health team with a full share of `case`."""
    team = AgencyFactory(name="Mental health team", sector=Agency.Sector.MENTAL_HEALTH)
    share(case, team)
    return team


@pytest.fixture
def therapist(health_team: Agency) -> User:
    return member(health_team, Role.PRACTITIONER, username="therapist")


@pytest.fixture
def summary_reader(case: Case) -> User:
    """A school practitioner whose agency holds a summary share of `case`."""
    school = AgencyFactory(name="School", sector=Agency.Sector.EDUCATION)
    share(case, school, scope="summary")
    return member(school, Role.PRACTITIONER, username="teacher")


@pytest.fixture
def stranger(db: None) -> User:
    """A practitioner of an agency that has nothing to do with `case`."""
    return member(AgencyFactory(name="Housing office", sector=Agency.Sector.HOUSING), username="stranger")
