"""The panel's choices among rows that could number thousands are typed with suggestions
(decision 153): the agenda's case, a meeting's participant, a caseload's new owners, the partner
directory. Suggestions are restricted; the forms take only what the action may take; the pages
cost the same queries whatever the number of candidates."""

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Membership, Panel, User
from cases.models import Case
from panels import services
from panels.models import MeetingAttendance, PanelMeeting
from tests.conftest import member
from tests.factories import AgencyFactory, CaseFactory, FamilyFactory, PanelFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role

NOT_A_CASE = "Choose one of the suggested cases: an open case of this panel not yet on the agenda."
NOT_A_CANDIDATE = "Choose one of the suggested people, who work cases in a partner agency."


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def meeting(panel: Panel, coordinator: User) -> PanelMeeting:
    return services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)


def panel_case(panel: Panel, agency: Agency, name: str, **fields: object) -> Case:
    return CaseFactory(owning_agency=agency, panel=panel, family=FamilyFactory(name=name), **fields)


def case_suggestions(user: User, meeting: PanelMeeting, q: str) -> list[str]:
    response = client_for(user).get(reverse("panels:meeting_case_suggestions", args=[meeting.pk]), {"q": q})
    assert response.status_code == 200
    return [row["value"] for row in response.json()["results"]]


def add_case(user: User, meeting: PanelMeeting, typed: str) -> list[str]:
    response = client_for(user).post(reverse("panels:meeting_add_case", args=[meeting.pk]), {"case": typed})
    assert response.status_code == 302
    return [str(message) for message in get_messages(response.wsgi_request)]


class TestAgendaCase:
    def test_only_open_cases_of_the_panel_not_yet_on_the_agenda_are_suggested(
        self, panel: Panel, agency: Agency, coordinator: User, meeting: PanelMeeting
    ) -> None:
        wanted = panel_case(panel, agency, "Krasniqi")
        closed = panel_case(panel, agency, "Krasniqa")
        Case.objects.filter(pk=closed.pk).update(closed_at=closed.opened_at)
        CaseFactory(owning_agency=agency, panel=PanelFactory(name="Elsewhere"), family=FamilyFactory(name="Krasniq"))
        CaseFactory(owning_agency=agency, family=FamilyFactory(name="Krasniqu"))  # on no panel
        assert case_suggestions(coordinator, meeting, "kras") == [f"Krasniqi · {wanted.reference} #{wanted.pk}"]
        # by reference too; once on the agenda, no longer
        assert len(case_suggestions(coordinator, meeting, wanted.reference)) == 1
        services.add_case_to_agenda(meeting, wanted, actor=coordinator)
        assert case_suggestions(coordinator, meeting, "kras") == []

    def test_a_coordinator_of_another_panel_gets_nothing(
        self, panel: Panel, agency: Agency, meeting: PanelMeeting
    ) -> None:
        panel_case(panel, agency, "Krasniqi")
        other = member(AgencyFactory(name="Other municipality"), Role.COORDINATOR)
        PanelFactory(name="Other", coordinator=other)
        url = reverse("panels:meeting_case_suggestions", args=[meeting.pk])
        response = client_for(other).get(url, {"q": "Kras"})
        assert response.status_code == 404 and "Krasniqi" not in response.content.decode()

    def test_the_coordinator_puts_a_suggested_case_on_the_agenda(
        self, panel: Panel, agency: Agency, coordinator: User, meeting: PanelMeeting
    ) -> None:
        case = panel_case(panel, agency, "Krasniqi")
        [suggestion] = case_suggestions(coordinator, meeting, "Kras")
        add_case(coordinator, meeting, suggestion)
        assert meeting.items.filter(case=case).exists()

    def test_without_javascript_a_reference_is_taken(
        self, panel: Panel, agency: Agency, coordinator: User, meeting: PanelMeeting
    ) -> None:
        case = panel_case(panel, agency, "Krasniqi")
        add_case(coordinator, meeting, case.reference.lower())
        assert meeting.items.filter(case=case).exists()

    def test_another_panels_case_is_refused_as_one_that_does_not_exist(
        self, agency: Agency, coordinator: User, meeting: PanelMeeting
    ) -> None:
        elsewhere = CaseFactory(owning_agency=agency, panel=PanelFactory(name="Elsewhere"))
        said = [add_case(coordinator, meeting, f"x #{case_id}") for case_id in (elsewhere.pk, elsewhere.pk + 1000)]
        assert said[0] == said[1] == [NOT_A_CASE]
        assert not meeting.items.filter(case=elsewhere).exists()


