"""Demo families and their cases (issue #2's scenario). Dates are relative to the day of seeding."""

import datetime
from dataclasses import dataclass, field
from typing import Any, Required, TypedDict

from django.utils import timezone

from agencies.deadlines import add_months
from agencies.models import User
from cases import services
from cases.models import Case, CaseEvent, CaseShare
from cases.risk import RiskLevel
from families.models import Family, MemberChange, Person

from .organisations import DemoOrg

__all__ = ["seed_cases"]

Rel = Person.Relationship


@dataclass
class Member:
    given_name: str
    relationship: str
    born: datetime.date
    languages: str = "shqip"
    # How they are related to a member listed before them: (kind, that member's given name).
    relation: tuple[str, str] | None = None
    # Anything else the register keeps (gender, whereabouts, civil documents...).
    more: dict[str, Any] = field(default_factory=dict)


class DemoShare(TypedDict, total=False):
    """A share of a demo case, by the demo agency's key; a share on consent says how long ago."""

    agency: Required[str]
    scope: Required[str]
    basis: Required[str]
    justification: str
    consent_given_by: str
    consent_days_ago: int


@dataclass
class DemoCase:
    family: str
    members: list[Member]
    stage: int
    owner: str
    on_panel: bool
    risk: str
    next_step: str
    next_review_in_days: int | None
    opened_days_ago: int
    shares: list[DemoShare] = field(default_factory=list)
    closed_days_ago: int | None = None
    area: str = "Qyteti i Ri"


def _years_ago(years: int, days: int = 0) -> datetime.date:
    # add_months knows 29 February (the 28th of a year without one): seed_demo loads on a leap day
    return add_months(timezone.localdate(), -12 * years) - datetime.timedelta(days=days)


def _scenario() -> list[DemoCase]:
    # Ardit Krasniqi turns 18 in five months: inside the six-month transition window (design.md §4).
    eighteenth = timezone.localdate() + datetime.timedelta(days=150)
    krasniqi_born = eighteenth.replace(year=eighteenth.year - 18, day=min(eighteenth.day, 28))
    return [
        DemoCase(
            family="Krasniqi",
            members=[
                Member("Ardit", Rel.INDEX, krasniqi_born),
                Member(
                    "Mimoza", Rel.PARENT, _years_ago(44, 30), relation=("parent", "Ardit"), more={"gender": "female"}
                ),
                Member(
                    "Bujar", Rel.PARENT, _years_ago(47, 200), relation=("spouse", "Mimoza"), more={"gender": "male"}
                ),
                Member(
                    "Drita",
                    Rel.SIBLING,
                    _years_ago(12, 90),
                    relation=("sibling", "Ardit"),
                    more={"school_or_work": "Shkolla 9-vjeçare"},
                ),
            ],
            stage=Case.Stage.ASSESS,
            owner="sw.blerina",
            on_panel=True,
            risk=RiskLevel.MODERATE,
            next_step="Needs assessment with the parents; police security assessment",
            next_review_in_days=12,
            opened_days_ago=40,
            shares=[
                {
                    "agency": "police",
                    "scope": CaseShare.Scope.FULL,
                    "basis": CaseShare.Basis.SAFEGUARDING,
                    "justification": "Contact with an online recruiter reported; the police assess the security risk.",
                },
                {
                    "agency": "mental_health",
                    "scope": CaseShare.Scope.SUMMARY,
                    "basis": CaseShare.Basis.CONSENT,
                    "consent_given_by": "Mimoza Krasniqi (mother)",
                    "consent_days_ago": 30,
                },
            ],
        ),
        DemoCase(
            family="Berisha",
            members=[
                Member("Teuta", Rel.INDEX, _years_ago(24, 60), "shqip, arabisht"),
                Member(
                    "Jon",
                    Rel.CHILD,
                    _years_ago(4, 20),
                    "shqip, arabisht",
                    ("parent", "Teuta"),
                    {"civil_documents": ["foreign_document"]},
                ),
                Member(
                    "Sara",
                    Rel.CHILD,
                    _years_ago(2, 100),
                    "arabisht",
                    ("parent", "Teuta"),
                    {"civil_documents": ["none"]},
                ),
                Member("Hava", Rel.PARENT, _years_ago(51, 10), relation=("parent", "Teuta"), more={"gender": "female"}),
            ],
            stage=Case.Stage.PLAN,
            owner="sw.blerina",
            on_panel=True,
            risk=RiskLevel.HIGH,
            next_step="Trauma care for the children; housing support",
            next_review_in_days=20,
            opened_days_ago=180,
            shares=[
                {
                    "agency": "ngo",
                    "scope": CaseShare.Scope.FULL,
                    "basis": CaseShare.Basis.CONSENT,
                    "consent_given_by": "Teuta Berisha",
                    "consent_days_ago": 150,
                }
            ],
        ),
        DemoCase(
            family="Gashi",
            members=[
                Member("Besnik", Rel.INDEX, _years_ago(19, 45)),
                Member(
                    "Lindita", Rel.PARENT, _years_ago(46, 5), relation=("parent", "Besnik"), more={"gender": "female"}
                ),
            ],
            stage=Case.Stage.MONITOR,
            owner="sw.dritan",
            on_panel=True,
            risk=RiskLevel.MODERATE,
            next_step="Plan review with the family",
            next_review_in_days=-9,
            opened_days_ago=300,
        ),
        DemoCase(
            family="Shala",
            members=[
                Member("Endrit", Rel.INDEX, _years_ago(15, 120)),
                Member("Agron", Rel.PARENT, _years_ago(43, 70), relation=("parent", "Endrit"), more={"gender": "male"}),
            ],
            stage=Case.Stage.CONTACT,
            owner="ngo.klea",
            on_panel=True,
            risk=RiskLevel.LOW,
            next_step="First home visit with the father",
            next_review_in_days=12,
            opened_days_ago=16,
            shares=[
                {
                    "agency": "school",
                    "scope": CaseShare.Scope.SUMMARY,
                    "basis": CaseShare.Basis.CONSENT,
                    "consent_given_by": "Agron Shala (father)",
                    "consent_days_ago": 14,
                }
            ],
        ),
        DemoCase(
            family="Dervishi",
            members=[
                Member("Arben", Rel.INDEX, _years_ago(22, 15)),
                Member("Vera", Rel.PARENT, _years_ago(50), relation=("parent", "Arben")),
            ],
            stage=Case.Stage.REDUCE,
            owner="sw.dritan",
            on_panel=False,
            risk=RiskLevel.LOW,
            next_step="Post-exit follow-up contact",
            next_review_in_days=None,
            opened_days_ago=480,
            closed_days_ago=122,
        ),
    ]


