"""Each deadline rule of design.md §4, on fixed dates and a frozen clock."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from reminders import rules

UTC = datetime.UTC


def test_triage_is_due_24_hours_after_the_referral_arrives() -> None:
    received = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert rules.triage_due(received) == datetime.datetime(2026, 3, 3, 9, 30, tzinfo=UTC)
    assert rules.triage_due(received, rules.Timing(triage_hours=48)) == datetime.datetime(2026, 3, 4, 9, 30, tzinfo=UTC)


def test_first_contact_is_due_7_days_after_the_decision() -> None:
    assert rules.first_contact_due(datetime.date(2026, 3, 2)) == datetime.date(2026, 3, 9)


def test_needs_assessment_is_due_45_working_days_after_first_contact() -> None:
    # Monday 2 March 2026 + 45 working days (9 weeks) = Monday 4 May.
    assert rules.needs_assessment_due(datetime.date(2026, 3, 2)) == datetime.date(2026, 5, 4)
    # From a Friday, 1 working day is the Monday after.
    assert rules.add_working_days(datetime.date(2026, 3, 6), 1) == datetime.date(2026, 3, 9)
    # From a Saturday, counting starts on the Monday: the 4th working day is Thursday, the 5th Friday.
    assert rules.add_working_days(datetime.date(2026, 3, 7), 4) == datetime.date(2026, 3, 12)
    assert rules.add_working_days(datetime.date(2026, 3, 7), 5) == datetime.date(2026, 3, 13)
    assert rules.needs_assessment_due(datetime.date(2026, 3, 8)) == datetime.date(2026, 5, 8)


@pytest.mark.parametrize("start", [datetime.date(2026, 3, d) for d in range(1, 15)])
def test_each_working_day_counts_once(start: datetime.date) -> None:
    # Counting one more working day lands on the next working day, never skipping one.
    for days in range(1, 50):
        before, after = rules.add_working_days(start, days - 1), rules.add_working_days(start, days)
        skipped = [before + datetime.timedelta(days=n) for n in range(1, (after - before).days)]
        assert after.weekday() < 5 and all(day.weekday() >= 5 for day in skipped)


@pytest.mark.parametrize("day", [datetime.date(2026, 3, d) for d in range(1, 15)])
def test_subtract_working_days_inverts_add(day: datetime.date) -> None:
    start = rules.subtract_working_days(day, 45)
    assert rules.add_working_days(start, 45) >= day
    assert rules.add_working_days(start - datetime.timedelta(days=1), 45) < day


def test_plan_review_is_due_every_3_months_at_month_ends_too() -> None:
    assert rules.review_due(datetime.date(2026, 1, 15)) == datetime.date(2026, 4, 15)
    assert rules.review_due(datetime.date(2025, 11, 30)) == datetime.date(2026, 2, 28)
    assert rules.review_due(datetime.date(2026, 1, 15), rules.Timing(review_months=1)) == datetime.date(2026, 2, 15)


def test_follow_ups_are_due_6_and_12_months_after_closure() -> None:
    assert rules.follow_ups_due(datetime.date(2026, 8, 31)) == [datetime.date(2027, 2, 28), datetime.date(2027, 8, 31)]


def test_transition_planning_6_months_and_1_month_before_18() -> None:
    assert rules.transition_dues(datetime.date(2027, 1, 10)) == (
        datetime.date(2026, 7, 10),
        datetime.date(2026, 12, 10),
    )


def test_the_agenda_goes_out_2_days_before_the_meeting() -> None:
    meeting = datetime.datetime(2026, 3, 12, 14, 0, tzinfo=UTC)
    assert rules.agenda_notice_at(meeting) == datetime.datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


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
    assert rules.stage_at(due, now, rules.DEFAULTS.due_soon, rules.DEFAULTS.escalate_after) == stage