class TestAttendance:
    def test_a_participant_typed_by_suggestion_is_recorded_for_the_agency_chosen(
        self, coordinator: User, meeting: PanelMeeting, panel_member: User, other_agency: Agency
    ) -> None:
        url = reverse("cases:candidate_suggestions")
        found = client_for(coordinator).get(url, {"among": "attending", "user": "Pol"}).json()["results"]
        [chosen] = [row["value"] for row in found if row["value"].endswith(f"#{panel_member.pk}:{other_agency.pk}")]
        # a panel member is no case owner: not suggested as one
        owners = client_for(coordinator).get(url, {"q": "Pol"}).json()["results"]
        assert not [row for row in owners if row["value"].endswith(f"#{panel_member.pk}:{other_agency.pk}")]
        client_for(coordinator).post(reverse("panels:meeting_attendance", args=[meeting.pk]), {"user": chosen})
        row = MeetingAttendance.objects.get(meeting=meeting, user=panel_member)
        assert row.agency == other_agency and row.present is False  # the box was not ticked

    def test_someone_who_may_not_attend_is_refused(self, coordinator: User, meeting: PanelMeeting) -> None:
        admin = member(AgencyFactory(name="Schools"), Role.AGENCY_ADMIN)
        response = client_for(coordinator).post(
            reverse("panels:meeting_attendance", args=[meeting.pk]),
            {"user": f"{admin.pk}:{admin.memberships.get().agency_id}"},
        )
        assert [str(m) for m in get_messages(response.wsgi_request)] == [NOT_A_CANDIDATE]
        assert not MeetingAttendance.objects.filter(user=admin).exists()


