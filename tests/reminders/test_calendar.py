"""A worker's calendar (decision 92): planned visits and panel meetings, an iCal feed
behind a per-user secret that can be replaced, no family name in the feed, and a pair visit's
police partner told."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from agencies.models import Agency, Panel, User
from audit.models import AuditEvent
from cases import services
from cases.models import Case, Contact
from panels import services as panels
from reminders.models import Reminder
from tests.conftest import member
from tests.factories import CaseFactory, share

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def agree_visit(case: Case, days: int, **kwargs: object) -> Contact:
    return services.record_contact(
        Contact(
            case=case,
            occurred_at=timezone.now() - datetime.timedelta(hours=1),
            next_contact_on=timezone.localdate() + datetime.timedelta(days=days),
        ),
        actor=case.owner,
        **kwargs,  # type: ignore[arg-type]
    )


def feed_url(user: User) -> str:
    page = client_for(user).post(reverse("reminders:calendar_secret")).content.decode()
    found = re.search(r'value="(http[^"]+\.ics)"', page)
    assert found
    return found.group(1).replace("http://testserver", "")


def test_the_calendar_shows_the_visits_agreed_and_the_meetings(case: Case, panel: Panel, coordinator: User) -> None:
    # given a later visit agreeing a date that replaces an earlier one, and a meeting of the panel
    agree_visit(case, 9)
    agree_visit(case, 4)
    Case.objects.filter(pk=case.pk).update(panel=panel)
    panels.schedule_meeting(panel, scheduled_for=timezone.now() + datetime.timedelta(days=2), actor=coordinator)
    body = client_for(case.owner).get(reverse("reminders:calendar")).content.decode()
    # the owner sees the visit agreed last, once, by the case reference
    assert body.count(f"Visit, {case.reference}") == 1
    shown = timezone.localdate() + datetime.timedelta(days=4)
    assert shown.strftime("%Y") in body
    # the coordinator sees the meeting, and no visit of a case she does not work
    theirs = client_for(coordinator).get(reverse("reminders:calendar")).content.decode()
    assert "Panel meeting, Info-house" in theirs and case.reference not in theirs


def test_the_feed_names_no_family_and_its_old_address_stops_working(case: Case) -> None:
    agree_visit(case, 3)
    old = feed_url(case.owner)
    feed = Client().get(old)
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    body = feed.content.decode()
    assert "BEGIN:VCALENDAR" in body and f"SUMMARY:Visit\\, {case.reference}" in body
    assert case.family.name not in body and str(case.index_person.given_name) not in body
    # when the worker makes a new address, the old one is gone
    new = feed_url(case.owner)
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    assert Client().get(reverse("reminders:calendar_feed", kwargs={"secret": "guessed"})).status_code == 404


def test_a_deactivated_users_feed_is_closed(case: Case) -> None:
    url = feed_url(case.owner)
    User.objects.filter(pk=case.owner.pk).update(is_active=False)
    assert Client().get(url).status_code == 404


def test_ending_every_sign_in_closes_the_feed(case: Case) -> None:
    from agencies.security import revoke_sign_ins

    url = feed_url(case.owner)
    revoke_sign_ins(case.owner, reason="Phone lost")
    assert Client().get(url).status_code == 404


def test_each_feed_fetch_is_recorded_without_its_secret(case: Case) -> None:
    agree_visit(case, 3)
    url = feed_url(case.owner)
    Client().get(url)
    Client().get(url)
    reads = AuditEvent.objects.filter(action=AuditEvent.Action.LIST_READ, data__model="reminders.calendar_feed")
    assert reads.count() == 2
    read = reads.first()
    assert read is not None and read.actor == case.owner and len(read.data["events"]) == 1
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert secret not in read.data["path"]


def test_the_feed_costs_the_same_for_one_visit_and_for_five(
    caseworker: User, agency: Agency, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    url = feed_url(caseworker)

    def count() -> int:
        with django_assert_max_num_queries(10) as captured:
            assert Client().get(url).status_code == 200
        return len(captured)

    agree_visit(CaseFactory(owner=caseworker, owning_agency=agency), 2)
    one = count()
    for _ in range(4):
        agree_visit(CaseFactory(owner=caseworker, owning_agency=agency), 3)
    assert Client().get(url).content.decode().count("BEGIN:VEVENT") == 5
    assert count() == one


def test_a_pair_visit_tells_the_police_partner_who_finds_it_in_their_calendar(case: Case, other_agency: Agency) -> None:
    # given a police officer who reads the case through a share
    police = Agency.objects.create(name="Police station", sector=Agency.Sector.POLICE)
    officer = member(police, "police_liaison", username="officer")
    share(case, police)
    # when the owner records a visit made with the officer, agreeing the next one
    agree_visit(case, 5, visitors=[case.owner, officer])
    # then the officer is told under the bell, and the owner (who recorded it) is not
    assert Reminder.objects.restrict(officer, "view").filter(kind="pair_visit").count() == 1
    assert not Reminder.objects.filter(kind="pair_visit", recipient=case.owner).exists()
    # and the visit is in the officer's calendar
    body = client_for(officer).get(reverse("reminders:calendar")).content.decode()
    assert f"Visit, {case.reference}" in body


def test_a_visit_by_one_worker_tells_nobody(case: Case) -> None:
    agree_visit(case, 5)
    assert not Reminder.objects.filter(kind="pair_visit").exists()
