"""Break-the-glass: a supervisor opens a case beyond their reach, for a limited time, with a
reason; the owner and the coordinator are told; nobody else may do it."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from agencies.access import Action, CaseAccess, forget_access
from agencies.models import Membership, User
from audit.models import AuditEvent, BreakGlassAccess
from cases.models import Case
from privacy.breakglass import break_glass
from tests.factories import AgencyFactory, MembershipFactory
from tests.privacy.fixtures import *  # noqa: F403 (the fixtures)

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _reads(user: User, case: Case) -> bool:
    forget_access(user)
    return Case.objects.restrict(user, Action.VIEW).filter(pk=case.pk).exists()


def _post(user: User, reference: str, reason: str = "A child is missing tonight") -> object:
    return _client(user).post(reverse("audit:break_glass"), {"reference": reference, "reason": reason})


def test_a_supervisor_breaks_the_glass_and_reads_the_case(
    panel_case: Case, outside_supervisor: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given
    assert not _reads(outside_supervisor, panel_case)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(outside_supervisor, panel_case.reference.lower())
    # then
    assert response.status_code == 302 and response.url == panel_case.get_absolute_url()
    access = BreakGlassAccess.objects.get()
    assert access.ends_at - access.starts_at == datetime.timedelta(hours=4)
    assert _reads(outside_supervisor, panel_case)
    assert not Case.objects.restrict(outside_supervisor, Action.CHANGE).filter(pk=panel_case.pk).exists()
    event = AuditEvent.objects.get(action="break_glass")
    assert event.case_id == panel_case.pk and event.reason == "A child is missing tonight"
    page = _client(outside_supervisor).get(panel_case.get_absolute_url())
    assert page.status_code == 200 and "by breaking the glass" in page.content.decode()


def test_the_trail_names_the_agency_the_supervisor_acts_for_on_the_case(case: Case, outside_supervisor: User) -> None:
    # given a supervisor of two agencies, neither linked to the case; the one created second comes
    # first by name, so it is the agency they act for on a case that is not theirs (CaseAccess)
    first_by_name = AgencyFactory(name="Aaa outreach")
    MembershipFactory(user=outside_supervisor, agency=first_by_name, role=Membership.Role.SUPERVISOR)
    forget_access(outside_supervisor)
    # when they break the glass
    break_glass(case, actor=outside_supervisor, reason="A child is missing tonight")
    # then the record names the agency CaseAccess names
    forget_access(outside_supervisor)
    access = CaseAccess.of(Case.objects.with_access(outside_supervisor).get(pk=case.pk), outside_supervisor)
    assert access.acting_agency_id == first_by_name.pk
    assert AuditEvent.objects.get(action="break_glass").agency_id == first_by_name.pk


def test_the_owner_and_the_coordinator_are_told_without_the_family(
    panel_case: Case, outside_supervisor: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    for user, address in ((panel_case.owner, "owner@example.org"), (panel_case.panel.coordinator, "co@example.org")):
        User.objects.filter(pk=user.pk).update(email=address)
    with django_capture_on_commit_callbacks(execute=True):
        break_glass(panel_case, actor=outside_supervisor, reason="A child is missing tonight")
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["co@example.org", "owner@example.org"]
    for message in mail.outbox:
        assert panel_case.reference in message.subject
        assert panel_case.family.name not in message.body + message.subject
        assert "missing" not in message.body  # the reason may name people: it stays in Ura


def test_the_owner_and_the_coordinator_find_it_under_the_bell(panel_case: Case, outside_supervisor: User) -> None:
    from reminders.models import Reminder

    # when
    break_glass(panel_case, actor=outside_supervisor, reason="A child is missing tonight")
    # then: one notice each, already e-mailed by its own message, none for the one who opened it
    owner, coordinator = panel_case.owner, panel_case.panel.coordinator
    for user in (owner, coordinator):
        notice = Reminder.objects.restrict(user, Action.VIEW).unread().get()
        assert (notice.kind, notice.stage) == (Reminder.Kind.BREAK_GLASS, Reminder.Stage.NOTICE)
        assert notice.sent_at is not None
        page = _client(user).get(reverse("reminders:reminder_list")).content.decode()
        assert "opened by breaking the glass" in page and panel_case.family.name not in page
        opened = _client(user).get(notice.get_absolute_url())
        assert opened.status_code == 302
        assert opened.url == reverse("audit:case_access_log", args=[panel_case.pk])
    assert not Reminder.objects.restrict(outside_supervisor, Action.VIEW).exists()


def test_the_access_ends_after_the_configured_hours(
    panel_case: Case, outside_supervisor: User, settings: Settings
) -> None:
    settings.URA_BREAK_GLASS_HOURS = 2
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        break_glass(panel_case, actor=outside_supervisor, reason="A child is missing tonight")
    with time_machine.travel(start + datetime.timedelta(hours=1, minutes=59), tick=False):
        assert _reads(outside_supervisor, panel_case)
    with time_machine.travel(start + datetime.timedelta(hours=2), tick=False):
        assert not _reads(outside_supervisor, panel_case)


def test_a_wrong_reference_answers_like_any_refusal(case: Case, outside_supervisor: User) -> None:
    response = _post(outside_supervisor, "NO-SUCH-1")
    assert response.status_code == 200
    assert "No case can be opened with this reference" in response.content.decode()
    assert not BreakGlassAccess.objects.exists()


def test_a_case_beyond_the_partnership_answers_like_a_reference_that_does_not_exist(
    case: Case, other_agency: object
) -> None:
    from agencies.models import Membership
    from tests.conftest import member

    # given a supervisor of an agency that sits on no panel with the case's agency
    stranger = member(other_agency, Membership.Role.SUPERVISOR, username="far_supervisor")
    # when they try a case that exists and a reference that does not
    existing = _post(stranger, case.reference).content.decode()
    missing = _post(stranger, "2099-9999").content.decode()

    # then the two answers are the same page but for the reference typed, nothing is opened, and
    # both refusals are in the trail with the reference
    def same(page: str, reference: str) -> str:
        tokens = (
            r'(csrfmiddlewaretoken" value=|CSRFToken": |name="idempotency_key" value=|data-idle-seconds-left=)"[^"]+"'
        )
        page = re.sub(tokens, "TOKEN", page)  # new each page
        return page.replace(reference, "REF")

    assert same(existing, case.reference) == same(missing, "2099-9999")
    assert "No case can be opened with this reference" in existing
    assert not BreakGlassAccess.objects.exists()
    refused = AuditEvent.objects.filter(actor=stranger, action=AuditEvent.Action.ACCESS_DENIED).order_by("pk")
    assert [event.data["break_glass_reference"] for event in refused] == [case.reference, "2099-9999"]


def test_a_reason_is_required(case: Case, outside_supervisor: User) -> None:
    assert _post(outside_supervisor, case.reference, reason="urgent").status_code == 200
    assert not BreakGlassAccess.objects.exists()


def test_only_supervisors_may_break_the_glass(case: Case, caseworker_other_agency: User, coordinator: User) -> None:
    for user in (caseworker_other_agency, coordinator):
        assert _client(user).get(reverse("audit:break_glass")).status_code == 403
        assert _post(user, case.reference).status_code == 403
    assert not BreakGlassAccess.objects.exists()


def test_a_superuser_reads_case_content_only_through_the_glass(case: Case) -> None:
    root = User.objects.create_superuser("root", "root@example.org", "x")
    assert not _reads(root, case)
    assert _post(root, case.reference).status_code == 302
    assert _reads(root, case)


def test_the_glass_is_read_with_the_memberships_and_costs_the_list_no_subquery(
    case: Case, outside_supervisor: User
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    break_glass(case, actor=outside_supervisor, reason="A child is missing tonight")
    forget_access(outside_supervisor)
    with CaptureQueriesContext(connection) as queries:
        rows = list(Case.objects.restrict(outside_supervisor, Action.VIEW_SUMMARY)[:50])
    # the memberships (with the cases held by name), then the list itself
    assert case in rows and len(queries) == 2
    assert "audit_breakglassaccess" in queries[0]["sql"] and "audit_breakglassaccess" not in queries[1]["sql"]
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=settings.URA_BREAK_GLASS_HOURS, minutes=1)):
        forget_access(outside_supervisor)
        assert case not in Case.objects.restrict(outside_supervisor, Action.VIEW_SUMMARY)


def test_breaking_the_glass_reads_the_file_and_never_writes_in_it(case: Case, outside_supervisor: User) -> None:
    # Decision 35: view and view_summary, never a change: no entry, contact or restriction.
    from django.core.exceptions import ValidationError

    from cases import services
    from cases.models import CaseNote, Contact

    break_glass(case, actor=outside_supervisor, reason="A child is missing tonight")
    forget_access(outside_supervisor)
    assert _reads(outside_supervisor, case)
    with pytest.raises(ValidationError):
        services.record_note(CaseNote(case=case, text="Written through the glass"), actor=outside_supervisor)
    with pytest.raises(ValidationError):
        services.record_contact(Contact(case=case, occurred_at=timezone.now(), kind="phone"), actor=outside_supervisor)
    with pytest.raises(ValidationError):
        services.add_restriction(
            case, person=case.index_person, must_not_be_told="Anything at all", actor=outside_supervisor
        )
    assert not CaseNote.objects.filter(case=case).exists()


def test_the_forms_that_write_in_the_file_refuse_a_reader_through_the_glass(case: Case) -> None:
    # given a supervisor of a social-care agency (one that keeps the six checks) reading through the glass
    from agencies.models import Agency, Membership
    from tests.conftest import api_as, member
    from tests.factories import AgencyFactory

    office = AgencyFactory(name="Children's services", sector=Agency.Sector.SOCIAL_CARE)
    supervisor = member(office, Membership.Role.SUPERVISOR)
    break_glass(case, actor=supervisor, reason="A child is missing tonight")
    client = _client(supervisor)
    # then the page offers nothing to record, and every form that writes is refused before it is filled
    page = client.get(case.get_absolute_url()).content.decode()
    assert "by breaking the glass" in page
    assert reverse("cases:entry_create", args=[case.pk, "casenote"]) not in page
    assert reverse("cases:disclosurecheck_create", args=[case.pk]) not in page
    assert client.get(reverse("cases:entry_create", args=[case.pk, "casenote"])).status_code == 403
    assert client.get(reverse("cases:disclosurecheck_create", args=[case.pk])).status_code == 403
    response = api_as(supervisor).post("/api/v1/case-notes/", {"case": case.pk, "text": "Through the glass"})
    assert response.status_code == 403


def test_the_notice_names_the_supervisor_as_they_chose(
    panel_case: Case, outside_supervisor: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    User.objects.filter(pk=panel_case.owner_id).update(email="owner@example.org")
    User.objects.filter(pk=outside_supervisor.pk).update(
        first_name="Elira", last_name="Meta", name_shown_to_others=User.NameShown.ROLE_AND_AGENCY
    )
    outside_supervisor.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        break_glass(panel_case, actor=outside_supervisor, reason="A child is missing tonight")
    assert mail.outbox and all("Meta" not in message.body for message in mail.outbox)
    assert "Youth services" in mail.outbox[0].body


def test_each_recipient_reads_the_notice_in_their_language_with_the_name_shown_to_them(
    panel_case: Case,
    outside_supervisor: User,
    coordinator: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given a coordinator who works at the supervisor's agency too, and reads Albanian
    from agencies.models import Membership
    from tests.factories import MembershipFactory

    MembershipFactory(
        user=coordinator, agency=outside_supervisor.memberships.get().agency, role=Membership.Role.PRACTITIONER
    )
    User.objects.filter(pk=coordinator.pk).update(email="coord@example.org", language="sq")
    User.objects.filter(pk=panel_case.owner_id).update(email="owner@example.org", language="en")
    User.objects.filter(pk=outside_supervisor.pk).update(
        first_name="Elira", last_name="Meta", name_shown_to_others=User.NameShown.FIRST_NAME_INITIAL
    )
    outside_supervisor.refresh_from_db()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        break_glass(panel_case, actor=outside_supervisor, reason="A child is missing tonight")
    # then the owner, of another agency, reads "Elira M."; the colleague the full name, in Albanian
    to = {message.to[0]: message for message in mail.outbox}
    assert "Elira M." in to["owner@example.org"].body and "Meta" not in to["owner@example.org"].body
    assert "Elira Meta" in to["coord@example.org"].body
    assert to["coord@example.org"].subject != to["owner@example.org"].subject
