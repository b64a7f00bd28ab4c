"""Reads planned once per database connection (decision 171).

The case page's one read of its case carries some twenty-five `EXISTS` and the columns its
sections read with it: PostgreSQL spent 5-7 ms planning it at a million cases, for a read of one
row by its key that runs in under one. Inside `planned_once()`, a `SELECT` is prepared on its
connection the first time its SQL is seen there (`PREPARE`, its placeholders numbered) and run by
name from then on (`EXECUTE`, with the same values, adapted by psycopg2 as ever). PostgreSQL plans
it anew for its first five runs, then keeps a generic plan when that costs no more. Each value is
declared with the type psycopg2's literal for it has (a `False` is a boolean, a text is left for
PostgreSQL to infer from where it stands, as a quoted literal is): a value given a column of its
own (`%s AS "access_full"`) would otherwise be read back as text, "false", which Python takes for
true. A value of any other kind (a float, a JSON document, a tuple) is not declared: that read
runs as written.

Only for reads whose plan is the same whatever the values: a row by its key. A generic plan for a
list filtered by a value whose rows are skewed can be far slower (measured: the case's shares
1.7 → 41 ms), so nothing else is read this way. Django's query log shows the read as the statement
it ran (`EXECUTE ura_…(values)`), one entry as before; its SQL is in `pg_prepared_statements`. A
statement the database no longer runs (a migration changed a column it reads: "cached plan must
not change result type"; or it was let go) is forgotten and the read runs as written, once; the
next prepares it again. Off on SQLite, and where `URA_PREPARED_STATEMENTS` is false (a pooler in
transaction mode, which does not keep a session's prepared statements).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DatabaseError, DataError, NotSupportedError, ProgrammingError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = ["planned_once"]

_PLACEHOLDER = re.compile(r"%%|%s")
# Statements kept per connection (each holds some 2 MB of the database's memory for the case read):
# past that they are all let go and prepared again.
_MOST = 16
# The errors that say a statement cannot be prepared, or can no longer run as prepared (a column it
# reads or compares changed type; the statement was let go): the read runs as written instead. Any
# other (a lock waited out, a statement timeout, the connection lost) is the read's own error, as
# it would have been as written: raised, so the request gets the outage page as ever.
_NOT_AS_PREPARED = (ProgrammingError, NotSupportedError, DataError)
_GONE = "26000"  # invalid_sql_statement_name: the session let the statement go (psycopg2 says operational)


def _numbered(sql: str, formatted: bool) -> tuple[str, int]:
    """`sql` with psycopg2's placeholders as PostgreSQL's ($1, $2, ...), and `%%` as the `%` it
    sends when it formats the SQL with values (given none, it sends the SQL as written)."""
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(0) == "%%":
            return "%" if formatted else "%%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql), count


def _type_of(value: Any) -> str | None:
    """The PostgreSQL type of psycopg2's literal for `value` ("unknown": PostgreSQL infers it from
    where it stands, as it does a quoted literal's), or None for a value not declared here."""
    if value is None or isinstance(value, str):
        return "unknown"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer" if value in _INT4 else "bigint"
    if isinstance(value, datetime.datetime):
        return "timestamp with time zone" if value.tzinfo is not None else "timestamp"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, datetime.timedelta):
        return "interval"
    if isinstance(value, list):
        if not value:
            return "unknown"  # '{}'
        if all(isinstance(item, int) and not isinstance(item, bool) for item in value):
            return "integer[]" if all(item in _INT4 for item in value) else "bigint[]"
        if all(isinstance(item, str) for item in value):
            return "text[]"
    return None


def _declared(params: Any) -> list[str] | None:
    """The types of `params` as `PREPARE` declares them, or None when one is of no type declared here."""
    types = []
    for value in params or ():
        declared_as = _type_of(value)
        if declared_as is None:
            return None
        types.append(declared_as)
    return types


_INT4 = range(-(2**31), 2**31)  # a literal of these is an integer, of any other a bigint


