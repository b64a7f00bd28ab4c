"""CaseAccess, role by role: the flags that come with the case row say what `restrict()` says for
each action, and what the services and pages then do (decision 50).

One case, owned by social services and on a panel; around it every kind of person the access
model knows. Each row of `EXPECTED` is written out by hand; the tests check it against CaseAccess,
CaseAccess against `restrict()`, and the flags that have no action of their own against what the
services and views actually allow.
"""

from dataclasses import dataclass

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from agencies.access import Action, CaseAccess, Level, forget_access
from agencies.models import Agency, Membership, Panel, User
from cases import services
from cases.models import Case, CaseNote
from privacy.breakglass import break_glass
from tests.conftest import member
from tests.factories import AgencyFactory, share

pytestmark = pytest.mark.django_db
Role = Membership.Role


@dataclass(frozen=True)
class Flags:
    level: Level
    change: bool = False
    manage: bool = False
    writes: bool = False
    sees_access_log: bool = False
    acting: str | None = None  # the name of the agency the user acts for on the case
    police: bool = False  # records the security assessment
    checks: bool = False  # records the six checks
    glass: bool = False  # reads the file by breaking the glass


FULL, SUMMARY, NONE = Level.FULL, Level.SUMMARY, Level.NONE
EXPECTED = {
    "owner": Flags(
        FULL, change=True, manage=True, writes=True, sees_access_log=True, acting="Social services", checks=True
    ),
    "colleague": Flags(FULL, writes=True, acting="Social services", checks=True),
    "supervisor": Flags(FULL, change=True, manage=True, writes=True, acting="Social services", checks=True),
    "coordinator": Flags(SUMMARY, manage=True, sees_access_log=True, acting="Municipality"),
    "panel_member": Flags(SUMMARY, acting="Municipality"),
    "police_officer": Flags(FULL, writes=True, acting="Police", police=True),
    "full_share": Flags(FULL, writes=True, acting="Mental health team", checks=True),
    "summary_share": Flags(SUMMARY, acting="School"),
    "break_glass": Flags(FULL, acting="Youth services", glass=True),
    "outsider": Flags(NONE, acting="Housing office"),
    "dpo": Flags(NONE, acting="Data protection office"),
    "superuser": Flags(NONE),
}


@pytest.fixture
def people(
    case: Case, panel: Panel, caseworker: User, colleague: User, supervisor: User, coordinator: User
) -> dict[str, User]:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    municipality = coordinator.memberships.get().agency
    police = Agency.objects.get(name="Police")
    health = AgencyFactory(name="Mental health team", sector=Agency.Sector.MENTAL_HEALTH)
    school = AgencyFactory(name="School", sector=Agency.Sector.EDUCATION)
    share(case, police)
    share(case, health)
    share(case, school, scope="summary")
    glass = member(AgencyFactory(name="Youth services", sector=Agency.Sector.YOUTH_WORK), Role.SUPERVISOR)
    break_glass(case, actor=glass, reason="A child is missing tonight")
    office = AgencyFactory(name="Data protection office", sector=Agency.Sector.LOCAL_AUTHORITY)
    return {
        "owner": caseworker,
        "colleague": colleague,
        "supervisor": supervisor,
        "coordinator": coordinator,
        "panel_member": member(municipality, Role.PANEL_MEMBER),
        "police_officer": member(police, Role.POLICE_LIAISON),
        "full_share": member(health, Role.PRACTITIONER),
        "summary_share": member(school, Role.PRACTITIONER),
        "break_glass": glass,
        "outsider": member(AgencyFactory(name="Housing office", sector=Agency.Sector.HOUSING)),
        "dpo": member(office, Role.DATA_PROTECTION_OFFICER),
        "superuser": User.objects.create_superuser("root", password="x" * 12),
    }


def access_of(user: User, case: Case) -> CaseAccess:
    forget_access(user)
    return CaseAccess.of(Case.objects.with_access(user).get(pk=case.pk), user)


@pytest.mark.parametrize("role", EXPECTED)
def test_the_flags_of_each_role(role: str, people: dict[str, User], case: Case) -> None:
    access = access_of(people[role], case)
    acting = Agency.objects.filter(pk=access.acting_agency_id).values_list("name", flat=True).first()
    assert (
        Flags(
            level=access.level,
            change=access.change,
            manage=access.manage,
            writes=access.writes,
            sees_access_log=access.sees_access_log,
            acting=acting,
            police=access.records(Agency.Sector.POLICE),
            checks=access.records_checks,
            glass=access.reads_through_glass,
        )
        == EXPECTED[role]
    )


