"""The case page's read of its case is planned once per connection (decision 171): prepared the
first time its SQL is seen on a connection, run by name after, with the same rows, the same
answers for a case one may not know or not change, the same query log; a read PostgreSQL cannot
prepare runs as written, also inside a transaction; a new connection prepares again."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from agencies.models import User
from agencies.prepared import planned_once
from cases.models import Case
from tests.factories import CaseFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]


def _prepared() -> dict[str, tuple[int, int]]:
    """This connection's prepared statements: their SQL, and how often each was planned anew
    (custom) and run on the plan kept (generic)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, custom_plans, generic_plans FROM pg_prepared_statements")
        return {statement: (custom, generic) for statement, custom, generic in cursor.fetchall()}


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_case_page_reads_its_case_by_a_statement_prepared_once(case: Case, caseworker: User) -> None:
    # given (the connection may hold other tests' statements: only this page's runs are counted)
    client = _signed_in(caseworker)
    url = case.get_absolute_url()
    before = _prepared()
    first = client.get(url)
    # when: read again and again on the same connection
    pages = [client.get(url) for _ in range(7)]
    # then: one statement prepared for the case's read, planned anew five times, then kept
    runs = {
        sql: (custom - before.get(sql, (0, 0))[0], generic - before.get(sql, (0, 0))[1])
        for sql, (custom, generic) in _prepared().items()
        if 'FROM "cases_case"' in sql and (custom, generic) != before.get(sql)
    }
    assert len(runs) == 1
    [(custom, generic)] = runs.values()
    assert custom + generic == 8 and generic >= 1
    assert {page.status_code for page in [first, *pages]} == {200}
    assert all(_page(page.content) == _page(first.content) for page in pages)


def _page(content: bytes) -> bytes:
    """The page but for what each answer draws anew: its form tokens and keys, and the seconds
    left before the idle time-out."""
    content = re.sub(rb'(X-CSRFToken": "|value=")[A-Za-z0-9]{32,64}', rb"\1", content)
    return re.sub(rb'data-idle-seconds-left="\d+"', b"", content)


def test_the_page_shows_what_the_read_as_written_shows(case: Case, caseworker: User) -> None:
    client = _signed_in(caseworker)
    url = case.get_absolute_url()
    with override_settings(URA_PREPARED_STATEMENTS=False):
        client.get(url)
        written = client.get(url)
    client.get(url)
    prepared = client.get(url)
    assert _page(prepared.content) == _page(written.content)


def test_a_case_one_may_not_know_or_not_change_is_answered_as_ever(case: Case, caseworker_other_agency: User) -> None:
    client = _signed_in(caseworker_other_agency)
    for _ in range(7):
        assert client.get(case.get_absolute_url()).status_code == 404
    mine = CaseFactory(owner=caseworker_other_agency, owning_agency=caseworker_other_agency.memberships.get().agency)
    assert client.get(mine.get_absolute_url()).status_code == 200


def test_the_read_counts_one_query_as_written(case: Case, caseworker: User) -> None:
    # The query log names the statement it ran (EXECUTE ura_...): one entry, as the read written.
    client = _signed_in(caseworker)
    client.get(case.get_absolute_url())
    counts = []
    for prepare in (False, True):
        with override_settings(URA_PREPARED_STATEMENTS=prepare), CaptureQueriesContext(connection) as queries:
            client.get(case.get_absolute_url())
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert [q for q in queries.captured_queries if q["sql"].startswith("EXECUTE ura_")]


def test_a_read_postgresql_cannot_prepare_runs_as_written_inside_a_transaction() -> None:
    # given: a value passed to a function that takes any type, which PostgreSQL can give no type
    # before it is known, inside the test's transaction
    with planned_once(), connection.cursor() as cursor:
        # when
        cursor.execute("SELECT pg_typeof(%s)::text", ["a text"])
        # then: answered as written (a quoted literal is of no type yet), and the transaction goes on
        assert cursor.fetchone() == ("unknown",)
        cursor.execute("SELECT pg_typeof(%s)::text", ["another"])
        assert cursor.fetchone() == ("unknown",)
    assert not [sql for sql in _prepared() if "pg_typeof" in sql]
    assert Case.objects.count() == 0


def test_values_with_a_percent_sign_and_lists_are_given_as_written() -> None:
    for reference in ("100% sure", "B-2"):
        CaseFactory(reference=reference)
    for _ in range(3):
        with planned_once():
            found = list(
                Case.objects.filter(
                    reference__contains="%", pk__in=list(Case.objects.values_list("pk", flat=True))
                ).values_list("reference", flat=True)
            )
        assert found == ["100% sure"]


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again(case: Case) -> None:
    with planned_once():
        assert Case.objects.filter(pk=case.pk).exists()
    connection.close()  # a reconnection: a new database session, which holds no statement
    with planned_once():
        assert Case.objects.filter(pk=case.pk).exists()
    assert len(_prepared()) == 1


def test_past_the_most_kept_they_are_let_go_and_prepared_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from agencies import prepared

    monkeypatch.setattr(prepared, "_MOST", 3)
    with planned_once(), connection.cursor() as cursor:
        for n in range(5):
            cursor.execute(f"SELECT {n} + %s", [1])
            assert cursor.fetchone() == (n + 1,)
    assert len(_prepared()) == 2


def test_a_value_given_a_column_of_its_own_keeps_its_type() -> None:
    # A case's access is read as columns of values ("may this reader see the file in full?"):
    # read back as text, "false" would be true to Python.
    for _ in range(7):
        with planned_once(), connection.cursor() as cursor:
            cursor.execute("SELECT %s AS full_file, %s AS reader, %s AS level, %s AS none", [False, 3, "summary", None])
            assert cursor.fetchone() == (False, 3, "summary", None)


def test_a_summary_reader_is_given_the_summary_however_often_she_reads(
    case: Case, panel: object, panel_member: User
) -> None:
    Case.objects.filter(pk=case.pk).update(panel=panel)
    client = _signed_in(panel_member)
    for _ in range(7):
        page = client.get(case.get_absolute_url())
        assert page.status_code == 200 and page.context["access"].knows and not page.context["access"].full


def test_a_statement_let_go_behind_its_back_is_read_as_written_then_prepared_again(
    case: Case, caseworker: User
) -> None:
    # given: the page read, its statement kept; then the session lets every statement go
    # (`DISCARD ALL`, as a pooler does between clients)
    client = _signed_in(caseworker)
    url = case.get_absolute_url()
    client.get(url)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    # when / then: the page is answered, and the next read prepares it again
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert [sql for sql in _prepared() if 'FROM "cases_case"' in sql]
