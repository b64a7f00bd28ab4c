"""Columns compiled to SQL once per process (decision 161).

Building and compiling a queryset is most of what a page spends in the ORM: the case page's one
read of its case carried thirteen correlated subqueries of plan progress, rebuilt and compiled on
every request (about 10 ms of a 100 ms page, and as much on every panel page). Columns that depend
on nothing of the request but a key (today's date for progress) are compiled here once, for the
model's table as the outer query names it, and kept as `RawSQL` with their parameters: the same SQL,
read by the same query, at the cost of a dictionary lookup.

Only for columns that read no user's access (their rows are the outer row's, which the outer
query restricts), and only on querysets of `model` itself (the outer table keeps its own name).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from django.db import connections, router
from django.db.models import Model
from django.db.models.expressions import RawSQL

__all__ = ["compiled_once"]

_KEPT: dict[tuple[Hashable, ...], dict[str, RawSQL]] = {}
_MOST = 32  # keys kept at once (one a day for progress, per database): a bound, not a cache policy


def compiled_once(model: type[Model], key: Hashable, build: Callable[[], dict[str, Any]]) -> dict[str, RawSQL]:
    """`build()`'s expressions (correlated to `model`'s row) as SQL compiled once for `key`."""
    alias = router.db_for_read(model)
    kept_as = (model._meta.label, alias, connections[alias].vendor, key)
    found = _KEPT.get(kept_as)
    if found is None:
        query = model._base_manager.all().query
        compiler = query.get_compiler(using=alias)
        found = {}
        for name, expression in build().items():
            resolved = expression.resolve_expression(query, allow_joins=True, reuse=None)
            sql, params = compiler.compile(resolved)
            # The SQL Django compiled for the expression, its values kept apart as parameters.
            found[name] = RawSQL(sql, tuple(params), output_field=resolved.output_field)  # noqa: S611
        if len(_KEPT) >= _MOST:
            _KEPT.clear()
        _KEPT[kept_as] = found
    return found
