"""Keyset pages (issue 19): a page starts after the last row of the one before, found by its sort
key and id (`?after=`), or ends before the first row of the one after (`?before=`), so no page costs
an OFFSET however deep it lies, and a row added meanwhile shifts no row onto two pages.

The keys are the queryset's ordering (or its model's), with the id added as the tiebreaker when it
is not there. A nullable key puts its NULLs last in both directions, on every database (SQLite and
PostgreSQL disagree by default), so "after" means the same to the query and to the cursor."""

import base64
import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any
from uuid import UUID

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Model, OrderBy, Q, QuerySet

__all__ = ["KeysetPage", "SortKey", "keyset_page", "page_of_rows", "sort_keys"]


@dataclass(frozen=True)
class SortKey:
    name: str  # the column's attribute (`opened_at`, `panel_id`, `id`)
    descending: bool
    nullable: bool
    nulls_last: bool = True

    def reversed(self) -> "SortKey":
        return replace(self, descending=not self.descending, nulls_last=not self.nulls_last)

    def order(self) -> OrderBy | str:
        if not self.nullable:
            # Plain, so that PostgreSQL walks an index such as (opened_at DESC, id DESC).
            return f"-{self.name}" if self.descending else self.name
        column = F(self.name)
        if self.nulls_last:
            return column.desc(nulls_last=True) if self.descending else column.asc(nulls_last=True)
        return column.desc(nulls_first=True) if self.descending else column.asc(nulls_first=True)

    def beyond(self, value: Any) -> Q | None:
        """Rows strictly after `value` on this key alone (None: no row)."""
        if value is None:
            return None if self.nulls_last else Q(**{f"{self.name}__isnull": False})
        beyond = Q(**{f"{self.name}__{'lt' if self.descending else 'gt'}": value})
        if self.nullable and self.nulls_last:
            beyond |= Q(**{f"{self.name}__isnull": True})
        return beyond

    def equal(self, value: Any) -> Q:
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})


def sort_keys(queryset: QuerySet[Any]) -> list[SortKey]:
    """The queryset's ordering as keys of its model's own columns, ending with the id."""
    model = queryset.model
    query = queryset.query
    ordering = query.order_by or (model._meta.ordering if query.default_ordering else [])
    keys = []
    for term in ordering:
        if not isinstance(term, str) or "__" in term or term.startswith("?"):
            raise ValueError(f"keyset pages need plain columns of {model.__name__}, not {term!r}")
        descending = term.startswith("-")
        name = term.lstrip("-")
        column = model._meta.pk if name == "pk" else model._meta.get_field(name)
        keys.append(SortKey(column.attname, descending, bool(column.null)))
    pk = model._meta.pk.attname
    if not any(key.name == pk for key in keys):
        keys.append(SortKey(pk, keys[-1].descending if keys else False, nullable=False))
    return keys


def _after(keys: Sequence[SortKey], values: Sequence[Any]) -> Q:
    """Rows after the row whose keys hold `values`: past it on the first key, or equal on the first
    and past it on the second, and so on (the id last, so never two rows tie)."""
    branches = []
    same = Q()
    for key, value in zip(keys, values, strict=True):
        beyond = key.beyond(value)
        if beyond is not None:
            branches.append(same & beyond)
        same &= key.equal(value)
    condition = reduce(or_, branches) if branches else Q(pk__in=[])
    first, value = keys[0], values[0]
    if not first.nullable and value is not None:
        # The same bound on the first key alone: PostgreSQL starts its index scan there.
        condition &= Q(**{f"{first.name}__{'lte' if first.descending else 'gte'}": value})
    return condition


def _dump(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()  # microseconds kept: a rounded key would skip or repeat rows
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def _signature(keys: Sequence[SortKey]) -> str:
    return ",".join(f"{'-' if key.descending else ''}{key.name}" for key in keys)


def _token(keys: Sequence[SortKey], row: Model) -> str:
    """The row's keys, with the ordering they belong to: a token of another ordering is not used."""
    carried = {"o": _signature(keys), "v": [_dump(getattr(row, key.name)) for key in keys]}
    return base64.urlsafe_b64encode(json.dumps(carried, separators=(",", ":")).encode()).decode().rstrip("=")


def _values(model: type[Model], keys: Sequence[SortKey], token: str) -> list[Any] | None:
    """The key values a token carries, or None when it is not one of ours for this ordering."""
    try:
        carried = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)), parse_constant=_refused)
        if not isinstance(carried, dict) or carried.get("o") != _signature(keys):
            return None
        raw = carried.get("v")
        if not isinstance(raw, list) or len(raw) != len(keys):
            return None
        values = []
        for key, value in zip(keys, raw, strict=True):
            column = next(f for f in model._meta.concrete_fields if f.attname == key.name)
            values.append(None if value is None else column.to_python(value))
        return values
    except (ValueError, TypeError, OverflowError, ValidationError, FieldDoesNotExist, StopIteration):
        return None


def _refused(constant: str) -> Any:
    """JSON's Infinity and NaN are no key of ours (an id of Infinity overflowed `int()`)."""
    raise ValueError(constant)


@dataclass
class KeysetPage:
    object_list: list[Any]
    has_next: bool
    has_previous: bool
    next_token: str = ""
    previous_token: str = ""
    keys: list[SortKey] = field(default_factory=list)

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def keyset_page(queryset: QuerySet[Any], *, size: int, after: str = "", before: str = "") -> KeysetPage:
    """One page of `queryset` in its own order: the first, the one after the row `after` names, or
    the one before the row `before` names. A token that is not one of ours gives the first page."""
    keys = sort_keys(queryset)
    model = queryset.model
    going_back = _values(model, keys, before) if before and not after else None
    if going_back is not None:
        backwards = [key.reversed() for key in keys]
        rows = list(
            queryset.order_by(*(k.order() for k in backwards)).filter(_after(backwards, going_back))[: size + 1]
        )
        earlier = len(rows) > size
        rows = rows[:size][::-1]
        page = KeysetPage(rows, has_next=True, has_previous=earlier, keys=keys)
    else:
        start = _values(model, keys, after) if after else None
        ordered = queryset.order_by(*(k.order() for k in keys))
        if start is not None:
            ordered = ordered.filter(_after(keys, start))
        rows = list(ordered[: size + 1])
        page = KeysetPage(rows[:size], has_next=len(rows) > size, has_previous=start is not None, keys=keys)
    return _with_tokens(page)


def page_of_rows(queryset: QuerySet[Any], rows: list[Any], *, has_next: bool, has_previous: bool) -> KeysetPage:
    """A page found another way (a page number), with the tokens of the pages beside it."""
    return _with_tokens(KeysetPage(rows, has_next=has_next, has_previous=has_previous, keys=sort_keys(queryset)))


def _with_tokens(page: KeysetPage) -> KeysetPage:
    if page.object_list:
        page.next_token = _token(page.keys, page.object_list[-1]) if page.has_next else ""
        page.previous_token = _token(page.keys, page.object_list[0]) if page.has_previous else ""
    return page
