"""The case list's agency and panel filters: typed names with suggestions restricted to
what the user may know of, never a list of every agency or panel; an id outside it is refused (400)
alike whether the row exists or not; the API's `?agency=<id>`/`?panel=<id>` keep working."""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency, Membership, User
from cases.models import Case, CaseShare
from tests.agencies.rule_paths import HELD
from tests.conftest import api_as, member
from tests.factories import AgencyFactory, CaseFactory, PanelFactory, share

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown(client: Client, **filters: str) -> set[str]:
    page = client.get(reverse("cases:case_list"), filters)
    assert page.status_code == 200, page.content.decode()[:500]
    return {case.reference for case in page.context["cases"]}


@dataclass
class World:
    viewer: User
    partner: Agency
    hidden: Agency
    own_case: Case
    partner_case: Case


@pytest.fixture
def world(agency: Agency) -> World:
    """A viewer in `agency`; a partner that shares one case with it; a hidden agency whose case the
    viewer may not know of, with a name close to the partner's."""
    viewer = member(agency, username="viewer")
    partner = AgencyFactory(name="Police Tirana")
    hidden = AgencyFactory(name="Police Durres")
    partner_case = CaseFactory(owning_agency=partner, owner=member(partner, username="officer"))
    share(partner_case, agency, scope=CaseShare.Scope.SUMMARY)
    own_case = CaseFactory(owning_agency=agency, owner=viewer)
    CaseFactory(owning_agency=hidden, owner=member(hidden, username="other"))
    return World(viewer, partner, hidden, own_case, partner_case)


def test_the_agency_filter_suggests_only_agencies_owning_a_case_the_user_may_know_of(
    world: World, agency: Agency
) -> None:
    client = signed_in(world.viewer)
    partner = world.partner
    url = reverse("cases:agency_suggestions")
    found = client.get(url, {"q": "police"}).json()["results"]
    assert found == [{"value": f"Police Tirana #{partner.pk}", "label": "Police Tirana"}]
    assert client.get(url, {"q": "Durres"}).json() == {"results": []}
    # htmx asks with the input's own name and gets the datalist's options
    options = client.get(url, {"agency": "tir"}, headers={"HX-Request": "true"}).content.decode()
    assert f'<option value="Police Tirana #{partner.pk}">' in options and "Durres" not in options
    # a stranger is suggested nothing
    stranger = member(AgencyFactory(name="Housing"), username="stranger")
    assert signed_in(stranger).get(url, {"q": "Police"}).json() == {"results": []}


def test_the_agency_filter_takes_a_suggestion_a_typed_name_or_an_id(world: World, agency: Agency) -> None:
    client = signed_in(world.viewer)
    partner = world.partner
    own_case, partner_case = world.own_case, world.partner_case
    assert shown(client, agency=f"Police Tirana #{partner.pk}") == {partner_case.reference}
    assert shown(client, agency="  police tirana ") == {partner_case.reference}  # without JavaScript
    assert shown(client, agency=str(agency.pk)) == {own_case.reference}
    assert shown(client, agency="Police Durres") == set()  # a hidden agency's name finds nothing
    # the page renders a text input with an empty datalist, never an option per agency
    body = client.get(reverse("cases:case_list")).content.decode()
    form = body.split("<table")[0]
    assert 'list="agency-suggestions"' in form and "Police Tirana" not in form


def test_an_agency_or_panel_id_the_user_may_not_filter_by_is_refused_alike(world: World, agency: Agency) -> None:
    viewer = world.viewer
    hidden = world.hidden
    hidden_panel = PanelFactory(name="Hidden panel")
    client = signed_in(viewer)
    for name, refused in (("agency", hidden.pk), ("panel", hidden_panel.pk)):
        for value in (str(refused), f"Whatever #{refused}", "987654"):
            page = client.get(reverse("cases:case_list"), {name: value})
            assert page.status_code == 400 and not page.context["cases"]
            api = api_as(viewer).get(reverse("cases-api:case-list"), {name: value})
            assert api.status_code == 400 and name in api.json()
        missing = client.get(reverse("cases:case_list"), {name: "987654"}).context["filter"].form.errors[name]
        hidden_error = client.get(reverse("cases:case_list"), {name: str(refused)}).context["filter"].form.errors
        assert hidden_error[name] == missing  # the refusal says nothing of whether it exists
    assert "panels you may see" in str(missing)


