"""The header's unread count is kept a few seconds, yet a reminder created, read or
deleted shows on the very next page: every reminder write moves the kept counts' generation on.
The keeping is switched on here as in production (the test settings count on every page)."""

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from reminders import services
from reminders.models import Reminder
from reminders.unread import unread_count
from tests.reminders.test_unread_poll import remind

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_kept")]


@pytest.fixture
def _kept() -> object:
    with override_settings(URA_UNREAD_CACHE_SECONDS=30):
        yield


def _reads_reminders(user: object) -> int:
    with CaptureQueriesContext(connection) as queries:
        unread_count(user)
    return sum("reminders_reminder" in query["sql"] for query in queries.captured_queries)


def test_the_count_is_kept_and_asked_again_after_a_reminder_is_written(case: Case) -> None:
    owner = case.owner
    assert unread_count(owner) == 0
    assert _reads_reminders(owner) == 0  # kept: no query
    reminder = remind(case)
    assert unread_count(owner) == 1  # created: counted again
    assert _reads_reminders(owner) == 0
    services.mark_read(reminder, actor=owner)
    assert unread_count(owner) == 0  # read: counted again
    remind(case)
    Reminder.objects.all().delete()
    assert unread_count(owner) == 0  # deleted


def test_the_header_and_the_poll_show_a_new_reminder_at_once(case: Case) -> None:
    client = Client()
    client.force_login(case.owner)
    assert 'data-testid="unread-reminders"' not in client.get(reverse("home")).content.decode()
    remind(case)
    assert 'data-testid="unread-reminders"' in client.get(reverse("home")).content.decode()
    assert client.get(reverse("reminders:unread_count")).json()["count"] == 1


def test_a_count_made_with_another_reach_is_not_reused(case: Case, other_agency: object) -> None:
    from agencies.models import Membership

    owner = case.owner
    remind(case)
    assert unread_count(owner) == 1
    Case.objects.filter(pk=case.pk).update(owning_agency=other_agency)  # no reminder written
    Membership.objects.filter(user=owner).delete()  # she leaves: another reach, another key
    owner.refresh_from_db()
    from agencies.access import forget_access

    forget_access(owner)
    assert unread_count(owner) == 0


def test_without_a_reachable_cache_the_count_is_made(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    from reminders import unread

    class Unreachable:
        def get(self, *args: object) -> None:
            raise ConnectionError("cache down")

        set = incr = get

    monkeypatch.setattr(unread, "cache", Unreachable())
    remind(case)
    assert unread_count(case.owner) == 1


def test_the_notifications_page_counts_afresh_and_agrees_with_its_list(case: Case, other_agency: object) -> None:
    client = Client()
    client.force_login(case.owner)
    remind(case)
    assert unread_count(case.owner) == 1  # kept
    # the case goes to another owner: no reminder is written, the owner's reminder follows the case
    newcomer = case.owner.__class__.objects.create(username="newcomer")
    Case.objects.filter(pk=case.pk).update(owner=newcomer)
    # elsewhere the kept count shows a few seconds more; the notifications page counts afresh
    assert 'data-testid="unread-reminders"' in client.get(reverse("home")).content.decode()
    page = client.get(reverse("reminders:reminder_list")).content.decode()
    assert 'data-testid="unread-reminders"' not in page