@pytest.mark.parametrize("role", EXPECTED)
@pytest.mark.parametrize("action", list(Action))
def test_case_access_says_what_restrict_says(role: str, action: Action, people: dict[str, User], case: Case) -> None:
    user = people[role]
    assert access_of(user, case).allows(action) == Case.objects.restrict(user, action).filter(pk=case.pk).exists()


@pytest.mark.parametrize("role", EXPECTED)
def test_who_writes_in_the_file_is_who_the_services_let_write(role: str, people: dict[str, User], case: Case) -> None:
    user = people[role]
    try:
        with transaction.atomic():
            services.record_note(CaseNote(case=case, text="A note"), actor=user)
            transaction.set_rollback(True)
        wrote = True
    except ValidationError:
        wrote = False
    assert wrote == access_of(user, case).writes


@pytest.mark.parametrize("role", EXPECTED)
def test_who_sees_the_access_log_is_who_the_log_page_lets_in(role: str, people: dict[str, User], case: Case) -> None:
    client = Client()
    client.force_login(people[role])
    status = client.get(reverse("audit:case_access_log", args=[case.pk])).status_code
    assert status == (200 if access_of(people[role], case).sees_access_log else 404)


@pytest.mark.parametrize("role", EXPECTED)
def test_who_asks_a_partner_is_who_the_ask_page_lets_in(role: str, people: dict[str, User], case: Case) -> None:
    client = Client()
    client.force_login(people[role])
    status = client.get(reverse("cases:information_request_create", args=[case.pk])).status_code
    access = access_of(people[role], case)
    assert status == (200 if access.asks_partners else 403 if access.knows else 404)


def test_the_flags_come_with_the_case_in_one_query(
    people: dict[str, User], case: Case, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    user = people["break_glass"]
    forget_access(user)
    Case.objects.restrict(user, Action.VIEW).exists()  # resolves the memberships
    with django_assert_num_queries(1):
        access = CaseAccess.of(Case.objects.with_access(user).get(pk=case.pk), user)
    assert access.reads_through_glass and access.glass_until is not None


def test_a_case_fetched_without_its_access_is_refused(case: Case, caseworker: User) -> None:
    with pytest.raises(ImproperlyConfigured):
        CaseAccess.of(Case.objects.get(pk=case.pk), caseworker)


def test_a_case_fetched_for_another_user_is_refused(case: Case, caseworker: User, colleague: User) -> None:
    with pytest.raises(ImproperlyConfigured):
        CaseAccess.of(Case.objects.with_access(caseworker).get(pk=case.pk), colleague)


def test_a_closed_case_asks_no_partner(case: Case, caseworker: User) -> None:
    Case.objects.filter(pk=case.pk).update(closed_at=case.opened_at)
    access = access_of(caseworker, case)
    assert access.runs and not access.asks_partners


@pytest.mark.parametrize("role", EXPECTED)
def test_who_asks_the_owner_is_who_the_ask_page_lets_in(role: str, people: dict[str, User], case: Case) -> None:
    client = Client()
    client.force_login(people[role])
    status = client.get(reverse("cases:owner_question_create", args=[case.pk])).status_code
    access = access_of(people[role], case)
    if access.knows:
        assert status == (200 if access.asks_owner else 403)
    else:  # 404; 403 for whoever holds no role that reads summaries, whatever the case (the DPO)
        assert status in (403, 404)


def test_a_closed_case_asks_its_owner_nothing(people: dict[str, User], case: Case) -> None:
    # given a closed case, known by its summary to a panel member
    Case.objects.filter(pk=case.pk).update(closed_at=case.opened_at)
    reader = people["panel_member"]
    access = access_of(reader, case)
    assert access.knows and not access.full
    # then neither the page nor the service takes a question to its owner
    client = Client()
    client.force_login(reader)
    asked = client.post(
        reverse("cases:owner_question_create", args=[case.pk]), {"kind": "question", "question": "Who visits?"}
    )
    assert asked.status_code == 403
    with pytest.raises(ValidationError):
        services.ask_owner(Case.objects.get(pk=case.pk), kind="question", question="Who visits?", actor=reader)
    assert not case.owner_questions.exists()
