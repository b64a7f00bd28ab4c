"""A new reminder shows without reloading: every page asks for the unread count; the
answer is one count whatever the user has, and the poll neither keeps an idle session alive nor
ends it."""

import time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from agencies.models import User
from agencies.security import LAST_SEEN
from cases.models import Case
from reminders.models import Reminder

pytestmark = pytest.mark.django_db


def remind(case: Case) -> Reminder:
    return Reminder.objects.create(
        kind="review",
        content_type=ContentType.objects.get_for_model(Case),
        object_id=case.pk,
        case=case,
        role="owner",
        due_at=timezone.now(),
        stage="due",
        recipient_key=Reminder.objects.count() + 1000,
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.get(reverse("home"))
    return client


def test_the_count_follows_new_reminders_at_a_constant_cost(
    case: Case, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client = signed_in(case.owner)
    url = reverse("reminders:unread_count")
    assert client.get(url).json()["count"] == 0
    remind(case)
    answer = client.get(url).json()
    assert answer["count"] == 1 and 'data-testid="unread-reminders">1<' in answer["badge"]
    with django_assert_max_num_queries(10) as one:
        client.get(url)
    for _ in range(4):
        remind(case)
    with django_assert_max_num_queries(10) as five:
        assert client.get(url).json()["count"] == 5
    assert len(one) == len(five)


def test_the_poll_does_not_keep_an_idle_session_alive(case: Case, settings: object) -> None:
    client = signed_in(case.owner)
    session = client.session
    long_ago = int(time.time()) - 31 * 60
    session[LAST_SEEN] = long_ago
    session.save()
    # the page's poll after the time-out is refused, and does not sign the worker out
    assert client.get(reverse("reminders:unread_count")).status_code == 401
    assert client.session[LAST_SEEN] == long_ago and client.session.get("_auth_user_id")
    # a poll before the time-out leaves the last-seen time where the person left it
    session = client.session
    recent = int(time.time()) - 5 * 60
    session[LAST_SEEN] = recent
    session.save()
    assert client.get(reverse("reminders:unread_count")).status_code == 200
    assert client.session[LAST_SEEN] == recent


def test_pages_carry_the_polls_address(case: Case) -> None:
    body = signed_in(case.owner).get(reverse("home")).content.decode()
    assert f'data-unread-url="{reverse("reminders:unread_count")}"' in body and "ura/unread.js" in body
