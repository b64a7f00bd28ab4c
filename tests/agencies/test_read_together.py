"""Short lists of several tables read in one query (decision 174): each list as its queryset alone
would read it, whatever the database, the columns' types, the order or the joins."""

import datetime
from typing import Any

import pytest
from django.db.models import Exists, F, Model, OuterRef, QuerySet
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from agencies.models import Agency, User
from agencies.together import later
from cases.models import Case, CaseEvent
from tests.factories import AgencyFactory, CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def _as_read(row: Any) -> Any:
    """What a row holds as read: its columns, its annotations and the rows `select_related` joined."""
    if not isinstance(row, Model):
        return row
    held = {name: value for name, value in vars(row).items() if not name.startswith("_")}
    joined = {name: _as_read(value) for name, value in row._state.fields_cache.items()}
    return (type(row).__name__, held, joined)


def _events(case: Case, actor: User) -> None:
    when = timezone.now() - datetime.timedelta(days=3)
    for n, data in enumerate([{"note": "ë ç", "ids": [1, 2]}, {}, {"nested": {"deep": [True, None, 1.5]}}]):
        CaseEvent.objects.create(
            case=case, kind=CaseEvent.Kind.OPENED, actor=actor if n != 1 else None, data=data, created_at=when
        )
        when += datetime.timedelta(hours=5, microseconds=123457)


def _lists(case: Case) -> list[QuerySet[Any]]:
    events = CaseEvent.objects.filter(case=case)
    return [
        # a limit, newest first, a JSON column, a nullable join
        events.select_related("actor").order_by("-created_at")[:2],
        # two joins of one table, an annotation of each kind
        Case.objects.filter(pk=case.pk)
        .select_related("owner", "owning_agency")
        .annotate(has_events=Exists(events.filter(case=OuterRef("pk"))), shown_as=F("reference")),
        # ordered, no limit
        Agency.objects.order_by("-name"),
        # known to be empty
        User.objects.none(),
    ]


def test_lists_read_together_are_the_rows_each_reads_alone_in_one_query(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    # given a case with events, agencies, an owner
    case = CaseFactory()
    AgencyFactory.create_batch(3)
    _events(case, UserFactory())
    alone = [[_as_read(row) for row in queryset] for queryset in _lists(case)]
    agencies = Agency.objects.count()
    # when every list is handed in, then read
    kept = [later(case, queryset) for queryset in _lists(case)]
    with django_assert_num_queries(1):
        together = [[_as_read(row) for row in rows] for rows in kept]
    # then each list is what its queryset gives alone, in its order, in one query
    assert together == alone
    assert [len(rows) for rows in together] == [2, 1, agencies, 0]
    with django_assert_num_queries(0):  # read once
        assert [len(rows) for rows in kept] == [2, 1, agencies, 0]


def test_a_queryset_class_reads_its_rows_as_it_would_alone() -> None:
    # given events, whose queryset names the people of one read together
    case = CaseFactory()
    _events(case, UserFactory())
    events = later(case, CaseEvent.objects.filter(case=case).order_by("created_at"))
    later(case, Agency.objects.all())
    # when they are read with another list, then each knows the others of its read
    assert [event._names.events for event in events] == [list(events)] * 3


def test_what_cannot_be_read_together_is_read_alone(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    # given lists a JSON row cannot carry as they are (values, a prefetch) beside two that can
    case = CaseFactory()
    AgencyFactory.create_batch(2)
    values = later(case, Agency.objects.order_by("name").values("pk", "name"))
    prefetched = later(case, Agency.objects.order_by("name").prefetch_related("memberships"))
    two = [later(case, Agency.objects.order_by("name")), later(case, Case.objects.all())]
    expected = list(Agency.objects.order_by("name").values("pk", "name"))
    # when they are read: the first two alone (the prefetch its own second query), the rest together
    with django_assert_num_queries(4):
        assert list(values) == expected
        assert [agency["pk"] for agency in expected] == [agency.pk for agency in prefetched]
        assert [len(rows) for rows in two] == [len(expected), 1]


def test_a_list_handed_in_after_a_read_waits_for_the_next(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    case = CaseFactory()
    first = later(case, Agency.objects.all())
    with django_assert_num_queries(1):
        assert list(first)
    second, third = later(case, Agency.objects.all()), later(case, Case.objects.all())
    with django_assert_num_queries(1):
        assert (len(second), len(third)) == (len(first), 1)


def test_an_empty_list_costs_no_query(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    case = CaseFactory()
    with django_assert_num_queries(0):
        assert not later(case, Agency.objects.none())


def test_a_row_wider_than_a_function_takes_is_read_whole(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    # given a list of 150 columns (a function takes 100 on PostgreSQL) beside another list
    case = CaseFactory()
    wide = Agency.objects.order_by("pk").annotate(**{f"name_{n}": F("name") for n in range(150)})
    alone = [_as_read(agency) for agency in wide]
    kept, _ = later(case, wide), later(case, Case.objects.all())
    # when read together, then every column is there, in its place
    with django_assert_num_queries(1):
        assert [_as_read(agency) for agency in kept] == alone
    assert all(agency.name_149 == agency.name for agency in kept)
