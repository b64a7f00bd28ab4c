"""The panel pack: the next meeting's agenda with each case's summary and what the panel is asked
to decide, printable on A4 and as a PDF, in Albanian too; built through restrict() and the summary
only, and recorded as an export."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from agencies.models import Panel, User
from audit.models import AuditEvent
from cases import services as case_services
from cases.models import Case, CaseNote
from panels import services
from panels.models import PanelMeeting
from tests.conftest import api_as
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

SECRET = "Zebracontent of the note"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def meeting(panel: Panel, coordinator: User, case: Case) -> PanelMeeting:
    """The panel's next meeting, planned by its coordinator, with the case due for review on it."""
    Case.objects.filter(pk=case.pk).update(panel=panel, next_review_on=timezone.localdate())
    case_services.record_note(CaseNote(case=case, text=SECRET), actor=case.owner)
    when = timezone.now() + datetime.timedelta(days=2)
    return services.schedule_meeting(panel, scheduled_for=when, location="Town hall", actor=coordinator)


def test_a_panel_member_prints_the_pack_with_each_cases_summary_and_the_decision_asked(
    meeting: PanelMeeting, case: Case, panel_member: User
) -> None:
    response = client_for(panel_member).get(reverse("panels:meeting_pack", args=[meeting.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Panel pack made by" in text
    assert case.reference in text and case.family.name in text
    assert "Review the progress of the plan and set the next review." in text
    assert SECRET not in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.PANEL_PACK_EXPORTED)
    assert event.actor == panel_member


def test_the_pack_as_a_pdf_is_recorded_with_its_count(meeting: PanelMeeting, case: Case, panel_member: User) -> None:
    response = client_for(panel_member).get(reverse("panels:meeting_pack", args=[meeting.pk]), {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"DejaVuSans" in response.content
    event = AuditEvent.objects.get(action=AuditEvent.Action.PANEL_PACK_EXPORTED)
    assert event.data["count"] == 1 and event.data["ids"] == [case.pk]


def test_the_pack_prints_in_albanian(meeting: PanelMeeting, panel_member: User) -> None:
    User.objects.filter(pk=panel_member.pk).update(language="sq")
    response = client_for(panel_member).get(reverse("panels:meeting_pack", args=[meeting.pk]))
    assert response.headers["Content-Language"] == "sq"
    assert "Paketa e panelit" in response.content.decode()
    pdf = client_for(panel_member).get(reverse("panels:meeting_pack", args=[meeting.pk]), {"format": "pdf"})
    assert pdf.status_code == 200


def test_a_case_the_reader_may_not_see_is_left_out_of_the_pack(
    meeting: PanelMeeting, coordinator: User, caseworker: User, panel_member: User, agency: Any
) -> None:
    # given a second case on the agenda, then taken off the panel: its row stays on the agenda
    other = CaseFactory(owner=caseworker, owning_agency=agency, panel=meeting.panel)
    services.add_case_to_agenda(meeting, other, actor=coordinator)
    Case.objects.filter(pk=other.pk).update(panel=None)
    response = client_for(panel_member).get(reverse("panels:meeting_pack", args=[meeting.pk]))
    assert other.reference not in response.content.decode()


def test_the_api_gives_the_pack_as_a_pdf(meeting: PanelMeeting, panel_member: User, stranger: Any) -> None:
    answer = api_as(panel_member).get(reverse("panels-api:panelmeeting-pack", args=[meeting.pk]))
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")


def test_the_pack_costs_the_same_queries_for_one_case_or_five(
    meeting: PanelMeeting, coordinator: User, caseworker: User, agency: Any,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:  # fmt: skip
    client = client_for(coordinator)
    url = reverse("panels:meeting_pack", args=[meeting.pk])
    client.get(url)  # sessions and the viewer's memberships warmed
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(4):
        services.add_case_to_agenda(
            meeting, CaseFactory(owner=caseworker, owning_agency=agency, panel=meeting.panel), actor=coordinator
        )
    # the same reads; only the records grow: one line in each added case's access log (an INSERT)
    with django_assert_max_num_queries(len(one.captured_queries) + 4):
        assert client.get(url).status_code == 200


@pytest.fixture
def stranger(db: None) -> User:
    from tests.conftest import member
    from tests.factories import AgencyFactory

    return member(AgencyFactory(name="Housing office"), username="stranger")
