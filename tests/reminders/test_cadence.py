"""Cadence reminders: a plan's action falling due, a next contact agreed and passed, and a family
nobody has seen for the panel's days at its risk level. Each reminds the owner once per stage and
escalates as the other deadlines do."""

import datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from agencies.access import Action
from agencies.models import Panel, PanelReminderSettings, User
from cases import services as case_services
from cases.models import Case, Contact
from interventions import services as plans
from reminders.models import Reminder
from reminders.sweep import sweep

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def of_kind(kind: str) -> list[tuple[str, str, Any]]:
    """Every reminder of `kind`: its stage, whom it reaches (a role, and the user for any but the
    owner) and when it is due."""
    rows = Reminder.objects.filter(kind=kind).order_by("pk")
    return [(r.stage, f"{r.role}:{r.recipient_id or ''}", r.due_date) for r in rows]


def _plan(case: Case, due_on: datetime.date) -> Any:
    action = {"type": "pragmatic", "measure": "housing", "provider_agency": case.owning_agency, "due_on": due_on}
    return plans.create_plan(
        case,
        goals=[{"text": "A home", "actions": [action]}],
        agreed_by_family=True,
        agreed_by="The mother",
        agreed_on=timezone.localdate(),
        actor=case.owner,
    )


def _contact(
    case: Case, when: datetime.datetime, next_on: datetime.date | None = None, outcome: str = Contact.Outcome.HELD
) -> Contact:
    return case_services.record_contact(
        Contact(case=case, occurred_at=when, next_contact_on=next_on, outcome=outcome), actor=case.owner
    )


def test_a_plan_action_falling_due_reminds_the_owner_once_then_escalates(
    case: Case, caseworker: User, supervisor: User, coordinator: User, panel: Panel
) -> None:
    # given a running plan whose action is due on Wednesday 11 March, on a panel
    Case.objects.filter(pk=case.pk).update(panel=panel)
    due = datetime.date(2026, 3, 11)
    with time_machine.travel(at(datetime.date(2026, 3, 2)), tick=False):
        _plan(case, due)
    # when the sweep runs twice the day before, twice on the day, and twice four days after
    for day in (datetime.date(2026, 3, 10), due, datetime.date(2026, 3, 15)):
        with time_machine.travel(at(day), tick=False):
            sweep()
            sweep()
    # then the owner is reminded once at each stage, and the supervisor and coordinator once
    stages = [(stage, who) for stage, who, _ in of_kind("plan_action")]
    assert stages == [
        ("due_soon", "owner:"),
        ("due", "owner:"),
        ("overdue", "owner:"),
        ("escalated", f"supervisor:{supervisor.pk}"),
        ("escalated", f"coordinator:{coordinator.pk}"),
    ]
    assert {when for _, _, when in of_kind("plan_action")} == {due}
    # and the owner's reminder leads to the action
    reminder = Reminder.objects.restrict(caseworker, Action.VIEW).filter(kind="plan_action").first()
    assert reminder is not None


def test_an_action_done_before_its_date_reminds_nobody(case: Case) -> None:
    due = datetime.date(2026, 3, 11)
    with time_machine.travel(at(datetime.date(2026, 3, 2)), tick=False):
        plan = _plan(case, due)
        plans.update_action_status(plan.goals.get().actions.get(), status="done", actor=case.owner)
    with time_machine.travel(at(due), tick=False):
        sweep()
    assert of_kind("plan_action") == []


def test_a_next_contact_passed_without_a_contact_reminds_the_owner_once(case: Case) -> None:
    # given a visit on 2 March that agreed the next contact for Monday 9 March
    planned = datetime.date(2026, 3, 9)
    with time_machine.travel(at(datetime.date(2026, 3, 2)), tick=False):
        _contact(case, timezone.now(), next_on=planned)
    # when the sweep runs the day before, and twice the day after the date
    with time_machine.travel(at(datetime.date(2026, 3, 8)), tick=False):
        sweep()
    assert of_kind("next_contact") == []  # nothing before it has passed
    with time_machine.travel(at(datetime.date(2026, 3, 10)), tick=False):
        sweep()
        sweep()
    # then the owner is reminded once
    assert of_kind("next_contact") == [("due", "owner:", datetime.date(2026, 3, 10))]


