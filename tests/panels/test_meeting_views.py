"""Panel pages in the browser and the API: planning, the agenda, decisions, query counts."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from agencies.models import Agency, Membership, Panel, User
from cases.models import Case
from panels import services
from panels.models import PanelMeeting
from tests.conftest import api_as
from tests.factories import CaseFactory, ReferralFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_coordinator_plans_a_meeting_and_records_a_decision(
    panel: Panel, coordinator: User, case: Case, colleague: User, agency: Agency
) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel, next_review_on=timezone.localdate())
    client = client_for(coordinator)
    when = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("panels:meeting_create", args=[panel.pk]), {"scheduled_for": when, "location": "Hall"}
    )
    meeting = PanelMeeting.objects.get()
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    item = meeting.items.get(case=case)
    review = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    decided = client.post(
        reverse("panels:agendaitem_decide", args=[meeting.pk, item.pk]),
        {"urgency": "urgent", "owner": f"{colleague.pk}:{agency.pk}", "next_review_on": review, "notes": "Agreed"},
    )
    assert decided.status_code == 302
    case.refresh_from_db()
    assert (case.owner, case.urgency, case.next_review_on.isoformat()) == (colleague, "urgent", review)


def test_a_refused_decision_keeps_what_was_typed(panel: Panel, coordinator: User, case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    case.refresh_from_db()
    meeting = services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    item = services.add_case_to_agenda(meeting, case, actor=coordinator)
    response = client_for(coordinator).post(
        reverse("panels:agendaitem_decide", args=[meeting.pk, item.pk]),
        {"involved_agency_1": case.owning_agency_id, "notes": "Keep this decision text"},
    )
    assert response.status_code == 200 and "Keep this decision text" in response.content.decode()
    assert "Say why this agency is involved." in response.content.decode()
    item.refresh_from_db()
    assert not item.is_decided


def test_a_panel_member_acknowledges_and_declines_but_decides_nothing(
    panel: Panel, coordinator: User, case: Case, panel_member: User, other_agency: Agency
) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    case.refresh_from_db()
    meeting = services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    item = services.add_case_to_agenda(meeting, case, actor=coordinator)
    client = client_for(panel_member)
    assert client.post(reverse("panels:meeting_acknowledge", args=[meeting.pk])).status_code == 302
    assert meeting.attendance.get(user=panel_member).confidentiality_acknowledged_at is not None
    declined = client.post(
        reverse("panels:agendaitem_decline", args=[meeting.pk, item.pk]), {"agency": other_agency.pk, "reason": ""}
    )
    assert declined.status_code == 302 and item.declines.filter(agency=other_agency).exists()
    assert client.post(reverse("panels:agendaitem_decide", args=[meeting.pk, item.pk]), {}).status_code == 403


def test_the_printable_agenda_lists_the_items(panel: Panel, coordinator: User, case: Case, panel_member: User) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel, next_review_on=timezone.localdate())
    meeting = services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    page = client_for(panel_member).get(reverse("panels:meeting_agenda", args=[meeting.pk]))
    assert page.status_code == 200 and case.family.name in page.content.decode()
    assert "Confidential." in page.content.decode()


def test_panel_settings_are_the_coordinators(panel: Panel, coordinator: User, panel_member: User) -> None:
    url = reverse("panels:panel_settings", args=[panel.pk])
    assert client_for(panel_member).post(url, {"cadence_days": 7, "record_mode": "no_minutes"}).status_code == 403
    assert client_for(coordinator).post(url, {"cadence_days": 7, "record_mode": "no_minutes"}).status_code == 302
    panel.refresh_from_db()
    assert (panel.cadence_days, panel.record_mode) == (7, "no_minutes")
    bad = client_for(coordinator).post(url, {"cadence_days": 0, "record_mode": "no_minutes"})
    assert bad.status_code == 200 and bad.context["form"].errors


def test_the_api_runs_a_meeting(panel: Panel, coordinator: User, case: Case, panel_member: User) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel, next_review_on=timezone.localdate())
    client = api_as(coordinator)
    created = client.post(
        reverse("panels-api:panelmeeting-list"),
        {"panel": panel.pk, "scheduled_for": timezone.now().isoformat(), "location": "Hall"},
        format="json",
    )
    assert created.status_code == 201, created.data
    items = client.get(reverse("panels-api:agendaitem-list"), {"meeting": created.data["id"]}).data["results"]
    assert [row["case"] for row in items] == [case.pk]
    decided = client.post(
        reverse("panels-api:agendaitem-decide", args=[items[0]["id"]]), {"urgency": "urgent"}, format="json"
    )
    assert decided.status_code == 200 and decided.data["urgency"] == "urgent"
    # a panel member cannot plan one for the panel
    refused = api_as(panel_member).post(
        reverse("panels-api:panelmeeting-list"), {"panel": panel.pk, "scheduled_for": timezone.now().isoformat()}
    )
    assert refused.status_code == 403


def test_minutes_are_for_the_panels_members_not_a_guest(
    panel: Panel, coordinator: User, caseworker: User, panel_member: User, case: Case
) -> None:
    # given a meeting of a panel keeping full minutes, which a case owner attended as a guest
    services.update_panel(panel, cadence_days=14, record_mode=Panel.RecordMode.FULL_MINUTES, actor=coordinator)
    meeting = services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    services.record_attendance(meeting, user=caseworker, actor=coordinator)
    services.close_meeting(meeting, minutes="Discussed family Zorbafamily at length", actor=coordinator)
    # then the members read the minutes, in the browser and the API; the guest does not
    member_page = client_for(panel_member).get(meeting.get_absolute_url()).content.decode()
    guest_page = client_for(caseworker).get(meeting.get_absolute_url()).content.decode()
    assert "Zorbafamily" in member_page and "Zorbafamily" not in guest_page
    detail = reverse("panels-api:panelmeeting-detail", args=[meeting.pk])
    assert api_as(caseworker).get(detail).data["minutes"] is None
    assert "Zorbafamily" in api_as(panel_member).get(detail).data["minutes"]


def test_a_guest_sees_their_items_numbered_from_one(
    panel: Panel, coordinator: User, caseworker: User, case: Case
) -> None:
    # given a meeting about three other cases and the guest's own
    CaseFactory.create_batch(3, panel=panel, next_review_on=timezone.localdate())
    Case.objects.filter(pk=case.pk).update(panel=panel)
    case.refresh_from_db()
    meeting = services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    services.add_case_to_agenda(meeting, case, actor=coordinator)
    services.record_attendance(meeting, user=caseworker, actor=coordinator)
    # then the guest's agenda is their item alone, numbered 1, and the API gives no position away
    page = client_for(caseworker).get(meeting.get_absolute_url())
    assert [item.case for item in page.context["items"]] == [case]
    assert '<span class="badge text-bg-light border">1</span>' in page.content.decode()
    assert "position" not in api_as(caseworker).get(reverse("panels-api:agendaitem-list")).data["results"][0]


def test_a_panel_members_meeting_page_builds_no_coordinator_forms(
    panel: Panel, coordinator: User, panel_member: User
) -> None:
    meeting = services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    assert "attendance_form" not in client_for(panel_member).get(meeting.get_absolute_url()).context
    assert "attendance_form" in client_for(coordinator).get(meeting.get_absolute_url()).context


@pytest.mark.parametrize("rows", [1, 8])
def test_meeting_and_panel_pages_are_constant(
    rows: int,
    panel: Panel,
    coordinator: User,
    agency: Agency,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    CaseFactory.create_batch(rows, panel=panel, next_review_on=timezone.localdate())
    ReferralFactory.create_batch(rows, received_by=agency, panel=panel, status="on_agenda")
    meeting = services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    for user in (coordinator,):
        services.record_attendance(meeting, user=user, actor=coordinator)
    client = client_for(coordinator)
    with django_assert_max_num_queries(25):
        assert client.get(meeting.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(12):  # exactly, for each reader: tests/pages/test_page_budgets.py
        assert client.get(panel.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(11):
        assert client.get(reverse("panels:directory")).status_code == 200
    api = api_as(coordinator)
    with django_assert_max_num_queries(10):
        assert api.get(reverse("panels-api:agendaitem-list"), {"meeting": meeting.pk}).data["count"] == 2 * rows


def test_the_breadcrumb_links_to_the_panel_only_for_those_who_may_open_it(
    panel: Panel, coordinator: User, caseworker: User, panel_member: User, case: Case
) -> None:
    # given a meeting a case owner (a social worker, no panel member) attended as a guest
    meeting = services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    services.record_attendance(meeting, user=caseworker, actor=coordinator)
    panel_url = f'href="{panel.get_absolute_url()}"'
    # then the guest's breadcrumb names the panel without a link (the panel page would refuse them)
    guest = client_for(caseworker)
    assert guest.get(panel.get_absolute_url()).status_code in (403, 404)
    guest_page = guest.get(meeting.get_absolute_url()).content.decode()
    assert str(panel) in guest_page and panel_url not in guest_page
    # and a member's leads to the panel, which opens
    member = client_for(panel_member)
    assert panel_url in member.get(meeting.get_absolute_url()).content.decode()
    assert member.get(panel.get_absolute_url()).status_code == 200
