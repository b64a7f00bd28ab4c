"""Demo plans, a review and a closure (issue #4's scenario), on the cases of `demo.cases`. Dates
are relative to the day of seeding; running it again changes nothing.

- Berisha (stage 7): a running plan agreed by Teuta Berisha, with actions of the three kinds.
- Gashi (stage 8): a running plan last reviewed over three months ago, its review overdue, and
  one lapsed action.
- Dervishi (closed 122 days ago): a plan of two goals, done; the closure agreed by social care and
  the employment office (whose share then ended), with each goal's outcome, the typology and his
  mother's feedback, and follow-ups 6 months (still to come) and 12 months after it.
- Krasniqi and Shala: no plan yet.
"""

import datetime
from typing import Any

from django.utils import timezone

from cases.models import Case, CaseEvent, CaseShare
from cases.services import revoke_share, share_case
from interventions import services
from interventions.models import Closure, InterventionPlan, PlanAction

from .organisations import DemoOrg

__all__ = ["seed_interventions"]

T, M, S = PlanAction.Type, PlanAction.Measure, PlanAction.Status


def _day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def _action(kind: str, measure: str, agency: Any, starts: int, due: int, outcome: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "measure": measure,
        "provider_agency": agency,
        "starts_on": _day(starts),
        "due_on": _day(due),
        "intended_outcome": outcome,
        **extra,
    }


