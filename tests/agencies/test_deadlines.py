"""Each deadline rule of design.md §4, on fixed dates and a frozen clock."""

import datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from agencies import deadlines

UTC = datetime.UTC


def test_triage_is_due_24_hours_after_the_referral_arrives() -> None:
    received = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert deadlines.triage_due(received) == datetime.datetime(2026, 3, 3, 9, 30, tzinfo=UTC)
    assert deadlines.triage_due(received, deadlines.Timing(triage_hours=48)) == datetime.datetime(
        2026, 3, 4, 9, 30, tzinfo=UTC
    )


def test_first_contact_is_due_7_days_after_the_decision() -> None:
    assert deadlines.first_contact_due(datetime.date(2026, 3, 2)) == datetime.date(2026, 3, 9)


def test_needs_assessment_is_due_45_working_days_after_first_contact(settings: Any) -> None:
    # Monday to Friday alone (a deployment that names no country's holidays):
    settings.URA_HOLIDAYS_COUNTRY = ""
    # Monday 2 March 2026 + 45 working days (9 weeks) = Monday 4 May.
    assert deadlines.needs_assessment_due(datetime.date(2026, 3, 2)) == datetime.date(2026, 5, 4)
    # From a Friday, 1 working day is the Monday after.
    assert deadlines.add_working_days(datetime.date(2026, 3, 6), 1) == datetime.date(2026, 3, 9)
    # From a Saturday, counting starts on the Monday: the 4th working day is Thursday, the 5th Friday.
    assert deadlines.add_working_days(datetime.date(2026, 3, 7), 4) == datetime.date(2026, 3, 12)
    assert deadlines.add_working_days(datetime.date(2026, 3, 7), 5) == datetime.date(2026, 3, 13)
    assert deadlines.needs_assessment_due(datetime.date(2026, 3, 8)) == datetime.date(2026, 5, 8)


@pytest.mark.parametrize("start", [datetime.date(2026, 3, d) for d in range(1, 15)])
def test_each_working_day_counts_once(start: datetime.date) -> None:
    # Counting one more working day lands on the next working day, never skipping one.
    for days in range(1, 50):
        before, after = deadlines.add_working_days(start, days - 1), deadlines.add_working_days(start, days)
        skipped = [before + datetime.timedelta(days=n) for n in range(1, (after - before).days)]
        assert deadlines.is_working_day(after) and not any(deadlines.is_working_day(day) for day in skipped)


def test_the_45_working_day_deadline_skips_albanian_public_holidays(settings: Any) -> None:
    # given a first contact on Monday 2 November 2026, in Albania (the default country)
    assert settings.URA_HOLIDAYS_COUNTRY == "AL"
    contact = datetime.date(2026, 11, 2)
    # then the 45 working days skip the weekday holidays on the way: Alphabet Day (observed Monday
    # 23 November), Independence and Liberation Days (observed 30 November and 1 December), Youth
    # Day (8 December), Christmas (25 December), New Year (1 January, and 4 January for the 2nd)
    days_off = [
        datetime.date(2026, 11, 23),
        datetime.date(2026, 11, 30),
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 8),
        datetime.date(2026, 12, 25),
        datetime.date(2027, 1, 1),
        datetime.date(2027, 1, 4),
    ]
    assert not any(deadlines.is_working_day(day) for day in days_off)
    # seven working days later than Monday to Friday alone would make it (Monday 4 January)
    assert deadlines.needs_assessment_due(contact) == datetime.date(2027, 1, 13)
    settings.URA_HOLIDAYS_COUNTRY = ""
    assert deadlines.needs_assessment_due(contact) == datetime.date(2027, 1, 4)


def test_working_days_follow_the_configured_country(settings: Any) -> None:
    # 28 November is Albania's Independence Day; in Germany an ordinary Friday (in 2025)
    independence = datetime.date(2025, 11, 28)
    assert not deadlines.is_working_day(independence)
    settings.URA_HOLIDAYS_COUNTRY = "DE"
    assert deadlines.is_working_day(independence)
    assert not deadlines.is_working_day(datetime.date(2025, 12, 25))


@pytest.mark.parametrize("day", [datetime.date(2026, 3, d) for d in range(1, 15)])
def test_subtract_working_days_inverts_add(day: datetime.date) -> None:
    start = deadlines.subtract_working_days(day, 45)
    assert deadlines.add_working_days(start, 45) >= day
    assert deadlines.add_working_days(start - datetime.timedelta(days=1), 45) < day


def test_plan_review_is_due_every_3_months_at_month_ends_too() -> None:
    assert deadlines.review_due(datetime.date(2026, 1, 15)) == datetime.date(2026, 4, 15)
    assert deadlines.review_due(datetime.date(2025, 11, 30)) == datetime.date(2026, 2, 28)
    assert deadlines.review_due(datetime.date(2026, 1, 15), deadlines.Timing(review_months=1)) == datetime.date(
        2026, 2, 15
    )


def test_follow_ups_are_due_6_and_12_months_after_closure() -> None:
    assert deadlines.follow_ups_due(datetime.date(2026, 8, 31)) == [
        datetime.date(2027, 2, 28),
        datetime.date(2027, 8, 31),
    ]


def test_transition_planning_6_months_and_1_month_before_18() -> None:
    assert deadlines.transition_dues(datetime.date(2027, 1, 10)) == (
        datetime.date(2026, 7, 10),
        datetime.date(2026, 12, 10),
    )


def test_the_agenda_goes_out_2_days_before_the_meeting() -> None:
    meeting = datetime.datetime(2026, 3, 12, 14, 0, tzinfo=UTC)
    assert deadlines.agenda_notice_at(meeting) == datetime.datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


@time_machine.travel(datetime.datetime(2026, 3, 10, 12, 0, tzinfo=UTC), tick=False)
@pytest.mark.parametrize(
    ("due", "stage"),
    [
        (datetime.datetime(2026, 3, 13, 12, 0, tzinfo=UTC), None),
        (datetime.datetime(2026, 3, 11, 12, 0, tzinfo=UTC), "due_soon"),
        (datetime.datetime(2026, 3, 10, 0, 0, tzinfo=UTC), "due"),
        (datetime.datetime(2026, 3, 8, 0, 0, tzinfo=UTC), "overdue"),
        (datetime.datetime(2026, 3, 6, 0, 0, tzinfo=UTC), "escalated"),
    ],
)
def test_the_stage_follows_the_clock(due: datetime.datetime, stage: str | None) -> None:
    now = timezone.now()
    assert deadlines.stage_at(due, now, deadlines.DEFAULTS.due_soon, deadlines.DEFAULTS.escalate_after) == stage
