"""The lessons learned in a year: written by the panel's coordinator on the yearly report, kept,
recorded in the trail and printed for the partners; read by the panel's seats alone."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Panel, User
from audit.models import AuditEvent
from panels.models import LessonsLearned

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_coordinator_writes_the_lessons_on_the_report_and_they_are_printed(
    coordinator: User, panel: Panel, panel_member: User
) -> None:
    year = timezone.localdate().year - 1
    client = _client(coordinator)
    report = reverse("stats:year_report")
    # given the report of a year, with a form for the panel the coordinator coordinates
    page = client.get(report, {"year": year}).content.decode()
    assert "Not written yet." in page and reverse("stats:lessons", args=[panel.pk]) in page

    # when she writes what the partners agreed, then writes it over
    url = reverse("stats:lessons", args=[panel.pk])
    first = client.post(url, {"year": year, "text": "Meet schools earlier."})
    assert first.status_code == 302 and first["Location"].endswith(f"?year={year}#report-lessons")
    client.post(url, {"year": year, "text": "Meet schools earlier.\nCall families within a week."})

    # then one text is kept for the year, the trail records both writings, and the report prints it
    lessons = LessonsLearned.objects.get()
    assert (lessons.panel, lessons.year, lessons.written_by) == (panel, year, coordinator)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LESSONS_WRITTEN).count() == 2
    assert "Call families within a week." in client.get(report, {"year": year}).content.decode()
    # and a member of the panel reads it there, without a form to change it
    seen = _client(panel_member).get(report, {"year": year}).content.decode()
    assert "Call families within a week." in seen and url not in seen
    # and the lessons of one year are not those of another
    assert "Call families within a week." not in client.get(report, {"year": year - 1}).content.decode()


def test_empty_lessons_are_refused_in_words_and_nothing_is_kept(coordinator: User, panel: Panel) -> None:
    response = _client(coordinator).post(
        reverse("stats:lessons", args=[panel.pk]), {"year": timezone.localdate().year, "text": "   "}
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not LessonsLearned.objects.exists()


def test_a_panel_member_cannot_write_the_lessons(panel_member: User, panel: Panel) -> None:
    response = _client(panel_member).post(
        reverse("stats:lessons", args=[panel.pk]), {"year": timezone.localdate().year, "text": "Ours"}
    )
    assert response.status_code == 403
    assert not LessonsLearned.objects.exists()
