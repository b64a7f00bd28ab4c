"""Intervention endpoints. Every viewset subclasses RestrictedViewSet: the same rows and rights as
the browser, and every write through a service."""

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import Action, RestrictedQuerySet, RestrictedViewSet
from cases.models import Case
from referrals.api.directory import ReferToServiceSerializer, ServiceReferralSerializer, read_back

from .. import services
from ..filtersets import (
    CaseProgressFilterSet,
    ClosureFilterSet,
    FollowUpFilterSet,
    InterventionPlanFilterSet,
    PlanActionFilterSet,
    ReviewFilterSet,
    WithdrawalFilterSet,
)
from ..models import (
    Closure,
    ClosureAgreement,
    FollowUp,
    Goal,
    GoalOutcome,
    GoalProgress,
    InterventionPlan,
    PlanAction,
    Review,
    Withdrawal,
)
from ..progress import with_progress
from .serializers import (
    ActionStatusSerializer,
    CaseProgressSerializer,
    ClosureSerializer,
    FollowUpDoneSerializer,
    FollowUpSerializer,
    InterventionPlanSerializer,
    PlanActionSerializer,
    ReopenSerializer,
    ReviewSerializer,
    WithdrawalSerializer,
)

__all__ = [
    "CaseProgressViewSet",
    "ClosureViewSet",
    "FollowUpViewSet",
    "InterventionPlanViewSet",
    "PlanActionViewSet",
    "ReviewViewSet",
    "WithdrawalViewSet",
]

# Reading needs the full file; writing, the right to change the case (checked per case by the
# serializer's case field and by the services).
CASE_FILE: dict[Action, str] = {Action.VIEW: "cases.view_case", Action.CHANGE: "cases.change_case"}
PLAN_ACTIONS = PlanAction.objects.select_related("provider_agency", "provider_person", "provider_expert", "goal")


class _InterventionViewSet(RestrictedViewSet):
    permission_required: ClassVar[dict[Action, str]] = CASE_FILE

    def _restricted(self, queryset: RestrictedQuerySet) -> RestrictedQuerySet:
        return queryset.restrict(self.request.user, Action.VIEW)

    def _answer(self, instance: Any, status: int = 200) -> Response:
        """The object as the actor now reads it (restrict() still decides)."""
        fresh = type(instance)._default_manager.restrict(self.actor, Action.VIEW)
        obj = self._prefetched(fresh).get(pk=instance.pk)
        return Response(self.get_serializer(obj).data, status=status)

    def _prefetched(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset

    def get_queryset(self) -> QuerySet[Any]:
        return self._prefetched(super().get_queryset())


class InterventionPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _InterventionViewSet):
    """Intervention plans (step 7) of the cases whose full file you read, with goals and actions.
    Create one with its goals and actions."""

    queryset = InterventionPlan.objects.select_related("created_by")
    serializer_class = InterventionPlanSerializer
    filterset_class = InterventionPlanFilterSet

    def _prefetched(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        actions = self._restricted(PLAN_ACTIONS)
        goals = self._restricted(Goal.objects.all()).prefetch_related(Prefetch("actions", queryset=actions))
        return queryset.select_related("created_by").prefetch_related(Prefetch("goals", queryset=goals))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plan = services.create_plan(
            data["case"],
            goals=data["goals"],
            summary=data.get("summary", ""),
            agreed_by_family=data.get("agreed_by_family", False),
            agreed_by=data.get("agreed_by", ""),
            agreed_on=data.get("agreed_on"),
            actor=self.actor,
        )
        return self._answer(plan, status=201)


class PlanActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _InterventionViewSet):
    """Actions of plans; `lapsed=true` lists those past their due date and still open. The agency
    providing an action may update its `status`, as may those who change the case."""

    queryset = PLAN_ACTIONS
    serializer_class = PlanActionSerializer
    filterset_class = PlanActionFilterSet
    action_access: ClassVar[dict[str, Action]] = {"status": Action.CHANGE, "refer": Action.CHANGE}
    # The provider agency's people work cases but may not change this one: the row rule decides.
    permission_required: ClassVar[dict[Action, str]] = {
        Action.VIEW: "cases.view_case",
        Action.CHANGE: "cases.view_case",
    }

    @extend_schema(request=ActionStatusSerializer, responses=PlanActionSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request: Request, pk: str | None = None) -> Response:
        planned = self.get_object()
        data = ActionStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.update_action_status(planned, status=data.validated_data["status"], actor=self.actor)
        return self._answer(planned)

    @extend_schema(request=ReferToServiceSerializer, responses={201: ServiceReferralSerializer})
    @action(detail=True, methods=["post"])
    def refer(self, request: Request, pk: str | None = None) -> Response:
        """Refer the family to a listed service for this action (those who change the case)."""
        planned = self.get_object()
        data = ReferToServiceSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        sent = services.refer_action(
            planned, service=values["service"], for_whom=values["for_whom"], request=values["request"], actor=self.actor
        )
        answer = ServiceReferralSerializer(read_back(sent, self.actor), context=self.get_serializer_context())
        return Response(answer.data, status=201)


