"""A new reminder shows in the page without reloading."""

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from agencies.models import User
from cases.models import Case
from reminders.models import Reminder

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_reminder_shows_without_reloading(
    page: Any, live_server: Any, caseworker: User, case: Case, settings: Any
) -> None:
    settings.URA_UNREAD_POLL_SECONDS = 1
    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("Username").fill(caseworker.username)
    page.get_by_label("Password").fill("test-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("[data-testid=unread-reminders]").count() == 0
    # when a reminder arrives while the page is open
    Reminder.objects.create(
        kind="review",
        content_type=ContentType.objects.get_for_model(Case),
        object_id=case.pk,
        case=case,
        role="owner",
        due_at=timezone.now(),
        stage="due",
    )
    # then the bell shows it, the page not reloaded
    page.evaluate("window.__same_page = true")
    page.locator("[data-testid=unread-reminders]").wait_for(timeout=8_000)
    assert page.locator("[data-testid=unread-reminders]").inner_text().startswith("1")
    assert page.evaluate("window.__same_page") is True
