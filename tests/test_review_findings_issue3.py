"""Regression tests for the findings of the security review of issue #3 (referrals, panels,
ownership)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.access import Action, forget_access
from agencies.models import Agency, Membership, Panel, User
from audit.models import AuditEvent
from cases.models import Case, CaseEvent
from panels import services as panel_services
from panels.models import PanelMeeting
from referrals import services
from referrals.models import Referral, TriageDecision
from tests.conftest import api_as, member
from tests.factories import AgencyFactory, CaseFactory, PanelFactory, PersonFactory, ReferralFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role
Decision = TriageDecision.Decision


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_triage_puts_a_referral_only_on_a_panel_of_its_agency(caseworker: User, agency: Agency) -> None:
    # given a panel far away, which the receiving agency does not sit on
    far = PanelFactory(name="Far panel")
    far.agencies.add(AgencyFactory(name="Far police"))
    referral = ReferralFactory(received_by=agency)
    with pytest.raises(ValidationError, match="sits on"):
        services.triage_referral(referral, decision=Decision.PANEL_AGENDA, panel=far, actor=caseworker)
    referral.refresh_from_db()
    assert referral.panel is None and referral.status == Referral.Status.NEW
    # and the form does not offer it
    page = client_for(caseworker).get(reverse("referrals:referral_triage", args=[referral.pk]))
    assert far not in page.context["form"].fields["panel"].queryset


def test_opening_a_case_that_the_triager_would_lose_is_refused(
    caseworker: User, agency: Agency, other_agency: Agency
) -> None:
    officer = member(other_agency, Role.POLICE_LIAISON)
    referral = ReferralFactory(received_by=agency, subject_family_name="Leka")
    with pytest.raises(ValidationError, match="lose sight"):
        services.triage_referral(
            referral, decision=Decision.OPEN_CASE, new_case=services.NewCase(owner=officer), actor=caseworker
        )
    assert not Case.objects.exists() and not TriageDecision.objects.exists()


def test_minutes_are_for_the_panels_members_not_a_guest(
    panel: Panel, coordinator: User, caseworker: User, panel_member: User, case: Case
) -> None:
    panel_services.update_panel(panel, cadence_days=14, record_mode=Panel.RecordMode.FULL_MINUTES, actor=coordinator)
    meeting = panel_services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    panel_services.record_attendance(meeting, user=caseworker, actor=coordinator)
    panel_services.close_meeting(meeting, minutes="Discussed family Zorbafamily at length", actor=coordinator)
    member_page = client_for(panel_member).get(meeting.get_absolute_url()).content.decode()
    guest_page = client_for(caseworker).get(meeting.get_absolute_url()).content.decode()
    assert "Zorbafamily" in member_page and "Zorbafamily" not in guest_page
    detail = reverse("panels-api:panelmeeting-detail", args=[meeting.pk])
    assert api_as(caseworker).get(detail).data["minutes"] is None
    assert "Zorbafamily" in api_as(panel_member).get(detail).data["minutes"]


def test_feedback_belongs_to_the_agency_that_knows_the_reporter(
    agency: Agency, panel: Panel, coordinator: User, caseworker: User
) -> None:
    referral = ReferralFactory(received_by=agency, panel=panel, reporter_is_professional=True, reporter_name="T")
    services.triage_referral(referral, decision=Decision.ADVICE_GIVEN, actor=caseworker)
    url = reverse("referrals:referral_feedback", args=[referral.pk])
    assert client_for(coordinator).post(url, {"feedback": "x"}).status_code == 403
    api = reverse("referrals-api:referral-feedback", args=[referral.pk])
    assert api_as(coordinator).post(api, {"feedback": "x"}).status_code == 403
    referral.refresh_from_db()
    assert referral.reporter_feedback == ""
    assert client_for(caseworker).post(url, {"feedback": "We gave advice"}).status_code == 302


def test_a_concern_is_never_added_to_a_record_the_actor_cannot_see(
    caseworker: User, agency: Agency, other_agency: Agency
) -> None:
    # given A held by the police, B (visible to the social worker) already added to A
    officer = member(other_agency, Role.POLICE_LIAISON)
    a = ReferralFactory(received_by=other_agency)
    b = ReferralFactory(received_by=agency)
    Referral.objects.filter(pk=b.pk).update(primary=a, status=Referral.Status.ADDED)
    services.triage_referral(a, decision=Decision.NO_FURTHER_ACTION, reason="rebellion", actor=officer)
    c = ReferralFactory(received_by=agency)
    # when the social worker joins C to B, then it is refused, and A stays as it was
    with pytest.raises(ValidationError, match="may not see"):
        services.add_to_earlier(c, primary=b, actor=caseworker)
    a.refresh_from_db()
    c.refresh_from_db()
    assert a.status == Referral.Status.CLOSED and c.primary is None


def test_the_first_records_readers_read_the_concerns_added_to_it(
    caseworker: User, agency: Agency, other_agency: Agency
) -> None:
    officer = member(other_agency, Role.POLICE_LIAISON)
    first = ReferralFactory(received_by=other_agency)
    repeat = ReferralFactory(received_by=agency, reporter_name="Neighbour N")
    Referral.objects.filter(pk=repeat.pk).update(primary=first, status=Referral.Status.ADDED)
    forget_access(officer)
    assert Referral.objects.restrict(officer, Action.VIEW).filter(pk=repeat.pk).exists()
    page = client_for(officer).get(repeat.get_absolute_url()).content.decode()
    assert repeat.concern in page and "Neighbour N" not in page


def test_matching_finds_a_visible_case_among_many_hidden_namesakes(caseworker: User, case: Case) -> None:
    PersonFactory(family=case.family, given_name="Ardit", family_name="Krasniqi", relationship="sibling")
    for hidden in CaseFactory.create_batch(5):
        PersonFactory.create_batch(
            60, family=hidden.family, given_name="Ardit", family_name="Krasniqi", relationship="sibling"
        )
    found = services.find_matches(caseworker, given_name="Ardit", family_name="Krasniqi")
    assert [match.obj for match in found.cases] == [case]


def test_a_no_minutes_decision_shows_what_changed_on_the_timeline(
    panel: Panel, coordinator: User, case: Case, other_agency: Agency
) -> None:
    panel_services.update_panel(panel, cadence_days=14, record_mode=Panel.RecordMode.NO_MINUTES, actor=coordinator)
    Case.objects.filter(pk=case.pk).update(panel=panel)
    case.refresh_from_db()
    meeting = panel_services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    item = panel_services.add_case_to_agenda(meeting, case, actor=coordinator)
    review = timezone.localdate() + datetime.timedelta(days=10)
    decision = panel_services.PanelDecision(
        urgency="urgent", first_contact_agency=other_agency, next_review_on=review, share_basis="legal_duty",
        share_justification="Child protection duty", share_legal_duty="Child protection act",
    )  # fmt: skip
    panel_services.record_decision(item, decision, actor=coordinator)
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.PANEL_DECISION)
    text = event.describe()
    assert "Urgent" in text and other_agency.name in text and review.isoformat() in text
    assert AuditEvent.objects.get(action=AuditEvent.Action.PANEL_DECISION).data["urgency"] == "urgent"


def test_the_first_contact_agency_and_involved_panel_agencies_can_see_the_case(
    panel: Panel, coordinator: User, case: Case, other_agency: Agency
) -> None:
    # given the police sit on the panel, and a police practitioner (no panel role)
    Case.objects.filter(pk=case.pk).update(panel=panel)
    case.refresh_from_db()
    officer = member(other_agency, Role.POLICE_LIAISON)
    meeting = panel_services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    item = panel_services.add_case_to_agenda(meeting, case, actor=coordinator)
    decision = panel_services.PanelDecision(
        first_contact_agency=other_agency,
        share_basis="safeguarding",
        share_justification="Threat assessment by the police",
    )
    panel_services.record_decision(item, decision, actor=coordinator)
    forget_access(officer)
    assert Case.objects.restrict(officer, Action.VIEW_SUMMARY).filter(pk=case.pk).exists()


def test_object_filters_refuse_hidden_ids_like_missing_ones(
    case: Case, caseworker_other_agency: User, panel: Panel, coordinator: User
) -> None:
    meeting = panel_services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    client = api_as(caseworker_other_agency)
    for name, param, hidden in (
        ("cases-api:disclosurecheck-list", "case", case.pk),
        ("panels-api:agendaitem-list", "meeting", meeting.pk),
    ):
        shown, missing = client.get(reverse(name), {param: hidden}), client.get(reverse(name), {param: 987654})
        assert shown.status_code == missing.status_code == 400, name


def test_a_named_coordinator_without_the_role_records_no_refusal_for_others(
    panel: Panel, coordinator: User, case: Case, agency: Agency
) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    case.refresh_from_db()
    meeting = panel_services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    item = panel_services.add_case_to_agenda(meeting, case, actor=coordinator)
    Membership.objects.filter(user=coordinator).update(role=Role.PANEL_MEMBER)
    forget_access(coordinator)
    with pytest.raises(ValidationError, match="agency itself"):
        panel_services.decline_to_share(item, agency=agency, actor=coordinator)


def test_a_guest_sees_their_items_numbered_from_one(
    panel: Panel, coordinator: User, caseworker: User, case: Case
) -> None:
    CaseFactory.create_batch(3, panel=panel, next_review_on=timezone.localdate())
    Case.objects.filter(pk=case.pk).update(panel=panel)
    case.refresh_from_db()
    meeting = panel_services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    panel_services.add_case_to_agenda(meeting, case, actor=coordinator)
    panel_services.record_attendance(meeting, user=caseworker, actor=coordinator)
    page = client_for(caseworker).get(meeting.get_absolute_url())
    assert [item.case for item in page.context["items"]] == [case]
    assert '<span class="badge text-bg-light border">1</span>' in page.content.decode()
    assert "position" not in api_as(caseworker).get(reverse("panels-api:agendaitem-list")).data["results"][0]


def test_the_crisis_alert_is_a_task_with_a_record(
    caseworker: User,
    agency: Agency,
    other_agency: Agency,
    panel: Panel,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    officer = member(other_agency, Role.POLICE_LIAISON)
    User.objects.filter(pk=officer.pk).update(email="o@police.example")
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.record_referral(
            actor=caseworker, received_by=agency, channel="police", concern="x", is_crisis=True,
            crisis_reason="attack", reporter_name="Witness W",
        )  # fmt: skip
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.get(action=AuditEvent.Action.CRISIS_ALERT_SENT).data["recipients"] == 1
    # and the police, who may need to reach the reporter at once, see who it was
    assert "Witness W" in client_for(officer).get(referral.get_absolute_url()).content.decode()


def test_the_referral_list_puts_open_referrals_first(caseworker: User, agency: Agency) -> None:
    closed = ReferralFactory(received_by=agency, status="closed", received_at=timezone.now())
    waiting = ReferralFactory(received_by=agency, received_at=timezone.now() - datetime.timedelta(days=3))
    rows = list(client_for(caseworker).get(reverse("referrals:referral_list")).context["referrals"])
    assert rows == [waiting, closed]


def test_a_crisis_joins_the_top_of_an_agenda_already_built(
    panel: Panel, coordinator: User, agency: Agency, caseworker: User
) -> None:
    CaseFactory(panel=panel, next_review_on=timezone.localdate())
    meeting = panel_services.schedule_meeting(
        panel, scheduled_for=timezone.now() + datetime.timedelta(days=2), actor=coordinator
    )
    crisis = ReferralFactory(received_by=agency, is_crisis=True, crisis_reason="attack")
    services.triage_referral(crisis, decision=Decision.PANEL_AGENDA, panel=panel, actor=caseworker)
    assert meeting.items.order_by("position").first().referral == crisis


def test_reassigning_a_case_that_changed_hands_is_refused(
    agency: Agency, caseworker: User, colleague: User, supervisor: User
) -> None:
    from cases import services as case_services

    case = CaseFactory(owner=caseworker, owning_agency=agency)
    Case.objects.filter(pk=case.pk).update(owner=supervisor)
    with pytest.raises(ValidationError, match="not owned by"):
        case_services.reassign_caseload(
            caseworker, assignments=[(case, colleague, None)], actor=supervisor, confirmed=True
        )


def test_a_panel_members_meeting_page_builds_no_coordinator_forms(
    panel: Panel, coordinator: User, panel_member: User
) -> None:
    meeting = panel_services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    assert "attendance_form" not in client_for(panel_member).get(meeting.get_absolute_url()).context
    assert "attendance_form" in client_for(coordinator).get(meeting.get_absolute_url()).context


def test_full_minutes_keep_the_discussion(panel: Panel, coordinator: User, case: Case) -> None:
    panel_services.update_panel(panel, cadence_days=14, record_mode=Panel.RecordMode.FULL_MINUTES, actor=coordinator)
    Case.objects.filter(pk=case.pk).update(panel=panel)
    case.refresh_from_db()
    meeting = panel_services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    item = panel_services.add_case_to_agenda(meeting, case, actor=coordinator)
    decision = panel_services.PanelDecision(notes="Agreed X", discussion="Police shared Y")
    item = panel_services.record_decision(item, decision, actor=coordinator)
    assert (item.decision_notes, item.discussion) == ("Agreed X", "Police shared Y")
    assert PanelMeeting.objects.get(pk=meeting.pk).keeps_minutes