class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _InterventionViewSet):
    """Reviews of plans (step 8). Create one for the case's running plan, with every goal's progress."""

    queryset = Review.objects.select_related("author")
    serializer_class = ReviewSerializer
    filterset_class = ReviewFilterSet

    def _prefetched(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        progress = self._restricted(GoalProgress.objects.all())
        return queryset.select_related("author").prefetch_related(Prefetch("progress", queryset=progress))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = services.record_review(
            data["case"],
            held_on=data["held_on"],
            changes_since_last=data.get("changes_since_last", ""),
            risk_level=data["risk_level"],
            next_review_on=data["next_review_on"],
            progress=data["progress"],
            action_statuses=data.get("action_statuses", []),
            actor=self.actor,
        )
        return self._answer(review, status=201)


class WithdrawalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _InterventionViewSet):
    """The family's withdrawals from the plan (step 8); the case stays open."""

    queryset = Withdrawal.objects.select_related("recorded_by")
    serializer_class = WithdrawalSerializer
    filterset_class = WithdrawalFilterSet

    def _prefetched(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("recorded_by").prefetch_related(
            Prefetch("outcomes", queryset=self._restricted(GoalOutcome.objects.all()))
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        withdrawal = services.record_withdrawal(
            data["case"],
            withdrawn_on=data["withdrawn_on"],
            reason=data["reason"],
            open_door_message=data["open_door_message"],
            security_followup=data.get("security_followup", False),
            typology=data["typology"],
            outcomes=data.get("outcomes", []),
            family_feedback=data.get("family_feedback", ""),
            actor=self.actor,
        )
        return self._answer(withdrawal, status=201)


class ClosureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _InterventionViewSet):
    """Closures (step 9): multi-agency decisions, with their follow-ups. `reopen` reopens the case."""

    queryset = Closure.objects.select_related("recorded_by", "reopened_by")
    serializer_class = ClosureSerializer
    filterset_class = ClosureFilterSet
    action_access: ClassVar[dict[str, Action]] = {"reopen": Action.CHANGE}

    def _prefetched(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        agreements = self._restricted(ClosureAgreement.objects.select_related("agency", "user"))
        follow_ups = self._restricted(FollowUp.objects.select_related("done_by"))
        return queryset.select_related("recorded_by", "reopened_by").prefetch_related(
            Prefetch("agreements", queryset=agreements),
            Prefetch("follow_ups", queryset=follow_ups),
            Prefetch("outcomes", queryset=self._restricted(GoalOutcome.objects.all())),
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        closure = services.close_case(
            data["case"],
            decided_on=data["decided_on"],
            reason=data["reason"],
            agreements=data["agreements"],
            typology=data["typology"],
            outcomes=data.get("outcomes", []),
            family_feedback=data.get("family_feedback", ""),
            actor=self.actor,
        )
        return self._answer(closure, status=201)

    @extend_schema(request=ReopenSerializer, responses=ClosureSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        closure = self.get_object()
        data = ReopenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not closure.stands:
            raise ValidationError(_("This closure no longer stands: the case was reopened."))
        services.reopen_case(closure.case, reason=data.validated_data["reason"], actor=self.actor)
        return self._answer(closure)


class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _InterventionViewSet):
    """Post-exit follow-ups, 6 and 12 months after closure. `done` records one as made."""

    queryset = FollowUp.objects.select_related("done_by")
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilterSet
    action_access: ClassVar[dict[str, Action]] = {"done": Action.CHANGE}

    @extend_schema(request=FollowUpDoneSerializer, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: str | None = None) -> Response:
        follow_up = self.get_object()
        data = FollowUpDoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.record_follow_up(
            follow_up,
            done_on=values["done_on"],
            notes=values["notes"],
            with_contact=values["with_contact"],
            actor=self.actor,
        )
        return self._answer(follow_up)


class CaseProgressViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    """How each case's plan is going, for every case you know, at summary level too (a panel
    member, the coordinator): the actions planned, running, lapsed and done, the goals on track or
    not, the days since the last contact, the last and next review, and whether the first contact
    and the needs assessment met their deadlines. Counts and dates only, never what the plan says.
    The id is the case's."""

    queryset = Case.objects.order_by("-opened_at", "-pk")
    serializer_class = CaseProgressSerializer
    filterset_class = CaseProgressFilterSet
    permission_required: ClassVar[dict[Action, str]] = {Action.VIEW_SUMMARY: "cases.view_case_summary"}
    action_access: ClassVar[dict[str, Action]] = {"list": Action.VIEW_SUMMARY, "retrieve": Action.VIEW_SUMMARY}

    def get_queryset(self) -> QuerySet[Any]:
        return with_progress(super().get_queryset())
