"""The notifications page, the header count, the API, the home dashboards, the settings forms."""

import datetime
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Panel, PanelReminderSettings, User
from cases.models import Case
from referrals.models import Referral
from reminders.models import Reminder
from tests.conftest import api_as
from tests.factories import CaseFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def remind(case: Case, stage: str = "due", **kwargs: Any) -> Reminder:
    fields = {"kind": "review", "content_type": ContentType.objects.get_for_model(Case), "object_id": case.pk}
    fields |= {"case": case, "role": "owner", "due_at": timezone.now(), "stage": stage, **kwargs}
    return Reminder.objects.create(**fields)


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_lists_my_reminders_in_constant_queries(
    caseworker: User, agency: Any, django_assert_max_num_queries: Any
) -> None:
    # given
    client = client_of(caseworker)
    cases = [CaseFactory(owner=caseworker, owning_agency=agency) for _ in range(3)]
    for case in cases:
        remind(case)
    client.get(reverse("reminders:reminder_list"))
    for case in [CaseFactory(owner=caseworker, owning_agency=agency) for _ in range(5)]:
        remind(case, stage="overdue")
    # when / then
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reminders:reminder_list"))
    assert response.status_code == 200
    assert response.content.decode().count("/read/") == 8
    assert 'data-testid="unread-reminders">8' in response.content.decode()
    # each names its case by its reference
    for case in Case.objects.filter(owner=caseworker):
        assert case.reference in response.content.decode()


def test_opening_marks_read_and_leads_to_the_case(case: Case, caseworker: User) -> None:
    reminder = remind(case)
    response = client_of(caseworker).post(reminder.get_absolute_url())
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    reminder.refresh_from_db()
    assert reminder.is_read


def test_the_e_mails_link_leads_to_the_case_and_changes_nothing(case: Case, caseworker: User) -> None:
    # given a reminder, when its link is followed (a GET: a mail scanner or a prefetch does it too)
    reminder = remind(case)
    response = client_of(caseworker).get(reminder.get_absolute_url())
    # then it leads to the case, and the reminder is still unread
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    reminder.refresh_from_db()
    assert not reminder.is_read


def test_the_notifications_page_opens_a_reminder_with_a_button(case: Case, caseworker: User) -> None:
    reminder = remind(case)
    body = client_of(caseworker).get(reverse("reminders:reminder_list")).content.decode()
    assert f'<form method="post" action="{reminder.get_absolute_url()}">' in body
    assert f'href="{reminder.get_absolute_url()}"' not in body


def test_mark_all_read(case: Case, caseworker: User) -> None:
    remind(case)
    remind(case, stage="overdue")
    client_of(caseworker).post(reverse("reminders:reminder_read_all"))
    assert not Reminder.objects.unread().exists()


def test_a_colleague_cannot_mark_the_owners_reminder(case: Case, colleague: User) -> None:
    reminder = remind(case)
    assert client_of(colleague).post(reverse("reminders:reminder_read", args=[reminder.pk])).status_code == 404
    assert not Reminder.objects.get().is_read


def test_the_api_lists_and_marks_read(case: Case, caseworker: User, colleague: User) -> None:
    reminder = remind(case)
    api = api_as(caseworker)
    listed = api.get(reverse("reminders-api:reminder-list")).json()["results"]
    assert [row["id"] for row in listed] == [reminder.pk]
    assert api_as(colleague).get(reverse("reminders-api:reminder-list")).json()["results"] == []
    response = api.post(reverse("reminders-api:reminder-read", args=[reminder.pk]))
    assert response.status_code == 200 and response.json()["read_at"]
    assert api_as(colleague).post(reverse("reminders-api:reminder-read", args=[reminder.pk])).status_code == 404


