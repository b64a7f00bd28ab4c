"""The case access log (owner and coordinator only) and the DPO's search, export and report."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from pytest_django import DjangoAssertNumQueries

from agencies.models import User
from audit.api.views import AuditEventPagination
from audit.models import AuditEvent
from cases.models import Case
from privacy.breakglass import break_glass
from tests.conftest import api_as
from tests.privacy.fixtures import *  # noqa: F403 (the fixtures)

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def looked_at(panel_case: Case, auditor_readonly: User) -> Case:
    from tests.factories import share

    share(panel_case, auditor_readonly.memberships.get().agency)
    assert api_as(auditor_readonly).get(reverse("cases-api:case-detail", args=[panel_case.pk])).status_code == 200
    return panel_case


@pytest.mark.parametrize("who", ["caseworker", "coordinator"])
def test_the_owner_and_the_coordinator_see_who_looked(
    looked_at: Case, auditor_readonly: User, outside_supervisor: User, who: str, request: pytest.FixtureRequest
) -> None:
    break_glass(looked_at, actor=outside_supervisor, reason="A child is missing tonight")
    response = _client(request.getfixturevalue(who)).get(reverse("audit:case_access_log", args=[looked_at.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert auditor_readonly.get_full_name() in page
    assert "A child is missing tonight" in page and "table-warning" in page  # flagged


@pytest.mark.parametrize("who", ["colleague", "supervisor", "auditor_readonly", "panel_member", "dpo"])
def test_nobody_else_on_the_case_sees_the_log(looked_at: Case, who: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(who)
    assert _client(user).get(reverse("audit:case_access_log", args=[looked_at.pk])).status_code == 404


def test_the_access_log_runs_constant_queries(
    looked_at: Case, caseworker: User, auditor_readonly: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client = api_as(auditor_readonly)
    for _ in range(30):
        client.get(reverse("cases-api:case-detail", args=[looked_at.pk]))
    owner = _client(caseworker)
    with django_assert_max_num_queries(14):
        assert owner.get(reverse("audit:case_access_log", args=[looked_at.pk])).status_code == 200


def test_the_dpo_searches_the_trail(looked_at: Case, dpo: User, auditor_readonly: User) -> None:
    client = _client(dpo)
    response = client.get(
        reverse("audit:auditevent_list"), {"user": auditor_readonly.username, "case": looked_at.reference}
    )
    assert response.status_code == 200
    events = list(response.context["events"])
    assert events and all(e.actor_id == auditor_readonly.pk and e.case_id == looked_at.pk for e in events)
    assert AuditEvent.objects.filter(actor=dpo, action="audit_searched").exists()


def test_the_dpo_exports_csv_and_the_export_is_recorded(looked_at: Case, dpo: User) -> None:
    response = _client(dpo).get(reverse("audit:auditevent_list"), {"action": "case_read", "export": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("#,When (Europe/Tirane),Who") and "Case read" in body
    assert AuditEvent.objects.filter(actor=dpo, action="audit_exported").exists()


def test_the_trail_and_its_csv_read_in_words_and_local_time(looked_at: Case, dpo: User, auditor_readonly: User) -> None:
    # given a read of a case by a partner, recorded (in UTC) with its particulars
    read = AuditEvent.objects.filter(action="case_read", actor=auditor_readonly).latest("pk")
    local = timezone.localtime(read.created_at).strftime("%Y-%m-%d %H:%M")
    utc = read.created_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M")
    assert local != utc  # Tirana is never UTC
    client = _client(dpo)
    # when the officer reads the trail and downloads it
    page = client.get(reverse("audit:auditevent_list"), {"action": "case_read"}).content.decode()
    export = client.get(reverse("audit:auditevent_list"), {"action": "case_read", "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    row = next(row for row in rows if row[0] == str(read.pk))
    # then both say what was read in words, name the case by its reference, at the same local time
    shown = date_format(timezone.localtime(read.created_at), "SHORT_DATETIME_FORMAT")  # the page's format
    assert row[1].startswith(local) and shown in page
    assert row[4] == "Case read · Case" and "Case read · Case" in page
    assert row[5] == looked_at.reference and looked_at.reference in page
    for text in (" ".join(row), page):
        assert "cases.case" not in text and "{'" not in text and utc not in text


def test_the_dpo_reads_the_break_glass_report(case: Case, dpo: User, outside_supervisor: User) -> None:
    break_glass(case, actor=outside_supervisor, reason="A child is missing tonight")
    response = _client(dpo).get(reverse("audit:breakglass_report"))
    assert response.status_code == 200 and "A child is missing tonight" in response.content.decode()


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "coordinator"])
@pytest.mark.parametrize("name", ["audit:auditevent_list", "audit:breakglass_report"])
def test_nobody_but_the_dpo_searches(case: Case, who: str, name: str, request: pytest.FixtureRequest) -> None:
    assert _client(request.getfixturevalue(who)).get(reverse(name)).status_code == 404


def test_a_superuser_is_not_the_dpo(db: None) -> None:
    root = User.objects.create_superuser("root", "root@example.org", "x")
    assert _client(root).get(reverse("audit:auditevent_list")).status_code == 404


def test_the_search_runs_constant_queries(dpo: User, django_assert_max_num_queries: DjangoAssertNumQueries) -> None:
    from audit.services import record

    for i in range(60):
        record(AuditEvent.Action.SIGN_IN_FAILED, username=f"u{i}")
    client = _client(dpo)
    # 13: the page names the agencies of the events it lists in one query, and the DPO's own sign-in
    # names the office she acts for (decision 50's one rule, case-less: her first agency)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("audit:auditevent_list")).status_code == 200


def test_the_case_page_links_the_log_for_the_owner_only(case: Case, caseworker: User, colleague: User) -> None:
    url = reverse("audit:case_access_log", args=[case.pk])
    assert url in _client(caseworker).get(case.get_absolute_url()).content.decode()
    assert url not in _client(colleague).get(case.get_absolute_url()).content.decode()


def test_the_dpo_searches_the_trail_through_the_api(looked_at: Case, dpo: User, auditor_readonly: User) -> None:
    client = api_as(dpo)
    response = client.get(
        reverse("audit-api:auditevent-list"), {"user": auditor_readonly.username, "case": looked_at.pk}
    )
    assert response.status_code == 200 and response.data["results"]
    assert {row["actor_username"] for row in response.data["results"]} == {auditor_readonly.username}
    assert {row["case_id"] for row in response.data["results"]} == {looked_at.pk}
    searched = AuditEvent.objects.filter(actor=dpo, action="audit_searched").latest("pk")
    assert searched.data["search"] == {"user": auditor_readonly.username, "case": str(looked_at.pk)}


def test_the_trail_pages_by_cursor_newest_first(looked_at: Case, dpo: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """The trail grows while it is read: a cursor keeps each page where it was."""
    monkeypatch.setattr(AuditEventPagination, "page_size", 2)
    client = api_as(dpo)
    url = reverse("audit-api:auditevent-list")
    for _ in range(3):  # each search is recorded: the trail has more than a page
        client.get(url)
    first = client.get(url)
    assert first.status_code == 200 and set(first.data) == {"next", "previous", "results"}
    ids = [row["id"] for row in first.data["results"]]
    assert ids == sorted(ids, reverse=True)
    assert first.data["next"] and "cursor=" in first.data["next"]
    following = client.get(first.data["next"])
    assert following.status_code == 200
    assert max(row["id"] for row in following.data["results"]) < min(ids)


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "coordinator"])
def test_nobody_but_the_dpo_reads_the_trail_through_the_api(
    case: Case, who: str, request: pytest.FixtureRequest
) -> None:
    assert api_as(request.getfixturevalue(who)).get(reverse("audit-api:auditevent-list")).status_code == 404


@pytest.mark.parametrize("size", [1, 5])
def test_the_break_glass_report_runs_constant_queries(
    size: int, case: Case, dpo: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    from tests.conftest import member
    from tests.factories import AgencyFactory, CaseFactory

    # given `size` openings, each by another supervisor into another case
    for n in range(size):
        supervisor = member(AgencyFactory(), "supervisor", username=f"night_supervisor_{n}")
        opened = case if n == 0 else CaseFactory(owner=case.owner, owning_agency=case.owning_agency)
        break_glass(opened, actor=supervisor, reason="A child is missing tonight")
    client = _client(dpo)
    # then
    with django_assert_max_num_queries(13):
        body = client.get(reverse("audit:breakglass_report")).content.decode()
    assert body.count("A child is missing tonight") == size
