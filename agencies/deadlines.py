"""The deadline rules of design.md §4, each a pure function of dates (no database, no clock):
the services that set due dates, the reminder sweep, the dashboards and the tests all compute
deadlines here. They sit on the ground floor so that every app may use them (decision 48); a
panel's own deadlines are `agencies.models.PanelReminderSettings`.

| deadline | default |
|---|---|
| new referral triaged | 24 hours |
| information request to a partner answered | 24 hours |
| first contact after the panel decides | 7 days |
| needs assessment after first contact | 45 working days (public holidays skipped) |
| plan review | every 3 months (per case: the date each review sets) |
| panel agenda to members | 2 days before the meeting |
| post-exit follow-ups | 6 and 12 months after closure |
| a child turns 18 | transition planning 6 months before, and 1 month before |
| a plan's action | on its due date |
| the next contact a visit agreed | on that date |
| no contact with the family | after the panel's days for the case's risk level |

Working days are Monday to Friday less the public holidays of the deployment's country
(`URA_HOLIDAYS_COUNTRY`, Albania by default), read from the `holidays` library (decision 131).
"""

import calendar
import datetime
import functools
from dataclasses import dataclass

import holidays
from django.conf import settings
from django.utils import timezone

__all__ = [
    "DEFAULTS",
    "INFORMATION_REQUEST_HOURS",
    "Timing",
    "add_months",
    "add_working_days",
    "agenda_notice_at",
    "first_contact_due",
    "follow_ups_due",
    "information_due",
    "is_working_day",
    "needs_assessment_due",
    "no_contact_due",
    "review_due",
    "stage_at",
    "start_of_day",
    "subtract_working_days",
    "transition_dues",
    "triage_due",
]


@dataclass(frozen=True)
class Timing:
    """A panel's deadline settings (`PanelReminderSettings`), or the defaults."""

    triage_hours: int = 24
    first_contact_days: int = 7
    needs_assessment_working_days: int = 45
    review_months: int = 3
    agenda_notice_days: int = 2
    due_soon_days: int = 2
    escalate_after_days: int = 3
    # No contact for this many days puts an open case on the panel's next agenda (decision 102).
    silence_days: int = 42
    # "No contact for N days" (issue 14), by the case's risk level: the higher the risk, the sooner.
    no_contact_days_critical: int = 7
    no_contact_days_high: int = 14
    no_contact_days_moderate: int = 28
    no_contact_days_low: int = 56

    def no_contact_days(self, risk_level: str) -> int:
        """Days without a contact before the owner is reminded, for a case at `risk_level` (a case
        not yet assessed counts as moderate)."""
        by_level = {
            "critical": self.no_contact_days_critical,
            "high": self.no_contact_days_high,
            "low": self.no_contact_days_low,
        }
        return by_level.get(risk_level, self.no_contact_days_moderate)

    @property
    def due_soon(self) -> datetime.timedelta:
        return datetime.timedelta(days=self.due_soon_days)

    @property
    def escalate_after(self) -> datetime.timedelta:
        return datetime.timedelta(days=self.escalate_after_days)


