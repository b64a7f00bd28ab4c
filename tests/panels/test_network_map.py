"""The network map: who takes part, who is invited, who is missing; a warning without health."""

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, Membership, NetworkOrganisation, NetworkSector, Panel, User
from panels import network
from tests.conftest import member

pytestmark = pytest.mark.django_db
Role = Membership.Role


def test_the_network_map_warns_when_health_is_missing(client: Client, panel: Panel, coordinator: User) -> None:
    # given a panel of social services, police and the municipality: no health organisation
    client.force_login(coordinator)
    page = client.get(reverse("panels:network", args=[panel.pk])).content.decode()
    # then the coordinator is warned, for health and for mental health
    assert "No health organisation takes part in this panel" in page
    assert "No mental-health organisation takes part" in page


def test_a_health_organisation_taking_part_outside_ura_lifts_the_warning(
    client: Client, panel: Panel, coordinator: User
) -> None:
    client.force_login(coordinator)
    response = client.post(
        reverse("panels:network_add", args=[panel.pk]),
        {"name": "Regional hospital", "sector": NetworkSector.HEALTH, "status": "taking_part"},
    )
    assert response.status_code == 302
    result = network.network_map(panel, coordinator)
    assert not any("No health organisation" in warning for warning in result.warnings)
    assert any("mental-health" in warning for warning in result.warnings)


def test_an_invited_sector_is_not_missing_and_an_empty_one_is(panel: Panel, coordinator: User) -> None:
    network.save_organisation(
        panel, actor=coordinator, name="Tirana prison", sector=NetworkSector.PRISONS, status="invited"
    )
    network.save_organisation(
        panel, actor=coordinator, name="Sports club", sector=NetworkSector.SPORTS, status="missing"
    )
    missing = {row.sector for row in network.network_map(panel, coordinator).missing}
    assert NetworkSector.PRISONS not in missing
    assert NetworkSector.SPORTS in missing
    assert NetworkSector.POLICE not in missing  # a core agency of the panel


def test_an_agency_in_ura_counts_for_its_sector(panel: Panel, coordinator: User) -> None:
    panel.agencies.add(Agency.objects.create(name="Health centre", sector=Agency.Sector.HEALTH))
    warnings = network.network_map(panel, coordinator).warnings
    assert not any("No health organisation" in warning for warning in warnings)


def test_the_map_is_the_coordinators(client: Client, panel: Panel, panel_member: User) -> None:
    client.force_login(panel_member)
    assert client.get(reverse("panels:network", args=[panel.pk])).status_code == 403
    stranger = member(Agency.objects.create(name="Far", sector=Agency.Sector.NGO), Role.COORDINATOR)
    client.force_login(stranger)
    assert client.get(reverse("panels:network", args=[panel.pk])).status_code == 404
    assert not NetworkOrganisation.objects.exists()


def test_an_agency_admin_writes_its_mandate_and_point_of_contact(client: Client, agency: Agency) -> None:
    admin = member(agency, Role.AGENCY_ADMIN, username="admin")
    client.force_login(admin)
    response = client.post(
        reverse("panels:agency_edit", args=[agency.pk]),
        {"mandate": "Child protection under law 18/2017.", "contribution": "Family support",
         "secrecy_limits": "Nothing from counselling without consent.", "contact_person": admin.pk,
         "contact_details": "+355 4 000 000"},
    )  # fmt: skip
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.contact_person == admin and agency.mandate.startswith("Child protection")
    assert "Child protection" in client.get(reverse("panels:agency", args=[agency.pk])).content.decode()


def test_a_practitioner_does_not_change_an_agencys_mandate(client: Client, agency: Agency, caseworker: User) -> None:
    client.force_login(caseworker)
    assert client.get(reverse("panels:agency_edit", args=[agency.pk])).status_code == 403
