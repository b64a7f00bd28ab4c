"""Short lists of several tables read in one query (decision 174): each list as its queryset alone
would read it, whatever the database, the columns' types, the order or the joins."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, transaction
from django.db.models import DecimalField, Exists, F, FloatField, IntegerField, Model, OuterRef, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from agencies.models import Agency, User
from agencies.together import later
from cases import services
from cases.models import Case, CaseEvent
from families.models import DisclosureRestriction, SafetyWarning
from tests.factories import AgencyFactory, CaseFactory, UserFactory, relative

pytestmark = pytest.mark.django_db


def as_read(row: Any) -> Any:
    """What a row holds as read: its columns, its annotations and the rows `select_related` joined."""
    if not isinstance(row, Model):
        return row
    held = {name: value for name, value in vars(row).items() if not name.startswith("_")}
    joined = {name: as_read(value) for name, value in row._state.fields_cache.items()}
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
    alone = [[as_read(row) for row in queryset] for queryset in _lists(case)]
    agencies = Agency.objects.count()
    # when every list is handed in, then read
    kept = [later(case, queryset) for queryset in _lists(case)]
    with django_assert_num_queries(1):
        together = [[as_read(row) for row in rows] for rows in kept]
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


def test_a_list_known_empty_is_no_part_of_the_read(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    # given a list known to be empty beside one other
    case = CaseFactory()
    empty, cases = later(case, Agency.objects.none()), later(case, Case.objects.all())
    # when read, then the other is read alone, as its own query, and the empty one costs nothing
    with django_assert_num_queries(1) as captured:
        assert (len(empty), len(cases)) == (0, 1)
    assert "UNION" not in captured.captured_queries[0]["sql"]


def test_a_row_wider_than_a_function_takes_is_read_whole(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    # given a list of 150 columns (a function takes 100 on PostgreSQL) beside another list
    case = CaseFactory()
    wide = Agency.objects.order_by("pk").annotate(**{f"name_{n}": F("name") for n in range(150)})
    alone = [as_read(agency) for agency in wide]
    kept, _ = later(case, wide), later(case, Case.objects.all())
    # when read together, then every column is there, in its place
    with django_assert_num_queries(1):
        assert [as_read(agency) for agency in kept] == alone
    assert all(agency.name_149 == agency.name for agency in kept)


def test_the_restrictions_read_together_are_in_the_order_the_family_reads_them(case: Case) -> None:
    # A restriction is ordered by its person (Meta.ordering), which is ordered by name: the rows are
    # numbered in that order, not by the person's key.
    zed = relative(case, "Zed", years=20)
    abe = relative(case, "Abe", years=21)
    for person in (zed, abe):
        services.add_restriction(case, person=person, must_not_be_told=f"About {person.given_name}", actor=case.owner)
    rows = DisclosureRestriction.objects.filter(family_id=case.family_id).select_related("person")
    alone = [r.person.given_name for r in rows.all()]
    kept = later(case, rows)
    later(case, Case.objects.all())
    assert alone[-2:] == ["Abe", "Zed"] or alone[:2] == ["Abe", "Zed"]
    assert [r.person.given_name for r in kept] == alone


def test_a_reversed_list_read_together_keeps_its_order(case: Case) -> None:
    AgencyFactory.create_batch(3)
    rows = Agency.objects.order_by("pk").reverse()[:3]
    alone = [a.pk for a in rows.all()]
    kept = later(case, rows)
    later(case, Case.objects.all())
    assert [a.pk for a in kept] == alone


def test_a_list_whose_read_together_failed_is_not_silently_empty(case: Case) -> None:
    # A list beside one whose read fails is read again when asked, never answered empty.
    services.add_safety_warning(
        case, kind="dog", detail="Dangerous dog", review_on=timezone.localdate(), actor=case.owner
    )
    warnings_alone = list(SafetyWarning.objects.filter(family_id=case.family_id))
    broken = later(case, Agency.objects.annotate(x=RawSQL("no_such_column", (), output_field=IntegerField())))
    warnings = later(case, SafetyWarning.objects.filter(family_id=case.family_id))
    with pytest.raises(DatabaseError), transaction.atomic():
        list(broken)
    assert warnings_alone
    assert list(warnings) == warnings_alone


def test_a_decimal_is_read_to_its_last_digit() -> None:
    # given a list with a decimal finer than a float beside another
    case = CaseFactory()
    exact = Decimal("0.10000000000000000001")
    with_decimal = Case.objects.annotate(
        share=Value(exact, output_field=DecimalField(max_digits=30, decimal_places=20))
    )
    kept, _ = later(case, with_decimal), later(case, Agency.objects.all())
    # when read, then it is what it is alone (exact on PostgreSQL; SQLite keeps a float)
    assert [row.share for row in kept] == [row.share for row in with_decimal]


@pytest.mark.parametrize("value", [0.1 + 0.2, 123456789.123456789, 2 / 3])
def test_a_float_read_together_keeps_every_digit(value: float) -> None:
    # given a list with a float column beside another (SQLite's JSON keeps fifteen digits)
    case = CaseFactory()
    AgencyFactory()
    with_float = Agency.objects.annotate(f=Value(value, output_field=FloatField())).order_by("pk")
    alone = [row.f for row in with_float.all()]
    kept = later(case, with_float.all())
    later(case, User.objects.all())
    # when read together, then each float is the one read alone
    assert alone
    assert [row.f for row in kept] == alone