class _Prepared:
    """A connection's execute wrapper: SELECTs run by the name of their prepared statement."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def _kept(self) -> dict[str, tuple[str, int] | None]:
        """This session's statements, by SQL and the values' types."""
        # The statements live in the database session: a new session (a reconnection) has none.
        raw = self.connection.connection
        with self.connection.wrap_database_errors:
            session = (id(raw), raw.get_backend_pid())
        kept = self.connection.__dict__.get("_ura_prepared")
        if kept is None or kept[0] != session:
            kept = (session, {})
            self.connection.__dict__["_ura_prepared"] = kept
        return kept[1]

    def _raw(self, *statements: str) -> None:
        """Statements of this module's own, beside Django's query log (which stays the page's);
        their errors as Django's, so a database gone is the outage page, as ever."""
        with self.connection.wrap_database_errors, self.connection.connection.cursor() as raw:
            for statement in statements:
                raw.execute(statement)

    def _prepare(self, key: str, sql: str, params: Any, types: list[str]) -> tuple[str, int] | None:
        kept = self._kept()
        if key in kept:
            return kept[key]
        numbered, count = _numbered(sql, formatted=params is not None)
        if count != len(types):
            return None
        if len(kept) >= _MOST:
            self._raw("DEALLOCATE ALL")
            kept.clear()
        name = "ura_" + hashlib.sha256(key.encode()).hexdigest()[:24]
        declared = f"({', '.join(types)})" if types else ""
        # Inside a transaction a failed PREPARE would abort it: tried within a savepoint there.
        within = not self.connection.get_autocommit()
        if within:
            self._raw("SAVEPOINT ura_prepare")
        try:
            self._raw(f"PREPARE {name} {declared} AS {numbered}")
        except _NOT_AS_PREPARED:
            # PostgreSQL cannot give every value a type (a bare value passed to a function that
            # takes any type): run it as written, as ever.
            if within:
                self._raw("ROLLBACK TO SAVEPOINT ura_prepare", "RELEASE SAVEPOINT ura_prepare")
            kept[key] = None
            return None
        if within:
            self._raw("RELEASE SAVEPOINT ura_prepare")
        kept[key] = (name, count)
        return kept[key]

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        # A server-side cursor (`.iterator()`) declares its rows FOR a SELECT, never an EXECUTE.
        named = getattr(getattr(context["cursor"], "cursor", None), "name", None)
        if many or named or not sql.lstrip("(").startswith("SELECT"):
            return execute(sql, params, many, context)
        types = _declared(params)
        if types is None:
            return execute(sql, params, many, context)
        key = f"{sql}\x00{','.join(types)}"  # the same SQL with values of other types is another statement
        prepared = self._prepare(key, sql, params, types)
        if prepared is None:
            return execute(sql, params, many, context)
        name, count = prepared
        values = f"({', '.join(['%s'] * count)})" if count else ""
        within = not self.connection.get_autocommit()
        if within:
            self._raw("SAVEPOINT ura_execute")
        try:
            answer = execute(f"EXECUTE {name}{values}", params if count else None, many, context)
        except DatabaseError as error:
            gone = getattr(error.__cause__, "pgcode", None) == _GONE
            if not (gone or isinstance(error, _NOT_AS_PREPARED)):
                raise
            # A migration changed a column the statement reads or compares, or the statement is
            # gone: forget it and read as written; the next read prepares it again.
            if within:
                self._raw("ROLLBACK TO SAVEPOINT ura_execute", "RELEASE SAVEPOINT ura_execute")
            if not gone:
                self._raw(f"DEALLOCATE {name}")
            self._kept().pop(key, None)
            return execute(sql, params, many, context)
        if within:
            self._raw("RELEASE SAVEPOINT ura_execute")
        return answer


@contextmanager
def planned_once(using: str = "default") -> Iterator[None]:
    """Within this block, reads on `using` are planned once per connection (see the module)."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings.URA_PREPARED_STATEMENTS:
        yield
        return
    connection.ensure_connection()
    with connection.execute_wrapper(_Prepared(connection)):
        yield