class TestReassignment:
    def test_the_supervisor_moves_the_caseload_to_a_suggested_colleague(
        self,
        agency: Agency,
        caseworker: User,
        colleague: User,
        supervisor: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        cases = CaseFactory.create_batch(2, owner=caseworker, owning_agency=agency)
        suggestions = client_for(supervisor).get(reverse("cases:candidate_suggestions"), {"q": "Social"}).json()
        [chosen] = [r["value"] for r in suggestions["results"] if r["value"].endswith(f"#{colleague.pk}:{agency.pk}")]
        url = reverse("panels:reassign", args=[caseworker.pk])
        review = client_for(supervisor).post(url, {"step": "review", "all": chosen})
        assert review.context["review"] is True
        hidden = {f"case_{case.pk}": f"{colleague.pk}:{agency.pk}" for case in cases}
        assert all(f'value="{value}"' in review.content.decode() for value in hidden.values())
        with django_capture_on_commit_callbacks(execute=True):
            assert client_for(supervisor).post(url, {"step": "confirm", **hidden}).status_code == 302
        assert Case.objects.filter(owner=colleague).count() == 2

    def test_without_javascript_a_username_is_taken(
        self, agency: Agency, caseworker: User, colleague: User, supervisor: User
    ) -> None:
        case = CaseFactory(owner=caseworker, owning_agency=agency)
        url = reverse("panels:reassign", args=[caseworker.pk])
        review = client_for(supervisor).post(url, {"step": "review", f"case_{case.pk}": "colleague"})
        assert review.context["review"] is True and review.context["chosen"][case.pk].user == colleague

    def test_the_worker_themselves_or_nobody_is_refused_alike(
        self, agency: Agency, caseworker: User, supervisor: User
    ) -> None:
        case = CaseFactory(owner=caseworker, owning_agency=agency)
        url = reverse("panels:reassign", args=[caseworker.pk])
        said = []
        for typed in (f"{caseworker.pk}:{agency.pk}", f"{caseworker.pk + 1000}:{agency.pk}"):
            response = client_for(supervisor).post(url, {"step": "confirm", f"case_{case.pk}": typed})
            assert response.status_code == 200 and "every case" in response.context["error"]
            said.append(response.context["errors"])
        assert said[0] == said[1] == {case.pk: NOT_A_CANDIDATE}
        assert Case.objects.get(pk=case.pk).owner == caseworker

    def test_an_owner_typed_for_every_case_and_refused_is_said_once_under_that_field(
        self, agency: Agency, caseworker: User, supervisor: User
    ) -> None:
        cases = CaseFactory.create_batch(3, owner=caseworker, owning_agency=agency)
        url = reverse("panels:reassign", args=[caseworker.pk])
        response = client_for(supervisor).post(url, {"step": "review", "all": "Nobody Anywhere"})
        html = response.content.decode()
        assert response.context["all_error"] == NOT_A_CANDIDATE
        assert html.count('id="id_all_error"') == 1 and 'aria-describedby="id_all_help id_all_error"' in html
        assert not any(f'id="id_case_{case.pk}_error"' in html for case in cases)


def many_people(count: int) -> None:
    for number in range(count):
        member(AgencyFactory(name=f"Partner {number}"), Role.PRACTITIONER)


def queries(client: Client, url: str, **params: object) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_the_pages_cost_the_same_whatever_the_number_of_candidates(
    panel: Panel,
    agency: Agency,
    coordinator: User,
    caseworker: User,
    supervisor: User,
    meeting: PanelMeeting,
) -> None:
    CaseFactory.create_batch(2, owner=caseworker, owning_agency=agency)
    coordinating, supervising = client_for(coordinator), client_for(supervisor)
    pages = [
        (coordinating, meeting.get_absolute_url(), {}),
        (supervising, reverse("panels:reassign", args=[caseworker.pk]), {}),
        (supervising, reverse("panels:directory"), {}),
        (supervising, reverse("panels:directory"), {"agency": agency.pk}),
    ]
    before = [queries(client, url, **params) for client, url, params in pages]
    many_people(30)
    for number in range(30):
        panel_case(panel, agency, f"Family {number}")
    after = [queries(client, url, **params) for client, url, params in pages]
    assert before == after
    assert after[0] <= 25 and max(after[1:]) <= 11
    meeting_page = coordinating.get(meeting.get_absolute_url()).content.decode()
    assert meeting_page.count("<option") < 10  # the languages, never a case or a person
    assert client_for(supervisor).get(reverse("panels:directory")).context["agencies"][-1].people >= 1


def test_the_directory_finds_a_person_and_opens_their_agencys_team(
    agency: Agency, caseworker: User, colleague: User, supervisor: User
) -> None:
    client = client_for(supervisor)
    found = client.get(reverse("panels:directory"), {"q": colleague.first_name})
    assert colleague in {candidate.user for candidate in found.context["candidates"]}
    team = client.get(reverse("panels:directory"), {"q": f"anything #{colleague.pk}:{agency.pk}"})
    assert team.context["agency"] == agency
    assert {c.user for c in team.context["candidates"]} == {caseworker, colleague, supervisor}


def test_the_start_of_a_reference_suggests_the_cases_it_begins(
    coordinator: User, meeting: PanelMeeting, panel: Panel, agency: Agency
) -> None:
    case = panel_case(panel, agency, "Leka", reference="2026-0012")
    # the year a reference begins with is read as its start, not as a case's id
    assert any(case.reference in value for value in case_suggestions(coordinator, meeting, "2026"))
