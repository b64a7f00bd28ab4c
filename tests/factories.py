"""factory_boy factories. Shares go through the service so that permissions are set as in life."""

import datetime
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from agencies.models import Agency, Membership, Panel, User
from cases import services
from cases.models import Case, CaseShare, SharingAgreement
from families.models import Family, Person
from referrals.models import Referral

# Every test user signs in with this password.
PASSWORD = "test-password-1"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)


class AgencyFactory(DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    sector = Agency.Sector.SOCIAL_CARE


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Membership.Role.PRACTITIONER


class PanelFactory(DjangoModelFactory[Panel]):
    class Meta:
        model = Panel

    name = factory.Sequence(lambda n: f"Panel {n}")
    coordinator = factory.SubFactory(UserFactory)


class FamilyFactory(DjangoModelFactory[Family]):
    class Meta:
        model = Family

    # Unique and unlike any person's name, so that "the family's name is not on the page" cannot
    # pass or fail by a random user's surname.
    name = factory.Sequence(lambda n: "Fam" + "".join(chr(97 + (n // 26**i) % 26) for i in range(3, -1, -1)))


class PersonFactory(DjangoModelFactory[Person]):
    class Meta:
        model = Person

    family = factory.SubFactory(FamilyFactory)
    given_name = factory.Faker("first_name")
    family_name = factory.SelfAttribute("family.name")
    relationship = Person.Relationship.INDEX
    date_of_birth = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=16 * 365))


class CaseFactory(DjangoModelFactory[Case]):
    """A case owned by `owner` in `owning_agency` (the owner is made a practitioner there)."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"T-{n:05d}")
    family = factory.SubFactory(FamilyFactory)
    index_person = factory.SubFactory(PersonFactory, family=factory.SelfAttribute("..family"))
    owning_agency = factory.SubFactory(AgencyFactory)
    owner = factory.SubFactory(UserFactory)

    @factory.post_generation
    def owner_membership(obj: Case, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            Membership.objects.get_or_create(
                user=obj.owner, agency=obj.owning_agency, role=Membership.Role.PRACTITIONER
            )


def share(case: Case, agency: Agency, scope: str = CaseShare.Scope.FULL, **kwargs: Any) -> CaseShare:
    """Share through the service, as the case owner, on consent unless told otherwise."""
    defaults: dict[str, Any] = {
        "basis": CaseShare.Basis.CONSENT,
        "consent_given_by": "The person",
        "consent_given_on": timezone.localdate(),
        "actor": case.owner,
    }
    return services.share_case(case, agency=agency, scope=scope, **{**defaults, **kwargs})


def agreement(
    *parties: Agency, review_in_days: int = 365, panels: tuple[Panel, ...] = (), **fields: Any
) -> SharingAgreement:
    """A current information-sharing agreement between `parties`, for tests that share without
    consent (the register's own tests record agreements through the service and its pages). Like
    one a panel's coordinator made current: it names its signed document (decision 113)."""
    today = timezone.localdate()
    values: dict[str, Any] = {
        "title": "Agreement of " + ", ".join(str(agency) for agency in parties),
        "instrument": SharingAgreement.Instrument.COVENANT,
        "purpose": "Safeguarding people at risk of radicalisation",
        "data_categories": "Identity, contact details and risk assessments",
        "signed_on": today - datetime.timedelta(days=30),
        "review_on": today + datetime.timedelta(days=review_in_days),
        "status": SharingAgreement.Status.CURRENT,
        "document": "agreements/signed.pdf",
        "document_name": "signed.pdf",
        **fields,
    }
    if "created_by" not in values:
        values["created_by"] = UserFactory()
    found = SharingAgreement.objects.create(**values)
    found.parties.set(parties)
    found.panels.set(panels)
    return found


class ReferralFactory(DjangoModelFactory[Referral]):
    class Meta:
        model = Referral

    channel = Referral.Channel.PROFESSIONAL
    received_by = factory.SubFactory(AgencyFactory)
    concern = factory.Faker("sentence")


def born(years: int, days: int = 0) -> datetime.date:
    """A date of birth `years` and `days` before today: aged exactly `years` when days < 365."""
    today = timezone.localdate()
    try:
        birthday = today.replace(year=today.year - years)
    except ValueError:  # today is 29 February
        birthday = today.replace(year=today.year - years, day=28)
    return birthday - datetime.timedelta(days=days)


def turning_18_in(days: int) -> datetime.date:
    """The date of birth of someone whose 18th birthday is `days` from today (negative: past)."""
    eighteenth = timezone.localdate() + datetime.timedelta(days=days)
    return eighteenth.replace(year=eighteenth.year - 18, day=min(eighteenth.day, 28 if eighteenth.month == 2 else 31))


def relative(case: Case, given_name: str, years: int, relationship: str = Person.Relationship.SIBLING) -> Person:
    """A member of the case's family, `years` old (a month past the birthday)."""
    return PersonFactory(
        family=case.family, given_name=given_name, relationship=relationship, date_of_birth=born(years, days=30)
    )
