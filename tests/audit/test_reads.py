"""Reads are recorded, one record per request: case pages (full and summary), entries, the
printable agenda, API lists and details; refusals (403/404) with their path."""

import pytest
from django.test import Client
from django.urls import reverse

from agencies.access import CaseAccess
from agencies.models import Agency, Membership, Panel, User
from audit.models import AuditEvent
from cases import services as case_services
from cases.models import Case, CaseNote
from tests.conftest import api_as, member
from tests.factories import AgencyFactory, MembershipFactory, share

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _last(user: User) -> AuditEvent:
    return AuditEvent.objects.filter(actor=user).latest("pk")


def test_the_case_page_records_a_full_read(case: Case, caseworker: User) -> None:
    # when
    response = _client(caseworker).get(reverse("cases:case", args=[case.pk]), REMOTE_ADDR="10.1.2.3")
    # then
    assert response.status_code == 200
    event = _last(caseworker)
    assert event.action == AuditEvent.Action.CASE_READ and event.case_id == case.pk
    assert event.data["level"] == "full" and event.ip_address == "10.1.2.3"
    assert event.agency_id == case.owning_agency_id


def test_the_trail_names_the_agency_a_user_in_two_agencies_writes_for(case: Case) -> None:
    # given a practitioner of two agencies, the case shared in full with the one created second
    # (by name last, highest id): on this case they act for it, by the one rule (CaseAccess)
    alpha = AgencyFactory(name="Alpha youth", sector=Agency.Sector.YOUTH_WORK)
    zeta = AgencyFactory(name="Zeta health", sector=Agency.Sector.MENTAL_HEALTH)
    user = member(alpha)
    MembershipFactory(user=user, agency=zeta, role=Membership.Role.PRACTITIONER)
    share(case, zeta)
    # when they write a note, open the case page and the note's page, and read the case in the API
    note = case_services.record_note(CaseNote(case=case, text="A note"), actor=user)
    client = _client(user)
    assert client.get(reverse("cases:case", args=[case.pk])).status_code == 200
    assert client.get(reverse("cases:entry", args=[case.pk, "casenote", note.pk])).status_code == 200
    assert api_as(user).get(reverse("cases-api:case-detail", args=[case.pk])).status_code == 200
    # then the note, CaseAccess and every record of the trail on the case name the same agency
    assert note.author_agency_id == zeta.pk
    assert CaseAccess.of(Case.objects.with_access(user).get(pk=case.pk), user).acting_agency_id == zeta.pk
    events = AuditEvent.objects.filter(actor=user, case_id=case.pk)
    assert sorted(events.values_list("action", flat=True)) == ["case_read", "case_read", "entry_read", "entry_recorded"]
    assert set(events.values_list("agency_id", flat=True)) == {zeta.pk}


def test_a_panel_members_case_page_records_a_summary_read(case: Case, panel: Panel, panel_member: User) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    assert _client(panel_member).get(reverse("cases:case", args=[case.pk])).status_code == 200
    event = _last(panel_member)
    assert (event.action, event.case_id, event.data["level"]) == ("case_read", case.pk, "summary")


def test_an_entry_page_records_an_entry_read(case: Case, caseworker: User) -> None:
    note = case_services.record_note(CaseNote(case=case, text="A note"), actor=caseworker)
    url = reverse("cases:entry", args=[case.pk, "casenote", note.pk])
    assert _client(caseworker).get(url).status_code == 200
    event = _last(caseworker)
    assert (event.action, event.object_type, event.object_id) == ("entry_read", "cases.casenote", str(note.pk))
    assert event.case_id == case.pk and event.data["content"] is True


def test_the_case_list_records_one_event_with_the_ids_shown(case: Case, caseworker: User) -> None:
    client = _client(caseworker)
    before = AuditEvent.objects.count()
    assert client.get(reverse("cases:case_list")).status_code == 200
    assert AuditEvent.objects.count() == before + 1
    event = _last(caseworker)
    assert event.action == "list_read" and event.data["ids"] == [case.pk]


