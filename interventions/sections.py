"""The case page's section on the plan, its reviews, a withdrawal and the closure (decision 56).

For full readers only. Every list is fetched with its relations at once, so the section costs the
same number of queries however large the plan.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)

from agencies.access import Action, CaseAccess, known_empty
from agencies.models import User
from agencies.sections import CaseSection
from agencies.together import Later, later
from cases.models import Case

from .models import Closure, ClosureAgreement, FollowUp, Goal, InterventionPlan, PlanAction, Review, Withdrawal
from .progress import progress_of, progress_one, with_progress

__all__ = ["Interventions", "InterventionsSection", "PlanProgress"]


@dataclass
class InterventionsSection:
    """The interventions part of one case page, for one reader."""

    case: Case
    plan: InterventionPlan | None = None
    drafts: list[InterventionPlan] = field(default_factory=list)
    earlier: list[InterventionPlan] = field(default_factory=list)
    # The last review, the last withdrawal and the last reopening: each read with the page's other
    # short lists (decision 174), when the template first asks.
    reviews: Later | None = None
    withdrawals: Later | None = None
    reopenings: Later | None = None
    closure: Closure | None = None
    changeable_actions: set[int] = field(default_factory=set)

    @property
    def last_review(self) -> Review | None:
        review: Review | None = _first(self.reviews)
        return review

    @property
    def withdrawal(self) -> Withdrawal | None:
        withdrawal: Withdrawal | None = _first(self.withdrawals)
        return withdrawal

    @property
    def reopened(self) -> Closure | None:
        closure: Closure | None = _first(self.reopenings)
        return closure

    @property
    def goals(self) -> list[Goal]:
        return list(self.plan.goals.all()) if self.plan else []

    @property
    def lapsed_count(self) -> int:
        return sum(1 for goal in self.goals for action in goal.actions.all() if action.is_lapsed)

    @property
    def withdrawal_stands(self) -> bool:
        """The family's last withdrawal is the latest word: no plan has been written since."""
        if self.withdrawal is None:
            return False
        newer = [plan for plan in [self.plan, *self.drafts] if plan and plan.created_at > self.withdrawal.created_at]
        return not newer


def _first(rows: Later | None) -> Any:
    return rows[0] if rows else None


def _ordered(rows: QuerySet[Any]) -> QuerySet[Any]:
    """As `first()` orders: by the model's own order, or by key."""
    return rows if rows.ordered else rows.order_by("pk")


def _plans(case: Case, user: User) -> tuple[InterventionPlan | None, list[InterventionPlan], list[InterventionPlan]]:
    """The active plan with its goals and actions, and up to ten other plans: three queries. The
    plans come in one read (a case has at most one active plan, sorted first); each action says
    whether the reader may change it (`changeable`), in the same read."""
    changeable = PlanAction.objects.restrict_to(case, user, Action.CHANGE).filter(pk=OuterRef("pk"))
    actions = (
        PlanAction.objects.restrict_to(case, user, Action.VIEW)
        .select_related("provider_agency", "provider_person", "provider_expert", "beneficiary")
        .annotate(changeable=Exists(changeable))
    )
    goals = Goal.objects.restrict_to(case, user, Action.VIEW).prefetch_related(Prefetch("actions", queryset=actions))
    active = Q(status=InterventionPlan.Status.ACTIVE)
    plans = (
        InterventionPlan.objects.restrict_to(case, user, Action.VIEW)
        .select_related("created_by")
        .annotate(active_first=ExpressionWrapper(active, output_field=BooleanField()))
        .order_by("-active_first", *InterventionPlan._meta.ordering)
    )
    read = list(plans[:11])
    current = read[0] if read and read[0].active_first else None
    others = read[1:] if current else read[:10]
    if current is not None:
        prefetch_related_objects([current], Prefetch("goals", queryset=goals))
    drafts = [plan for plan in others if plan.status == InterventionPlan.Status.DRAFT]
    earlier = [plan for plan in others if plan.status != InterventionPlan.Status.DRAFT]
    return current, drafts, earlier


def _closures(case: Case, user: User) -> tuple[Closure | None, Later | None]:
    agreements = ClosureAgreement.objects.restrict_to(case, user, Action.VIEW).select_related("agency", "user")
    follow_ups = FollowUp.objects.restrict_to(case, user, Action.VIEW).select_related("done_by")
    closures = Closure.objects.restrict_to(case, user, Action.VIEW)
    if case.is_closed:
        standing = (
            closures.filter(reopened_at__isnull=True)
            .prefetch_related(Prefetch("agreements", queryset=agreements), Prefetch("follow_ups", queryset=follow_ups))
            .first()
        )
        return standing, None
    reopened = closures.filter(reopened_at__isnull=False).select_related("reopened_by").order_by("-reopened_at")
    return None, later(case, reopened[:1])


class Interventions(CaseSection):
    """What the reader may do here is the page's `access` (CaseAccess): `plans`, `change`."""

    name = "interventions"
    template_name = "interventions/sections/plan.html"

    def reads(self) -> tuple[type[Model], ...]:
        return (
            InterventionPlan,
            Goal,
            PlanAction,
            Review,
            Withdrawal,
            Closure,
            ClosureAgreement,
            FollowUp,
        )

    def applies(self, access: CaseAccess) -> bool:
        return access.full

    def context(self, case: Case, user: User, access: CaseAccess) -> dict[str, Any]:
        section = InterventionsSection(case=case)
        if all(known_empty(case, model) for model in self.reads()):
            return {"interventions": section}  # no plan, review or closure at all (decision 166)
        section.plan, section.drafts, section.earlier = _plans(case, user)
        reviews = Review.objects.restrict_to(case, user, Action.VIEW)
        section.reviews = later(case, _ordered(reviews.select_related("author"))[:1])
        withdrawals = Withdrawal.objects.restrict_to(case, user, Action.VIEW)
        section.withdrawals = later(case, _ordered(withdrawals.select_related("recorded_by"))[:1])
        section.closure, section.reopenings = _closures(case, user)
        section.changeable_actions = {
            action.pk for goal in section.goals for action in goal.actions.all() if action.changeable
        }
        return {"interventions": section}


class PlanProgress(CaseSection):
    """How the plan is going, for everyone who knows the case (decision 101): the actions planned,
    running, lapsed and done, the goals on track or not, the reviews, and whether the first contact
    and the needs assessment met their deadlines. Counts and dates only: a summary reader (a panel
    member, the coordinator) learns how the work goes, never what the plan says."""

    name = "plan_progress"
    template_name = "interventions/sections/progress.html"

    def read_with_case(self, cases: Any, user: User) -> Any:
        # Counts and dates of the case the page has read at summary level: as progress_one reads.
        return with_progress(cases)

    def context(self, case: Case, user: User, access: CaseAccess) -> dict[str, Any]:
        if hasattr(case, "progress_goals"):
            return {"progress": progress_of(case)}
        return {"progress": progress_one(case, user)}
