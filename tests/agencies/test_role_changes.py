"""An agency's administrator changes the roles a person holds in it (decision 140): within the roles
they may grant, never raising their own, never taking away the agency's last administrator; each
change is recorded and what the person may reach follows at once."""

import datetime
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from knox.models import AuthToken
from rest_framework.test import APIClient

from agencies import joining
from agencies.access import UserAccess
from agencies.models import Agency, Departure, Membership, User
from audit.models import AuditEvent
from outbox.models import Message
from privacy import trail_text
from tests.agencies.conftest import joined, signed_in
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


@dataclass
class Fier:
    social: Agency
    police: Agency
    admin: User  # the social services' administrator
    police_admin: User
    arta: User  # a practitioner of the social services


@pytest.fixture
def world(coordinator: User) -> Fier:
    social = joining.add_agency(actor=coordinator, name="Social services Fier", sector="social_care")
    police = joining.add_agency(actor=coordinator, name="Police Fier", sector="police")
    admin = joined(coordinator, social, "agency_admin", "Besa Leka")
    police_admin = joined(coordinator, police, "agency_admin", "Genti Marku")
    arta = joined(admin, social, "practitioner", "Arta Hoxha")
    return Fier(social, police, admin, police_admin, arta)


def _roles(user: User, agency: Agency) -> set[str]:
    return set(Membership.objects.filter(user=user, agency=agency).values_list("role", flat=True))


def test_the_administrator_makes_a_practitioner_a_supervisor_in_the_browser(world: Fier) -> None:
    arta_browser = signed_in(world.arta)
    assert arta_browser.get(reverse("panels:directory")).status_code == 403  # a supervisor's page
    membership = world.arta.memberships.get()
    browser = signed_in(world.admin)
    # the agency's page links to her roles; the form offers what an administrator gives, ticked as held
    page = browser.get(reverse("people_agency", args=[world.social.pk])).content.decode()
    assert reverse("people_roles", args=[membership.pk]) in page
    form = browser.get(reverse("people_roles", args=[membership.pk])).content.decode()
    for offered in ("practitioner", "supervisor", "panel_member", "agency_admin"):
        assert f'value="{offered}"' in form
    for withheld in ("coordinator", "police_liaison", "data_protection_officer"):
        assert f'value="{withheld}"' not in form
    assert re.search(r'value="practitioner"[^>]*checked', form) and not re.search(
        r'value="supervisor"[^>]*checked', form
    )
    # when: practitioner becomes supervisor
    response = browser.post(reverse("people_roles", args=[membership.pk]), {"roles": ["supervisor"]})
    # then: the same membership holds the new role
    assert response.status_code == 302 and response.url == reverse("people_agency", args=[world.social.pk])
    assert _roles(world.arta, world.social) == {"supervisor"}
    assert Membership.objects.get(pk=membership.pk).role == "supervisor"
    # recorded, with before and after
    event = AuditEvent.objects.get(action="membership_roles_changed")
    assert event.actor == world.admin and event.object_id == str(world.arta.pk)
    assert event.data["agency"] == world.social.pk
    assert (event.data["roles_before"], event.data["roles_after"]) == (["practitioner"], ["supervisor"])
    with translation.override("sq"):  # the trail reads it in words (decision 86)
        # (PostgreSQL's JSON keeps the keys in its own order: each part is read on its own)
        said = trail_text.details(event.data, event.object_type).split("; ")
        assert "rolet më parë: Profesionist" in said and "rolet më pas: Mbikëqyrës" in said
    # she is told, her session ended; signed in again, she reaches a supervisor's page
    told = Message.objects.get(kind="roles_changed", to="arta@example.org")
    assert "Supervisor" in told.body and "Social services Fier" in told.body
    assert arta_browser.get(reverse("panels:directory")).status_code == 302  # to the sign-in
    assert signed_in(world.arta).get(reverse("panels:directory")).status_code == 200


