"""Who reaches intervention records through restrict(): the full file reads them, those who change
the case change them, the provider agency changes its actions' status; nobody else sees a row."""

import pytest
from django.db import models

from agencies.access import Action, RestrictedQuerySet
from agencies.models import Agency, Panel, User
from cases.models import Case
from interventions import services
from interventions.models import (
    Closure,
    ClosureAgreement,
    FollowUp,
    Goal,
    GoalProgress,
    InterventionPlan,
    PlanAction,
    Review,
    Withdrawal,
)
from tests.factories import share
from tests.interventions.conftest import agreements, days, make_plan, review

pytestmark = pytest.mark.django_db
MODELS = [InterventionPlan, Goal, PlanAction, Review, GoalProgress, Withdrawal, Closure, ClosureAgreement, FollowUp]


@pytest.fixture
def everything(case: Case, other_agency: Agency, auditor_readonly: User, panel: Panel) -> Case:
    """A case with one of each record, on a panel, shared in full with the police."""
    Case.objects.filter(pk=case.pk).update(panel=panel)
    share(case, other_agency)
    plan = make_plan(case)
    review(case, plan)
    services.record_withdrawal(case, withdrawn_on=days(0), reason="r", open_door_message="m", actor=case.owner)
    services.close_case(
        case,
        decided_on=days(0),
        reason="Goals met",
        agreements=agreements(case, other_agency, auditor_readonly),
        actor=case.owner,
    )
    return case


def sees(model: type[models.Model], user: User, action: Action) -> bool:
    rows = model._default_manager.all()
    assert isinstance(rows, RestrictedQuerySet)
    return rows.restrict(user, action).exists()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_full_file_reads_every_record(
    model: type[models.Model],
    everything: Case,
    supervisor: User,
    colleague: User,
    auditor_readonly: User,
) -> None:
    for reader in (everything.owner, supervisor, colleague, auditor_readonly):
        assert sees(model, reader, Action.VIEW), reader


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_summary_readers_and_strangers_see_nothing(
    model: type[models.Model], everything: Case, panel: Panel, coordinator: User
) -> None:
    from agencies.models import Membership
    from tests.conftest import member
    from tests.factories import AgencyFactory

    # a seat on the case's panel for an agency without a share, the coordinator, and a stranger
    health = AgencyFactory(name="Health centre")
    panel.agencies.add(health)
    seat = member(health, Membership.Role.PANEL_MEMBER)
    stranger = member(AgencyFactory(name="Housing office"))
    assert Case.objects.restrict(seat, Action.VIEW_SUMMARY).exists()
    for outsider in (seat, coordinator, stranger):
        assert not sees(model, outsider, Action.VIEW), outsider
        assert not sees(model, outsider, Action.VIEW_SUMMARY), outsider


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_those_who_change_the_case_change_the_records(
    model: type[models.Model],
    everything: Case,
    supervisor: User,
    colleague: User,
    auditor_readonly: User,
    coordinator: User,
) -> None:
    assert sees(model, everything.owner, Action.CHANGE) and sees(model, supervisor, Action.CHANGE)
    # (the plan's action is provided by the owning agency, so the colleague updates its status)
    readers = (auditor_readonly, coordinator) if model is PlanAction else (colleague, auditor_readonly, coordinator)
    for reader in readers:
        assert not sees(model, reader, Action.CHANGE), reader
