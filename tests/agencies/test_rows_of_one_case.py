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
import time_machine
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.access import Action, CaseAccess, forget_access, rules
from agencies.access.core import Rule, case_condition
from agencies.models import User
from cases.models import Case, CaseEvent, CaseShare, Contact, InformationRequest, OwnerQuestion
from cases.services import revoke_share
from families.models import Person
from tests.agencies.rule_paths import models_reaching_their_case, pks, through_the_glass

pytestmark = pytest.mark.django_db


def _as_read_by(user: User, case: Case | None) -> Case:
    assert case is not None
    read: Case = Case.objects.with_access(user).get(pk=case.pk)
    return read


def test_the_rows_of_one_case_are_those_restrict_gives_for_every_model_user_case_and_action(
    demo: dict[str, User],
) -> None:
    # One supervisor reads a case of another agency through the glass: a file read, never written.
    through_the_glass(demo["sup.elira"])
    case_models = models_reaching_their_case("pk", cases_too=False)
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
            expected = pks(manager.restrict(user, action).filter(**{lookup: case.pk}))
            assert pks(manager.restrict_to(read, user, action)) == expected, (user.username, case, model, action)
            seen_rows += len(expected)
    assert seen_rows > 100  # the demo's files hold rows for these readers: the comparison compared rows


def test_through_the_glass_the_file_is_read_and_its_drafts_are_not_changed(demo: dict[str, User]) -> None:
    supervisor = demo["sup.elira"]
    elsewhere = through_the_glass(supervisor)
    assert CaseEvent.objects.filter(case=elsewhere).exists()
    forget_access(supervisor)
    read = _as_read_by(supervisor, elsewhere)
    assert CaseAccess.of(read, supervisor).reads_through_glass
    assert pks(CaseEvent.objects.restrict_to(read, supervisor, Action.VIEW))
    assert not pks(CaseEvent.objects.restrict_to(read, supervisor, Action.CHANGE))


def test_a_case_without_its_access_or_with_anothers_is_restricted_the_long_way(demo: dict[str, User]) -> None:
    owner, stranger = demo["sw.blerina"], demo["emp.luan"]
    case = Case.objects.filter(owner=owner).first()
    assert case is not None and CaseEvent.objects.filter(case=case).exists()
    plain = Case.objects.get(pk=case.pk)
    read_by_owner = _as_read_by(owner, case)
    for user in (owner, stranger):
        expected = pks(CaseEvent.objects.restrict(user, Action.VIEW).filter(case=case))
        assert pks(CaseEvent.objects.restrict_to(plain, user, Action.VIEW)) == expected
        # the owner's access, carried by the case object, never answers for someone else
        assert pks(CaseEvent.objects.restrict_to(read_by_owner, user, Action.VIEW)) == expected
    assert not pks(CaseEvent.objects.restrict_to(read_by_owner, stranger, Action.VIEW))
    assert pks(CaseEvent.objects.restrict_to(read_by_owner, owner, Action.VIEW))


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


def _parts(sql: str) -> list[str]:
    """A statement's SQL, or, for the short lists read together (decision 174), each list's."""
    together = re.findall(r"FROM \((SELECT .*?)\) p\d+(?= UNION ALL | ORDER BY 1, 2$)", sql)
    return together or [sql]


def test_the_case_page_reads_its_sections_without_the_readers_list_of_cases(demo: dict[str, User]) -> None:
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
    statements = [sql for query in queries.captured_queries for sql in _parts(query["sql"])]
    read_from = [(re.match(r'\(?SELECT "(\w+)"\.', sql), sql) for sql in statements]
    sections = [sql for found, sql in read_from if found and found[1].startswith(own_tables)]
    assert len(sections) >= 3  # the tables holding rows of this case (the others are not read: decision 166)
    assert not [sql for sql in sections if f'"owning_agency_id" IN ({agency})' in sql or 'JOIN "cases_case" ' in sql]


def test_a_case_read_before_its_share_was_revoked_gives_no_row_restrict_no_longer_gives(demo: dict[str, User]) -> None:
    # restrict() answers with the access as it is now: a share revoked in this process is read
    # again at once (held.grants_changed), and the case's columns are read with the rows. The case
    # object's access is read once, when the case was: the rows of a case read before the
    # revocation must not outlive it.

    police, owner = demo["police.fatos"], demo["sw.blerina"]
    given = CaseShare.objects.current().get(agency__name="Policia Lokale", scope=CaseShare.Scope.FULL)
    read = _as_read_by(police, given.case)
    assert CaseAccess.of(read, police).full
    assert pks(CaseEvent.objects.restrict_to(read, police, Action.VIEW))
    revoke_share(given, reason="The police no longer take part", actor=owner)
    expected = pks(CaseEvent.objects.restrict(police, Action.VIEW).filter(case=given.case))
    assert not expected  # the police read nothing of the file any more
    assert pks(CaseEvent.objects.restrict_to(read, police, Action.VIEW)) == expected


