"""The case lists' agency and panel filters: a typed name with suggestions, as the owner filter
(`cases.owners`), never a list of every agency or panel (issue 19); and the same for a form's
choice among rows that could number thousands (`SuggestedChoiceField`, decision 153).

Each filter offers only what the user may know of: an agency that owns one of the cases the user may
know of, a panel the user may see. A suggestion carries the row's id after a `#` ("Police #7");
without JavaScript a typed exact name is accepted; the API's `?agency=7`/`?panel=7` keep working. An
id outside what the user may filter by is refused alike whether the row exists or not."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from agencies.access import Action
from agencies.models import Agency, Membership, Panel

from .directory import Candidate, find_candidate
from .models import Case
from .owners import LIMIT, chosen_owner_id

__all__ = [
    "AGENCY",
    "CHOOSERS",
    "PANEL",
    "CandidateField",
    "Chooser",
    "SuggestedChoiceField",
    "SuggestedInput",
    "answer_suggestions",
    "candidate_input",
    "restricted_in_chosen_agency",
    "suggestions_of",
    "typed_in",
]


def _known_agencies(user: Any) -> QuerySet[Agency]:
    # Correlated: each agency looks for one visible case through the (agency, opened) index and
    # stops at the first; never a scan of every visible case to list their agencies.
    owned = Case.objects.restrict(user, Action.VIEW_SUMMARY).filter(owning_agency_id=OuterRef("pk"))
    return Agency.objects.filter(Exists(owned.order_by().values("pk")))


def _known_panels(user: Any) -> QuerySet[Panel]:
    return Panel.objects.restrict(user, Action.VIEW)


@dataclass(frozen=True)
class Chooser:
    """One filter of the case lists by a related row chosen among those the user may know of."""

    name: str  # the filter's and the query parameter's name
    case_field: str  # the case column it filters
    known: Callable[[Any], QuerySet[Any]]  # the rows the user may filter by
    refusal: str  # said of an id the user may not filter by (lazy: translated when said)

    def suggest(self, user: Any, typed: str) -> list[dict[str, str]]:
        """Up to LIMIT rows the user may know of whose name holds what was typed."""
        typed = typed.strip()
        if not typed or chosen_owner_id(typed) is not None:
            return []
        found = self.known(user).filter(name__icontains=typed).order_by("name", "pk").values_list("pk", "name")
        return [{"value": f"{name} #{pk}", "label": name} for pk, name in found[:LIMIT]]

    def allowed(self, user: Any, value: str) -> bool:
        """Whether an id given (`7`, `Police #7`) is one the user may filter by; a name always is."""
        chosen = chosen_owner_id(value)
        return chosen is None or (user is not None and self.known(user).filter(pk=chosen).exists())

    def condition(self, user: Any, value: str) -> Q:
        """The cases of the row given by id, or by its exact name among those the user may know of."""
        chosen = chosen_owner_id(value)
        if chosen is not None:
            return Q(**{self.case_field: chosen})
        named = self.known(user).filter(name__iexact=value.strip()).values("pk")
        return Q(**{f"{self.case_field}__in": named})


AGENCY = Chooser(
    "agency",
    "owning_agency_id",
    _known_agencies,
    cast(str, _("Choose an agency that owns one of the cases you may see.")),
)
PANEL = Chooser("panel", "panel_id", _known_panels, cast(str, _("Choose one of the panels you may see.")))
CHOOSERS = {chooser.name: chooser for chooser in (AGENCY, PANEL)}


def restricted_in_chosen_agency(queryset: Any, user: Any, action: Action, params: Mapping[str, Any]) -> Any:
    """A case list's cases for `user`: `restrict()`, or, when the list's agency filter names an
    agency by id (`?agency=Police #7`, the API's `?agency=7`), `restrict_to_agency()` (decision 177),
    the same rows once the filter has run, with a plan that reads the agency through its index."""
    chosen = chosen_owner_id(str(params.get(AGENCY.name) or ""))
    if chosen is None:
        return queryset.restrict(user, action)
    return queryset.restrict_to_agency(chosen, user, action)


# Form fields by suggestion (issue 19): a form's choice among rows that could number thousands (a
# family, a case of a panel) is a typed text with suggestions, as the filters above, never a list
# of every row. The suggestions are what the user may read; the form's own queryset is what the
# action it performs may take, and the field cleans only against that.


class SuggestedInput(forms.TextInput):
    """A text input with its datalist, which htmx fills from `url` as the user types."""

    template_name = "cases/_suggested_input.html"

    def __init__(self, url: Any, list_id: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={
                "list": list_id,
                "autocomplete": "off",
                "hx-get": url,
                "hx-trigger": "input changed delay:300ms",
                "hx-target": f"#{list_id}",
                **(attrs or {}),
            }
        )


class SuggestedChoiceField(forms.CharField):
    """A row chosen by suggestion: `Name #7` (a suggestion), `7`, or, without JavaScript, an exact
    name that only one of the rows allowed has. Cleans to the row; any id outside `queryset` is
    refused with `refusal`, alike whether the row exists or not.

    The form sets `queryset` (restricted for the action it performs) before it is cleaned."""

    def __init__(
        self,
        *,
        named: Callable[[QuerySet[Any], str], QuerySet[Any]],
        refusal: str,
        ambiguous: str,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("max_length", 300)
        super().__init__(**kwargs)
        self.queryset: QuerySet[Any] = Case.objects.none()
        self.named = named
        self.refusal = refusal
        self.ambiguous = ambiguous

    def clean(self, value: Any) -> Any:
        typed = str(super().clean(value) or "").strip()
        if not typed:
            return None
        chosen = chosen_owner_id(typed)
        if chosen is not None:
            found = list(self.queryset.filter(pk=chosen)[:1])
        else:
            found = list(self.named(self.queryset, typed)[:2])
            if len(found) > 1:
                raise forms.ValidationError(self.ambiguous, code="ambiguous")
        if not found:
            raise forms.ValidationError(self.refusal, code="invalid_choice")
        return found[0]


def suggestions_of(rows: Iterable[Any], label: Callable[[Any], str]) -> list[dict[str, str]]:
    """Suggestions as the datalist and the JSON answer carry them: the label, and `label #id`."""
    return [{"value": f"{label(row)} #{row.pk}", "label": label(row)} for row in rows]


def typed_in(request: HttpRequest, *, skip: tuple[str, ...] = ()) -> str:
    """What was typed: `?q=` (the JSON answer's), or the one value htmx sends, named by its input
    (`skip` names the endpoint's own parameters)."""
    values = (str(value) for name, value in request.GET.items() if value and name not in skip)
    return str(request.GET.get("q", "")) or next(values, "")


def answer_suggestions(request: HttpRequest, found: list[dict[str, str]]) -> HttpResponse:
    """`<option>`s for an htmx datalist, JSON for anyone else."""
    if request.headers.get("HX-Request"):
        return render(request, "cases/_suggestions.html", {"suggestions": found})
    return JsonResponse({"results": found})


CANDIDATE_REFUSED = cast(str, _("Choose one of the suggested people, who work cases in a partner agency."))
CANDIDATE_AMBIGUOUS = cast(str, _("Several people or agencies have that name: choose one of the suggestions."))


def candidate_input(list_id: str = "owner-suggestions", among: str = "") -> SuggestedInput:
    """Suggestions of people who may own a case, or, `among="attending"`, attend a panel's meeting."""
    url = reverse_lazy("cases:candidate_suggestions")
    return SuggestedInput(format_lazy("{}?among={}", url, among) if among else url, list_id)


class CandidateField(forms.CharField):
    """A case owner chosen by suggestion among every partner's caseworkers (thousands at national
    scale): `… #42:7` (a suggestion: the person and the agency), `42:7`, or, without JavaScript, a
    username or full name the chooser may see that names one person in one agency. Cleans to a
    `Candidate`; the form sets `viewer` (and `exclude`, a person who may not be chosen)."""

    def __init__(self, *, roles: frozenset[str] = Membership.CASEWORK_ROLES, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("widget", candidate_input())
        self.roles = roles
        kwargs.setdefault("help_text", _("Type a name or an agency and choose a suggestion."))
        super().__init__(**kwargs)
        self.viewer: Any = None
        self.exclude: Any = None

    def clean(self, value: Any) -> Candidate | None:
        typed = str(super().clean(value) or "").strip()
        if not typed:
            return None
        try:
            found = find_candidate(self.viewer, typed, exclude=self.exclude, roles=self.roles)
        except ValueError:
            raise forms.ValidationError(CANDIDATE_AMBIGUOUS, code="ambiguous") from None
        if found is None:
            raise forms.ValidationError(CANDIDATE_REFUSED, code="invalid_choice")
        return found
