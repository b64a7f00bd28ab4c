"""Short lists of several tables read in one query (decision 174).

The case page shows a score of short lists (the last risk changes, the restrictions, the questions
to the owner...), each its own restricted queryset, each a round trip and a statement for the
database to plan. A section hands its queryset to `later(case, rows)` instead of reading it; the
first list the page reads then reads every list handed in so far, in one statement: each list's
own SQL as Django compiles it (its filters, ordering, limit and joins; its columns aliased, a row
number over its ordering added), as one part of a UNION ALL that returns each row as a JSON array
of its columns, in its order, and the rows are built as the queryset itself would build them
(Django's converters, `select_related`, annotations).

What is read is exactly what each queryset would read: access stays with `restrict()`. A
queryset this cannot read so (values, prefetches, a column JSON cannot carry to its last digit) is
read alone.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.db.models.query import BaseIterable, ModelIterable, get_related_populators  # type: ignore[attr-defined]
from django.utils.dateparse import parse_date, parse_datetime, parse_duration, parse_time

__all__ = ["Later", "later"]

PENDING_ATTR = "_ura_read_together"
Then = Callable[[list[Any]], list[Any]]
ROW_NUMBER = "_ura_row_number"
GIVEN_ATTR = "_ura_given"


class Later:
    """A queryset's rows, read with the others pending on the same object when first asked for.
    Reads as a list does in a template: iterated, counted, indexed, true when it has rows."""

    def __init__(self, rows: QuerySet[Any], pending: list[Later], then: Then | None) -> None:
        self.queryset = rows
        self._pending = pending
        self._then = then
        self._rows: list[Any] | None = None
        self._alone = False  # read alone: the read with the others failed

    def _read(self, rows: list[Any]) -> None:
        self._rows = self._then(rows) if self._then is not None else rows

    @property
    def rows(self) -> list[Any]:
        if self._rows is None and self._alone:
            self._read(list(self.queryset))
        elif self._rows is None:
            read_together(self._pending)
        if self._rows is None:  # never: a read that fails raises
            raise RuntimeError("a list read together was not read")
        return self._rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __getitem__(self, index: Any) -> Any:
        return self.rows[index]


def later(owner: object, rows: QuerySet[Any], then: Then | None = None) -> Later:
    """`rows`, read together with every other queryset handed in for `owner` (the page's case)
    and not yet read; `then` given the rows read, and its list kept (a fold, a filter)."""
    pending: list[Later] | None = getattr(owner, PENDING_ATTR, None)
    if pending is None:
        pending = []
        setattr(owner, PENDING_ATTR, pending)
    kept = Later(rows, pending, then)
    pending.append(kept)
    return kept


def read_together(pending: list[Later]) -> None:
    """Read every list in `pending`: those on one database together, the rest alone. When the read
    fails, each list not read is read alone when asked (its own error, if it has one; never an
    empty list)."""
    waiting = [kept for kept in pending if kept._rows is None]
    pending.clear()
    try:
        _read_pending(waiting)
    except BaseException:
        for kept in waiting:
            kept._alone = kept._rows is None
        raise


def _read_pending(waiting: list[Later]) -> None:
    # What costs nothing or cannot be read together is settled before any SQL is compiled: a list
    # known empty (decision 166) is no part, and a list alone on its database is read as it is.
    together: dict[str, list[Later]] = {}
    for kept in waiting:
        if kept.queryset.query.is_empty():
            kept._read([])
        elif not _plain(kept.queryset):
            kept._read(list(kept.queryset))
        else:
            together.setdefault(kept.queryset.db, []).append(kept)
    for using, lists in together.items():
        parts = _parts(lists) if len(lists) > 1 else []
        if len(parts) > 1:
            _read(using, parts)
        for kept in lists:
            if kept._rows is None:  # alone on its database
                kept._read(list(kept.queryset))


def _parts(lists: list[Later]) -> list[_Part]:
    """The lists' parts of one statement; a list found empty when compiled, or with a column JSON
    cannot carry, is settled here."""
    parts = []
    for kept in lists:
        part = _Part.of(kept)
        if part is None:
            kept._read(list(kept.queryset))
        elif part.empty:
            kept._read([])
        else:
            parts.append(part)
    return parts


# --- One statement -----------------------------------------------------------------------------


class _Part:
    """One queryset as a part of the statement: its SQL with a row number, and how a row is read."""

    def __init__(self, kept: Later, compiler: Any, sql: str, params: tuple[Any, ...], empty: bool) -> None:
        self.kept = kept
        self.compiler = compiler
        self.sql = sql
        self.params = params
        self.empty = empty

    @classmethod
    def of(cls, kept: Later) -> _Part | None:
        rows: Any = kept.queryset
        # The rows numbered in the order the query itself sorts them, as its compiler resolves it: a
        # relation's own ordering followed (a person's name, not its key), `reverse()` applied.
        query = rows.query.chain()
        ordering = [expression for expression, _ in query.get_compiler(using=rows.db).get_order_by()]
        query.add_annotation(Window(RowNumber(), order_by=ordering or None), ROW_NUMBER, select=True)
        compiler = query.get_compiler(using=rows.db)
        try:
            sql, params = compiler.as_sql(with_col_aliases=True)
        except EmptyResultSet:
            return cls(kept, compiler, "", (), empty=True)
        columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
        if any(_carried(column.output_field, compiler.connection.vendor) is None for column in columns):
            return None
        return cls(kept, compiler, sql, tuple(params), empty=False)

    @property
    def aliases(self) -> list[str]:
        return [alias for _, _, alias in self.compiler.select[: self.compiler.col_count]]

    def build(self, arrays: list[list[Any]]) -> list[Any]:
        """The part's rows as its queryset builds them (`ModelIterable`): the model, its
        `select_related` rows, its annotations."""
        compiler = self.compiler
        vendor = compiler.connection.vendor
        carried: list[Any] = [
            _carried(column.output_field, vendor) for column, _, _ in compiler.select[: compiler.col_count]
        ]
        rows = [
            [value if value is None else back(value) for back, value in zip(carried, array, strict=True)]
            for array in arrays
        ]
        select, klass_info, annotations = compiler.select, compiler.klass_info, compiler.annotation_col_map
        model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        related = get_related_populators(klass_info, select, self.kept.queryset.db)
        built = []
        for row in compiler.results_iter(results=[rows]):
            instance = model.from_db(self.kept.queryset.db, names, row[start:end])
            for populator in related:
                populator.populate(row, instance)
            for name, position in (annotations or {}).items():
                if name != ROW_NUMBER:
                    setattr(instance, name, row[position])
            built.append(instance)
        return built


def _plain(rows: Any) -> bool:
    """A queryset of model instances read as `list(rows)` would read it, with nothing after."""
    return (
        rows._iterable_class is ModelIterable
        and not rows._prefetch_related_lookups
        and not rows._known_related_objects
        and not rows.query.combinator
        and not rows.query.distinct
        and rows._result_cache is None
    )


# A function takes at most 100 arguments on PostgreSQL (127 on SQLite): a wide row (a list with
# several joins) is an array of arrays of this many columns each, flattened when read.
ARGUMENTS = 90


def _read(using: str, parts: list[_Part]) -> None:
    connection = connections[using]
    array = "JSON_BUILD_ARRAY" if connection.vendor == "postgresql" else "JSON_ARRAY"
    statements: list[str] = []
    params: list[Any] = []
    for number, part in enumerate(parts):
        columns = [f"p{number}.{connection.ops.quote_name(alias)}" for alias in part.aliases]
        chunks = (", ".join(columns[at : at + ARGUMENTS]) for at in range(0, len(columns), ARGUMENTS))
        row = ", ".join(f"{array}({chunk})" for chunk in chunks)
        # Each part is its queryset's own compiled SQL (values as parameters) and its quoted aliases.
        statements.append(
            f"SELECT {number} AS part, p{number}.{ROW_NUMBER} AS n, {array}({row}) AS row "  # noqa: S608
            f"FROM ({part.sql}) p{number}"
        )
        params.extend(part.params)
    sql = " UNION ALL ".join(statements) + " ORDER BY 1, 2"
    read: list[list[list[Any]]] = [[] for _ in parts]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for number, _, row in cursor.fetchall():
            chunks = json.loads(row) if isinstance(row, str) else row
            read[number].append([value for chunk in chunks for value in chunk])
    for part, arrays in zip(parts, read, strict=True):
        part.kept._read(_fetched(part.kept.queryset, part.build(arrays)))


class _Given(BaseIterable):  # type: ignore[type-arg]
    def __iter__(self) -> Iterator[Any]:
        given: list[Any] = getattr(self.queryset, GIVEN_ATTR)
        return iter(given)


def _fetched(rows: Any, built: list[Any]) -> list[Any]:
    """`built` as the queryset's own result, fetched through its `_fetch_all`: what a queryset class
    does with the rows it reads (the events name their people together) is done here too."""
    given = rows._chain()
    setattr(given, GIVEN_ATTR, built)
    given._iterable_class = _Given
    given._fetch_all()
    return list(given._result_cache or [])


# --- A column through JSON ---------------------------------------------------------------------

Back = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _text_json(value: Any) -> str:
    # JSON in JSON arrives parsed; the field's own converter reads it from text, as from a column.
    return json.dumps(value)


def _parsed(parse: Callable[[str], Any]) -> Back:
    def back(value: Any) -> Any:
        return parse(value) if isinstance(value, str) else value

    return back


# The value a column's JSON gives back as the database driver would give it; Django's converters
# then do the rest, as for any row. SQLite's driver gives text for dates and times and 0/1 for
# booleans, as JSON does: nothing to do. A type missing here is read alone: PostgreSQL's decimals
# among them (the driver parses JSON numbers as floats).
_POSTGRESQL: dict[str, Back] = {
    "DateTimeField": _parsed(parse_datetime),
    "DateField": _parsed(parse_date),
    "TimeField": _parsed(parse_time),
    "DurationField": _parsed(parse_duration),
    "UUIDField": _parsed(uuid.UUID),
    "JSONField": _text_json,
}
_SAFE = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "BigIntegerField",
    "IntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "BooleanField",
    "NullBooleanField",
    "CharField",
    "TextField",
    "SlugField",
    "EmailField",
    "URLField",
    "GenericIPAddressField",
    "FileField",
    "ImageField",
    "ForeignKey",
    "OneToOneField",
}
_SQLITE = {"DateTimeField", "DateField", "TimeField", "DecimalField", "UUIDField", "JSONField", "DurationField"}
# PostgreSQL writes a float in JSON to its last digit; SQLite's JSON keeps fifteen: read alone there.
_POSTGRESQL_SAFE = {"FloatField"}


def _carried(field: Any, vendor: str) -> Back | None:
    kind = field.get_internal_type()
    if vendor == "postgresql" and kind in _POSTGRESQL:
        return _POSTGRESQL[kind]
    if (
        kind in _SAFE
        or (vendor == "sqlite" and kind in _SQLITE)
        or (vendor == "postgresql" and kind in _POSTGRESQL_SAFE)
    ):
        return _same
    return None
