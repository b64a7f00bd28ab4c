"""What a kind of reminder is (decision 53): one class that says what it collects, when it is still
due, whom it reaches, what it is called and where it leads. The concrete kinds are in `kinds.py`;
defining a subclass with a `code` registers it, and `Reminder.kind`'s choices are read from the
registry (a callable, so a new kind needs no migration).

This module imports no model at load time: `Reminder.kind` names `kind_choices` in its field and
migration, and the registry fills when `reminders.kinds` is imported (`RemindersConfig.ready`).
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.db import models
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise

from agencies import deadlines as rules
from agencies.access import Action

if TYPE_CHECKING:
    from agencies.models import User

    from .models import Reminder

__all__ = [
    "Deadline",
    "KindCodes",
    "ReminderKind",
    "Timings",
    "Window",
    "kind_choices",
    "kind_of",
    "kinds",
]

# Every panel's deadline settings by panel id (None: the defaults).
Timings = dict[int | None, rules.Timing]

# Stage codes (`Reminder.Stage`), repeated here so this module needs no model at load time.
DUE = "due"


@dataclass(frozen=True)
class Window:
    """The sweep's reach: deadlines from `start` (the catch-up horizon) to `end` (the widest
    "due soon" lead of any panel)."""

    now: datetime.datetime
    start: datetime.datetime
    end: datetime.datetime

    @classmethod
    def at(cls, now: datetime.datetime, timing_list: Iterable[rules.Timing]) -> "Window":
        lead = max([t.due_soon for t in timing_list] + [rules.DEFAULTS.due_soon])
        catch_up = datetime.timedelta(days=settings.REMINDERS_CATCH_UP_DAYS)
        return cls(now=now, start=now - catch_up, end=now + lead)

    @property
    def dates(self) -> tuple[datetime.date, datetime.date]:
        return timezone.localtime(self.start).date(), timezone.localtime(self.end).date()


@dataclass(frozen=True)
class Deadline:
    """One thing due: what, about which object and case, when. `audience` names the users for
    deadlines that are not the case owner's (triage, agenda), as (role, user id) pairs;
    `escalate_to` whom an escalation reaches instead of supervisors and the coordinator."""

    kind: str
    model: type[models.Model]
    object_id: int
    due_at: datetime.datetime
    case_id: int | None = None
    panel_id: int | None = None
    owning_agency_id: int | None = None
    audience: tuple[tuple[str, int], ...] = field(default=())
    escalate_to: tuple[tuple[str, int], ...] = field(default=())


_REGISTRY: dict[str, type["ReminderKind"]] = {}


class ReminderKind:
    """One kind of reminder. Subclasses set `code` and `label` and override what differs:

    - `collect`: the sweep's one (or two) date-range queries for what is due (a notice, which
      something else creates, collects nothing);
    - `still_due`: checked again before the e-mail goes (a review held since needs none);
    - whom it reaches: the case owner by default; a `Deadline.audience` for others; escalation to
      the owning agency's supervisors and the panel's coordinator unless `escalates` is False or
      the deadline names `escalate_to`; a notice's recipients in `received`;
    - `target`: the page the reminder opens.
    """

    code: ClassVar[str]
    label: ClassVar[str | Promise]
    # The object the reminder is about ("app_label.ModelName"): its content type and its page.
    about: ClassVar[str] = "cases.Case"
    # Counted in hours: warned and escalated in hours (rules.HOURLY_*), not by the panel's days.
    hourly: ClassVar[bool] = False
    escalates: ClassVar[bool] = True
    # Sent at once whatever the recipient chose (a worker who did not come back cannot wait for
    # tomorrow's digest, decision 134).
    urgent: ClassVar[bool] = False
    # A notice of something that happened (not a deadline): the signal that creates it.
    listens_to: ClassVar[Signal | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        code = vars(cls).get("code")
        if code is not None:
            if code in _REGISTRY:
                raise ValueError(f"Two reminder kinds with the code {code!r}")
            _REGISTRY[code] = cls

    @classmethod
    def model(cls) -> type[models.Model]:
        return apps.get_model(cls.about)

    @classmethod
    def collect(cls, window: Window, timing: Timings) -> Iterator[Deadline]:
        """What is due within the window."""
        return iter(())

    @classmethod
    def stage(cls, deadline: Deadline, now: datetime.datetime, timing: rules.Timing) -> str | None:
        """The stage the deadline is at (None: not yet due soon)."""
        if not cls.escalates and now >= deadline.due_at:
            return DUE
        if cls.hourly:
            return rules.stage_at(deadline.due_at, now, rules.HOURLY_DUE_SOON, rules.HOURLY_ESCALATE_AFTER)
        return rules.stage_at(deadline.due_at, now, timing.due_soon, timing.escalate_after)

    @classmethod
    def still_due(cls, reminder: "Reminder") -> bool:
        """Whether the deadline is still open when the e-mail goes. By default a case's deadline
        ends with the case."""
        return reminder.case is None or not reminder.case.is_closed

    @classmethod
    def target(cls, reminder: "Reminder", user: "User") -> str:
        """Where the reminder leads: its case, or the object it is about (if the user still sees it)."""
        if reminder.case_id:
            return reverse("cases:case", kwargs={"pk": reminder.case_id})
        model: Any = reminder.content_type.model_class()
        found = model.objects.restrict(user, Action.VIEW).filter(pk=reminder.object_id).first()
        return str(found.get_absolute_url()) if found else reverse("reminders:reminder_list")

    @classmethod
    def received(cls, sender: Any, **kwargs: Any) -> None:
        """Create the notices of `listens_to` (see `services.add_notices`)."""

    @classmethod
    def deadline(
        cls, object_id: int, due_on: datetime.date, case_id: int, panel_id: int | None, agency_id: int
    ) -> Deadline:
        """A deadline of the case owner, due at the start of `due_on`."""
        return Deadline(cls.code, cls.model(), object_id, rules.start_of_day(due_on), case_id, panel_id, agency_id)


def _load() -> dict[str, type[ReminderKind]]:
    from . import kinds  # noqa: F401 - defining the classes registers them

    return _REGISTRY


def kinds() -> list[type[ReminderKind]]:
    """Every kind of reminder, in the order they are defined."""
    return list(_load().values())


def kind_of(code: str) -> type[ReminderKind]:
    return _load()[code]


def kind_choices() -> list[tuple[str, str | Promise]]:
    """`Reminder.kind`'s choices: each kind's code and label."""
    return [(kind.code, kind.label) for kind in kinds()]


class KindCodes:
    """`Reminder.Kind.TRIAGE == "triage"`: a registered kind's code by its upper-case name, as the
    `TextChoices` the kinds were before they became classes gave it."""

    def __getattr__(self, name: str) -> str:
        code = name.lower()
        if name.startswith("_") or code not in _load():
            raise AttributeError(name)
        return code
