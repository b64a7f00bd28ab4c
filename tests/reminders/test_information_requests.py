"""An unanswered information request reminds the agency asked, once per stage, and escalates to
whoever asked; an answer ends it."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import models
from django.test import Client

from agencies.access import Action
from agencies.models import Agency, Membership, User
from cases import services
from cases.models import Case, InformationRequest
from reminders.models import Reminder
from reminders.services import deliver_pending
from reminders.sweep import sweep
from tests.conftest import member
from tests.factories import AgencyFactory, share

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def school(case: Case) -> Agency:
    school = AgencyFactory(name="School", sector=Agency.Sector.EDUCATION)
    share(case, school, scope="summary")
    return school


@pytest.fixture
def teacher(school: Agency) -> User:
    return member(school, username="teacher")


@pytest.fixture
def asked(case: Case, caseworker: User, school: Agency, teacher: User) -> InformationRequest:
    with time_machine.travel(NOW, tick=False):
        return services.ask_information(case, to_agency=school, question="Attendance?", actor=caseworker)


def mine(user: User) -> list[Reminder]:
    return list(Reminder.objects.restrict(user, Action.VIEW).filter(kind=Reminder.Kind.INFORMATION_REQUEST))


def test_a_request_due_soon_reminds_the_agency_asked_once(
    asked: InformationRequest, teacher: User, caseworker: User, school: Agency
) -> None:
    # given a colleague at the school without a case role, and nobody else
    admin = member(school, Membership.Role.AGENCY_ADMIN, username="school_admin")
    # when the sweep runs twice, two hours before the deadline
    with time_machine.travel(NOW + datetime.timedelta(hours=22), tick=False):
        sweep()
        sweep()
    # then
    [reminder] = mine(teacher)
    assert (reminder.stage, reminder.role, reminder.object_id) == ("due_soon", "partner", asked.pk)
    assert mine(admin) == [] and mine(caseworker) == []


def test_an_answer_ends_the_reminders(asked: InformationRequest, teacher: User) -> None:
    # given a reminder not yet e-mailed
    User.objects.update(email=models.functions.Concat("username", models.Value("@example.org")))
    with time_machine.travel(NOW + datetime.timedelta(hours=22), tick=False):
        sweep()
    # when the school answers
    services.answer_information(asked, answer="Every day.", actor=teacher)
    mail.outbox.clear()
    deliver_pending()
    with time_machine.travel(NOW + datetime.timedelta(hours=30), tick=False):
        sweep()
    # then no e-mail, and no new reminder
    assert mail.outbox == []
    assert len(mine(teacher)) == 1


def test_overdue_escalates_to_whoever_asked(asked: InformationRequest, teacher: User, caseworker: User) -> None:
    with time_machine.travel(NOW + datetime.timedelta(hours=40), tick=False):
        sweep()
    assert [(r.stage, r.role) for r in mine(teacher)] == [("overdue", "partner")]
    assert [(r.stage, r.role) for r in mine(caseworker)] == [("escalated", "asker")]


def test_the_email_names_no_family_and_the_link_opens_the_request(
    asked: InformationRequest, teacher: User, case: Case, client: Client
) -> None:
    User.objects.update(email=models.functions.Concat("username", models.Value("@example.org")))
    with time_machine.travel(NOW + datetime.timedelta(hours=22), tick=False):
        sweep()
    mail.outbox.clear()
    deliver_pending()
    [message] = mail.outbox
    assert case.family.name not in message.body and str(case.index_person) not in message.body
    [reminder] = mine(teacher)
    client.force_login(teacher)
    response = client.get(reminder.get_absolute_url())
    assert response.status_code == 302 and response.url == asked.get_absolute_url()