def test_a_rule_restricting_another_model_inside_it_is_not_answered_by_the_known_case(
    demo: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The demo's one nested rule (a reminder's agreement) asks no case condition, so it cannot tell
    # whether restrict() clears the known case: a rule that restricts a case model inside it can.

    owner = demo["sw.blerina"]
    case = _as_read_by(owner, Case.objects.filter(owner=owner).first())
    nested: list[str] = []

    def probe(qs: Any, user: Any, action: Action) -> Any:
        nested.append(str(Contact.objects.restrict(user, Action.VIEW).query))
        return rules.case_child(qs, user, action)

    monkeypatch.setattr(CaseEvent, "access_rule", Rule("probe", probe))
    CaseEvent.objects.restrict_to(case, owner, Action.VIEW)
    assert nested == [str(Contact.objects.restrict(owner, Action.VIEW).query)]


def test_rows_the_demo_holds_none_of_are_those_restrict_gives(demo: dict[str, User]) -> None:
    # The demo's files hold no information request, no question to the owner and no draft by
    # another author: the branches of their rules besides the case's (the agency asked, the asker,
    # the author) are compared here, on a case shared at summary level with one agency.

    summary = CaseShare.objects.current().get(agency__name__startswith="Qendra", scope=CaseShare.Scope.SUMMARY)
    case, owner = summary.case, summary.case.owner
    due = timezone.now() + datetime.timedelta(days=1)
    for agency in (summary.agency, demo["emp.luan"].memberships.get().agency):  # knows the case / does not
        InformationRequest.objects.create(case=case, to_agency=agency, question="?", asked_by=owner, due_at=due)
    for asker in (demo["mh.dafina"], demo["mh.gentiana"], demo["police.fatos"]):  # summary, panel, full
        OwnerQuestion.objects.create(case=case, question="?", asked_by=asker)
    for author in (demo["sw.dritan"], demo["police.fatos"], demo["sup.elira"]):
        draft = Contact.objects.filter(case=case).first()
        assert draft is not None
        draft.pk, draft.author, draft.is_draft = None, author, True
        draft.save()
    models_: tuple[Any, ...] = (InformationRequest, OwnerQuestion, Contact)
    seen = 0
    for user, model, action in itertools.product(demo.values(), models_, Action):
        forget_access(user)
        read = _as_read_by(user, case)
        expected = pks(model.objects.restrict(user, action).filter(case=case))
        assert pks(model.objects.restrict_to(read, user, action)) == expected, (user.username, model, action)
        seen += len(expected)
    assert seen > 20


def test_a_case_kept_past_the_conditions_lifetime_or_saved_since_is_restricted_the_long_way(
    demo: dict[str, User],
) -> None:
    owner = demo["sw.blerina"]
    case = Case.objects.filter(owner=owner).first()
    assert case is not None
    read = _as_read_by(owner, case)
    assert CaseAccess.of(read, owner).stands_for(read, owner)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=3)):
        assert not CaseAccess.of(read, owner).stands_for(read, owner)
    read = _as_read_by(owner, case)
    Case.objects.get(pk=case.pk).save()  # another object of the case saved in this process
    assert not CaseAccess.of(read, owner).stands_for(read, owner)
    read = _as_read_by(owner, case)
    read.owner_id = demo["sw.dritan"].pk  # the object in hand given a new owner, not yet saved
    assert not CaseAccess.of(read, owner).stands_for(read, owner)
    # and, the long way, the rows are restrict()'s
    expected = pks(CaseEvent.objects.restrict(owner, Action.VIEW).filter(case=case))
    assert pks(CaseEvent.objects.restrict_to(read, owner, Action.VIEW)) == expected


def test_a_share_revoked_elsewhere_ends_the_rows_of_one_case_when_it_ends_restricts(demo: dict[str, User]) -> None:
    police = demo["police.fatos"]
    given = CaseShare.objects.current().get(agency__name="Policia Lokale", scope=CaseShare.Scope.FULL)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        forget_access(police)
        # the request's first conditions: the cases the police hold by name read now
        assert pks(CaseEvent.objects.restrict(police, Action.VIEW).filter(case=given.case))
    # another process revokes the share (no signal reaches this one)
    CaseShare.objects.filter(pk=given.pk).update(revoked_at=start + datetime.timedelta(seconds=0.5))
    with time_machine.travel(start + datetime.timedelta(seconds=1.9), tick=False):
        read = Case.objects.with_access(police).get(pk=given.case_id)  # the remembered conditions
        assert CaseAccess.of(read, police).full
    with time_machine.travel(start + datetime.timedelta(seconds=3.5), tick=False):
        expected = pks(CaseEvent.objects.restrict(police, Action.VIEW).filter(case=given.case))
        assert not expected  # restrict() has read the revocation
        assert pks(CaseEvent.objects.restrict_to(read, police, Action.VIEW)) == expected


def test_a_membership_ended_in_this_request_ends_the_rows_of_one_case_as_it_ends_restricts(
    demo: dict[str, User],
) -> None:
    owner = demo["sw.blerina"]
    case = Case.objects.filter(owner=owner).first()
    assert case is not None
    forget_access(owner)
    read = Case.objects.with_access(owner).get(pk=case.pk)
    assert pks(CaseEvent.objects.restrict_to(read, owner, Action.VIEW))
    owner.memberships.all().delete()
    forget_access(owner)  # what agencies.signals does for the membership's own user object
    expected = pks(CaseEvent.objects.restrict(owner, Action.VIEW).filter(case=case))
    assert not expected
    assert pks(CaseEvent.objects.restrict_to(read, owner, Action.VIEW)) == expected
