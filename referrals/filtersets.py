"""Filters of the referral list (browser and API)."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from families.matching import name_key
from families.search import key_search

from .models import Referral

__all__ = ["ReferralFilterSet"]


class ReferralFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="search")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Referral.Status.choices)
    is_crisis = django_filters.BooleanFilter(label=_("Crisis"))
    urgency = django_filters.ChoiceFilter(label=_("Urgency"), choices=Referral.Urgency.choices)
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Referral.Channel.choices)
    triage_overdue = django_filters.BooleanFilter(label=_("Triage overdue"), method="filter_overdue")

    class Meta:
        model = Referral
        fields: list[str] = []

    def search(self, queryset: QuerySet[Referral], name: str, value: str) -> QuerySet[Referral]:
        """Names as matching meets them (families.search), over the referrals the list already
        holds (restricted first)."""
        if not name_key(value):
            return queryset
        result: QuerySet[Referral] = key_search(queryset, value, ("subject_family_name_key", "subject_given_name_key"))
        return result

    def filter_overdue(self, queryset: QuerySet[Referral], name: str, value: bool | None) -> QuerySet[Referral]:
        if value is None:
            return queryset
        overdue = Q(status=Referral.Status.NEW, triage_due_at__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
