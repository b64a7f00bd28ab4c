"""The case page's section on the panel's decisions, and the home page's list of the user's panels
(decision 56)."""

from typing import Any

from django.db.models import Model
from django.http import HttpRequest

from agencies.access import Action, CaseAccess
from agencies.joined import with_joined
from agencies.models import Agency, Panel, User
from agencies.sections import CaseSection, HomeSection

from .models import AgendaItem, InvolvedAgency

__all__ = ["Decisions", "MyPanels"]


class Decisions(CaseSection):
    """The panel's three latest decisions on the case, as far as its record mode keeps them."""

    name = "decisions"
    template_name = "panels/sections/decisions.html"

    def reads(self) -> tuple[type[Model], ...]:
        return (AgendaItem,)

    def context(self, case: Any, user: User, access: CaseAccess) -> dict[str, Any]:
        decided = (
            AgendaItem.objects.restrict_to(case, user, Action.VIEW)
            .filter(decided_at__isnull=False)
            .order_by("-decided_at", "-pk")
        )
        # The latest three, each with the agencies involved and why, in one query (decision 149):
        # the limit is taken on the items (a subquery), not on the rows the join repeats.
        latest = decided.filter(pk__in=decided.values("pk")[:3]).select_related(
            "meeting", "first_contact_agency", "owner"
        )
        involved = ("pk", "reason", "agency_id", "agency__name")
        return {"decisions": with_joined(case, latest, "involved", involved, _involved, _by_agency)}


def _involved(pk: int, reason: str, agency_id: int, agency_name: str) -> InvolvedAgency:
    return InvolvedAgency(pk=pk, reason=reason, agency=Agency(pk=agency_id, name=agency_name))


def _by_agency(involved: InvolvedAgency) -> str:
    return involved.agency.name


class MyPanels(HomeSection):
    """The panels the user sits on."""

    name = "my_panels"
    template_name = "panels/sections/my_panels.html"

    def context(self, user: User, request: HttpRequest) -> dict[str, Any]:
        return {"panels": Panel.objects.restrict(user, Action.VIEW)}
