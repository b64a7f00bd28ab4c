"""Where a crisis is routed: the police of the referral's panel, of the front door's panel, of a
panel the receiving agency sits on, or the only police agency; never the first police agency by
name, which whoever adds an agency could choose (decision 124)."""

import pytest

from agencies.models import Agency, Membership, Panel, User
from referrals import services
from referrals.models import Referral
from tests.conftest import member
from tests.factories import AgencyFactory, PanelFactory

pytestmark = pytest.mark.django_db


def crisis(actor: User, agency: Agency, **fields: object) -> Referral:
    return services.record_referral(
        actor=actor, received_by=agency, channel=Referral.Channel.PROFESSIONAL, concern="Threatens an attack.",
        is_crisis=True, crisis_reason=Referral.CrisisReason.ATTACK, **fields,
    )  # fmt: skip


def test_a_police_agency_named_first_does_not_capture_crises_of_a_panel_it_is_not_on(
    caseworker: User, agency: Agency, other_agency: Agency, panel: Panel
) -> None:
    # given: the panel's police ("Police"), and an agency that sorts before it added outside any panel
    AgencyFactory(name="AAA Police", sector=Agency.Sector.POLICE)
    # when: a crisis is recorded for the panel, and another by an agency on it
    for_panel = crisis(caseworker, agency, panel=panel)
    by_member = crisis(caseworker, agency)
    # then: both go to the panel's police
    assert for_panel.routed_to == other_agency
    assert by_member.routed_to == other_agency


def test_the_referrals_panel_decides_before_the_receiving_agencys_other_panels(
    caseworker: User, agency: Agency, other_agency: Agency, panel: Panel, coordinator: User
) -> None:
    elsewhere = PanelFactory(name="Elsewhere", coordinator=coordinator)
    early = AgencyFactory(name="A Police", sector=Agency.Sector.POLICE)
    elsewhere.agencies.set([agency, early])
    assert crisis(caseworker, agency, panel=panel).routed_to == other_agency


def test_with_several_police_agencies_and_none_near_no_police_is_chosen(caseworker: User, agency: Agency) -> None:
    AgencyFactory(name="AAA Police", sector=Agency.Sector.POLICE)
    AgencyFactory(name="State police", sector=Agency.Sector.POLICE)
    referral = crisis(caseworker, agency)
    assert referral.routed_to is None
    assert referral.urgency == Referral.Urgency.URGENT


def test_the_only_police_agency_receives_a_crisis_from_an_agency_on_no_panel(caseworker: User, agency: Agency) -> None:
    police = AgencyFactory(name="State police", sector=Agency.Sector.POLICE)
    officer = member(police, Membership.Role.POLICE_LIAISON, username="officer")
    User.objects.filter(pk=officer.pk).update(email="officer@police.example")
    assert crisis(caseworker, agency).routed_to == police
