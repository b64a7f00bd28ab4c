"""The case list's file and the printed summary carry each case's plan progress at summary level:
counts and dates (actions planned, running, lapsed, done; goals; days since the last contact;
deadlines met or missed), never what the plan says."""

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, Panel, User
from cases.models import Case
from tests.factories import AgencyFactory
from tests.interventions.test_progress import SECRET_GOAL, SECRET_OUTCOME, stalled_plan

pytestmark = pytest.mark.django_db

PROGRESS_COLUMNS = [
    "Actions planned", "Actions running", "Actions lapsed", "Actions done", "Goals on track", "Goals not on track",
    "Goals achieved", "Days since the last contact", "Last review", "First contact deadline",
    "Needs assessment deadline",
]  # fmt: skip


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def planned_case(case: Case, panel: Panel) -> Case:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    case.refresh_from_db()
    mentors: Agency = AgencyFactory(name="Zxcvbnm Mentors")
    stalled_plan(case, mentors)
    return case


def test_the_case_list_file_carries_the_progress_counts(planned_case: Case, panel_member: User) -> None:
    response = _client(panel_member).get(reverse("cases:case_list_export"), {"format": "csv"})
    rows = _rows(response)
    assert rows[1][12:] == PROGRESS_COLUMNS
    (row,) = [row for row in rows[2:] if row[0] == planned_case.reference]
    figures = dict(zip(rows[1], row, strict=True))
    assert [figures[name] for name in PROGRESS_COLUMNS[:7]] == ["1", "1", "1", "1", "1", "1", "0"]
    body = response.content.decode()
    for secret in (SECRET_GOAL, SECRET_OUTCOME, "Zxcvbnm Mentors", "Second goal"):
        assert secret not in body


def test_the_printed_summary_carries_the_progress_counts(planned_case: Case, panel_member: User) -> None:
    page = _client(panel_member).get(reverse("cases:case_summary", args=[planned_case.pk])).content.decode()
    assert "Actions of the plan" in page and "1 planned, 1 running, 1 lapsed, 1 done" in page
    for secret in (SECRET_GOAL, SECRET_OUTCOME, "Zxcvbnm Mentors", "Second goal"):
        assert secret not in page
