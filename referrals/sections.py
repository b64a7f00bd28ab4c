"""The case page's sections on the concerns reported about the family and on where the work is
(decision 56)."""

import datetime
from typing import Any

from django.db.models import Model, OuterRef, Subquery
from django.utils import timezone

from agencies.access import Action, CaseAccess
from agencies.models import User
from agencies.sections import CaseSection
from agencies.together import later
from cases.models import Case, Contact

from .models import Referral, ServiceReferral

__all__ = ["Progress", "Referrals", "ServiceReferrals"]


class Referrals(CaseSection):
    """The referrals that led to the case, those the reader may open."""

    name = "referrals"
    template_name = "referrals/sections/referrals.html"

    def reads(self) -> tuple[type[Model], ...]:
        return (Referral,)

    def context(self, case: Any, user: User, access: CaseAccess) -> dict[str, Any]:
        return {"referrals": later(case, Referral.objects.restrict_to(case, user, Action.VIEW))}


class ServiceReferrals(CaseSection):
    """Where the family was referred to services (issue 14): accepted or declined, the days waited,
    started, done. The full file's: a summary reader does not see it."""

    name = "service_referrals"
    template_name = "referrals/sections/service_referrals.html"

    def reads(self) -> tuple[type[Model], ...]:
        return (ServiceReferral,)

    def applies(self, access: CaseAccess) -> bool:
        return access.full

    def context(self, case: Any, user: User, access: CaseAccess) -> dict[str, Any]:
        sent = ServiceReferral.objects.restrict_to(case, user, Action.VIEW).select_related("service")
        return {"service_referrals": later(case, sent)}


class Progress(CaseSection):
    """Where the work is: the ten steps with the one the case has reached, the days since the
    referral and, for full readers, since the last contact that took place.

    The step is the case's own `stage` (a summary field, moved by the owner): the steps run in a
    circle and often at once (domain, the ten steps), so no rule could derive one from the entries.
    The days since the last contact are counted from the contacts, which are the full file's: a
    summary reader is shown the steps and the days since referral only (decision 90). It stands
    here, above `cases`, because it reads the referrals."""

    name = "progress"
    template_name = "referrals/sections/progress.html"

    def read_with_case(self, cases: Any, user: User) -> Any:
        # The first referral and the last contact held, each the reader's to read (none for a
        # summary reader, who is shown neither).
        referrals = Referral.objects.restrict(user, Action.VIEW).filter(case=OuterRef("pk"))
        contacts = (
            Contact.objects.restrict(user, Action.VIEW)
            .final()
            .filter(case=OuterRef("pk"), outcome=Contact.Outcome.HELD)
        )
        return cases.annotate(
            first_referral_at=Subquery(referrals.order_by("received_at").values("received_at")[:1]),
            last_contact_at=Subquery(contacts.order_by("-occurred_at").values("occurred_at")[:1]),
        )

    def context(self, case: Any, user: User, access: CaseAccess) -> dict[str, Any]:
        today = timezone.localdate()
        referred = case.opened_at
        last_contact = None
        if access.full:
            if not hasattr(case, "first_referral_at"):  # a case not read by the page: read them now
                case = self.read_with_case(Case.objects.restrict(user, Action.VIEW).filter(pk=case.pk), user).get()
            referred = case.first_referral_at or referred
            last_contact = case.last_contact_at
        return {
            "steps": Case.Stage.choices,
            "days_since_referral": _days(referred, today),
            "days_since_contact": _days(last_contact, today) if last_contact else None,
            "contact_known": access.full,
        }


def _days(moment: datetime.datetime, today: datetime.date) -> int:
    return max((today - timezone.localtime(moment).date()).days, 0)
