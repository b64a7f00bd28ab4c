"""The partnership's structure through the API: experts, agencies' profiles, the rota, topics."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, DutyShift, Expert, Membership, Panel, User
from panels.models import MeetingTopic, PanelMeeting
from tests.conftest import api_as, member

pytestmark = pytest.mark.django_db
Role = Membership.Role


def test_a_coordinator_registers_an_expert_and_a_practitioner_reads_it(
    coordinator: User, caseworker: User, agency: Agency
) -> None:
    body = {"name": "Dr. Arta Kelmendi", "field": "Trauma therapy", "agencies": [agency.pk], "languages": "Albanian"}
    created = api_as(coordinator).post(reverse("panels-api:expert-list"), body, format="json")
    assert created.status_code == 201, created.data
    listed = api_as(caseworker).get(reverse("panels-api:expert-list"))
    assert listed.status_code == 200 and listed.data["results"][0]["name"] == "Dr. Arta Kelmendi"
    refused = api_as(caseworker).post(reverse("panels-api:expert-list"), body, format="json")
    assert refused.status_code == 403 and Expert.objects.count() == 1


def test_an_agency_admin_changes_its_mandate_and_not_anothers(agency: Agency, other_agency: Agency) -> None:
    admin = member(agency, Role.AGENCY_ADMIN)
    client = api_as(admin)
    mine = client.patch(reverse("panels-api:agency-profile-detail", args=[agency.pk]), {"mandate": "Child protection."})
    assert mine.status_code == 200 and mine.data["mandate"] == "Child protection."
    theirs = client.patch(reverse("panels-api:agency-profile-detail", args=[other_agency.pk]), {"mandate": "x"})
    assert theirs.status_code == 403
    other_agency.refresh_from_db()
    assert other_agency.mandate == ""


def test_the_coordinator_puts_someone_on_call_and_a_panel_member_reads_the_rota(
    panel: Panel, coordinator: User, caseworker: User, agency: Agency, panel_member: User
) -> None:
    body = {
        "panel": panel.pk, "user": caseworker.pk, "agency": agency.pk,
        "starts_at": "2099-01-01T20:00:00Z", "ends_at": "2099-01-02T08:00:00Z",
    }  # fmt: skip
    created = api_as(coordinator).post(reverse("panels-api:dutyshift-list"), body, format="json")
    assert created.status_code == 201, created.data
    rota = api_as(panel_member).get(reverse("panels-api:dutyshift-list"))
    assert [row["user"] for row in rota.data["results"]] == [caseworker.pk]
    assert DutyShift.objects.count() == 1


def test_a_topic_with_a_discussion_is_refused_where_the_panel_keeps_no_minutes(panel: Panel, coordinator: User) -> None:
    client = api_as(coordinator)
    meeting = client.post(
        reverse("panels-api:urgent-meeting-list"),
        {"panel": panel.pk, "scheduled_for": "2099-01-01T10:00:00Z", "reason": "A threat against a school."},
        format="json",
    )
    assert meeting.status_code == 201, meeting.data
    urgent = PanelMeeting.objects.get()
    assert urgent.urgent_reason == "A threat against a school." and urgent.record_mode == "decisions_only"
    body = {"meeting": urgent.pk, "kind": "lessons_learned", "title": "The autumn case", "discussion": "Long talk"}
    refused = client.post(reverse("panels-api:meetingtopic-list"), body, format="json")
    assert refused.status_code == 400 and not MeetingTopic.objects.exists()
    body.pop("discussion")
    assert client.post(reverse("panels-api:meetingtopic-list"), body, format="json").status_code == 201


def test_a_member_who_may_not_change_a_profile_is_refused_before_their_input_is_checked(
    agency: Agency, caseworker: User
) -> None:
    url = reverse("panels-api:agency-profile-detail", args=[agency.pk])
    assert api_as(caseworker).patch(url, {"contact_person": 999999}, format="json").status_code == 403
    assert api_as(caseworker).patch(url, {"mandate": "Ours now."}, format="json").status_code == 403
    agency.refresh_from_db()
    assert agency.mandate == ""


def test_the_api_shows_the_emergency_plan_the_urgent_reason_and_the_network_map(
    panel: Panel, coordinator: User, panel_member: User
) -> None:
    from panels import network

    network.update_emergency_plan(
        panel, actor=coordinator, terms_of_reference="Every fortnight.", emergency_steps="Call the police.\nTell DPO."
    )
    shown = api_as(panel_member).get(reverse("panels-api:panel-detail", args=[panel.pk]))
    assert shown.data["terms_of_reference"] == "Every fortnight."
    assert shown.data["emergency_steps"] == ["Call the police.", "Tell DPO."]
    meeting = network.call_urgent_meeting(
        panel, actor=coordinator, scheduled_for=timezone.now() + datetime.timedelta(hours=2), reason="A threat."
    )
    read = api_as(panel_member).get(reverse("panels-api:panelmeeting-detail", args=[meeting.pk]))
    assert read.data["urgent_reason"] == "A threat."
    # the network map is the coordinator's: the missing sectors and the health warnings
    mapped = api_as(coordinator).get(reverse("panels-api:panel-network-map", args=[panel.pk]))
    assert mapped.status_code == 200, mapped.data
    assert "health" in mapped.data["missing_sectors"] and "mental_health" in mapped.data["missing_sectors"]
    assert any("mental-health" in warning for warning in mapped.data["warnings"])
    assert api_as(panel_member).get(reverse("panels-api:panel-network-map", args=[panel.pk])).status_code in (403, 404)
