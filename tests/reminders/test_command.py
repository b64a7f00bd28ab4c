"""`manage.py reminders` for support staff."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from agencies.models import Agency, User
from cases.models import Case
from reminders.sweep import sweep

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("reminders", *args, stdout=out)
    return out.getvalue()


@time_machine.travel(NOW, tick=False)
def test_it_shows_what_is_due_and_what_was_sent(case: Case, caseworker: User, colleague: User) -> None:
    Case.objects.filter(pk=case.pk).update(first_contact_due_on=datetime.date(2026, 3, 8))
    assert "first_contact overdue" in run()
    sweep()
    assert "Reminders (1)" in run()
    assert "Reminders (0)" in run("--sent")
    assert f"to=owner:{caseworker.username}" in run("--user", caseworker.username, "--overdue")
    assert "Reminders (0)" in run("--user", colleague.username)
    assert case.family.name not in run()


def test_the_demo_reminders_show_after_seeding(case: Case, caseworker: User, agency: Agency) -> None:
    from demo.reminders import seed_reminders
    from reminders.models import Reminder
    from tests.factories import CaseFactory

    CaseFactory(owner=caseworker, owning_agency=agency)
    seed_reminders()
    seed_reminders()  # idempotent
    assert sorted(Reminder.objects.values_list("kind", "stage")) == [
        ("first_contact", "due_soon"),
        ("review", "overdue"),
    ]
