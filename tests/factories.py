"""factory_boy factories. Shares go through the service so that permissions are set as in life."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from agencies.models import Agency, Membership, Panel, User
from cases import services
from cases.models import Case, CaseShare
from families.models import Family, Person
from referrals.models import Referral


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("test-password-1")


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

    name = factory.Faker("last_name")


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


def share(case: Case, agency: Agency, scope: str = CaseShare.Scope.FULL, **kwargs: object) -> CaseShare:
    """Share through the service, as the case owner, on consent unless told otherwise."""
    defaults: dict[str, object] = {
        "basis": CaseShare.Basis.CONSENT,
        "consent_given_by": "The person",
        "consent_given_on": timezone.localdate(),
        "actor": case.owner,
    }
    return services.share_case(case, agency=agency, scope=scope, **{**defaults, **kwargs})  # type: ignore[arg-type]


class ReferralFactory(DjangoModelFactory[Referral]):
    class Meta:
        model = Referral

    channel = Referral.Channel.PROFESSIONAL
    received_by = factory.SubFactory(AgencyFactory)
    concern = factory.Faker("sentence")