def test_a_contact_made_on_time_ends_the_next_contact_reminder(case: Case) -> None:
    planned = datetime.date(2026, 3, 9)
    with time_machine.travel(at(datetime.date(2026, 3, 2)), tick=False):
        _contact(case, timezone.now(), next_on=planned)
    with time_machine.travel(at(planned), tick=False):
        _contact(case, timezone.now())
    with time_machine.travel(at(datetime.date(2026, 3, 10)), tick=False):
        sweep()
    assert of_kind("next_contact") == []


@pytest.mark.parametrize("outcome", [Contact.Outcome.CANCELLED, Contact.Outcome.NOBODY_HOME, Contact.Outcome.REFUSED])
def test_a_visit_that_did_not_take_place_leaves_the_next_contact_reminder(case: Case, outcome: str) -> None:
    # given a visit on 2 March that agreed the next contact for 9 March, and one on 4 March that met nobody
    planned = datetime.date(2026, 3, 9)
    with time_machine.travel(at(datetime.date(2026, 3, 2)), tick=False):
        _contact(case, timezone.now(), next_on=planned)
    with time_machine.travel(at(datetime.date(2026, 3, 4)), tick=False):
        _contact(case, timezone.now(), outcome=outcome)
    # when the date has passed
    with time_machine.travel(at(datetime.date(2026, 3, 10)), tick=False):
        sweep()
    # then the owner is still reminded: the family was not seen
    assert of_kind("next_contact") == [("due", "owner:", datetime.date(2026, 3, 10))]


def test_no_contact_for_the_days_of_the_risk_level_reminds_the_owner_once(
    case: Case, caseworker: User, agency: Any
) -> None:
    from tests.factories import CaseFactory

    # given two families last seen on 24 February: one at high risk (14 days), one at low risk (56)
    low = CaseFactory(owner=caseworker, owning_agency=agency)
    with time_machine.travel(at(datetime.date(2026, 2, 24)), tick=False):
        for subject, level in ((case, "high"), (low, "low")):
            case_services.set_risk_level(subject, level=level, source="manual", actor=caseworker)
            _contact(subject, timezone.now())
    # when the sweep runs twice fourteen days later
    with time_machine.travel(at(datetime.date(2026, 3, 10)), tick=False):
        sweep()
        sweep()
    # then only the family at high risk reminds its owner, once
    rows = list(Reminder.objects.filter(kind="no_contact").values_list("case_id", "stage", "role"))
    assert rows == [(case.pk, "due", "owner")]


def test_a_contact_since_ends_the_no_contact_reminder(case: Case, caseworker: User) -> None:
    with time_machine.travel(at(datetime.date(2026, 2, 24)), tick=False):
        case_services.set_risk_level(case, level="high", source="manual", actor=caseworker)
        _contact(case, timezone.now())
    with time_machine.travel(at(datetime.date(2026, 3, 1)), tick=False):
        _contact(case, timezone.now())
    with time_machine.travel(at(datetime.date(2026, 3, 10)), tick=False):
        sweep()
    assert of_kind("no_contact") == []


def test_a_panel_sets_its_own_days_without_contact(case: Case, caseworker: User, panel: Panel) -> None:
    # given a panel that wants a family at moderate risk seen every ten days
    Case.objects.filter(pk=case.pk).update(panel=panel)
    PanelReminderSettings.objects.create(panel=panel, no_contact_days_moderate=10)
    with time_machine.travel(at(datetime.date(2026, 2, 28)), tick=False):
        case_services.set_risk_level(case, level="moderate", source="manual", actor=caseworker)
        _contact(case, timezone.now())
    # when the sweep runs ten days later
    with time_machine.travel(at(datetime.date(2026, 3, 10)), tick=False):
        sweep()
    # then the owner is reminded
    assert of_kind("no_contact") == [("due", "owner:", datetime.date(2026, 3, 10))]
