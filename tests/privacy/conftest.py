"""The data protection officer, and an old closed case with everything recorded on it."""

import datetime

import pytest
from django.utils import timezone

from agencies.models import Agency, Membership, User
from cases import services as case_services
from cases.models import Case, CaseNote, RiskRecord
from tests.conftest import member
from tests.factories import AgencyFactory, ReferralFactory, relative, share


@pytest.fixture
def dpo(db: None) -> User:
    office = AgencyFactory(name="Data protection office", sector=Agency.Sector.LOCAL_AUTHORITY)
    return member(office, Membership.Role.DATA_PROTECTION_OFFICER, username="dpo")


@pytest.fixture
def full_case(case: Case, other_agency: Agency) -> Case:
    """A case with a mother, a referral with a named reporter, notes (one kept by the police),
    a consent, a restriction and a risk history."""
    owner = case.owner
    mother = relative(case, "Mimoza", 45, "parent")
    ReferralFactory(
        received_by=case.owning_agency,
        case=case,
        family=case.family,
        reporter_name="Reporter Qwerty",
        concern="Concern text Zxcv",
        channel="hotline",
        ideology="religious",
        subject_given_name=case.index_person.given_name,
        subject_family_name=case.index_person.family_name,
    )
    case_services.record_note(CaseNote(case=case, text="Team note Asdf"), actor=owner)
    share(case, other_agency)
    officer = member(other_agency, Membership.Role.POLICE_LIAISON, username="officer")
    case_services.record_note(
        CaseNote(case=case, text="Police secret Poiu", visibility="own_agency", abstract="Police abstract"),
        actor=officer,
    )
    case_services.set_risk_level(case, level="moderate", source=RiskRecord.Source.MANUAL, actor=owner)
    case_services.record_consent(
        case,
        person=case.index_person,
        given_by=mother,
        given_on=timezone.localdate(),
        purposes=["sharing"],
        actor=owner,
    )
    case_services.add_restriction(case, person=mother, must_not_be_told="Secret Lkjh", actor=owner)
    case.refresh_from_db()
    return case


def close_long_ago(case: Case, years: int = 6) -> Case:
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(
        opened_at=now - datetime.timedelta(days=365 * (years + 1)), closed_at=now - datetime.timedelta(days=365 * years)
    )
    case.refresh_from_db()
    return case
