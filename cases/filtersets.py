"""Filters of the case lists, shared by the browser and the API. Choices come from restricted
querysets, so a filter never offers (or confirms) a person or panel the user cannot know about."""

from typing import Any

import django_filters
from django import forms
from django.core.validators import EMPTY_VALUES
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse_lazy
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from agencies.access import Action
from agencies.access.core import entry_content_condition
from agencies.api.filters import IdFilter
from agencies.models import Agency
from families.matching import name_key
from families.models import Consent, DisclosureRestriction
from families.search import alias_match, key_search

from .choosers import CHOOSERS
from .models import (
    Case,
    CaseEvent,
    CaseShare,
    DisclosureCheck,
    Entry,
    InformationRequest,
    OwnerQuestion,
    RiskRecord,
    Visibility,
    event_choices,
)
from .owners import chosen_owner_id, owner_condition
from .risk import RiskLevel

__all__ = [
    "CaseEventFilterSet",
    "CaseFilterSet",
    "CaseShareFilterSet",
    "ConsentFilterSet",
    "DisclosureCheckFilterSet",
    "EntryFilterSet",
    "InformationRequestFilterSet",
    "OwnerQuestionFilterSet",
    "RestrictionFilterSet",
    "RiskRecordFilterSet",
    "entry_filterset",
]


def _visible_cases(request: HttpRequest | None) -> QuerySet[Case]:
    if request is None:
        return Case.objects.none()
    return Case.objects.restrict(request.user, Action.VIEW_SUMMARY)


def suggested(name: str) -> forms.TextInput:
    """A text input whose datalist htmx fills from `cases:<name>_suggestions` as the user types."""
    return forms.TextInput(
        attrs={
            "list": f"{name}-suggestions",
            "autocomplete": "off",
            "hx-get": reverse_lazy(f"cases:{name}_suggestions"),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": f"#{name}-suggestions",
        }
    )


