"""My exports: the background exports I asked for can be found again (a page in the user menu and
a notice under the bell when the file is ready), and a file is refused to a requester who is no
longer active or no longer a member of any agency."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agencies.access import Action
from agencies.models import User
from cases.models import Case, ExportJob
from reminders.models import Reminder
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _export_in_background(user: User, case: Case, settings: Any, capture: Any) -> ExportJob:
    settings.URA_EXPORT_BACKGROUND_ROWS = 0
    with capture(execute=True):
        _client(user).post(reverse("cases:case_list_export"), {"format": "csv", "stage": case.stage})
    job = ExportJob.objects.filter(requested_by=user).latest("created_at")
    assert job.status == ExportJob.Status.DONE
    return job


def test_my_exports_lists_my_own_jobs_newest_first_with_their_links(
    case: Case, caseworker: User, colleague: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = _export_in_background(caseworker, case, settings, django_capture_on_commit_callbacks)
    second = _export_in_background(caseworker, case, settings, django_capture_on_commit_callbacks)
    theirs = _export_in_background(colleague, case, settings, django_capture_on_commit_callbacks)
    page = _client(caseworker).get(reverse("cases:export_list"))
    body = page.content.decode()
    assert page.status_code == 200
    assert body.index(f'data-export-job="{second.pk}"') < body.index(f'data-export-job="{first.pk}"')
    assert reverse("cases:export_file", args=[first.pk]) in body
    assert f'data-export-job="{theirs.pk}"' not in body
    # an expired one is listed without its link
    ExportJob.objects.filter(pk=first.pk).update(status=ExportJob.Status.EXPIRED)
    body = _client(caseworker).get(reverse("cases:export_list")).content.decode()
    assert f'data-export-job="{first.pk}"' in body and reverse("cases:export_file", args=[first.pk]) not in body


def test_the_user_menu_leads_to_my_exports(caseworker: User) -> None:
    home = _client(caseworker).get("/").content.decode()
    assert reverse("cases:export_list") in home


def test_the_requester_is_told_when_the_file_is_ready(
    case: Case, caseworker: User, colleague: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = _export_in_background(caseworker, case, settings, django_capture_on_commit_callbacks)
    notices = Reminder.objects.restrict(caseworker, Action.VIEW).filter(kind="export_ready")
    (notice,) = notices
    assert notice.object_id == job.pk and notice.recipient == caseworker and notice.case is None
    assert not Reminder.objects.restrict(colleague, Action.VIEW).filter(kind="export_ready").exists()
    reminders = _client(caseworker).get(reverse("reminders:reminder_list")).content.decode()
    assert "Your export is ready" in reminders


@pytest.mark.parametrize("departure", ["inactive", "no_membership"])
def test_a_file_is_refused_to_a_requester_who_left(
    departure: str, case: Case, caseworker: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = _export_in_background(caseworker, case, settings, django_capture_on_commit_callbacks)
    client, api = _client(caseworker), api_as(caseworker)
    assert client.get(reverse("cases:export_file", args=[job.pk])).status_code == 200
    if departure == "inactive":
        User.objects.filter(pk=caseworker.pk).update(is_active=False)
    else:
        caseworker.memberships.all().delete()
    caseworker.refresh_from_db()
    refused = client.get(reverse("cases:export_file", args=[job.pk])).status_code
    answered = api.get(reverse("cases-api:export-job-file", args=[job.pk])).status_code
    assert refused in (302, 404) and answered in (401, 403, 404)
    if departure == "no_membership":
        # signed in again (a session of their own still open): the file is still not theirs to take
        assert _client(caseworker).get(reverse("cases:export_file", args=[job.pk])).status_code == 404
        assert api_as(caseworker).get(reverse("cases-api:export-job-file", args=[job.pk])).status_code == 404
