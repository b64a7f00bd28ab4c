"""`restrict_to(case, user, action)`: the rows of one case a user may act on, with the case's own
access (read with it) standing for the conditions on the rows' case (decision 164). It gives
exactly the rows of `restrict(user, action).filter(case=case)`, for every model that hangs off a
case, every demo user, every case and every action; a case fetched without its access, or with
another user's, is restricted the long way; a rule restricting another model inside it is not
touched by the known case."""

import datetime
import itertools
import re
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.access import Action, CaseAccess, forget_access
from agencies.access.core import RestrictedQuerySet, Rule, case_condition
from agencies.models import User
from audit.models import BreakGlassAccess
from cases.models import Case, CaseEvent, Contact
from families.models import Person

pytestmark = pytest.mark.django_db


def _case_models() -> list[tuple[type[models.Model], str]]:
    """Every model whose rule reaches its rows' case by a path (`case__`, `assessment__case__`)."""
    found = []
    for model in apps.get_models():
        if not isinstance(model._default_manager.all(), RestrictedQuerySet):
            continue
        rule = getattr(model, "access_rule", None)
        if not isinstance(rule, Rule) or not rule.case_path:
            continue
        lookup = f"{rule.case_path}pk"
        try:
            model._default_manager.filter(**{lookup: 0}).query  # noqa: B018 -- resolves the path
        except FieldError:
            continue  # a rule named with the default path on rows with no case (a family's)
        found.append((model, lookup))
    return found


def _pks(queryset: Any) -> set[int]:
    return set(queryset.order_by().values_list("pk", flat=True))


def _as_read_by(user: User, case: Case | None) -> Case:
    assert case is not None
    read: Case = Case.objects.with_access(user).get(pk=case.pk)
    return read


def test_the_rows_of_one_case_are_those_restrict_gives_for_every_model_user_case_and_action(
    demo: dict[str, User],
) -> None:
    # One supervisor reads a case of another agency through the glass: a file read, never written.
    supervisor = demo["sup.elira"]
    elsewhere = Case.objects.exclude(owning_agency__in=supervisor.memberships.values("agency")).first()
    assert elsewhere is not None
    now = timezone.now()
    BreakGlassAccess.objects.create(
        user=supervisor,
        case=elsewhere,
        reason="A child is missing tonight",
        starts_at=now,
        ends_at=now + datetime.timedelta(hours=4),
    )
    case_models = _case_models()
    assert {CaseEvent, Contact} <= {model for model, _ in case_models}
    assert Person not in {model for model, _ in case_models}
    cases = list(Case.objects.all())
    seen_rows = 0
    for user, case in itertools.product(demo.values(), cases):
        forget_access(user)
        read = _as_read_by(user, case)
        for action, glass in itertools.product(Action, (True, False)):
            # what the case's columns answer is what the condition answers, where they answer
            answer = CaseAccess.of(read, user).answers(action, glass)
            condition = case_condition(user, action, glass=glass)
            if answer is not None:
                assert answer == (condition is not None and Case.objects.filter(condition, pk=case.pk).exists())
        for (model, lookup), action in itertools.product(case_models, Action):
            manager: Any = model._default_manager
            expected = _pks(manager.restrict(user, action).filter(**{lookup: case.pk}))
            assert _pks(manager.restrict_to(read, user, action)) == expected, (user.username, case, model, action)
            seen_rows += len(expected)
    assert seen_rows > 100  # the demo's files hold rows for these readers: the comparison compared rows


def test_through_the_glass_the_file_is_read_and_its_drafts_are_not_changed(demo: dict[str, User]) -> None:
    supervisor = demo["sup.elira"]
    elsewhere = Case.objects.exclude(owning_agency__in=supervisor.memberships.values("agency")).first()
    assert elsewhere is not None and CaseEvent.objects.filter(case=elsewhere).exists()
    now = timezone.now()
    BreakGlassAccess.objects.create(
        user=supervisor,
        case=elsewhere,
        reason="A child is missing tonight",
        starts_at=now,
        ends_at=now + datetime.timedelta(hours=4),
    )
    forget_access(supervisor)
    read = _as_read_by(supervisor, elsewhere)
    assert CaseAccess.of(read, supervisor).reads_through_glass
    assert _pks(CaseEvent.objects.restrict_to(read, supervisor, Action.VIEW))
    assert not _pks(CaseEvent.objects.restrict_to(read, supervisor, Action.CHANGE))


def test_a_case_without_its_access_or_with_anothers_is_restricted_the_long_way(demo: dict[str, User]) -> None:
    owner, stranger = demo["sw.blerina"], demo["emp.luan"]
    case = Case.objects.filter(owner=owner).first()
    assert case is not None and CaseEvent.objects.filter(case=case).exists()
    plain = Case.objects.get(pk=case.pk)
    read_by_owner = _as_read_by(owner, case)
    for user in (owner, stranger):
        expected = _pks(CaseEvent.objects.restrict(user, Action.VIEW).filter(case=case))
        assert _pks(CaseEvent.objects.restrict_to(plain, user, Action.VIEW)) == expected
        # the owner's access, carried by the case object, never answers for someone else
        assert _pks(CaseEvent.objects.restrict_to(read_by_owner, user, Action.VIEW)) == expected
    assert not _pks(CaseEvent.objects.restrict_to(read_by_owner, stranger, Action.VIEW))
    assert _pks(CaseEvent.objects.restrict_to(read_by_owner, owner, Action.VIEW))


def test_the_known_case_stands_for_the_case_conditions_and_nothing_else(demo: dict[str, User]) -> None:
    owner = demo["sw.blerina"]
    case = _as_read_by(owner, Case.objects.filter(owner=owner).first())
    sql = str(CaseEvent.objects.restrict_to(case, owner, Action.VIEW).query)
    # no join to the cases table, no list of the user's agencies: the case's own answer
    assert '"cases_case"' not in sql and '"cases_caseevent"."case_id" = ' in sql
    # a rule that restricts another model inside it (a reminder's agreement) still restricts it
    # for every case: the known case ends where the nested rule begins
    Reminder = apps.get_model("reminders", "Reminder")
    nested = str(Reminder.objects.restrict_to(case, owner, Action.VIEW).query)
    assert "cases_sharingagreement" in nested


def test_rows_that_are_cases_are_refused() -> None:
    with pytest.raises(ImproperlyConfigured):
        Case.objects.restrict_to(Case(pk=1), User(pk=1), Action.VIEW)


def test_the_case_page_reads_its_sections_without_the_readers_list_of_cases(demo: dict[str, User]) -> None:
    from django.test import Client

    owner = demo["sw.blerina"]
    case = Case.objects.filter(owner=owner).first()
    assert case is not None
    client = Client()
    client.force_login(owner)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(case.get_absolute_url()).status_code == 200
    agency = owner.memberships.values_list("agency_id", flat=True).get()
    # Rows of the case's own tables, each read for this case alone: with the case's answer, not the
    # reader's agencies written out and joined to the cases table for every section.
    own_tables = ("cases_caseevent", "cases_riskrecord", "cases_caseshare", "interventions_", "cases_childneeds")
    read_from = [(re.match(r'\(?SELECT "(\w+)"\.', q["sql"]), q["sql"]) for q in queries.captured_queries]
    sections = [sql for found, sql in read_from if found and found[1].startswith(own_tables)]
    assert len(sections) >= 5
    assert not [sql for sql in sections if f'"owning_agency_id" IN ({agency})' in sql or 'JOIN "cases_case" ' in sql]
