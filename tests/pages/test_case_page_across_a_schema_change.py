"""A web worker keeps its database connection between requests (`CONN_MAX_AGE`) while a deploy's
migrations run beside it: a case page it answered before a migration widened a column of the case
must still be answered after it, as it is on a connection that never read the page."""

import pytest
from django.db import connection
from django.test import Client

from agencies.models import User
from cases.models import Case

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a schema change under a live session"),
]


def _widen_the_case_reference() -> None:
    """What `AlterField(max_length=...)` on the case's reference does on PostgreSQL."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's rows checked before the DDL
        cursor.execute('ALTER TABLE "cases_case" ALTER COLUMN "reference" TYPE varchar(40)')


def test_the_case_page_is_answered_after_a_column_of_the_case_is_widened(case: Case, caseworker: User) -> None:
    # given: the page read (again and again) on this connection
    client = Client()
    client.force_login(caseworker)
    url = case.get_absolute_url()
    for _ in range(3):
        assert client.get(url).status_code == 200
    # when: a migration widens a column the page reads, the connection kept
    _widen_the_case_reference()
    # then
    page = client.get(url)
    assert page.status_code == 200
    assert case.reference in page.content.decode()