def test_api_detail_and_list_reads_are_recorded(case: Case, caseworker: User) -> None:
    client = api_as(caseworker)
    assert client.get(reverse("cases-api:case-detail", args=[case.pk])).status_code == 200
    detail = _last(caseworker)
    assert (detail.action, detail.case_id) == ("case_read", case.pk)
    assert client.get(reverse("cases-api:case-list")).status_code == 200
    listed = _last(caseworker)
    assert listed.action == "list_read" and listed.data["ids"] == [case.pk]
    assert listed.data["path"] == reverse("cases-api:case-list")


def test_writes_record_no_read(case: Case, caseworker: User) -> None:
    url = reverse("cases:case_risk", args=[case.pk])
    _client(caseworker).post(url, {"level": "low", "reason": "x"})
    assert not AuditEvent.objects.filter(actor=caseworker, action__in=AuditEvent.READ_ACTIONS).exists()


def test_a_refused_case_page_is_recorded_with_its_path(case: Case, caseworker_other_agency: User) -> None:
    url = reverse("cases:case", args=[case.pk])
    assert _client(caseworker_other_agency).get(url).status_code == 404
    event = _last(caseworker_other_agency)
    assert event.action == "access_denied" and event.data == {"path": url, "method": "GET", "status": 404}


def test_a_refused_api_read_is_recorded(case: Case, caseworker_other_agency: User) -> None:
    url = reverse("cases-api:case-detail", args=[case.pk])
    assert api_as(caseworker_other_agency).get(url).status_code == 404
    assert _last(caseworker_other_agency).data["path"] == url


def test_the_printable_agenda_is_recorded_as_an_export(panel: Panel, coordinator: User) -> None:
    from django.utils import timezone

    from panels import services as panel_services

    meeting = panel_services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    assert _client(coordinator).get(reverse("panels:meeting_agenda", args=[meeting.pk])).status_code == 200
    event = _last(coordinator)
    assert (event.action, event.object_id) == ("export_read", str(meeting.pk))


def test_reading_the_case_page_costs_one_insert(
    case: Case, caseworker: User, django_assert_max_num_queries: object
) -> None:
    client = _client(caseworker)
    url = reverse("cases:case", args=[case.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    inserts = [q for q in queries.captured_queries if "audit_auditevent" in q["sql"] and "INSERT" in q["sql"]]
    assert len(inserts) == 1


def test_a_read_touches_the_trail_in_one_statement_and_beat_chains_it(case: Case, caseworker: User) -> None:
    # A page's read takes neither the chain's lock nor its head (decision 170): every worker's reads
    # would wait on that one lock. Beat's chaining step gives the record its place after.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from audit.chain import verify_chain
    from operations.tasks import chain_waiting_audit_task

    client = _client(caseworker)
    url = reverse("cases:case", args=[case.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    trail = [q["sql"] for q in queries.captured_queries if "audit_auditevent" in q["sql"] or "advisory" in q["sql"]]
    assert len(trail) == 1 and trail[0].startswith("INSERT")
    read = _last(caseworker)
    assert (read.action, read.seq, read.hash) == ("case_read", None, "")
    assert chain_waiting_audit_task() >= 1
    read.refresh_from_db()
    assert read.seq is not None and read.hash == read.compute_hash()
    assert verify_chain().broken_id is None


def test_a_name_search_at_intake_records_what_it_showed(case: Case, caseworker: User) -> None:
    url = reverse("referrals-api:referral-matches")
    client = api_as(caseworker)
    person = case.index_person
    params = {"subject_family_name": person.family_name, "subject_given_name": person.given_name}
    assert client.get(url, params).status_code == 200
    event = _last(caseworker)
    assert event.action == "list_read" and case.pk in event.data["ids"]