def test_what_the_person_may_reach_is_read_again_at_once(world: Fier) -> None:
    # given: what this request already resolved of her access and of her role groups' permissions
    arta = world.arta
    assert UserAccess.of(arta).supervised_agency_ids == frozenset()
    assert not arta.has_perm("audit.add_breakglassaccess")
    membership = arta.memberships.get()
    assert membership.user is arta
    # when: she is made a supervisor
    joining.change_roles(actor=world.admin, membership=membership, roles=["supervisor"])
    # then: the same user object answers with the new role, without being fetched again
    assert UserAccess.of(arta).supervised_agency_ids == frozenset({world.social.pk})
    assert arta.has_perm("audit.add_breakglassaccess")
    assert arta.groups.filter(name="role:supervisor").exists()
    assert not arta.groups.filter(name="role:practitioner").exists()


def test_an_administrator_who_gives_up_a_role_of_their_own_loses_it_within_the_request(
    coordinator: User, world: Fier
) -> None:
    admin = world.admin
    # given: the administrator also supervises (a coordinator made it so)
    joining.change_roles(actor=coordinator, membership=admin.memberships.get(), roles=["agency_admin", "supervisor"])
    assert UserAccess.of(admin).supervised_agency_ids == frozenset({world.social.pk})
    # when: they give up supervising themselves
    joining.change_roles(actor=admin, membership=admin.memberships.get(role="supervisor"), roles=["agency_admin"])
    # then: their own user object knows it at once
    assert UserAccess.of(admin).supervised_agency_ids == frozenset()
    assert not admin.has_perm("audit.add_breakglassaccess")


