"""The emergency plan: who is on duty hears of a crisis at once; an urgent meeting tells every seat."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from agencies.models import Agency, DutyShift, Membership, Panel, User
from panels import network
from panels.models import PanelMeeting
from referrals import services as referral_services
from referrals.models import Referral
from reminders.models import Reminder
from tests.conftest import member

Role = Membership.Role
TIRANA = ZoneInfo("Europe/Tirane")


def _night(hour: int, day: int = 6) -> datetime.datetime:
    # A fixed day: a test that needs one of these in the future travels to _night(12) first (an
    # urgent meeting on the 20th called without travelling was refused from that evening on).
    return datetime.datetime(2026, 12, day, hour, 0, tzinfo=TIRANA)


@pytest.fixture
def on_call(agency: Agency) -> User:
    user = member(agency, Role.SUPERVISOR, username="on_call")
    user.email = "on-call@social.example"
    user.save()
    return user


def test_a_crisis_referral_at_night_reaches_the_person_on_duty(
    panel: Panel,
    coordinator: User,
    caseworker: User,
    agency: Agency,
    other_agency: Agency,
    on_call: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given a night shift on the panel's rota, put there by its coordinator, and a police liaison
    officer = member(other_agency, Role.POLICE_LIAISON, username="officer")
    officer.email = "officer@police.example"
    officer.save()
    with time_machine.travel(_night(12), tick=False):
        network.save_duty_shift(
            panel, actor=coordinator, user=on_call, agency=agency, starts_at=_night(20), ends_at=_night(8, day=7)
        )
    # when a crisis referral comes in at 02:00
    with time_machine.travel(_night(2, day=7), tick=False), django_capture_on_commit_callbacks(execute=True):
        referral = referral_services.record_referral(
            actor=caseworker, received_by=agency, channel=Referral.Channel.PROFESSIONAL, concern="Threats tonight.",
            is_crisis=True, crisis_reason=Referral.CrisisReason.ATTACK,
        )  # fmt: skip
    # then the person on duty is e-mailed at once, as well as the police liaison
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["officer@police.example", "on-call@social.example"]
    duty = next(message for message in mail.outbox if message.to == ["on-call@social.example"])
    assert "on duty" in duty.body and f"/referrals/{referral.pk}/" in duty.body


def test_a_crisis_in_the_day_does_not_reach_whoever_is_on_call_tonight(
    panel: Panel, coordinator: User, caseworker: User, agency: Agency, on_call: User
) -> None:
    with time_machine.travel(_night(12), tick=False):
        network.save_duty_shift(
            panel, actor=coordinator, user=on_call, agency=agency, starts_at=_night(20), ends_at=_night(8, day=7)
        )
        referral = referral_services.record_referral(
            actor=caseworker, received_by=agency, channel=Referral.Channel.PROFESSIONAL, concern="x",
            is_crisis=True, crisis_reason=Referral.CrisisReason.ATTACK,
        )  # fmt: skip
        assert referral_services.on_duty_for(referral) == []


def test_only_a_person_of_the_panels_agencies_is_put_on_call(panel: Panel, coordinator: User) -> None:
    outsider_agency = Agency.objects.create(name="Elsewhere", sector=Agency.Sector.NGO)
    outsider = member(outsider_agency, Role.PRACTITIONER)
    with pytest.raises(ValidationError, match="panel's agencies"):
        network.save_duty_shift(
            panel, actor=coordinator, user=outsider, agency=outsider_agency, starts_at=_night(20), ends_at=_night(23)
        )
    assert not DutyShift.objects.exists()


def test_a_panel_member_may_not_change_the_rota(panel: Panel, panel_member: User, other_agency: Agency) -> None:
    with pytest.raises(ValidationError, match="do not coordinate"):
        network.save_duty_shift(
            panel, actor=panel_member, user=panel_member, agency=other_agency, starts_at=_night(20),
            ends_at=_night(23),
        )  # fmt: skip


def test_the_coordinator_puts_someone_on_call_in_the_browser(
    client: Client, panel: Panel, coordinator: User, agency: Agency, on_call: User
) -> None:
    client.force_login(coordinator)
    page = client.get(reverse("panels:emergency", args=[panel.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("panels:duty_add", args=[panel.pk]),
        {"person": f"{on_call.pk}:{agency.pk}", "starts_at": "2030-01-05T20:00", "ends_at": "2030-01-06T08:00"},
    )
    assert response.status_code == 302
    assert DutyShift.objects.get().user == on_call


def test_the_emergency_plan_of_a_panel_one_does_not_sit_on_is_not_found(client: Client, panel: Panel) -> None:
    stranger = member(Agency.objects.create(name="Far away", sector=Agency.Sector.NGO), Role.PANEL_MEMBER)
    client.force_login(stranger)
    assert client.get(reverse("panels:emergency", args=[panel.pk])).status_code == 404


def test_an_urgent_meeting_tells_every_member_at_once(
    panel: Panel,
    coordinator: User,
    panel_member: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    panel_member.email = "member@police.example"
    panel_member.save()
    coordinator.email = "coordinator@municipality.example"
    coordinator.save()
    with time_machine.travel(_night(12), tick=False), django_capture_on_commit_callbacks(execute=True):
        meeting = network.call_urgent_meeting(
            panel, actor=coordinator, scheduled_for=_night(18, day=20), reason="A threat against a school."
        )
    assert meeting.is_urgent and meeting.status == PanelMeeting.Status.SCHEDULED
    assert "member@police.example" in [address for message in mail.outbox for address in message.to]
    # the e-mail links to the meeting and carries no reason out of Ura
    bodies = [message.body for message in mail.outbox]
    assert all(meeting.get_absolute_url() in body and "A threat against a school." not in body for body in bodies)
    notices = Reminder.objects.restrict(panel_member, "view").filter(kind="urgent_meeting")
    assert notices.count() == 1


def test_an_urgent_meeting_needs_its_reason(panel: Panel, coordinator: User) -> None:
    with pytest.raises(ValidationError, match="urgent"):
        network.call_urgent_meeting(panel, actor=coordinator, scheduled_for=_night(18, day=20), reason=" ")
    assert not PanelMeeting.objects.exists()


def test_the_urgent_meeting_e_mail_is_in_each_recipients_language(
    panel: Panel,
    coordinator: User,
    panel_member: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    User.objects.filter(pk=panel_member.pk).update(email="member@police.example", language="sq")
    User.objects.filter(pk=coordinator.pk).update(email="coordinator@municipality.example", language="en")
    with time_machine.travel(_night(12), tick=False), django_capture_on_commit_callbacks(execute=True):
        network.call_urgent_meeting(panel, actor=coordinator, scheduled_for=_night(18, day=20), reason="A threat.")
    by_address = {message.to[0]: message for message in mail.outbox}
    assert "urgent meeting" in by_address["coordinator@municipality.example"].subject
    assert "urgent meeting" not in by_address["member@police.example"].subject


def test_the_crisis_e_mails_are_in_each_recipients_language(
    panel: Panel,
    coordinator: User,
    caseworker: User,
    agency: Agency,
    other_agency: Agency,
    on_call: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    officer = member(other_agency, Role.POLICE_LIAISON, username="officer")
    User.objects.filter(pk=officer.pk).update(email="officer@police.example", language="sq")
    User.objects.filter(pk=on_call.pk).update(language="en")
    with time_machine.travel(_night(12), tick=False):
        network.save_duty_shift(
            panel, actor=coordinator, user=on_call, agency=agency, starts_at=_night(20), ends_at=_night(8, day=7)
        )
    with time_machine.travel(_night(2, day=7), tick=False), django_capture_on_commit_callbacks(execute=True):
        referral_services.record_referral(
            actor=caseworker, received_by=agency, channel=Referral.Channel.PROFESSIONAL, concern="Threats tonight.",
            is_crisis=True, crisis_reason=Referral.CrisisReason.ATTACK,
        )  # fmt: skip
    by_address = {message.to[0]: message for message in mail.outbox}
    assert "crisis referral" in by_address["on-call@social.example"].subject
    assert "crisis referral" not in by_address["officer@police.example"].subject
