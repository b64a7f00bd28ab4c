"""A list whose every row names a few related rows, read in one query (decision 149).

`prefetch_related` reads a list's related rows in a query of their own. Where a row names only a
few small things (a consent's agencies, a check's partners, the agencies involved in a decision),
one LEFT JOIN brings them along: a row comes back once per related row, and is folded here into
one, its relation filled as a prefetch would have filled it, so a template's `row.relation.all`
reads it without a query. The related rows are built from the joined columns only: what the
template shows of them, nothing more.
"""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db.models import F, Model, QuerySet

from .together import Later, later

__all__ = ["with_joined"]

M = TypeVar("M", bound=Model)


def with_joined(
    owner: object,
    queryset: QuerySet[M],
    relation: str,
    columns: Sequence[str],
    build: Callable[..., Any],
    order: Callable[[Any], Any] | None = None,
) -> Later:
    """The rows of `queryset`, in its order, each with `relation` filled from `columns` (paths from
    the related row: `"pk"` first; `build` takes them all, in order, and returns the related row),
    sorted by `order` when given (the related model's own ordering: a prefetch would sort so); read
    with the other lists pending for `owner` (decision 174), and not at all when known empty.

    `queryset` must not be sliced (a limit would count joined rows): narrow it with `pk__in` on a
    sliced copy instead."""

    def fold(rows: list[M]) -> list[M]:
        return _folded(rows, relation, len(columns), build, order)

    return later(owner, _joining(queryset, relation, columns), then=fold)


def _joining(queryset: QuerySet[M], relation: str, columns: Sequence[str]) -> QuerySet[M]:
    joined: QuerySet[M] = queryset.annotate(
        **{f"joined_{i}": F(f"{relation}__{column}") for i, column in enumerate(columns)}
    )
    return joined


def _folded(
    joined: list[M], relation: str, width: int, build: Callable[..., Any], order: Callable[[Any], Any] | None
) -> list[M]:
    rows: dict[Any, M] = {}
    related: dict[Any, list[Any]] = {}
    for row in joined:
        rows.setdefault(row.pk, row)
        values = [getattr(row, f"joined_{i}") for i in range(width)]
        kept = related.setdefault(row.pk, [])
        if values[0] is not None:  # the LEFT JOIN found no related row
            kept.append(build(*values))
    for pk, row in rows.items():
        built = related[pk]
        if order is not None:
            built.sort(key=order)
        filled: Any = getattr(row, relation).all()  # lazy: no query
        filled._result_cache, filled._prefetch_done = built, True
        row._prefetched_objects_cache = {relation: filled}  # type: ignore[attr-defined]
    return list(rows.values())
