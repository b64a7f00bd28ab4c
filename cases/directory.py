"""Reading the partner directory: who may own a case, their caseload and the team's diversity.

Used when the coordinator chooses a case owner (step 6) and when a worker's caseload moves.
Reads only; a constant number of queries whatever the number of people. In `cases`, not beside the
agencies it lists: a caseload is counted in cases (decision 49).
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count

from agencies.models import Agency, Membership, User

from .models import Case

__all__ = ["Candidate", "TeamDiversity", "owner_candidates", "team_diversity"]


@dataclass(frozen=True)
class Candidate:
    """A person who may own a case, in one agency, with what helps choose them."""

    user: User
    agency: Agency
    open_cases: int

    @property
    def key(self) -> str:
        return f"{self.user.pk}:{self.agency.pk}"


def owner_candidates(*, exclude: User | None = None, agencies: Iterable[Agency] | None = None) -> list[Candidate]:
    """Active people who work cases in partner agencies (or in `agencies`), with their open caseload.

    Two queries: the memberships, then the open cases of just those people (an indexed count).
    """
    query = (
        Membership.objects.filter(role__in=Membership.CASEWORK_ROLES, user__is_active=True)
        .select_related("user", "agency")
        .order_by("agency__name", "user__last_name", "user__first_name", "user__pk")
    )
    if agencies is not None:
        query = query.filter(agency__in=list(agencies))
    memberships = list(query)
    people = {membership.user_id for membership in memberships}
    load = dict(
        Case.objects.filter(owner_id__in=people, closed_at__isnull=True)
        .order_by()
        .values_list("owner_id")
        .annotate(n=Count("pk"))
        .values_list("owner_id", "n")
    )
    seen: set[tuple[int, int]] = set()
    candidates = []
    for membership in memberships:
        pair = (membership.user_id, membership.agency_id)
        if pair in seen or (exclude is not None and membership.user_id == exclude.pk):
            continue
        seen.add(pair)
        candidates.append(Candidate(membership.user, membership.agency, load.get(membership.user_id, 0)))
    return candidates


@dataclass
class TeamDiversity:
    """An agency's case workers by gender and language (seed 000, step 10: a diverse team)."""

    agency: Agency
    people: int = 0
    genders: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)

    # Lists for templates: a template's `counter.items` would look up the key "items" (0 in a Counter).
    @property
    def gender_counts(self) -> list[tuple[str, int]]:
        return sorted(self.genders.items())

    @property
    def language_counts(self) -> list[tuple[str, int]]:
        return self.languages.most_common()


def team_diversity(candidates: list[Candidate]) -> list[TeamDiversity]:
    teams: dict[int, TeamDiversity] = {}
    counted: set[tuple[int, int]] = set()
    for candidate in candidates:
        team = teams.setdefault(candidate.agency.pk, TeamDiversity(candidate.agency))
        if (candidate.agency.pk, candidate.user.pk) in counted:
            continue
        counted.add((candidate.agency.pk, candidate.user.pk))
        team.people += 1
        team.genders[candidate.user.get_gender_display() if candidate.user.gender else "—"] += 1
        team.languages.update(language.capitalize() for language in candidate.user.languages_list)
    return list(teams.values())
