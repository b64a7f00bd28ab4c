"""`restrict_to_agency(agency, user, action)`: the rows of the cases one agency owns that a user
may act on (decision 177). It gives exactly the rows of
`restrict(user, action).filter(<case>owning_agency_id=agency)` for every demo user, agency and
action, for the cases and the rows hanging off them; where the user may act on every case of the
agency, the agency alone is the condition; a rule restricting another model inside it is not
touched by the agency asked for (a rule made for the test: no rule today restricts cases
inside it)."""

import itertools
from typing import Any

import pytest
from django.core.exceptions import EmptyResultSet
from django.db.models import Exists, OuterRef

from agencies.access import Action, forget_access
from agencies.access.core import Rule, case_condition
from agencies.models import Agency, User
from cases.models import Case, CaseEvent, Contact
from tests.agencies.rule_paths import HELD, models_reaching_their_case, pks, through_the_glass

pytestmark = pytest.mark.django_db


def _sql(queryset: Any) -> str:
    try:
        return str(queryset.query)
    except EmptyResultSet:
        return ""


def test_the_rows_of_one_agency_are_those_restrict_gives_for_every_model_user_agency_and_action(
    demo: dict[str, User],
) -> None:
    through_the_glass(demo["sup.elira"])  # a case held by name, through the glass
    agency_models = models_reaching_their_case("owning_agency_id", cases_too=True)
    assert {Case, CaseEvent, Contact} <= {model for model, _ in agency_models}
    agencies = [*Agency.objects.values_list("pk", flat=True), 0]  # and an agency that does not exist
    seen_rows, whole = 0, 0
    for user in demo.values():
        forget_access(user)
        for (model, lookup), action, agency in itertools.product(agency_models, Action, agencies):
            manager: Any = model._default_manager
            expected = pks(manager.restrict(user, action).filter(**{lookup: agency}))
            narrowed = manager.restrict_to_agency(agency, user, action)
            assert pks(narrowed) == expected, (user.username, model, action, agency)
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