class CaseFilterForm(forms.Form):
    """An owner given by id (the API's `?owner=42`, a chosen suggestion) must own a case the user
    may know of: any other id is refused alike, whether the person exists or not."""

    user: Any = None

    def clean_owner(self) -> str:
        value: str = self.cleaned_data.get("owner") or ""
        owner_id = chosen_owner_id(value)
        if owner_id is not None and not (
            self.user is not None
            and Case.objects.restrict(self.user, Action.VIEW_SUMMARY).filter(owner_id=owner_id).exists()
        ):
            raise forms.ValidationError(
                _("Select a valid choice. That choice is not one of the available choices."), code="invalid_choice"
            )
        return value

    def _clean_chosen(self, name: str) -> str:
        value: str = self.cleaned_data.get(name) or ""
        chooser = CHOOSERS[name]
        if not chooser.allowed(self.user, value):
            raise forms.ValidationError(chooser.refusal, code="invalid_choice")
        return value

    def clean_agency(self) -> str:
        return self._clean_chosen("agency")

    def clean_panel(self) -> str:
        return self._clean_chosen("panel")


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    stage = django_filters.MultipleChoiceFilter(label=_("Stage"), choices=Case.Stage.choices)
    risk_level = django_filters.MultipleChoiceFilter(label=_("Risk level"), choices=RiskLevel.choices)
    # Typed names with suggestions (cases.owners, cases.choosers), never a list of every visible
    # owner, agency or panel (issue 19).
    owner = django_filters.CharFilter(
        label=_("Owner"),
        method="filter_owner",
        help_text=_("Type a name and choose a suggestion, or type a username."),
        widget=suggested("owner"),
    )
    agency = django_filters.CharFilter(
        label=_("Owning agency"),
        method="filter_chosen",
        help_text=_("Type a name and choose a suggestion."),
        widget=suggested("agency"),
    )
    panel = django_filters.CharFilter(
        label=_("Panel"),
        method="filter_chosen",
        help_text=_("Type a name and choose a suggestion."),
        widget=suggested("panel"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=[("open", _("Open")), ("closed", _("Closed"))], method="filter_status"
    )
    access = django_filters.ChoiceFilter(
        label=_("Access"),
        choices=[("full", _("Full case file")), ("summary", _("Summary only"))],
        method="filter_access",
    )

    class Meta:
        model = Case
        fields: list[str] = []
        form = CaseFilterForm

    @property
    def form(self) -> CaseFilterForm:
        form: CaseFilterForm = super().form
        form.user = getattr(self.request, "user", None)
        return form

    def search(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        """The reference, or the index person's names as matching meets them
        (spellings, aliases, a slip of a letter: families.search), over the cases the list already
        holds (restricted first). Only the index person: the names a summary shows."""
        value = value.strip()
        if not value:
            return queryset
        # Not the family's own name: matching it joined every family to the visible cases (a scan of
        # the families table); the index person's family name is the family's (decision 69).
        # The keys are the case row's own copy (decision 82): no join, so each condition is an index
        # of the case table that PostgreSQL combines with the access branches.
        also = Q(reference__icontains=value)
        key = name_key(value)
        if key:
            also |= alias_match("index_other_name_keys", key)
        fields = ("index_family_name_key", "index_given_name_key")
        found: QuerySet[Case] = key_search(queryset, value, fields, also=also)
        return found

    def filter_status(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(closed_at__isnull=(value == "open"))

    def filter_owner(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        user = getattr(self.request, "user", None)
        if user is None or not value.strip():
            return queryset
        return queryset.filter(owner_condition(user, value))

    def filter_chosen(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        user = getattr(self.request, "user", None)
        if user is None or not value.strip():
            return queryset
        return queryset.filter(CHOOSERS[name].condition(user, value))

    def filter_access(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # `access_full` is annotated by RestrictedQuerySet.annotate_access.
        return queryset.filter(access_full=(value == "full"))


class CaseShareFilterSet(django_filters.FilterSet):
    """Filters of the share list. The case choices are the user's own: a hidden case id is refused
    exactly like one that does not exist."""

    case = django_filters.ModelChoiceFilter(queryset=_visible_cases)
    agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.all())
    scope = django_filters.ChoiceFilter(choices=CaseShare.Scope.choices)
    active = django_filters.BooleanFilter(label=_("Active"), method="filter_active")

    class Meta:
        model = CaseShare
        fields: list[str] = []

    def filter_active(self, queryset: QuerySet[CaseShare], name: str, value: bool | None) -> QuerySet[CaseShare]:
        if value is None:
            return queryset
        current = CaseShare.objects.current().values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)


def _readable_cases(request: HttpRequest | None) -> QuerySet[Case]:
    if request is None:
        return Case.objects.none()
    return Case.objects.restrict(request.user, Action.VIEW)


class DisclosureCheckFilterSet(django_filters.FilterSet):
    """A hidden case id is refused exactly like a missing one."""

    case = django_filters.ModelChoiceFilter(queryset=_readable_cases)

    class Meta:
        model = DisclosureCheck
        fields: list[str] = []


class EntryFilterSet(django_filters.FilterSet):
    """Entries of one case (a case whose file the user does not read is refused like a missing one)."""

    case = django_filters.ModelChoiceFilter(queryset=_readable_cases)
    visibility = django_filters.ChoiceFilter(choices=Visibility.choices)
    is_draft = django_filters.BooleanFilter()

    class Meta:
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Filters on an entry's own fields (its kind, outcome, level...) match only entries whose
        content the user reads: else a filter would tell what an abstract hides."""
        content = entry_content_condition(self.request.user) if self.request is not None else None
        for name, value in self.form.cleaned_data.items():
            queryset = self.filters[name].filter(queryset, value)
            if name in self._meta.fields and value not in EMPTY_VALUES:
                queryset = queryset.filter(content) if content is not None else queryset.none()
        return queryset


def entry_filterset(entry_model: type[Entry], *extra: str) -> type[EntryFilterSet]:
    """The entry filters for one kind of entry, with its own choice fields (`extra`)."""
    meta = type("Meta", (), {"model": entry_model, "fields": list(extra)})
    return type(f"{entry_model.__name__}FilterSet", (EntryFilterSet,), {"Meta": meta})


class CaseEventFilterSet(django_filters.FilterSet):
    case = django_filters.ModelChoiceFilter(queryset=_readable_cases)
    # Iterated when used (the declared entry kinds), and an enum in the API's schema.
    kind = django_filters.MultipleChoiceFilter(choices=CallableChoiceIterator(event_choices))

    class Meta:
        model = CaseEvent
        fields: list[str] = []


class RiskRecordFilterSet(django_filters.FilterSet):
    case = django_filters.ModelChoiceFilter(queryset=_readable_cases)

    class Meta:
        model = RiskRecord
        fields: list[str] = []


class RestrictionFilterSet(django_filters.FilterSet):
    """Restrictions are the family's: `case` lists those of the case's family."""

    case = django_filters.ModelChoiceFilter(queryset=_readable_cases, method="filter_case")
    active = django_filters.BooleanFilter(field_name="lifted_at", lookup_expr="isnull")

    class Meta:
        model = DisclosureRestriction
        fields: list[str] = []

    def filter_case(self, queryset: QuerySet[Any], name: str, value: Case | None) -> QuerySet[Any]:
        return queryset.filter(family_id=value.family_id) if value is not None else queryset


class ConsentFilterSet(django_filters.FilterSet):
    """Consents are the family's: `case` lists those of the case's family; `current` those not
    withdrawn."""

    case = django_filters.ModelChoiceFilter(queryset=_readable_cases, method="filter_case")
    current = django_filters.BooleanFilter(field_name="withdrawn_at", lookup_expr="isnull")

    class Meta:
        model = Consent
        fields: list[str] = []

    def filter_case(self, queryset: QuerySet[Any], name: str, value: Case | None) -> QuerySet[Any]:
        return queryset.filter(family_id=value.family_id) if value is not None else queryset


class InformationRequestFilterSet(django_filters.FilterSet):
    """A plain id, not a choice of readable cases: the agency asked reads the request without
    reading the case's file (the rows are restricted already)."""

    case = IdFilter(field_name="case_id")

    class Meta:
        model = InformationRequest
        fields: list[str] = []


class OwnerQuestionFilterSet(django_filters.FilterSet):
    """A plain id, as for information requests: the asker reads the case's summary only."""

    case = IdFilter(field_name="case_id")

    class Meta:
        model = OwnerQuestion
        fields: list[str] = []
