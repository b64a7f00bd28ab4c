"""The timeline's older events, which stored names as their actor saw them, are converted to ids by
migration 0010 where the text says who it was (decision 55); what stays unsure stays readable to
the actor's colleagues and reads as "a practitioner" to other agencies."""

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, Membership, User
from cases.models import Case, CaseEvent
from tests.conftest import member
from tests.factories import AgencyFactory, CaseFactory, PersonFactory, share

BEFORE = [("cases", "0009_event_kinds_declared")]
AFTER = [("cases", "0010_event_names_to_ids")]
Shown = User.NameShown


def _migrate(target: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


@pytest.fixture
def before_0010(transactional_db: None) -> Iterator[None]:
    _migrate(BEFORE)
    # The factories make today's cases; the table of then lacks the columns added since (the
    # index person's name keys, ...), so a case is inserted with the columns the table has.
    with connection.cursor() as cursor:
        columns = {column.name for column in connection.introspection.get_table_description(cursor, "cases_case")}
    insert = Case._do_insert

    def insert_then(self: Case, manager: Any, using: Any, fields: Any, returning_fields: Any, raw: Any) -> Any:
        return insert(self, manager, using, [f for f in fields if f.column in columns], returning_fields, raw)

    with mock.patch.object(Case, "_do_insert", insert_then):
        yield
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())


def _person(agency: Agency, username: str, first: str, last: str, shown: str = Shown.FULL_NAME) -> User:
    user = member(agency, username=username)
    User.objects.filter(pk=user.pk).update(first_name=first, last_name=last, name_shown_to_others=shown)
    return User.objects.get(pk=user.pk)


def _event(case: Case, kind: str, actor: User | None, **data: object) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor, data=data)


@pytest.mark.usefixtures("before_0010")
def test_names_become_ids_where_the_text_says_who() -> None:
    # given the people of two agencies, two of them of the same name, and a case passed between them
    social = AgencyFactory(name="Social services")
    ngo = AgencyFactory(name="Family NGO")
    police = AgencyFactory(name="Police", sector=Agency.Sector.POLICE)
    arta = _person(social, "arta", "Arta", "Hoxha", Shown.FIRST_NAME_INITIAL)
    blerina = _person(social, "blerina", "Blerina", "Krasniqi", Shown.ROLE_AND_AGENCY)
    dritan_social = _person(social, "dritan1", "Dritan", "Gashi")
    dritan_ngo = _person(ngo, "dritan2", "Dritan", "Gashi")
    boss = member(social, Membership.Role.SUPERVISOR, username="boss")
    case = CaseFactory(owner=arta, owning_agency=social)
    child = PersonFactory(family=case.family, given_name="Drita")
    # and the events as they were written: names as each actor saw them
    opened = _event(case, "opened", boss, owner="Dritan Gashi", agency="Social services")
    to_blerina = _event(
        case,
        "owner_assigned",
        boss,
        owner="Practitioner, Social services",  # seen from another agency: not unique, but the chain says
        agency="Social services",
        previous_owner="Dritan Gashi",
    )
    to_arta = _event(
        case, "owner_assigned", boss, owner="Arta Hoxha", agency="Social services", previous_owner="Blerina Krasniqi"
    )
    shared = _event(case, "shared", arta, agency="Police", scope="full", basis="consent")
    decided = _event(case, "panel_decision", None, meeting="2026-01-05", urgency="urgent", first_contact="Police")
    needs = _event(case, "child_needs", arta, child=f"Drita {case.family.name}")
    renamed = _event(case, "share_revoked", arta, agency="An agency since renamed", scope="full")
    other = CaseFactory(owner=arta, owning_agency=social)
    stranger = _event(other, "opened", boss, owner="Somebody Else", agency="Social services")
    _event(other, "owner_assigned", boss, owner="Arta H.", agency="Social services", previous_owner="Somebody Else")
    # when the migration runs
    _migrate(AFTER)
    # then every name that says who it is is now an id
    data = {event.pk: event.data for event in CaseEvent.objects.all()}
    assert data[opened.pk] == {"owner_id": dritan_social.pk, "agency_id": social.pk}
    assert data[to_blerina.pk] == {
        "owner_id": blerina.pk, "agency_id": social.pk, "previous_owner_id": dritan_social.pk
    }  # fmt: skip
    assert data[to_arta.pk] == {"owner_id": arta.pk, "agency_id": social.pk, "previous_owner_id": blerina.pk}
    assert data[shared.pk] == {"agency_id": police.pk, "scope": "full", "basis": "consent"}
    assert data[decided.pk] == {"meeting": "2026-01-05", "urgency": "urgent", "first_contact_id": police.pk}
    assert data[needs.pk] == {"child_id": child.pk}
    # and what is unsure keeps its text
    assert data[renamed.pk] == {"agency": "An agency since renamed", "scope": "full"}
    assert data[stranger.pk]["owner"] == "Somebody Else"
    assert dritan_ngo.pk not in [value for event in data.values() for value in event.values()]


@pytest.mark.usefixtures("before_0010")
def test_an_unsure_name_reads_as_a_practitioner_to_another_agency() -> None:
    social = AgencyFactory(name="Social services")
    police = AgencyFactory(name="Police", sector=Agency.Sector.POLICE)
    arta = _person(social, "arta", "Arta", "Hoxha")
    colleague = member(social, username="colleague")
    officer = member(police, Membership.Role.POLICE_LIAISON, username="officer")
    case = CaseFactory(owner=arta, owning_agency=social)
    _event(case, "owner_assigned", arta, owner="Vera Unknown", agency="Social services", previous_owner="Arta Hoxha")
    _event(case, "owner_assigned", arta, owner="Arta Hoxha", agency="Social services", previous_owner="Vera Unknown")
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # 0010 and on: the pages read today's tables
    share(Case.objects.get(pk=case.pk), police)
    client = Client()
    client.force_login(officer)
    page = client.get(reverse("cases:timeline", args=[case.pk])).content.decode()
    assert "Vera Unknown" not in page and "a practitioner" in page
    client.force_login(colleague)
    assert "Vera Unknown" in client.get(reverse("cases:timeline", args=[case.pk])).content.decode()


@pytest.mark.usefixtures("before_0010")
def test_going_back_writes_the_names_each_person_chose() -> None:
    social = AgencyFactory(name="Social services")
    arta = _person(social, "arta", "Arta", "Hoxha", Shown.FIRST_NAME_INITIAL)
    case = CaseFactory(owner=arta, owning_agency=social)
    event = _event(case, "opened", arta, owner="Arta Hoxha", agency="Social services")
    _migrate(AFTER)
    assert CaseEvent.objects.get(pk=event.pk).data == {"owner_id": arta.pk, "agency_id": social.pk}
    _migrate(BEFORE)
    assert CaseEvent.objects.get(pk=event.pk).data == {"owner": "Arta H.", "agency": "Social services"}
