"""Helpers for the interventions tests: plans built through the services, as in life."""

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from agencies.models import Agency, Membership, User
from cases.models import Case
from interventions import services
from interventions.models import InterventionPlan, PlanAction
from tests.conftest import member
from tests.factories import AgencyFactory, share


def days(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def action_spec(agency: Agency, **overrides: Any) -> dict[str, Any]:
    return {"type": "pragmatic", "measure": "housing", "provider_agency": agency, "due_on": days(30), **overrides}


def goals_for(agency: Agency, goals: int = 2, actions: int = 1) -> list[dict[str, Any]]:
    return [
        {"text": f"Goal {n}", "actions": [action_spec(agency) for _ in range(actions)]} for n in range(1, goals + 1)
    ]


def make_plan(
    case: Case, *, agreed: bool = True, goals: list[dict[str, Any]] | None = None, **kwargs: Any
) -> InterventionPlan:
    agreement = {"agreed_by_family": True, "agreed_by": "The mother", "agreed_on": days(0)} if agreed else {}
    return services.create_plan(
        case, goals=goals or goals_for(case.owning_agency), actor=case.owner, **{**agreement, **kwargs}
    )


def progress_of(plan: InterventionPlan, progress: str = "some") -> list[dict[str, Any]]:
    return [{"goal": goal, "progress": progress, "notes": ""} for goal in plan.goals.all()]


def review(case: Case, plan: InterventionPlan, **overrides: Any) -> Any:
    values = {
        "held_on": days(0),
        "risk_level": "moderate",
        "next_review_on": days(90),
        "progress": progress_of(plan),
        "actor": case.owner,
    }
    return services.record_review(case, **{**values, **overrides})


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def plan(case: Case) -> InterventionPlan:
    return make_plan(case)


@pytest.fixture
def police_working(case: Case) -> Agency:
    """A police agency working the case: its security checks can go on after a withdrawal."""
    police = AgencyFactory(name="Regional police", sector=Agency.Sector.POLICE)
    share(case, police)
    return police


@pytest.fixture
def ngo(db: None) -> Agency:
    return AgencyFactory(name="Family NGO", sector=Agency.Sector.NGO)


@pytest.fixture
def provider(case: Case, ngo: Agency) -> User:
    """An NGO worker: the case is shared with the NGO in full, and the NGO provides an action."""
    worker = member(ngo, Membership.Role.PRACTITIONER, username="provider")
    share(case, ngo)
    return worker


@pytest.fixture
def provided(case: Case, ngo: Agency, provider: User) -> PlanAction:
    """The NGO's action in the case's running plan."""
    goals = [
        {
            "text": "Support",
            "actions": [action_spec(ngo, type="emotional_psychological", measure="relatives_support_group")],
        }
    ]
    plan = make_plan(case, goals=goals)
    return PlanAction.objects.get(goal__plan=plan)


def agreements(case: Case, other: Agency, other_user: User) -> list[dict[str, Any]]:
    """The owner's and another agency's agreement; that agency works the case (a full share), as
    only agencies working a case agree to its closure."""
    if not case.shares.current().filter(agency=other).exists():
        share(case, other)
    return [{"agency": case.owning_agency, "user": case.owner}, {"agency": other, "user": other_user}]
