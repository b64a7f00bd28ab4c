"""Reading the partner directory: who may own a case, their caseload and the team's diversity.

Used when the coordinator chooses a case owner (step 6) and when a worker's caseload moves.
Reads only; a constant number of queries whatever the number of people. In `cases`, not beside the
agencies it lists: a caseload is counted in cases (decision 49).
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import ngettext

from agencies.models import Agency, Membership, User
from agencies.people import remember_people

from .models import Case
from .owners import LIMIT, shown_name

__all__ = [
    "ATTENDING_ROLES",
    "Candidate",
    "TeamDiversity",
    "candidate_label",
    "casework_agencies_listed",
    "chosen_candidate_key",
    "find_candidate",
    "owner_candidates",
    "suggest_candidates",
    "team_diversity",
]

# Who may be chosen to attend a panel's meeting: caseworkers and the panels' own people.
ATTENDING_ROLES = Membership.CASEWORK_ROLES | Membership.PANEL_ROLES
# A person in an agency: "42:7", alone or after a suggestion's "#".
_CHOSEN_PAIR = re.compile(r"#([0-9]{1,18}):([0-9]{1,18})\s*$")
_PAIR = re.compile(r"([0-9]{1,18}):([0-9]{1,18})")


@dataclass(frozen=True)
class Candidate:
    """A person who may own a case, in one agency, with what helps choose them."""

    user: User
    agency: Agency
    open_cases: int

    @property
    def key(self) -> str:
        return f"{self.user.pk}:{self.agency.pk}"


def _memberships(roles: frozenset[str] = Membership.CASEWORK_ROLES) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(role__in=roles, user__is_active=True)
        .select_related("user", "agency")
        .order_by("agency__name", "user__last_name", "user__first_name", "user__pk")
    )


def _with_caseload(memberships: list[Membership], exclude: User | None = None) -> list[Candidate]:
    """One candidate per person and agency, with their open caseload: one indexed count."""
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


def owner_candidates(*, exclude: User | None = None, agencies: Iterable[Agency] | None = None) -> list[Candidate]:
    """Active people who work cases in partner agencies (or in `agencies`), with their open caseload.

    Two queries: the memberships, then the open cases of just those people (an indexed count).
    Every partner's people when `agencies` is None: thousands at national scale, so no page lists
    them all; a form chooses among them by suggestion (`suggest_candidates`, `find_candidate`).
    """
    query = _memberships()
    if agencies is not None:
        query = query.filter(agency__in=list(agencies))
    return _with_caseload(list(query), exclude)


def casework_agencies_listed() -> list[Agency]:
    """The agencies where someone active works cases, each with `people`, how many: one query,
    one row per agency (about 200 at national scale), for choosing a team to look at."""
    casework = Q(memberships__role__in=Membership.CASEWORK_ROLES, memberships__user__is_active=True)
    people = Count("memberships__user", filter=casework, distinct=True)
    return list(Agency.objects.annotate(people=people).filter(people__gt=0).order_by("name", "pk"))


def candidate_label(candidate: Candidate) -> str:
    """ "Blerina K. — Social services (3 open cases; Albanian; Female)": who, where, and what
    helps choose them (step 6: the team's diversity in view)."""
    count = candidate.open_cases
    details = [ngettext("%(count)s open case", "%(count)s open cases", count) % {"count": count}]
    if candidate.user.spoken_languages:
        details.append(candidate.user.spoken_languages)
    if candidate.user.gender:
        details.append(str(candidate.user.get_gender_display()))
    return f"{candidate.user} — {candidate.agency} ({'; '.join(details)})"


def chosen_candidate_key(typed: str) -> str | None:
    """The candidate's key ("42:7", a person in an agency), given as one or by a suggestion
    ("Blerina K. — Social services (…) #42:7")."""
    found = _CHOSEN_PAIR.search(typed) or _PAIR.fullmatch(typed.strip())
    return f"{int(found.group(1))}:{int(found.group(2))}" if found else None


def suggest_candidates(
    viewer: User, typed: str, *, exclude: User | None = None, roles: frozenset[str] = Membership.CASEWORK_ROLES
) -> list[Candidate]:
    """Up to LIMIT people who may own a case (or hold one of `roles`) whose shown name, or whose
    agency's name, begins with what was typed (never by a name they hide from the viewer, decision
    40). Three queries."""
    typed = typed.strip()
    if len(typed) < 2 or chosen_candidate_key(typed) is not None:
        return []
    people = User.objects.filter(shown_name(viewer, starts=typed)).values("pk")
    query = _memberships(roles).filter(Q(user__in=people) | Q(agency__name__istartswith=typed))
    # Twice the limit: a person with two casework roles in one agency is one candidate.
    found = _with_caseload(list(query[: LIMIT * 2]), exclude)[:LIMIT]
    remember_people([candidate.user for candidate in found])
    return found


def find_candidate(
    viewer: User, typed: str, *, exclude: User | None = None, roles: frozenset[str] = Membership.CASEWORK_ROLES
) -> Candidate | None:
    """The candidate typed: by key or suggestion, or, without JavaScript, by a username or a full
    name the viewer may see, when that names one person in one agency. Raises ValueError when the
    name names several; None when it names nobody who may own a case (or an unknown key)."""
    key = chosen_candidate_key(typed)
    query = _memberships(roles)
    if key is not None:
        user_id, agency_id = (int(part) for part in key.split(":"))
        query = query.filter(user_id=user_id, agency_id=agency_id)
    else:
        full = Concat("first_name", Value(" "), "last_name")
        people = User.objects.annotate(full=full).filter(shown_name(viewer, exact=typed.strip())).values("pk")
        query = query.filter(user__in=people)
    found = _with_caseload(list(query[:3]), exclude)
    if len(found) > 1:
        raise ValueError("ambiguous")
    return found[0] if found else None


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
