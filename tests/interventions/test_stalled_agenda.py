"""Lapsed actions and long silences put a case on its panel's next agenda by themselves, once,
with the counts that put it there."""

import datetime

import pytest
from django.utils import timezone

from agencies.models import Panel, PanelReminderSettings, User
from cases.models import Case
from interventions.agenda import flag_stalled_cases
from panels import services as panel_services
from panels.models import AgendaItem, PanelMeeting
from reminders.tasks import sweep_reminders_task
from tests.interventions.conftest import action_spec, client_for, days, make_plan

pytestmark = pytest.mark.django_db


def next_meeting(panel: Panel, coordinator: User, in_days: int = 7) -> PanelMeeting:
    when = timezone.now() + datetime.timedelta(days=in_days)
    return panel_services.schedule_meeting(panel, scheduled_for=when, actor=coordinator)


def lapse_an_action(case: Case) -> None:
    goals = [{"text": "Goal", "actions": [action_spec(case.owning_agency, starts_on=days(-20), due_on=days(-2))]}]
    make_plan(case, goals=goals, agreed_on=days(-20))


def test_a_lapsed_action_puts_the_case_on_the_next_agenda_once(case: Case, panel: Panel, coordinator: User) -> None:
    # given a case of the panel, contacted yesterday, with an action that lapsed two days ago
    Case.objects.filter(pk=case.pk).update(panel=panel, first_contact_on=days(-1))
    meeting = next_meeting(panel, coordinator)
    lapse_an_action(case)
    # when the sweep runs, twice
    sweep_reminders_task()
    sweep_reminders_task()
    # then the case is on the meeting's agenda once, saying why
    item = AgendaItem.objects.get(meeting=meeting, case=case)
    assert item.reason == AgendaItem.Reason.LAPSED_ACTIONS and item.lapsed_actions == 1
    assert item.days_without_contact is None
    # and the agenda shows it to the panel
    body = client_for(coordinator).get(meeting.get_absolute_url()).content.decode()
    assert "Actions of the plan lapsed" in body and "1 action lapsed" in body


def test_a_long_silence_puts_the_case_on_the_agenda_with_its_days(case: Case, panel: Panel, coordinator: User) -> None:
    # given a case whose family was first contacted 50 days ago and not seen since
    Case.objects.filter(pk=case.pk).update(panel=panel, first_contact_on=days(-50))
    # when the panel plans its next meeting
    meeting = next_meeting(panel, coordinator)
    # then the case is on the agenda with its days without contact, and a sweep adds nothing more
    item = AgendaItem.objects.get(meeting=meeting, case=case)
    assert item.reason == AgendaItem.Reason.NO_CONTACT and item.days_without_contact == 50
    assert flag_stalled_cases() == 0


def test_the_panel_sets_how_long_a_silence_is(case: Case, panel: Panel, coordinator: User) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel, first_contact_on=days(-50))
    PanelReminderSettings.objects.create(panel=panel, silence_days=60)
    meeting = next_meeting(panel, coordinator)
    assert flag_stalled_cases() == 0
    assert not AgendaItem.objects.filter(meeting=meeting, case=case).exists()


def test_a_meeting_planned_takes_the_stalled_cases_at_once(case: Case, panel: Panel, coordinator: User) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel, first_contact_on=days(-1))
    lapse_an_action(case)
    meeting = next_meeting(panel, coordinator)
    assert AgendaItem.objects.get(meeting=meeting, case=case).reason == AgendaItem.Reason.LAPSED_ACTIONS


def test_a_case_already_on_the_agenda_keeps_its_item_and_gets_the_counts(
    case: Case, panel: Panel, coordinator: User
) -> None:
    # given a case the coordinator put on the agenda herself
    Case.objects.filter(pk=case.pk).update(panel=panel, first_contact_on=days(-1))
    meeting = next_meeting(panel, coordinator)
    case.refresh_from_db()
    panel_services.add_case_to_agenda(meeting, case, actor=coordinator)
    # when one of its actions lapses and the sweep runs
    lapse_an_action(case)
    assert flag_stalled_cases() == 0
    # then its item stays hers, with the count beside it
    item = AgendaItem.objects.get(meeting=meeting, case=case)
    assert item.reason == AgendaItem.Reason.ADDED and item.lapsed_actions == 1


def test_a_closed_case_or_another_panels_meeting_is_left_alone(case: Case, panel: Panel, coordinator: User) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel, first_contact_on=days(-50), closed_at=timezone.now())
    meeting = next_meeting(panel, coordinator)
    assert flag_stalled_cases() == 0 and not meeting.items.exists()
