"""The case page's sections about the family: who must not be told what, its members, its consent
(decision 56). A section reads the case's `family_id` and `index_person_id`, never the case's own
model: families stands below cases."""

from typing import Any

from django.db.models import Model

from agencies.access import Action, CaseAccess, known_empty
from agencies.joined import with_joined
from agencies.models import Agency, User
from agencies.sections import CaseSection
from agencies.together import later

from .models import Consent, DisclosureRestriction, Person, SafetyWarning

__all__ = ["Consents", "Members", "Restrictions", "SafetyWarnings", "members_of"]

MEMBERS_ATTR = "_ura_family_members"


def members_of(case: Any, user: User) -> list[Person]:
    """The members of the case's family that `user` reads, fetched once per page: the family's
    section and the children's (cases.sections.Children) both show them."""
    cached: tuple[int, list[Person]] | None = getattr(case, MEMBERS_ATTR, None)
    if cached is None or cached[0] != user.pk:
        cached = (user.pk, list(Person.objects.restrict(user, Action.VIEW).current().filter(family_id=case.family_id)))
        setattr(case, MEMBERS_ATTR, cached)
    return cached[1]


class Restrictions(CaseSection):
    """Who must not be told what would name the person who asked for help: full readers read it;
    summary readers are told that restrictions exist (decision 26)."""

    name = "restrictions"
    template_name = "families/sections/restrictions.html"

    def reads(self) -> tuple[type[Model], ...]:
        return (DisclosureRestriction,)

    def context(self, case: Any, user: User, access: CaseAccess) -> dict[str, Any]:
        if known_empty(case, DisclosureRestriction):  # none ever recorded for the family
            return {"restrictions": []} if access.full else {"restrictions_apply": False}
        active = DisclosureRestriction.objects.filter(family_id=case.family_id, lifted_at__isnull=True)
        if not access.full:
            return {"restrictions_apply": active.restrict(user, Action.VIEW_SUMMARY).exists()}
        return {"restrictions": later(case, active.restrict(user, Action.VIEW).select_related("person"))}


class SafetyWarnings(CaseSection):
    """Dangers to those who visit the family (decision 133): every reader learns that a warning
    exists and its kind; full readers read its detail and address, and the review date."""

    name = "safety_warnings"
    template_name = "families/sections/safety_warnings.html"

    def reads(self) -> tuple[type[Model], ...]:
        return (SafetyWarning,)

    def context(self, case: Any, user: User, access: CaseAccess) -> dict[str, Any]:
        if known_empty(case, SafetyWarning):  # none ever recorded for the family
            return {"warnings": []} if access.full else {"warning_kinds": []}
        current = SafetyWarning.objects.filter(family_id=case.family_id, ended_at__isnull=True)
        if not access.full:
            kinds = current.restrict(user, Action.VIEW_SUMMARY).values_list("kind", flat=True).distinct()
            labels = dict(SafetyWarning.Kind.choices)
            return {"warning_kinds": [labels[kind] for kind in sorted(set(kinds)) if kind in labels]}
        return {"warnings": later(case, current.restrict(user, Action.VIEW).select_related("recorded_by"))}


class Members(CaseSection):
    """The family's members, the index person marked (full readers)."""

    name = "members"
    template_name = "families/sections/members.html"

    def applies(self, access: CaseAccess) -> bool:
        return access.full

    def context(self, case: Any, user: User, access: CaseAccess) -> dict[str, Any]:
        return {"members": members_of(case, user)}


class Consents(CaseSection):
    """Consent to support, per person, and its withdrawal (full readers; decision 42)."""

    name = "consents"
    template_name = "families/sections/consents.html"

    def reads(self) -> tuple[type[Model], ...]:
        return (Consent,)

    def applies(self, access: CaseAccess) -> bool:
        return access.full

    def context(self, case: Any, user: User, access: CaseAccess) -> dict[str, Any]:
        if known_empty(case, Consent):  # none ever recorded for the family
            return {"consents": []}
        consents = (
            Consent.objects.restrict(user, Action.VIEW)
            .filter(family_id=case.family_id)
            .select_related("person", "given_by", "recorded_by", "withdrawn_by")
        )
        # The agencies each consent names, in the same query (decision 149).
        named = with_joined(case, consents, "agencies", ("pk", "name"), _agency, _by_name)
        return {"consents": named}


def _agency(pk: int, name: str) -> Agency:
    return Agency(pk=pk, name=name)


def _by_name(agency: Agency) -> str:
    return agency.name