def _backdate(obj: Any, day: datetime.date) -> None:
    """Put the record's timeline event on the day it happened, not the day the demo was seeded."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(11)))
    CaseEvent.objects.filter(entry_label=obj._meta.label_lower, entry_id=obj.pk).update(created_at=moment)


def _set_statuses(plan: InterventionPlan, statuses: dict[str, str], actor: Any) -> None:
    for action in PlanAction.objects.filter(goal__plan=plan):
        if action.measure in statuses:
            services.update_action_status(action, status=statuses[action.measure], actor=actor)


def _berisha(org: DemoOrg, case: Case) -> None:
    agencies, blerina = org.agencies, org.users["sw.blerina"]
    goals = [
        {
            "text": "Jon and Sara feel safe and settled after what they lived through",
            "actions": [
                _action(
                    T.EMOTIONAL,
                    M.TRAUMA_CARE,
                    agencies["mental_health"],
                    -35,
                    60,
                    "Trauma care for both children, with their mother present; sleep and play return to normal.",
                    provider_note="Child trauma therapist of the centre",
                ),
            ],
        },
        {
            "text": "The family has a stable home of its own",
            "actions": [
                _action(
                    T.PRAGMATIC,
                    M.HOUSING,
                    agencies["municipality"],
                    -30,
                    30,
                    "A social housing flat near the children's kindergarten.",
                    provider_note="Housing office of the municipality",
                ),
            ],
        },
        {
            "text": "Teuta rebuilds ties with her family and community, and questions the group's ideas",
            "actions": [
                _action(
                    T.EMOTIONAL,
                    M.RELATIVES_GROUP,
                    agencies["ngo"],
                    -28,
                    90,
                    "Teuta and her mother Hava attend the relatives' group every two weeks.",
                    provider_person=org.users["ngo.klea"],
                ),
                _action(
                    T.IDEOLOGICAL,
                    M.ACCEPTANCE,
                    agencies["ngo"],
                    -21,
                    90,
                    "Conversations that accept her faith and open questions about the group, at her pace.",
                    provider_note="A theological expert the family trusts (an imam from the city)",
                ),
            ],
        },
    ]
    plan = services.create_plan(
        case,
        goals=goals,
        summary="Returnee mother with two small children born abroad: safety, a home, and trust.",
        agreed_by_family=True,
        agreed_by="Teuta Berisha",
        agreed_on=_day(-40),
        actor=blerina,
    )
    _backdate(plan, _day(-40))
    _set_statuses(
        plan, {M.TRAUMA_CARE: S.IN_PROGRESS, M.HOUSING: S.IN_PROGRESS, M.RELATIVES_GROUP: S.IN_PROGRESS}, blerina
    )


def _gashi(org: DemoOrg, case: Case) -> None:
    agencies, dritan = org.agencies, org.users["sw.dritan"]
    goals = [
        {
            "text": "Besnik finds work or a training place",
            "actions": [
                # Past its due date and still open: shows as lapsed.
                _action(
                    T.PRAGMATIC,
                    M.EMPLOYMENT,
                    agencies["employment"],
                    -190,
                    -40,
                    "Registered with the employment office; an apprenticeship offer.",
                    provider_person=org.users["emp.luan"],
                ),
                _action(T.PRAGMATIC, M.SPORTS, agencies["social"], -190, -120, "Back at the boxing club twice a week."),
            ],
        },
        {
            "text": "Besnik and his mother talk again without fighting",
            "actions": [
                _action(
                    T.EMOTIONAL,
                    M.PARENT_CHILD,
                    agencies["social"],
                    -180,
                    30,
                    "Motivational interviewing sessions with Lindita and Besnik.",
                    provider_person=dritan,
                ),
            ],
        },
    ]
    plan = services.create_plan(
        case,
        goals=goals,
        summary="A young man drifting towards an online group after losing his job.",
        agreed_by_family=True,
        agreed_by="Besnik Gashi and his mother Lindita",
        agreed_on=_day(-200),
        actor=dritan,
    )
    _backdate(plan, _day(-200))
    _set_statuses(plan, {M.EMPLOYMENT: S.IN_PROGRESS, M.SPORTS: S.DONE, M.PARENT_CHILD: S.IN_PROGRESS}, dritan)
    progress = {1: "some", 2: "good"}
    review = services.record_review(
        case,
        held_on=_day(-100),
        changes_since_last="Besnik goes to the boxing club again; less time online. No job yet.",
        risk_level=case.risk_level,
        next_review_on=case.next_review_on or _day(-9),
        progress=[{"goal": goal, "progress": progress[goal.position], "notes": ""} for goal in plan.goals.all()],
        actor=dritan,
    )
    _backdate(review, _day(-100))


def _dervishi(org: DemoOrg, case: Case) -> None:
    closed_at = case.closed_at or timezone.now()
    decided_on = timezone.localtime(closed_at).date()
    # The demo's cases are opened closed; the closure is recorded through the service like any
    # other, then the case keeps the moment it closed.
    Case.objects.filter(pk=case.pk).update(closed_at=None)
    case.refresh_from_db()
    # The employment office found Arben his job and works the case until it closes: only agencies
    # working a case agree to its closure.
    employment = share_case(
        case,
        agency=org.agencies["employment"],
        scope=CaseShare.Scope.FULL,
        basis=CaseShare.Basis.CONSENT,
        consent_given_by="Arben Dervishi",
        consent_given_on=decided_on - datetime.timedelta(days=300),
        purpose="Job placement",
        actor=org.users["sw.dritan"],
    )
    # The plan he worked, agreed 300 days before the closure: its goals' outcomes are said at the
    # closure, with what the case turned out to be and his mother's words (decision 103).
    before = (decided_on - timezone.localdate()).days
    dritan = org.users["sw.dritan"]
    plan = services.create_plan(
        case,
        goals=[
            {
                "text": "Arben finds steady work",
                "actions": [
                    _action(T.PRAGMATIC, M.EMPLOYMENT, org.agencies["employment"], before - 300, before - 30,
                            "A job he keeps for six months."),
                ],
            },
            {
                "text": "Arben and his mother talk again",
                "actions": [
                    _action(T.EMOTIONAL, M.PARENT_CHILD, org.agencies["social"], before - 300, before - 60,
                            "Sessions for mother and son; supper together once a week."),
                ],
            },
        ],
        summary="A young man drawn to a group online: work, and his mother.",
        agreed_by_family=True,
        agreed_by="Arben Dervishi",
        agreed_on=decided_on - datetime.timedelta(days=300),
        actor=dritan,
    )  # fmt: skip
    _backdate(plan, decided_on - datetime.timedelta(days=300))
    _set_statuses(plan, {M.EMPLOYMENT: S.DONE, M.PARENT_CHILD: S.DONE}, dritan)
    work, family = plan.goals.order_by("position")
    closure = services.close_case(
        case,
        decided_on=decided_on,
        reason="Arben works and lives with his mother again; no contact with the group for a year. "
        "The family and the partners trust he can go on without the plan.",
        agreements=[
            {"agency": org.agencies["social"], "user": dritan},
            {"agency": org.agencies["employment"], "user": org.users["emp.luan"]},
        ],
        typology="vulnerable",
        outcomes=[
            {"goal": work, "outcome": "achieved", "note": "Apprentice at a garage since the spring."},
            {"goal": family, "outcome": "partly", "note": "They talk; his father's absence still weighs."},
        ],
        family_feedback="His mother: the sessions helped; she would like the follow-up visits to go on.",
        actor=dritan,
    )
    revoke_share(employment, reason="The case is closed.", actor=org.users["sw.dritan"])
    shared_on = decided_on - datetime.timedelta(days=300)
    CaseShare.objects.filter(pk=employment.pk).update(
        granted_at=timezone.make_aware(datetime.datetime.combine(shared_on, datetime.time(10))), revoked_at=closed_at
    )
    shared = CaseShare.objects.get(pk=employment.pk)
    events = CaseEvent.objects.filter(case=case, data__agency_id=org.agencies["employment"].pk)
    events.filter(kind=CaseEvent.Kind.SHARED).update(created_at=shared.granted_at)
    events.filter(kind=CaseEvent.Kind.SHARE_REVOKED).update(created_at=closed_at)
    Case.objects.filter(pk=case.pk).update(closed_at=closed_at)
    _backdate(closure, decided_on)


def seed_interventions(org: DemoOrg) -> None:
    """Seed the plans, the review and the closure of the demo cases (idempotent)."""
    cases = {case.family.name: case for case in Case.objects.select_related("family")}
    if "Berisha" in cases and not InterventionPlan.objects.filter(case=cases["Berisha"]).exists():
        _berisha(org, cases["Berisha"])
    if "Gashi" in cases and not InterventionPlan.objects.filter(case=cases["Gashi"]).exists():
        _gashi(org, cases["Gashi"])
    if "Dervishi" in cases and not Closure.objects.filter(case=cases["Dervishi"]).exists():
        _dervishi(org, cases["Dervishi"])
