"""Whether a case has any row of a table at all, read with the case (decision 166).

Most cases are sparse: a case page's sections asked each of their tables for the case's rows, one
query each (built, compiled, planned, sent), and most answered none. The page's one read of its
case carries, for each table its sections read, whether the case has a row there: an EXISTS on the
table's index to its case, compiled once per process (it reads no user's access: a row of the case,
anyone's). A table with no row of the case has none the user may read either, so `restrict_to`
answers it with an empty queryset and no query, and a family's section skips its read.

Exact as long as the answer stands: read within `CONDITION_SECONDS`, with no row saved in this
process since (`row_saved`, on `post_save` of the tables asked about). A row another process adds
meanwhile is as a row added just after the page was read. Rows made without `save()`
(`bulk_create`, a queryset's `update`) are not seen by the counter; nothing on the case page's
request makes any.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import CharField, Exists, Model, OuterRef, Value
from django.utils import timezone

from ..compiled import compiled_once
from .core import CONDITION_SECONDS

__all__ = ["known_empty", "presence_columns", "row_saved"]

_STAMP = "rows_read"
_saved = 0  # rows saved in this process: an answer read before one was saved stands for nothing
_watched: set[type[Model]] = set()  # the tables asked about: another table's saves (the audit
# record of the page's own read, the session) leave the answers standing


def row_saved(sender: type[Model], **_: Any) -> None:
    """A row was saved in this process: what was read of its table's rows before may be old."""
    global _saved  # one counter for the process, read with each case
    if sender in _watched:
        _saved += 1


def _column(model: type[Model]) -> str:
    return "rows_in_" + model._meta.label_lower.replace(".", "_")


def _rows_of_case(model: type[Model]) -> Any:
    """`model`'s rows that belong to the outer case: through the case, or a family's through the
    case's family (a consent, a warning: the family's, shown on each of its cases)."""
    names = {field.name for field in model._meta.get_fields()}
    if "case" not in names and "family" in names:
        return model._base_manager.filter(family_id=OuterRef("family_id"))
    path = model.access_rule.case_path  # type: ignore[attr-defined]  # a restricted model's
    return model._base_manager.filter(**{f"{path}pk": OuterRef("pk")})


def presence_columns(cases: type[Model], models: Iterable[type[Model]]) -> dict[str, Any]:
    """The columns saying whether each case read has rows of each of `models`, and when they were
    read, to annotate a queryset of `cases` (the case model) with."""
    wanted = sorted(set(models), key=lambda model: model._meta.label)
    _watched.update(wanted)
    key = ("rows present", tuple(model._meta.label for model in wanted))
    columns = compiled_once(cases, key, lambda: {_column(model): Exists(_rows_of_case(model)) for model in wanted})
    stamp = f"{timezone.now().timestamp()!r} {_saved}"
    return {**columns, _STAMP: Value(stamp, output_field=CharField())}


def known_empty(case: Any, model: type[Model]) -> bool:
    """Whether `case` was read with no row of `model` at all, an answer that still stands."""
    if vars(case).get(_column(model)) is not False:
        return False  # rows, or not asked: read them
    stamp = vars(case).get(_STAMP)
    if not stamp:
        return False
    read_at, saved = stamp.split()
    if saved != str(_saved):
        return False
    return 0 <= timezone.now().timestamp() - float(read_at) < CONDITION_SECONDS
