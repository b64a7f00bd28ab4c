"""The panel pack carries each case's plan progress (counts and dates, never content), the counts
that put a case on the agenda by itself, a question for every reason a case is on the agenda, and
its export is recorded with its count and in each case's access log."""

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Panel, User
from agencies.pdf import PdfDocument
from audit.models import AuditEvent
from cases.models import Case
from panels import services
from panels.models import AgendaItem, PanelMeeting
from panels.packs import asked_of_the_panel, pack_items
from tests.factories import AgencyFactory
from tests.interventions.test_progress import SECRET_GOAL, SECRET_OUTCOME, stalled_plan

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def mentors(db: None) -> Agency:
    return AgencyFactory(name="Zxcvbnm Mentors")


@pytest.fixture
def meeting(panel: Panel, coordinator: User, case: Case, mentors: Agency) -> PanelMeeting:
    """The panel's next meeting with the case on it: its plan has one lapsed action."""
    Case.objects.filter(pk=case.pk).update(panel=panel, next_review_on=timezone.localdate())
    case.refresh_from_db()
    stalled_plan(case, mentors)
    when = timezone.now() + datetime.timedelta(days=2)
    meeting = services.schedule_meeting(panel, scheduled_for=when, location="Town hall", actor=coordinator)
    AgendaItem.objects.filter(meeting=meeting, case=case).update(
        reason=AgendaItem.Reason.LAPSED_ACTIONS, lapsed_actions=1, days_without_contact=50
    )
    return meeting


def test_every_reason_on_the_agenda_asks_the_panel_something() -> None:
    for reason in AgendaItem.Reason:
        assert asked_of_the_panel(reason), reason


def test_each_case_in_the_pack_carries_its_progress_counts_and_the_agenda_flags(
    meeting: PanelMeeting, case: Case, panel_member: User
) -> None:
    (item,) = pack_items(meeting, panel_member)
    progress = dict(item.progress)
    assert progress["Actions of the plan"] == "1 planned, 1 running, 1 lapsed, 1 done"
    assert progress["Goals of the plan"] == "1 on track, 1 not on track, 0 achieved, 0 not yet reviewed"
    assert dict(item.flags) == {"Lapsed actions": "1", "Days without contact": "50"}
    assert item.asked == asked_of_the_panel(AgendaItem.Reason.LAPSED_ACTIONS)


def test_the_printable_pack_shows_the_progress_and_no_content_of_the_plan(
    meeting: PanelMeeting, panel_member: User
) -> None:
    body = client_for(panel_member).get(reverse("panels:meeting_pack", args=[meeting.pk])).content.decode()
    assert "Progress of the plan" in body and "1 planned, 1 running, 1 lapsed, 1 done" in body
    assert re.search(r"data-agenda-flag>50<", body)
    assert "Find out why actions of the plan lapsed" in body
    for secret in (SECRET_GOAL, SECRET_OUTCOME, "Zxcvbnm Mentors", "Second goal"):
        assert secret not in body


def test_the_pdf_pack_carries_the_progress(
    meeting: PanelMeeting, panel_member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[str] = []
    original_fields, original_heading = PdfDocument.fields, PdfDocument.heading

    def fields(self: PdfDocument, rows: Any) -> None:
        rows = list(rows)
        written.extend(f"{label}: {value}" for label, value in rows)
        original_fields(self, rows)

    def heading(self: PdfDocument, text: str, **kwargs: Any) -> None:
        written.append(text)
        original_heading(self, text, **kwargs)

    monkeypatch.setattr(PdfDocument, "fields", fields)
    monkeypatch.setattr(PdfDocument, "heading", heading)
    response = client_for(panel_member).get(reverse("panels:meeting_pack", args=[meeting.pk]), {"format": "pdf"})
    assert response.status_code == 200
    assert "Progress of the plan" in written
    assert "Actions of the plan: 1 planned, 1 running, 1 lapsed, 1 done" in written
    assert "Lapsed actions: 1" in written
    assert not any(SECRET_GOAL in line for line in written)


def test_the_printable_pack_is_recorded_with_its_count_and_in_each_cases_access_log(
    meeting: PanelMeeting, case: Case, panel_member: User
) -> None:
    assert client_for(panel_member).get(reverse("panels:meeting_pack", args=[meeting.pk])).status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.PANEL_PACK_EXPORTED)
    assert event.actor == panel_member
    assert event.data["count"] == 1 and event.data["ids"] == [case.pk] and event.data["format"] == "html"
    logged = AuditEvent.objects.reads_of_case(case.pk).filter(actor=panel_member)
    assert logged.filter(action=AuditEvent.Action.EXPORT_READ, data__what="panel_pack").count() == 1


def test_the_pdf_pack_is_in_each_cases_access_log(meeting: PanelMeeting, case: Case, panel_member: User) -> None:
    client_for(panel_member).get(reverse("panels:meeting_pack", args=[meeting.pk]), {"format": "pdf"})
    logged = AuditEvent.objects.reads_of_case(case.pk).filter(actor=panel_member)
    assert logged.filter(action=AuditEvent.Action.EXPORT_READ, data__format="pdf").count() == 1


def test_the_print_and_pack_buttons_are_touch_sized(meeting: PanelMeeting, case: Case, coordinator: User) -> None:
    client = client_for(case.owner)
    page = client.get(case.get_absolute_url()).content.decode()
    summary_url = reverse("cases:case_summary", args=[case.pk])
    summary_link = re.search(rf'<a class="([^"]*)" href="{summary_url}"', page)
    assert summary_link and "btn-touch" in summary_link.group(1)
    detail = client_for(coordinator).get(meeting.get_absolute_url()).content.decode()
    pack_url = reverse("panels:meeting_pack", args=[meeting.pk])
    pack_link = re.search(rf'<a class="([^"]*)" href="{pack_url}"', detail)
    assert pack_link and "btn-touch" in pack_link.group(1)