def test_home_shows_due_this_week_and_overdue(case: Case, caseworker: User) -> None:
    today = timezone.localdate()
    Case.objects.filter(pk=case.pk).update(
        next_review_on=today + datetime.timedelta(days=3), first_contact_due_on=today - datetime.timedelta(days=2)
    )
    body = client_of(caseworker).get(reverse("home")).content.decode()
    assert "Due this week" in body and "Overdue" in body
    assert body.count(case.reference) >= 3  # the case list, and each deadline


def test_home_dashboard_queries_are_constant(caseworker: User, agency: Any, django_assert_max_num_queries: Any) -> None:
    client = client_of(caseworker)
    soon = timezone.localdate() + datetime.timedelta(days=2)
    for _ in range(2):
        CaseFactory(owner=caseworker, owning_agency=agency, next_review_on=soon)
    client.get(reverse("home"))
    for _ in range(6):
        CaseFactory(owner=caseworker, owning_agency=agency, next_review_on=soon)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("home")).status_code == 200


def test_the_coordinator_sees_overdue_items_across_the_panel(case: Case, coordinator: User, panel: Panel) -> None:
    Case.objects.filter(pk=case.pk).update(
        panel=panel, next_review_on=timezone.localdate() - datetime.timedelta(days=5)
    )
    body = client_of(coordinator).get(reverse("home")).content.decode()
    assert "Overdue on my panels" in body and case.reference in body


def test_the_coordinator_sets_the_panels_deadlines(coordinator: User, panel: Panel, panel_member: User) -> None:
    url = reverse("reminders:panel_settings", args=[panel.pk])
    data = {
        "triage_hours": 12, "first_contact_days": 5, "needs_assessment_working_days": 30, "review_months": 2,
        "agenda_notice_days": 3, "due_soon_days": 1, "escalate_after_days": 2, "silence_days": 60,
        "no_contact_days_critical": 5, "no_contact_days_high": 10, "no_contact_days_moderate": 21,
        "no_contact_days_low": 42,
    }  # fmt: skip
    assert client_of(panel_member).post(url, data).status_code == 403
    assert client_of(coordinator).get(url).status_code == 200
    assert client_of(coordinator).post(url, data).status_code == 302
    saved = PanelReminderSettings.objects.get(panel=panel)
    assert (saved.escalate_after_days, saved.no_contact_days_high, saved.silence_days) == (2, 10, 60)


def test_a_user_chooses_the_daily_digest(caseworker: User) -> None:
    response = client_of(caseworker).post(reverse("reminders:preferences"), {"reminder_delivery": "digest"})
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.reminder_delivery == "digest"


def test_home_shows_a_closed_cases_follow_up_due(case: Case, caseworker: User) -> None:
    from interventions.models import Closure, FollowUp

    today = timezone.localdate()
    closure = Closure.objects.create(case=case, decided_on=today, reason="Goals met.", recorded_by=caseworker)
    FollowUp.objects.create(case=case, closure=closure, due_on=today + datetime.timedelta(days=3))
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now(), next_review_on=None)
    body = client_of(caseworker).get(reverse("home")).content.decode()
    assert "Post-exit follow-up" in body


def test_the_coordinator_is_not_told_of_a_follow_up_on_a_case_she_reads_in_summary(
    case: Case, caseworker: User, coordinator: User, panel: Panel
) -> None:
    from interventions.models import Closure, FollowUp

    # given a closed panel case whose post-exit follow-up is overdue; the coordinator reads its summary
    today = timezone.localdate()
    closure = Closure.objects.create(case=case, decided_on=today, reason="Goals met.", recorded_by=caseworker)
    FollowUp.objects.create(case=case, closure=closure, due_on=today - datetime.timedelta(days=5))
    Case.objects.filter(pk=case.pk).update(panel=panel, closed_at=timezone.now(), next_review_on=None)
    # when each opens the home page
    owners = client_of(caseworker).get(reverse("home")).content.decode()
    coordinators = client_of(coordinator).get(reverse("home")).content.decode()
    # then the owner, who reads the file, is told; the coordinator's list across the panel is empty
    assert "Post-exit follow-up" in owners
    assert "Post-exit follow-up" not in coordinators
    assert "Overdue on my panels" not in coordinators