DEFAULTS = Timing()
# A deadline counted in hours warns and escalates in hours: a few hours before, half a day after.
HOURLY_DUE_SOON = datetime.timedelta(hours=4)
HOURLY_ESCALATE_AFTER = datetime.timedelta(hours=12)
# "Due" lasts a day; past that the item is overdue.
DUE_FOR = datetime.timedelta(days=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day when it is shorter: 31 Aug + 6 = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@functools.lru_cache(maxsize=128)
def _public_holidays(country: str, subdivision: str, year: int) -> frozenset[datetime.date]:
    """The public holidays of `country` in `year` (with the days in lieu of those on a weekend)."""
    found = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    return frozenset(found.keys())


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday, and not a public holiday of the deployment's country."""
    if day.weekday() >= 5:
        return False
    country = settings.URA_HOLIDAYS_COUNTRY
    return not country or day not in _public_holidays(country, settings.URA_HOLIDAYS_SUBDIVISION, day.year)


def add_working_days(day: datetime.date, days: int) -> datetime.date:
    """`days` working days after `day`: weekends and the country's public holidays are not counted."""
    one = datetime.timedelta(days=1)
    # A day off is not a working day: from one, count as from the working day before.
    while days and not is_working_day(day):
        day -= one
    result = day
    while days:
        result += one
        if is_working_day(result):
            days -= 1
    # Zero days from a day off: the working day after.
    while not is_working_day(result):
        result += one
    return result


def subtract_working_days(day: datetime.date, days: int) -> datetime.date:
    """The earliest date `d` with `add_working_days(d, days) >= day` (to query by the start date)."""
    guess = day - datetime.timedelta(days=days // 5 * 7 + 7)
    # Holidays stretch the span: step back until the guess falls short, then forward to the answer.
    while add_working_days(guess, days) >= day:
        guess -= datetime.timedelta(days=7)
    while add_working_days(guess, days) < day:
        guess += datetime.timedelta(days=1)
    return guess


def start_of_day(day: datetime.date) -> datetime.datetime:
    """A date deadline falls due at the start of that day, in the service's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def triage_due(received_at: datetime.datetime, timing: Timing = DEFAULTS) -> datetime.datetime:
    return received_at + datetime.timedelta(hours=timing.triage_hours)


# A partner answers an information request within a day (design.md §4); no panel sets another.
INFORMATION_REQUEST_HOURS = 24


def information_due(asked_at: datetime.datetime) -> datetime.datetime:
    return asked_at + datetime.timedelta(hours=INFORMATION_REQUEST_HOURS)


def first_contact_due(decided_on: datetime.date, timing: Timing = DEFAULTS) -> datetime.date:
    return decided_on + datetime.timedelta(days=timing.first_contact_days)


def needs_assessment_due(first_contact_on: datetime.date, timing: Timing = DEFAULTS) -> datetime.date:
    return add_working_days(first_contact_on, timing.needs_assessment_working_days)


def no_contact_due(last_contact_on: datetime.date, risk_level: str, timing: Timing = DEFAULTS) -> datetime.date:
    """When the owner is reminded that nobody has seen the family: the panel's days for the risk level."""
    return last_contact_on + datetime.timedelta(days=timing.no_contact_days(risk_level))


def review_due(last_review_on: datetime.date, timing: Timing = DEFAULTS) -> datetime.date:
    return add_months(last_review_on, timing.review_months)


def follow_ups_due(closed_on: datetime.date) -> list[datetime.date]:
    return [add_months(closed_on, 6), add_months(closed_on, 12)]


def transition_dues(eighteenth_birthday: datetime.date) -> tuple[datetime.date, datetime.date]:
    """When transition planning is due: six months, and again one month, before 18."""
    return add_months(eighteenth_birthday, -6), add_months(eighteenth_birthday, -1)


def agenda_notice_at(scheduled_for: datetime.datetime, timing: Timing = DEFAULTS) -> datetime.datetime:
    return scheduled_for - datetime.timedelta(days=timing.agenda_notice_days)


def stage_at(
    due_at: datetime.datetime,
    now: datetime.datetime,
    due_soon: datetime.timedelta,
    escalate_after: datetime.timedelta,
    due_for: datetime.timedelta = DUE_FOR,
) -> str | None:
    """Where a deadline stands at `now`: None (not yet), due soon, due, overdue, escalated.

    Only the current stage is reminded: after an outage the sweep does not send a stale "due soon".
    """
    if now < due_at - due_soon:
        return None
    if now < due_at:
        return "due_soon"
    if now < due_at + min(due_for, escalate_after):
        return "due"
    if now < due_at + escalate_after:
        return "overdue"
    return "escalated"
