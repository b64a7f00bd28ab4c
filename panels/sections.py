"""The case page's section on the panel's decisions, and the home page's list of the user's panels
(decision 56)."""

from typing import Any

from django.http import HttpRequest

from agencies.access import Action, CaseAccess
from agencies.models import Panel, User
from agencies.sections import CaseSection, HomeSection

from .models import AgendaItem

__all__ = ["Decisions", "MyPanels"]


class Decisions(CaseSection):
    """The panel's three latest decisions on the case, as far as its record mode keeps them."""

    name = "decisions"
    template_name = "panels/sections/decisions.html"

    def context(self, case: Any, user: User, access: CaseAccess) -> dict[str, Any]:
        decisions = (
            AgendaItem.objects.restrict(user, Action.VIEW)
            .filter(case=case, decided_at__isnull=False)
            .select_related("meeting", "first_contact_agency", "owner")
            .prefetch_related("involved__agency")
            .order_by("-decided_at")[:3]
        )
        return {"decisions": decisions}


class MyPanels(HomeSection):
    """The panels the user sits on."""

    name = "my_panels"
    template_name = "panels/sections/my_panels.html"

    def context(self, user: User, request: HttpRequest) -> dict[str, Any]:
        return {"panels": Panel.objects.restrict(user, Action.VIEW)}
