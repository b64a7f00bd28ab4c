"""Whether a case has any row of a table, read with the case (decision 166): a table with no row of
the case is answered empty by `restrict_to` without a query, for as long as the answer stands; a
row saved since, or an answer older than two seconds, is read the long way."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.access import Action, known_empty, presence_columns
from agencies.models import User
from cases.models import Case, RiskRecord
from families.models import Consent, Person
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _read(case: Case, user: User) -> Case:
    """The case as the case page reads it: with its access and whether it has risk records and
    consents."""
    read: Case = (
        Case.objects.with_access(user).annotate(**presence_columns(Case, [RiskRecord, Consent])).get(pk=case.pk)
    )
    return read


def _risk(case: Case) -> RiskRecord:
    risk = _risk_unsaved(case)
    risk.save()
    return risk


def test_a_table_without_a_row_of_the_case_is_answered_without_a_query(case: Case) -> None:
    read = _read(case, case.owner)
    with CaptureQueriesContext(connection) as queries:
        assert list(RiskRecord.objects.restrict_to(read, case.owner, Action.VIEW)[:5]) == []
    assert len(queries) == 0


def test_a_table_with_a_row_of_the_case_is_read(case: Case) -> None:
    risk = _risk(case)
    read = _read(case, case.owner)
    assert not known_empty(read, RiskRecord)
    assert [row.pk for row in RiskRecord.objects.restrict_to(read, case.owner, Action.VIEW)] == [risk.pk]


def test_a_row_of_another_case_does_not_count(case: Case) -> None:
    _risk(CaseFactory(owner=case.owner, owning_agency=case.owning_agency))
    assert known_empty(_read(case, case.owner), RiskRecord)


def test_a_row_saved_after_the_read_is_read(case: Case) -> None:
    # given a case read when it had no risk record
    read = _read(case, case.owner)
    assert known_empty(read, RiskRecord)
    # when one is recorded in this process, then the same case object reads it
    risk = _risk(case)
    assert not known_empty(read, RiskRecord)
    assert [row.pk for row in RiskRecord.objects.restrict_to(read, case.owner, Action.VIEW)] == [risk.pk]


def test_a_row_of_a_table_not_asked_about_leaves_the_answer_standing(case: Case) -> None:
    # the page's own audit record, a session: saves of other tables do not void what was read
    read = _read(case, case.owner)
    Person.objects.create(family=case.family, given_name="Besa", family_name="Krasniqi")
    assert known_empty(read, RiskRecord)


def test_an_answer_older_than_two_seconds_does_not_stand(case: Case) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        read = _read(case, case.owner)
        assert known_empty(read, RiskRecord)
        # a row another process saved meanwhile is not counted here: the answer is let go in time
        RiskRecord.objects.bulk_create([_risk_unsaved(case)])
        clock.shift(datetime.timedelta(seconds=3))
        assert not known_empty(read, RiskRecord)
        assert len(RiskRecord.objects.restrict_to(read, case.owner, Action.VIEW)) == 1


def _risk_unsaved(case: Case) -> RiskRecord:
    return RiskRecord(
        case=case,
        level="moderate",
        previous_level="low",
        source="manual",
        recorded_by=case.owner,
        agency=case.owning_agency,
    )


def test_a_case_read_without_the_columns_is_read_the_long_way(case: Case) -> None:
    read = Case.objects.with_access(case.owner).get(pk=case.pk)
    assert not known_empty(read, RiskRecord)


def test_a_family_table_is_asked_about_the_case_family(case: Case) -> None:
    # a consent is the family's: recorded once, it is there for each of the family's cases
    other = CaseFactory(owner=case.owner, owning_agency=case.owning_agency, family=case.family)
    assert known_empty(_read(other, case.owner), Consent)
    Consent.objects.create(
        family=case.family,
        person=case.index_person,
        given_by=case.index_person,
        given_on=timezone.localdate(),
        recorded_by=case.owner,
    )
    assert not known_empty(_read(other, case.owner), Consent)
    assert known_empty(_read(CaseFactory(owner=case.owner, owning_agency=case.owning_agency), case.owner), Consent)
