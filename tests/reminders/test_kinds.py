"""A kind of reminder is one class (decision 53): defining it is enough for the sweep to collect
it, the field to accept it, the pages and e-mails to name it and its link to open."""

import datetime
from collections.abc import Iterator

import pytest
import time_machine
from django.core import mail
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils.translation import override

from agencies.access import Action
from agencies.models import User
from cases.models import Case
from reminders import deadlines, kinds
from reminders.deadlines import Deadline, ReminderKind, Timings, Window, kind_choices
from reminders.models import Reminder
from reminders.services import deliver_pending
from reminders.sweep import sweep

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


def test_the_field_offers_every_kind_in_both_languages() -> None:
    field = Reminder._meta.get_field("kind")
    codes = [code for code, _label in field.choices]
    assert codes == [kind.code for kind in deadlines.kinds()]
    assert "information_request" in codes and "break_glass" in codes
    with override("sq"):
        labels = dict(kind_choices())
        assert str(labels["review"]) != "Case review"  # translated


def test_a_kind_is_named_by_its_code_as_before() -> None:
    assert Reminder.Kind.TRIAGE == "triage" == kinds.Triage.code
    assert Reminder.Kind.INFORMATION_REQUEST == "information_request"
    with pytest.raises(AttributeError):
        Reminder.Kind.NO_SUCH_KIND  # noqa: B018


def test_two_kinds_cannot_share_a_code() -> None:
    with pytest.raises(ValueError, match="triage"):
        type("Again", (ReminderKind,), {"code": "triage", "label": "Again"})


@pytest.fixture
def new_kind(case: Case) -> Iterator[type[ReminderKind]]:
    """A kind defined the way a contributor adds one: a class, nothing else."""

    class CaseFileAudit(ReminderKind):
        code = "file_audit"
        label = "Yearly audit of the case file"

        @classmethod
        def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
            cases = Case.objects.filter(closed_at__isnull=True).values_list("pk", "panel_id", "owning_agency_id")
            for pk, panel_id, agency_id in cases:
                yield cls.deadline(pk, window.now.date(), pk, panel_id, agency_id)

        @classmethod
        def still_due(cls, reminder: Reminder) -> bool:
            return reminder.case is not None and reminder.case.risk_level != "low"

    yield CaseFileAudit
    deadlines._REGISTRY.pop(CaseFileAudit.code)


@time_machine.travel(NOW, tick=False)
def test_a_new_kind_is_swept_shown_sent_and_opened(new_kind: type[ReminderKind], case: Case, caseworker: User) -> None:
    # given a case owner who wants e-mails
    User.objects.update(email=models.functions.Concat("username", models.Value("@example.org")))
    # when the sweep runs, twice
    sweep()
    sweep()
    # then the owner has one reminder of the new kind, named by its label, e-mailed once
    [reminder] = Reminder.objects.restrict(caseworker, Action.VIEW)
    assert (reminder.kind, reminder.role, reminder.stage) == ("file_audit", "owner", "due")
    assert reminder.get_kind_display() == "Yearly audit of the case file"
    deliver_pending()
    [email] = mail.outbox
    assert "Yearly audit of the case file" in email.subject + email.body
    client = Client()
    client.force_login(caseworker)
    assert "Yearly audit of the case file" in client.get(reverse("reminders:reminder_list")).content.decode()
    opened = client.get(reminder.get_absolute_url())
    assert opened.status_code == 302 and opened.url == case.get_absolute_url()


@time_machine.travel(NOW, tick=False)
def test_a_new_kind_decides_when_it_is_no_longer_due(new_kind: type[ReminderKind], case: Case) -> None:
    User.objects.update(email=models.functions.Concat("username", models.Value("@example.org")))
    sweep()
    Case.objects.filter(pk=case.pk).update(risk_level="low")
    deliver_pending()
    assert mail.outbox == []
