"""The case page's section on the concerns reported about the family (decision 56)."""

from typing import Any

from agencies.access import Action, CaseAccess
from agencies.models import User
from agencies.sections import CaseSection

from .models import Referral

__all__ = ["Referrals"]


class Referrals(CaseSection):
    """The referrals that led to the case, those the reader may open."""

    name = "referrals"
    template_name = "referrals/sections/referrals.html"

    def context(self, case: Any, user: User, access: CaseAccess) -> dict[str, Any]:
        return {"referrals": Referral.objects.restrict(user, Action.VIEW).filter(case=case)}
