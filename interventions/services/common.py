"""What the intervention services share: dates, and the timeline record."""

import calendar
import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import User
from cases.models import Case, CaseEvent

from ..models import GoalOutcome, InterventionPlan, Typology

__all__ = ["add_months", "ensure_open", "goal_outcomes", "moment_of", "not_in_future", "timeline", "typology_of"]


def ensure_open(case: Case) -> None:
    if case.is_closed:
        raise ValidationError(_("The case is closed: reopen it first."))


def not_in_future(value: datetime.date | None, message: str) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError(message)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it is shorter (31 Aug + 6 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def moment_of(day: datetime.date) -> datetime.datetime:
    """A time on `day` for records that need one (a contact): midday, or now if that is still to come."""
    midday = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    return min(midday, timezone.now())


def timeline(case: Case, kind: str, actor: User, obj: models.Model | None = None, **data: Any) -> CaseEvent:
    """Put the event on the case timeline, linked to the record's page (`interventions:entry`)."""
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        data=data,
        entry_label=obj._meta.label_lower if obj is not None else "",
        entry_id=obj.pk if obj is not None else None,
    )


def typology_of(value: str | None) -> str:
    """What the case turned out to be, one of `Typology`; refused when missing or unknown."""
    if not value or value not in Typology.values:
        raise ValidationError(_("Say what the case turned out to be."))
    return value


def goal_outcomes(plan: InterventionPlan | None, outcomes: Sequence[Mapping[str, Any]] | None) -> list[GoalOutcome]:
    """One unsaved outcome for every goal of the plan that ends (none when there is no plan).

    `None` records no outcome at all (a caller that does not ask them); a list must give each goal
    of the plan once, and only those: a closure or a withdrawal says how far every goal came.
    """
    if outcomes is None:
        return []
    goals = {goal.pk: goal for goal in plan.goals.all()} if plan is not None else {}
    given = [row["goal"].pk for row in outcomes]
    if len(set(given)) != len(given) or not set(given) <= set(goals):
        raise ValidationError(_("An outcome is recorded once for each goal of the plan that ends, and only for those."))
    if set(goals) - set(given):
        raise ValidationError(_("Say how far each goal of the plan was reached."))
    rows = []
    for row in outcomes:
        if row.get("outcome") not in GoalOutcome.Outcome.values:
            raise ValidationError(_("Say how far each goal of the plan was reached."))
        goal = goals[row["goal"].pk]
        rows.append(
            GoalOutcome(goal=goal, case_id=goal.case_id, outcome=row["outcome"], note=(row.get("note") or "").strip())
        )
    return rows
