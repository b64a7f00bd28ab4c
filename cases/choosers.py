"""The case lists' agency and panel filters: a typed name with suggestions, as the owner filter
(`cases.owners`), never a list of every agency or panel (issue 19).

Each filter offers only what the user may know of: an agency that owns one of the cases the user may
know of, a panel the user may see. A suggestion carries the row's id after a `#` ("Police #7");
without JavaScript a typed exact name is accepted; the API's `?agency=7`/`?panel=7` keep working. An
id outside what the user may filter by is refused alike whether the row exists or not."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.access import Action
from agencies.models import Agency, Panel

from .models import Case
from .owners import LIMIT, chosen_owner_id

__all__ = ["AGENCY", "CHOOSERS", "PANEL", "Chooser"]


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