def test_an_escalation_delay_the_sweep_cannot_reach_is_refused(coordinator: User, panel: Panel, settings: Any) -> None:
    # The sweep looks back REMINDERS_CATCH_UP_DAYS: a later escalation would never be sent.
    settings.REMINDERS_CATCH_UP_DAYS = 30
    url = reverse("reminders:panel_settings", args=[panel.pk])
    data = {
        "triage_hours": 24, "first_contact_days": 7, "needs_assessment_working_days": 45, "review_months": 3,
        "agenda_notice_days": 2, "due_soon_days": 2, "escalate_after_days": 40, "silence_days": 42,
    }  # fmt: skip
    response = client_of(coordinator).post(url, data)
    assert response.status_code == 200
    assert not PanelReminderSettings.objects.filter(panel=panel).exists()


def test_a_triage_reminder_is_gone_once_the_user_may_no_longer_read_the_referral(caseworker: User, agency: Any) -> None:
    from agencies.access import Action, forget_access
    from agencies.models import Membership
    from tests.factories import ReferralFactory

    referral = ReferralFactory(received_by=agency)
    Reminder.objects.create(
        kind="triage", content_type=ContentType.objects.get_for_model(referral), object_id=referral.pk,
        role="triage", recipient=caseworker, recipient_key=caseworker.pk, due_at=timezone.now(), stage="due",
    )  # fmt: skip
    assert Reminder.objects.restrict(caseworker, Action.VIEW).count() == 1
    # when the caseworker leaves the agency
    Membership.objects.filter(user=caseworker, agency=agency).delete()
    forget_access(caseworker)
    # then neither the page nor the header tells them of it
    assert Reminder.objects.restrict(caseworker, Action.VIEW).count() == 0
    body = client_of(caseworker).get(reverse("reminders:reminder_list")).content.decode()
    assert "Referral to triage" not in body


class TestReferralsOverdueForTriage:
    """An urgent anonymous referral nobody triaged within the day: the receiving agency's case
    workers find it in their own "Overdue" list, the coordinator of a panel that agency sits on in
    theirs, and the coordinator may open and triage it."""

    @pytest.fixture
    def overdue(self, agency: Any) -> Referral:
        received = timezone.now() - datetime.timedelta(hours=30)
        return ReferralFactory(
            received_by=agency, received_at=received, urgency=Referral.Urgency.URGENT,
            reporter_anonymous=True,
        )  # fmt: skip

    def test_the_receiving_agency_finds_it_overdue_at_home(self, overdue: Referral, caseworker: User) -> None:
        response = client_of(caseworker).get(reverse("home"))
        lists = dict(response.context["due_lists"])
        assert [item.referral for item in lists["Overdue"]] == [overdue]
        assert overdue.get_absolute_url() in response.content.decode()

    def test_the_coordinator_of_its_panel_finds_it_and_may_triage_it(
        self, overdue: Referral, coordinator: User, panel: Panel
    ) -> None:
        client = client_of(coordinator)
        lists = dict(client.get(reverse("home")).context["due_lists"])
        assert [item.referral for item in lists["Overdue on my panels"]] == [overdue]
        page = client.get(overdue.get_absolute_url())
        assert page.status_code == 200
        assert client.get(reverse("referrals:referral_triage", args=[overdue.pk])).status_code == 200

    def test_before_its_deadline_it_is_the_receiving_agencys_alone(
        self, agency: Any, coordinator: User, panel: Panel, caseworker: User
    ) -> None:
        fresh = ReferralFactory(received_by=agency, received_at=timezone.now() - datetime.timedelta(hours=2))
        assert client_of(coordinator).get(fresh.get_absolute_url()).status_code == 404
        lists = dict(client_of(caseworker).get(reverse("home")).context["due_lists"])
        assert [item.referral for item in lists["Due this week"]] == [fresh]