def test_the_administrator_role_is_given_and_taken_away(world: Fier) -> None:
    api = api_as(world.admin)
    membership = world.arta.memberships.get()
    given = api.post(
        reverse("api-membership-roles", args=[membership.pk]),
        {"roles": ["practitioner", "agency_admin"]},
        format="json",
    )
    assert given.status_code == 200
    assert {row["role"] for row in given.json()} == {"practitioner", "agency_admin"}
    # she now manages the agency's people
    assert signed_in(world.arta).get(reverse("people_agency", args=[world.social.pk])).status_code == 200
    # the first administrator takes it away again (she stays a practitioner)
    taken = api.post(reverse("api-membership-roles", args=[membership.pk]), {"roles": ["practitioner"]}, format="json")
    assert taken.status_code == 200
    assert _roles(world.arta, world.social) == {"practitioner"}
    assert signed_in(world.arta).get(reverse("people_agency", args=[world.social.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="membership_roles_changed").count() == 2


def test_the_last_administrator_is_not_taken_away(coordinator: User, world: Fier) -> None:
    admin_membership = world.admin.memberships.get()
    joining.change_roles(actor=coordinator, membership=admin_membership, roles=["agency_admin", "supervisor"])
    recorded = AuditEvent.objects.filter(action="membership_roles_changed").count()
    # not by the coordinator, in the browser or the API
    client = Client()
    client.force_login(coordinator)
    response = client.post(reverse("people_roles", args=[admin_membership.pk]), {"roles": ["supervisor"]})
    assert response.status_code == 400 and b"would have no administrator left" in response.content
    refused = api_as(coordinator).post(
        reverse("api-membership-roles", args=[admin_membership.pk]), {"roles": ["supervisor"]}, format="json"
    )
    assert refused.status_code == 400 and "would have no administrator left" in refused.json()["roles"][0]
    # nor by the administrator themself
    own = signed_in(world.admin).post(reverse("people_roles", args=[admin_membership.pk]), {"roles": ["supervisor"]})
    assert own.status_code == 400
    # nor when the only other administrator is leaving
    arta = world.arta.memberships.get()
    joining.change_roles(actor=world.admin, membership=arta, roles=["practitioner", "agency_admin"])
    leaving = Membership.objects.get(user=world.arta, role="agency_admin")
    joining.end_membership(
        actor=coordinator, membership=leaving, ended_on=timezone.localdate() + datetime.timedelta(days=5)
    )
    with pytest.raises(Exception, match="would have no administrator left"):
        joining.change_roles(actor=coordinator, membership=admin_membership, roles=["supervisor"])
    assert _roles(world.admin, world.social) == {"agency_admin", "supervisor"}
    assert AuditEvent.objects.filter(action="membership_roles_changed").count() == recorded + 1  # Arta's alone


def test_nobody_raises_their_own_role(coordinator: User, world: Fier) -> None:
    membership = world.admin.memberships.get()
    browser = signed_in(world.admin)
    # their own page offers only what they hold, to give up
    form = browser.get(reverse("people_roles", args=[membership.pk])).content.decode()
    assert 'value="agency_admin"' in form and 'value="supervisor"' not in form
    # a supervisor's role posted anyway: refused, 403 (they read their roles, they may not raise them)
    response = browser.post(reverse("people_roles", args=[membership.pk]), {"roles": ["agency_admin", "supervisor"]})
    assert response.status_code == 403 and b"Nobody gives themself a role" in response.content
    refused = api_as(world.admin).post(
        reverse("api-membership-roles", args=[membership.pk]), {"roles": ["agency_admin", "supervisor"]}, format="json"
    )
    assert refused.status_code == 403 and "Nobody gives themself a role" in refused.json()["detail"]
    # not a coordinator either, in an agency they sit in
    own = coordinator.memberships.get()
    raised = api_as(coordinator).post(
        reverse("api-membership-roles", args=[own.pk]), {"roles": ["coordinator", "supervisor"]}, format="json"
    )
    assert raised.status_code == 403
    assert _roles(world.admin, world.social) == {"agency_admin"}
    assert set(coordinator.memberships.values_list("role", flat=True)) == {"coordinator"}
    assert not AuditEvent.objects.filter(action="membership_roles_changed").exists()


def test_an_administrator_reads_a_coordinators_role_but_does_not_change_it(coordinator: User, world: Fier) -> None:
    # given: a practitioner whom the coordinator also made the agency's police liaison
    membership = world.arta.memberships.get()
    joining.change_roles(actor=coordinator, membership=membership, roles=["practitioner", "police_liaison"])
    browser = signed_in(world.admin)
    # the page says what they may not change
    page = browser.get(reverse("people_roles", args=[membership.pk]))
    assert b"changed only by a coordinator" in page.content and b"Police liaison" in page.content
    # the browser keeps it while changing the rest
    response = browser.post(reverse("people_roles", args=[membership.pk]), {"roles": ["supervisor"]})
    assert response.status_code == 302
    assert _roles(world.arta, world.social) == {"supervisor", "police_liaison"}
    # the API refuses to take it away or give a coordinator's role: 403, nothing changed
    api = api_as(world.admin)
    for roles in (["supervisor"], ["supervisor", "police_liaison", "coordinator"]):
        refused = api.post(reverse("api-membership-roles", args=[membership.pk]), {"roles": roles}, format="json")
        assert refused.status_code == 403 and "Only a coordinator" in refused.json()["detail"]
    assert _roles(world.arta, world.social) == {"supervisor", "police_liaison"}
    # the coordinator may
    done = api_as(coordinator).post(
        reverse("api-membership-roles", args=[membership.pk]), {"roles": ["supervisor"]}, format="json"
    )
    assert done.status_code == 200 and _roles(world.arta, world.social) == {"supervisor"}


def test_another_agencys_administrator_finds_no_such_person(world: Fier) -> None:
    membership = world.arta.memberships.get()
    browser = signed_in(world.police_admin)
    assert browser.get(reverse("people_roles", args=[membership.pk])).status_code == 404
    assert browser.post(reverse("people_roles", args=[membership.pk]), {"roles": ["supervisor"]}).status_code == 404
    refused = api_as(world.police_admin).post(
        reverse("api-membership-roles", args=[membership.pk]), {"roles": ["supervisor"]}, format="json"
    )
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    # nor a practitioner, for her own
    assert signed_in(world.arta).get(reverse("people_roles", args=[membership.pk])).status_code == 404
    assert _roles(world.arta, world.social) == {"practitioner"}


def test_no_role_left_is_a_membership_ended_not_a_role_change(world: Fier) -> None:
    membership = world.arta.memberships.get()
    response = signed_in(world.admin).post(reverse("people_roles", args=[membership.pk]), {})
    assert response.status_code == 400 and b"end their membership instead" in response.content
    assert _roles(world.arta, world.social) == {"practitioner"}


def test_a_role_taken_away_ends_the_persons_tokens(world: Fier) -> None:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(world.arta)[1]}")
    assert api.get(reverse("cases-api:case-list")).status_code == 200
    joining.change_roles(actor=world.admin, membership=world.arta.memberships.get(), roles=["panel_member"])
    assert api.get(reverse("cases-api:case-list")).status_code == 401


def test_a_leaving_day_follows_the_role_that_replaces_it(coordinator: User, world: Fier) -> None:
    membership = world.arta.memberships.get()
    leaving = timezone.localdate() + datetime.timedelta(days=10)
    joining.end_membership(actor=world.admin, membership=membership, ended_on=leaving)
    joining.change_roles(actor=world.admin, membership=membership, roles=["supervisor"])
    departure = Departure.objects.get(membership=membership)
    assert (departure.role, departure.ended_on) == ("supervisor", leaving)


def test_the_pages_read_in_albanian(coordinator: User, world: Fier) -> None:
    from tests.test_albanian_pages import english_on, english_source

    membership = world.arta.memberships.get()
    joining.change_roles(actor=coordinator, membership=membership, roles=["practitioner", "police_liaison"])
    User.objects.filter(pk=world.admin.pk).update(language="sq")
    browser = signed_in(world.admin)
    whole, phrases = english_source()
    User.objects.filter(pk=coordinator.pk).update(language="sq")
    coordinators = Client()
    coordinators.force_login(coordinator)  # adding someone already in Ura is a coordinator's page
    for client, url in (
        (browser, reverse("people_agency", args=[world.social.pk])),
        (coordinators, reverse("people_add_member", args=[world.social.pk])),
        (browser, reverse("people_roles", args=[membership.pk])),
    ):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Content-Language"] == "sq"
        assert english_on(response.content.decode(), whole, phrases) == set(), url


def test_an_administrator_ends_only_the_memberships_in_roles_they_grant(coordinator: User, world: Fier) -> None:
    # given: the coordinator made a data protection officer, a police liaison and a coordinator there
    kept = [
        joined(coordinator, world.social, role, name).memberships.get()
        for role, name in (
            ("data_protection_officer", "Dora Kola"),
            ("police_liaison", "Ilir Pema"),
            ("coordinator", "Mira Doci"),
        )
    ]
    browser = signed_in(world.admin)
    page = browser.get(reverse("people_agency", args=[world.social.pk])).content.decode()
    assert reverse("people_end", args=[world.arta.memberships.get().pk]) in page
    today = timezone.localdate().isoformat()
    for membership in kept:
        # no button, no form, and the post and the API refused (403)
        assert reverse("people_end", args=[membership.pk]) not in page
        assert browser.get(reverse("people_end", args=[membership.pk])).status_code == 403
        assert browser.post(reverse("people_end", args=[membership.pk]), {"ended_on": today}).status_code == 403
        refused = api_as(world.admin).post(
            reverse("api-membership-end", args=[membership.pk]), {"ended_on": today}, format="json"
        )
        assert refused.status_code == 403
        with pytest.raises(PermissionError):
            joining.end_membership(actor=world.admin, membership=membership, ended_on=timezone.localdate())
    assert Membership.objects.filter(pk__in=[m.pk for m in kept]).count() == 3
    assert not Departure.objects.filter(membership__in=kept).exists()
    # a coordinator ends them
    joining.end_membership(actor=coordinator, membership=kept[0], ended_on=timezone.localdate())
    assert not Membership.objects.filter(pk=kept[0].pk).exists()


def test_two_administrators_do_not_schedule_each_others_departure(coordinator: User, world: Fier) -> None:
    other = joined(coordinator, world.social, "agency_admin", "Ilir Kola")
    later = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    # the first schedules the second's departure
    first = signed_in(world.admin).post(reverse("people_end", args=[other.memberships.get().pk]), {"ended_on": later})
    assert first.status_code == 200
    # the second may not schedule (or carry out) the first's, in the browser or the API: none would be left
    mine = world.admin.memberships.get()
    response = signed_in(other).post(reverse("people_end", args=[mine.pk]), {"ended_on": later})
    assert response.status_code == 400 and b"would have no administrator left" in response.content
    refused = api_as(other).post(
        reverse("api-membership-end", args=[mine.pk]), {"ended_on": timezone.localdate().isoformat()}, format="json"
    )
    assert refused.status_code == 400 and "would have no administrator left" in str(refused.json())
    assert not Departure.objects.filter(membership=mine).exists()
    # a coordinator may (they stand in for the agency's administrator)
    joining.end_membership(actor=coordinator, membership=mine, ended_on=timezone.localdate())
    assert not Membership.objects.filter(pk=mine.pk).exists()


def test_the_last_coordinator_does_not_give_up_the_role(coordinator: User, world: Fier) -> None:
    # given: the coordinator holds a second role in their agency (given by another coordinator, who then left)
    municipality = coordinator.memberships.get().agency
    second = joined(coordinator, municipality, "coordinator", "Mira Doci")
    own = coordinator.memberships.get()
    joining.change_roles(actor=second, membership=own, roles=["coordinator", "practitioner"])
    joining.end_membership(actor=coordinator, membership=second.memberships.get(), ended_on=timezone.localdate())
    own = coordinator.memberships.get(role="coordinator")
    # when: they drop the coordinator's role, in the browser and the API
    client = Client()
    client.force_login(coordinator)
    response = client.post(reverse("people_roles", args=[own.pk]), {"roles": ["practitioner"]})
    assert response.status_code == 400 and b"no coordinator left" in response.content
    refused = api_as(coordinator).post(
        reverse("api-membership-roles", args=[own.pk]), {"roles": ["practitioner"]}, format="json"
    )
    assert refused.status_code == 400 and "no coordinator left" in refused.json()["roles"][0]
    with translation.override("sq"), pytest.raises(Exception, match="Ura do të mbetej pa koordinator"):
        joining.change_roles(actor=coordinator, membership=own, roles=["practitioner"])
    assert set(coordinator.memberships.values_list("role", flat=True)) == {"coordinator", "practitioner"}


def test_who_manages_the_agency_is_read_again_once_the_lock_is_taken(
    world: Fier, monkeypatch: pytest.MonkeyPatch
) -> None:
    # while the administrator waited for the agency's lock, another took their administrator role away
    real = joining.managed_agencies
    calls = []

    def role_taken_away_meanwhile(actor: User) -> object:
        calls.append(actor)
        if len(calls) == 1:
            ids = list(real(actor).values_list("pk", flat=True))
            Membership.objects.filter(user=world.admin, role="agency_admin").delete()
            return Agency.objects.filter(pk__in=ids)
        return real(actor)

    monkeypatch.setattr(joining, "managed_agencies", role_taken_away_meanwhile)
    with pytest.raises(PermissionError):
        joining.change_roles(actor=world.admin, membership=world.arta.memberships.get(), roles=["supervisor"])
    assert _roles(world.arta, world.social) == {"practitioner"}
