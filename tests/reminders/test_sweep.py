"""The sweep creates each reminder once, for the right people, and delivers after commit."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from agencies.access import Action
from agencies.models import Membership, Panel, PanelReminderSettings, User
from cases.models import Case
from panels.models import PanelMeeting
from reminders import services
from reminders.models import OWNER, Reminder
from reminders.sweep import sweep
from tests.conftest import member
from tests.factories import AgencyFactory, ReferralFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


def with_emails() -> None:
    User.objects.update(email=models.functions.Concat("username", models.Value("@example.org")))


def mine(user: User) -> list[Reminder]:
    return list(Reminder.objects.restrict(user, Action.VIEW))


@time_machine.travel(NOW, tick=False)
def test_a_first_contact_due_tomorrow_reminds_the_owner_once(case: Case, caseworker: User) -> None:
    # given
    Case.objects.filter(pk=case.pk).update(first_contact_due_on=datetime.date(2026, 3, 11))
    # when
    sweep()
    sweep()
    # then
    [reminder] = mine(caseworker)
    assert (reminder.kind, reminder.stage, reminder.recipient_key) == ("first_contact", "due_soon", OWNER)


def test_the_unique_constraint_refuses_a_second_copy(case: Case) -> None:
    fields = {"kind": "review", "content_type_id": 1, "object_id": case.pk, "case": case, "role": "owner"}
    fields |= {"due_at": NOW, "stage": "due"}
    Reminder.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**fields)


@time_machine.travel(NOW, tick=False)
def test_pending_reminders_follow_a_new_owner(case: Case, caseworker: User, colleague: User) -> None:
    # given a reminder for the owner
    Case.objects.filter(pk=case.pk).update(next_review_on=datetime.date(2026, 3, 10))
    sweep()
    with_emails()
    # when the case changes owner before the e-mail goes
    Case.objects.filter(pk=case.pk).update(owner=colleague)
    sweep()
    services.deliver_pending()
    # then the new owner has it, once; the old owner neither sees it nor gets it
    assert [r.kind for r in mine(colleague)] == ["review"]
    assert mine(caseworker) == []
    colleague.refresh_from_db()
    assert [m.to for m in mail.outbox] == [[colleague.email]]


@time_machine.travel(NOW, tick=False)
def test_escalation_reaches_supervisor_and_coordinator_only_if_they_see_the_case(
    case: Case, supervisor: User, coordinator: User, panel: Panel, caseworker_other_agency: User
) -> None:
    # given a review overdue by a week, on a panel, and a supervisor of another agency
    Case.objects.filter(pk=case.pk).update(next_review_on=datetime.date(2026, 3, 3), panel=panel)
    stranger_boss = member(AgencyFactory(), Membership.Role.SUPERVISOR)
    # when
    sweep()
    # then
    assert [(r.stage, r.role) for r in mine(supervisor)] == [("escalated", "supervisor")]
    assert [(r.stage, r.role) for r in mine(coordinator)] == [("escalated", "coordinator")]
    assert [(r.stage, r.role) for r in mine(case.owner)] == [("overdue", "owner")]
    assert mine(stranger_boss) == mine(caseworker_other_agency) == []


@time_machine.travel(NOW, tick=False)
def test_a_coordinator_who_cannot_see_the_case_is_not_told(case: Case, coordinator: User, panel: Panel) -> None:
    # given the case is not on the coordinator's panel
    Case.objects.filter(pk=case.pk).update(next_review_on=datetime.date(2026, 3, 1))
    sweep()
    assert not Reminder.objects.filter(recipient=coordinator).exists()


@time_machine.travel(NOW, tick=False)
def test_escalation_delay_is_the_panels(case: Case, supervisor: User, panel: Panel) -> None:
    PanelReminderSettings.objects.create(panel=panel, escalate_after_days=10)
    Case.objects.filter(pk=case.pk).update(next_review_on=datetime.date(2026, 3, 3), panel=panel)
    sweep()
    assert mine(supervisor) == []


@time_machine.travel(NOW, tick=False)
def test_a_new_referral_reminds_whoever_triages(caseworker: User, agency: object, panel_member: User) -> None:
    # given a referral received by the caseworker's agency, due in two hours
    referral = ReferralFactory(received_by=agency, triage_due_at=NOW + datetime.timedelta(hours=2))
    # when
    sweep()
    # then
    [reminder] = mine(caseworker)
    assert (reminder.kind, reminder.stage, reminder.object_id) == ("triage", "due_soon", referral.pk)
    assert mine(panel_member) == []


@time_machine.travel(NOW, tick=False)
def test_panel_members_get_the_agenda_two_days_before_once(panel: Panel, panel_member: User, coordinator: User) -> None:
    PanelMeeting.objects.create(
        panel=panel,
        scheduled_for=NOW + datetime.timedelta(days=1),
        record_mode=panel.record_mode,
        created_by=coordinator,
    )
    PanelMeeting.objects.create(
        panel=panel,
        scheduled_for=NOW + datetime.timedelta(days=5),
        record_mode=panel.record_mode,
        created_by=coordinator,
    )
    sweep()
    sweep()
    assert [r.kind for r in mine(panel_member)] == ["agenda"]
    assert [r.kind for r in mine(coordinator)] == ["agenda"]


@time_machine.travel(NOW, tick=False)
def test_a_sweep_after_an_outage_catches_up_from_dates(case: Case) -> None:
    # given the first contact fell due five days ago and no sweep ran since
    Case.objects.filter(pk=case.pk).update(first_contact_due_on=datetime.date(2026, 3, 5))
    sweep()
    assert [r.stage for r in Reminder.objects.all()] == ["overdue"]


@time_machine.travel(NOW, tick=False)
def test_delivery_happens_after_commit_and_once(
    case: Case, caseworker: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with_emails()
    Case.objects.filter(pk=case.pk).update(next_review_on=datetime.date(2026, 3, 11))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sweep()
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    callbacks[0]()  # a redelivered task
    [email] = mail.outbox
    caseworker.refresh_from_db()
    assert email.to == [caseworker.email]
    assert case.family.name not in email.subject + email.body
    assert case.index_person.given_name not in email.body
    assert Reminder.objects.get().get_absolute_url() in email.body


@time_machine.travel(NOW, tick=False)
def test_a_broker_that_is_down_does_not_break_the_sweep(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    from reminders import tasks

    def refuse(*args: object, **kwargs: object) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.deliver_reminders_task, "delay", refuse)
    Case.objects.filter(pk=case.pk).update(next_review_on=datetime.date(2026, 3, 11))
    sweep()
    assert Reminder.objects.pending().count() == 1


@time_machine.travel(NOW, tick=False)
def test_digest_users_get_one_email_a_day(case: Case, caseworker: User) -> None:
    with_emails()
    User.objects.filter(pk=caseworker.pk).update(reminder_delivery=User.ReminderDelivery.DIGEST)
    Case.objects.filter(pk=case.pk).update(next_review_on=datetime.date(2026, 3, 11), first_contact_due_on=NOW.date())
    sweep()
    assert mail.outbox == []
    assert services.send_digests() == 1
    assert services.send_digests() == 0
    [email] = mail.outbox
    assert "2 reminders" in email.subject


@time_machine.travel(NOW, tick=False)
def test_a_child_nearing_18_reminds_the_owner(case: Case, caseworker: User) -> None:
    # 18 on 10 September 2026: planning due on 10 March
    case.index_person.date_of_birth = datetime.date(2008, 9, 10)
    case.index_person.save()
    sweep()
    assert [r.kind for r in mine(caseworker)] == ["transition_6m"]
    assert timezone.localtime(mine(caseworker)[0].due_at).date() == datetime.date(2026, 3, 10)


@time_machine.travel(NOW, tick=False)
def test_a_deadline_met_before_the_email_sends_none(case: Case, caseworker: User) -> None:
    with_emails()
    Case.objects.filter(pk=case.pk).update(first_contact_due_on=datetime.date(2026, 3, 11))
    sweep()
    Case.objects.filter(pk=case.pk).update(first_contact_on=datetime.date(2026, 3, 10))
    services.deliver_pending()
    assert mail.outbox == []
    assert not Reminder.objects.pending().exists()


def _follow_up_due(case: Case, due_on: datetime.date, *, reopened: bool) -> None:
    from interventions.models import Closure, FollowUp

    closure = Closure.objects.create(
        case=case, decided_on=due_on - datetime.timedelta(days=180), reason="Goals met.", recorded_by=case.owner
    )
    FollowUp.objects.create(case=case, closure=closure, due_on=due_on)
    if reopened:
        Closure.objects.filter(pk=closure.pk).update(
            reopened_at=timezone.now(), reopened_by=case.owner, reopen_reason="New concern."
        )
    else:
        Case.objects.filter(pk=case.pk).update(closed_at=models.F("opened_at"), next_review_on=None)


@time_machine.travel(NOW, tick=False)
def test_a_reopened_cases_old_follow_ups_remind_nobody(case: Case, caseworker: User) -> None:
    # given a follow-up due tomorrow of a closure since reopened
    _follow_up_due(case, datetime.date(2026, 3, 11), reopened=True)
    with_emails()
    # when
    sweep()
    # then
    assert [r.kind for r in mine(caseworker)] == []
    assert mail.outbox == []


@time_machine.travel(NOW, tick=False)
def test_a_follow_up_of_a_case_reopened_after_the_sweep_is_not_emailed(case: Case, caseworker: User) -> None:
    from interventions.models import Closure

    _follow_up_due(case, datetime.date(2026, 3, 11), reopened=False)
    caseworker.reminder_delivery = User.ReminderDelivery.DIGEST
    caseworker.save()
    with_emails()
    sweep()
    assert [r.kind for r in mine(caseworker)] == ["follow_up"]
    Closure.objects.update(reopened_at=timezone.now(), reopened_by=caseworker, reopen_reason="New concern.")
    Case.objects.filter(pk=case.pk).update(closed_at=None)
    services.send_digests()
    assert mail.outbox == []


@time_machine.travel(NOW, tick=False)
def test_a_case_closed_before_the_email_sends_none(case: Case, caseworker: User) -> None:
    with_emails()
    Case.objects.filter(pk=case.pk).update(first_contact_due_on=datetime.date(2026, 3, 11))
    sweep()
    Case.objects.filter(pk=case.pk).update(closed_at=models.F("opened_at"))
    services.deliver_pending()
    assert mail.outbox == []


@time_machine.travel(NOW, tick=False)
def test_the_agenda_of_a_meeting_cancelled_or_moved_before_the_email_sends_none(
    panel: Panel, panel_member: User, coordinator: User
) -> None:
    with_emails()
    cancelled, moved = (
        PanelMeeting.objects.create(
            panel=panel,
            scheduled_for=NOW + datetime.timedelta(days=1),
            record_mode=panel.record_mode,
            created_by=coordinator,
        )
        for _ in range(2)
    )
    sweep()
    assert len(mine(panel_member)) == 2
    PanelMeeting.objects.filter(pk=cancelled.pk).update(status=PanelMeeting.Status.CANCELLED)
    PanelMeeting.objects.filter(pk=moved.pk).update(scheduled_for=NOW + datetime.timedelta(days=20))
    services.deliver_pending()
    assert mail.outbox == []


@time_machine.travel(NOW, tick=False)
def test_a_child_nearing_18_reminds_the_owner_of_each_open_case_of_the_family(
    case: Case, caseworker: User, caseworker_other_agency: User, other_agency: object
) -> None:
    # given a sibling's case on the same family, owned at another agency
    from tests.factories import CaseFactory, PersonFactory

    sibling = PersonFactory(family=case.family)
    CaseFactory(family=case.family, index_person=sibling, owner=caseworker_other_agency, owning_agency=other_agency)
    case.index_person.date_of_birth = datetime.date(2008, 9, 10)
    case.index_person.save()
    # when
    sweep()
    sweep()
    # then each owner is told, once
    assert [r.kind for r in mine(caseworker)] == ["transition_6m"]
    assert [r.kind for r in mine(caseworker_other_agency)] == ["transition_6m"]


@time_machine.travel(NOW, tick=False)
def test_the_reminder_of_18_follows_a_corrected_date_of_birth(case: Case, caseworker: User) -> None:
    from cases import services as case_services
    from reminders.services import _still_due

    # given a child recorded as 18 on 10 September 2026: planning due today, 10 March
    child = case_services.add_member(
        case,
        given_name="Drita",
        family_name="K",
        relationship="sibling",
        date_of_birth=datetime.date(2008, 9, 10),
        actor=caseworker,
    )
    sweep()
    [before] = mine(caseworker)
    assert timezone.localtime(before.due_at).date() == datetime.date(2026, 3, 10)
    # when the owner corrects the date of birth: 18 on 11 September, planning due tomorrow
    case_services.change_member(case, child, date_of_birth=datetime.date(2008, 9, 11), actor=caseworker)
    sweep()
    # then the reminder moves: one for the new date, and the old one sends nothing
    moved = [r for r in mine(caseworker) if r.pk != before.pk]
    assert [(r.kind, timezone.localtime(r.due_at).date()) for r in moved] == [
        ("transition_6m", datetime.date(2026, 3, 11))
    ]
    assert _still_due(moved[0]) and not _still_due(Reminder.objects.get(pk=before.pk))
    # and a member removed from the register is reminded of no more
    case_services.remove_member(case, child, reason="Recorded in error", actor=caseworker)
    assert not _still_due(moved[0])
