"""`restrict_to_agency(agency, user, action)`: the rows of the cases one agency owns that a user
may act on (decision 177). It gives exactly the rows of
`restrict(user, action).filter(<case>owning_agency_id=agency)` for every demo user, agency and
action, for the cases and the rows hanging off them; where the user may act on every case of the
agency, the agency alone is the condition; a rule restricting another model inside it is not
touched by the agency asked for (a rule made for the test: no rule today restricts cases
inside it)."""

import datetime
import itertools
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import EmptyResultSet, FieldError
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone

from agencies.access import Action, forget_access
from agencies.access.core import RestrictedQuerySet, Rule, case_condition
from agencies.models import Agency, User
from audit.models import BreakGlassAccess
from cases.models import Case, CaseEvent, Contact

pytestmark = pytest.mark.django_db


def _agency_models() -> list[tuple[type[models.Model], str]]:
    """The cases, and every model whose rule reaches its rows' case by a path, with the lookup of
    their case's owning agency."""
    found = []
    for model in apps.get_models():
        if not isinstance(model._default_manager.all(), RestrictedQuerySet):
            continue
        rule = getattr(model, "access_rule", None)
        if not isinstance(rule, Rule):
            continue
        lookup = f"{rule.case_path}owning_agency_id"
        try:
            model._default_manager.filter(**{lookup: 0}).query  # noqa: B018 -- resolves the path
        except FieldError:
            continue  # a rule named with the default path on rows with no case (a family's)
        found.append((model, lookup))
    return found


def _pks(queryset: Any) -> set[int]:
    return set(queryset.order_by().values_list("pk", flat=True))


# Cases held by id, as SQLite writes them and as PostgreSQL does.
HELD = ('"cases_case"."id" IN (', '"cases_case"."id" = ANY(')


def _sql(queryset: Any) -> str:
    try:
        return str(queryset.query)
    except EmptyResultSet:
        return ""


def test_the_rows_of_one_agency_are_those_restrict_gives_for_every_model_user_agency_and_action(
    demo: dict[str, User],
) -> None:
    # One supervisor reads a case of another agency through the glass: a case held by name.
    supervisor = demo["sup.elira"]
    elsewhere = Case.objects.exclude(owning_agency__in=supervisor.memberships.values("agency")).first()
    assert elsewhere is not None
    now = timezone.now()
    BreakGlassAccess.objects.create(
        user=supervisor,
        case=elsewhere,
        reason="A child is missing",
        starts_at=now,
        ends_at=now + datetime.timedelta(hours=4),
    )
    agency_models = _agency_models()
    assert {Case, CaseEvent, Contact} <= {model for model, _ in agency_models}
    agencies = [*Agency.objects.values_list("pk", flat=True), 0]  # and an agency that does not exist
    seen_rows, whole = 0, 0
    for user in demo.values():
        forget_access(user)
        for (model, lookup), action, agency in itertools.product(agency_models, Action, agencies):
            manager: Any = model._default_manager
            expected = _pks(manager.restrict(user, action).filter(**{lookup: agency}))
            narrowed = manager.restrict_to_agency(agency, user, action)
            assert _pks(narrowed) == expected, (user.username, model, action, agency)
            seen_rows += len(expected)
            whole += model is Case and bool(expected) and " OR " not in _sql(narrowed)
    assert seen_rows > 100  # the demo's agencies hold rows for these readers: the comparison compared rows
    assert whole > 10  # and for many, the agency alone was the condition


def _holders(demo: dict[str, User]) -> list[tuple[User, int]]:
    """Workers of an agency who also hold cases of other agencies by name (shares, grants)."""
    holders = [
        (user, membership.agency_id)
        for user in demo.values()
        for membership in user.memberships.all()
        if " OR " in _sql(Case.objects.restrict(user, Action.VIEW).filter(owning_agency_id=membership.agency_id))
    ]
    assert holders
    return holders


def test_the_agency_alone_where_the_user_may_act_on_its_every_case(demo: dict[str, User]) -> None:
    holders = _holders(demo)
    for worker, own in holders:
        own_sql = _sql(Case.objects.restrict_to_agency(own, worker, Action.VIEW))
        assert " OR " not in own_sql and f'"cases_case"."owning_agency_id" = {own}' in own_sql
    # an agency whose cases the worker holds only by name: the long way, then the agency
    worker, own = holders[0]
    held = Case.objects.restrict(worker, Action.VIEW).exclude(owning_agency_id=own).first()
    assert held is not None
    other_sql = _sql(Case.objects.restrict_to_agency(held.owning_agency_id, worker, Action.VIEW))
    assert " OR " in other_sql and f'"cases_case"."owning_agency_id" = {held.owning_agency_id}' in other_sql


def test_a_rule_restricting_cases_inside_it_still_restricts_them_whole(
    demo: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule that restricts other cases inside it (whether a case has a sibling the user may
    read) is given the user's whole condition there: the agency asked for ends where the nested
    rule begins."""
    holder, own = _holders(demo)[0]

    cases_rule = Case.access_rule

    def with_siblings(qs: Any, user: Any, action: Action) -> Any:
        Case.access_rule = cases_rule  # the nested restriction is the cases' own rule, through restrict()
        try:
            siblings = Case.objects.restrict(user, action).filter(family_id=OuterRef("family_id"))
        finally:
            Case.access_rule = nesting
        siblings = siblings.exclude(pk=OuterRef("pk")).values("pk")
        return qs.filter(case_condition(user, action)).annotate(has_sibling=Exists(siblings))

    nesting = Rule("with_siblings", with_siblings, case_path="")
    monkeypatch.setattr(Case, "access_rule", nesting)
    sql = _sql(Case.objects.restrict_to_agency(own, holder, Action.VIEW))
    nested, outer = sql.split(" FROM ", 2)[1:]  # the annotation's subquery, then the outer table and its WHERE
    # the nested restriction names the cases held by id (as `U0`); the outer condition is the agency alone
    assert any(held in nested for held in ('U0."id" IN (', 'U0."id" = ANY(')), nested
    assert not any(held in outer for held in HELD) and f'"cases_case"."owning_agency_id" = {own}' in outer, outer
