"""Filters of the panel lists in the API: object choices restricted to the user."""

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest

from agencies.access import Action

from .models import AgendaItem, PanelMeeting

__all__ = ["AgendaItemFilterSet"]


def _visible_meetings(request: HttpRequest | None) -> QuerySet[PanelMeeting]:
    if request is None:
        return PanelMeeting.objects.none()
    return PanelMeeting.objects.restrict(request.user, Action.VIEW)


class AgendaItemFilterSet(django_filters.FilterSet):
    """A hidden meeting id is refused exactly like a missing one."""

    meeting = django_filters.ModelChoiceFilter(queryset=_visible_meetings)

    class Meta:
        model = AgendaItem
        fields: list[str] = []
