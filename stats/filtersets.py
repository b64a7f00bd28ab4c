"""Filters of the lessons learned in the API: a panel the caller does not sit on is refused exactly
like a missing one."""

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest

from agencies.access import Action
from agencies.models import Panel
from panels.models import LessonsLearned

__all__ = ["LessonsLearnedFilterSet"]


def _visible_panels(request: HttpRequest | None) -> QuerySet[Panel]:
    if request is None:
        return Panel.objects.none()
    return Panel.objects.restrict(request.user, Action.VIEW)


class LessonsLearnedFilterSet(django_filters.FilterSet):
    panel = django_filters.ModelChoiceFilter(queryset=_visible_panels)
    year = django_filters.NumberFilter()

    class Meta:
        model = LessonsLearned
        fields: list[str] = []