def test_the_panel_filter_suggests_only_the_users_panels(agency: Agency) -> None:
    seat = member(agency, Membership.Role.PANEL_MEMBER, username="seat")
    mine = PanelFactory(name="Panel North")
    mine.agencies.add(agency)
    theirs = PanelFactory(name="Panel South")
    on_mine = CaseFactory(owning_agency=agency, panel=mine)
    CaseFactory(owning_agency=agency, panel=theirs)
    CaseFactory(owning_agency=agency)
    client = signed_in(seat)
    url = reverse("cases:panel_suggestions")
    assert client.get(url, {"q": "panel"}).json()["results"] == [
        {"value": f"Panel North #{mine.pk}", "label": "Panel North"}
    ]
    assert client.get(url, {"q": "South"}).json() == {"results": []}
    assert shown(client, panel=f"Panel North #{mine.pk}") == {on_mine.reference}
    assert shown(client, panel="panel north") == {on_mine.reference}
    assert shown(client, panel="Panel South") == set()  # a panel the user may not see: by name, nothing
    # the API's ?panel=<id> and ?agency=<id>
    api = api_as(seat).get(reverse("cases-api:case-list"), {"panel": mine.pk})
    assert api.status_code == 200 and [row["reference"] for row in api.json()["results"]] == [on_mine.reference]
    api = api_as(seat).get(reverse("cases-api:case-list"), {"panel": theirs.pk})
    assert api.status_code == 400


def test_digits_that_are_not_an_id_are_a_name_that_finds_nothing(world: World) -> None:
    client = signed_in(world.viewer)
    for name in ("owner", "agency", "panel"):
        for value in ("5³", "#٣", "9" * 30):
            assert shown(client, **{name: value}) == set()
            answer = api_as(world.viewer).get(reverse("cases-api:case-list"), {name: value})
            assert answer.status_code == 200 and answer.json()["results"] == []


def _reads_held_cases(captured: CaptureQueriesContext, agency: Agency) -> list[bool]:
    """For each read of the list's cases narrowed to `agency`: whether it names cases held by id
    (`IN (...)`, PostgreSQL's `= ANY(...)`)."""
    narrowed = f'"owning_agency_id" = {agency.pk}'
    return [
        any(held in query["sql"] for held in HELD)
        for query in captured.captured_queries
        if narrowed in query["sql"] and 'FROM "cases_case"' in query["sql"]
    ]


def test_the_list_of_the_users_own_agency_reads_that_agency_alone(world: World, agency: Agency) -> None:
    """The viewer holds a partner's case by a share; filtered by their own agency the list is the
    agency's cases, read without the held ones (decision 177), in the page, the API and the export;
    filtered by the partner's, the held case, read the long way."""
    client, api = signed_in(world.viewer), api_as(world.viewer)
    own, partner = world.own_case.reference, world.partner_case.reference
    with CaptureQueriesContext(connection) as captured:
        assert shown(client, agency=f"Ours #{agency.pk}") == {own}
    assert _reads_held_cases(captured, agency) and not any(_reads_held_cases(captured, agency))
    with CaptureQueriesContext(connection) as captured:
        listed = api.get(reverse("cases-api:case-list"), {"agency": agency.pk})
    assert [row["reference"] for row in listed.json()["results"]] == [own]
    assert _reads_held_cases(captured, agency) and not any(_reads_held_cases(captured, agency))
    with CaptureQueriesContext(connection) as captured:
        exported = api.get(reverse("cases-api:case-export"), {"agency": agency.pk, "format": "csv"})
    assert exported.status_code == 200 and own in exported.content.decode() and partner not in exported.content.decode()
    assert _reads_held_cases(captured, agency) and not any(_reads_held_cases(captured, agency))
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("cases:case_list_export"), {"agency": f"Ours #{agency.pk}", "format": "csv"})
    assert own in page.content.decode() and partner not in page.content.decode()
    assert _reads_held_cases(captured, agency) and not any(_reads_held_cases(captured, agency))
    # the partner's agency: the case held by the share, the long way
    with CaptureQueriesContext(connection) as captured:
        assert shown(client, agency=f"Police Tirana #{world.partner.pk}") == {partner}
    assert any(_reads_held_cases(captured, world.partner))