def _seed_family(spec: DemoCase) -> tuple[Family, Person]:
    """The family and its index person, as a referral leaves them when a case is opened; the other
    members are added through the register's service once the case exists (`_add_members`)."""
    family, _ = Family.objects.get_or_create(name=spec.family, defaults={"area": spec.area})
    [index] = [member for member in spec.members if member.relationship == Rel.INDEX]
    person, _ = Person.objects.get_or_create(
        family=family,
        given_name=index.given_name,
        defaults={
            "family_name": spec.family,
            "relationship": Rel.INDEX,
            "date_of_birth": index.born,
            "languages": index.languages,
        },
    )
    return family, person


def _add_members(case: Case, spec: DemoCase, owner: User, when: datetime.datetime) -> None:
    """The family's other members, entered as its owner enters them (decision 66)."""
    people = {case.index_person.given_name: case.index_person}
    for member in spec.members:
        if member.relationship == Rel.INDEX:
            continue
        kind, to = member.relation or ("", "")
        people[member.given_name] = services.add_member(
            case,
            given_name=member.given_name,
            family_name=spec.family,
            relationship=member.relationship,
            date_of_birth=member.born,
            languages=member.languages,
            relation_kind=kind,
            relation_to=people.get(to),
            actor=owner,
            **member.more,
        )
    # Entered in the case's first days, not on the day of seeding.
    CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.MEMBER_ADDED).update(created_at=when)
    MemberChange.objects.filter(family_id=case.family_id).update(at=when)


def seed_cases(org: DemoOrg) -> None:
    now = timezone.now()
    for spec in _scenario():
        family, index = _seed_family(spec)
        if Case.objects.filter(family=family).exists():
            continue
        owner = org.users[spec.owner]
        review = spec.next_review_in_days
        case = services.open_case(
            family=family,
            index_person=index,
            owner=owner,
            actor=org.users["coord.arta"] if spec.on_panel else owner,
            panel=org.panel if spec.on_panel else None,
            stage=spec.stage,
            opened_at=now - datetime.timedelta(days=spec.opened_days_ago),
            risk_level=spec.risk,
            next_step=spec.next_step,
            next_review_on=None if review is None else timezone.localdate() + datetime.timedelta(days=review),
        )
        _add_members(case, spec, owner, now - datetime.timedelta(days=spec.opened_days_ago - 1))
        for share in spec.shares:
            consent_days = share.get("consent_days_ago")
            granted = services.share_case(
                case,
                agency=org.agencies[share["agency"]],
                scope=share["scope"],
                basis=share["basis"],
                justification=share.get("justification", ""),
                consent_given_by=share.get("consent_given_by", ""),
                consent_given_on=None
                if consent_days is None
                else timezone.localdate() - datetime.timedelta(days=consent_days),
                actor=owner,
            )
            # Shared in the case's first days, not on the day of seeding.
            when = now - datetime.timedelta(days=spec.opened_days_ago - 1)
            CaseShare.objects.filter(pk=granted.pk).update(granted_at=when)
            latest = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.SHARED).order_by("-pk")[:1]
            CaseEvent.objects.filter(pk__in=list(latest.values_list("pk", flat=True))).update(created_at=when)
        if spec.closed_days_ago is not None:
            # Closure (with its multi-agency decision) arrives with the family-work issue;
            # until then the demo records only when the case closed.
            Case.objects.filter(pk=case.pk).update(closed_at=now - datetime.timedelta(days=spec.closed_days_ago))
