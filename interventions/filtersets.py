"""Filters of the intervention lists (API). Every object filter's choices come from a restricted
queryset, so a hidden case or plan id is refused exactly like one that does not exist."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from agencies.access import Action
from cases.models import Case

from .models import Closure, FollowUp, InterventionPlan, PlanAction, Review, Withdrawal

__all__ = [
    "CaseProgressFilterSet",
    "ClosureFilterSet",
    "FollowUpFilterSet",
    "InterventionPlanFilterSet",
    "PlanActionFilterSet",
    "ReviewFilterSet",
    "WithdrawalFilterSet",
]


def _cases(request: HttpRequest | None) -> QuerySet[Case]:
    if request is None:
        return Case.objects.none()
    return Case.objects.restrict(request.user, Action.VIEW)


def _plans(request: HttpRequest | None) -> QuerySet[InterventionPlan]:
    if request is None:
        return InterventionPlan.objects.none()
    return InterventionPlan.objects.restrict(request.user, Action.VIEW)


class _ByCase(django_filters.FilterSet):
    case = django_filters.ModelChoiceFilter(label=_("Case"), queryset=_cases)


class InterventionPlanFilterSet(_ByCase):
    status = django_filters.ChoiceFilter(choices=InterventionPlan.Status.choices)

    class Meta:
        model = InterventionPlan
        fields: list[str] = []


class PlanActionFilterSet(_ByCase):
    plan = django_filters.ModelChoiceFilter(label=_("Plan"), queryset=_plans, field_name="goal__plan")
    status = django_filters.ChoiceFilter(choices=PlanAction.Status.choices)
    type = django_filters.ChoiceFilter(choices=PlanAction.Type.choices)
    lapsed = django_filters.BooleanFilter(label=_("Lapsed"), method="filter_lapsed")

    class Meta:
        model = PlanAction
        fields: list[str] = []

    def filter_lapsed(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        lapsed = PlanAction.objects.lapsed().values("pk")
        return queryset.filter(pk__in=lapsed) if value else queryset.exclude(pk__in=lapsed)


class ReviewFilterSet(_ByCase):
    plan = django_filters.ModelChoiceFilter(label=_("Plan"), queryset=_plans)

    class Meta:
        model = Review
        fields: list[str] = []


class WithdrawalFilterSet(_ByCase):
    class Meta:
        model = Withdrawal
        fields: list[str] = []


class ClosureFilterSet(_ByCase):
    standing = django_filters.BooleanFilter(label=_("Not reopened"), field_name="reopened_at", lookup_expr="isnull")

    class Meta:
        model = Closure
        fields: list[str] = []


class FollowUpFilterSet(_ByCase):
    done = django_filters.BooleanFilter(label=_("Done"), field_name="done_on", lookup_expr="isnull", exclude=True)
    due_before = django_filters.DateFilter(label=_("Due before"), field_name="due_on", lookup_expr="lt")

    class Meta:
        model = FollowUp
        fields: list[str] = []


class CaseProgressFilterSet(django_filters.FilterSet):
    """The cases whose progress is listed: by panel, open or closed."""

    panel = django_filters.NumberFilter(label=_("Panel"), field_name="panel_id")
    closed = django_filters.BooleanFilter(label=_("Closed"), field_name="closed_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Case
        fields = ["panel", "closed"]
