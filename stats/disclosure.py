"""Which cells of a table must be hidden so that no count under 5 can be worked out from what is
shown (decision 138). Pure arithmetic: no ORM, no translation.

A table is cells, each with a value, and relations between them: a total equal to the sum of its
parts. Some cells are published (the page, the CSV and the API print them), some are not but follow
from those that are (first contact made less made on time: the cases contacted late). A cell is
*sensitive* when 1 to 4 cases lie behind it, published or not. A published cell is *shown* unless
it is withheld (a sensitive cell, printed "<5") or hidden (printed "[c]").

No sensitive cell may be *determined*: fixed by the relations once the shown cells' values are put
in. That is exact linear algebra over the rationals (Gauss-Jordan on the relations, pivoting only
on the cells not shown): a cell is determined when its unit vector lies in the row space of the
relations restricted to the cells not shown. Differences of two cells, a total less its parts, a
year less its other quarters, and every chain of them, are all such combinations.

Nor may a sensitive cell be *pinned* by what a reader knows of the cells not shown: a cell printed
"<5" is 1 to 4, a hidden cell is not zero (a zero is never hidden) and, where every shown cell
under 5 is withheld, at least 5; a cell printed nowhere is not below zero. Those bounds are carried
through every relation until none narrows further (a total less the most its other parts can be is
the least a part can be, and so on); a sensitive cell whose least and most come to one value is
given away as surely as by subtraction: a total of 8 beside two parts "<5" makes both 4.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from math import ceil, floor, gcd, inf
from typing import Any

__all__ = ["Relation", "bounds", "determined", "protect"]

Key = Hashable


@dataclass(frozen=True)
class Relation:
    """`total` is the sum of `parts`."""

    total: Key
    parts: tuple[Key, ...]

    def cells(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)

    def row(self) -> dict[Key, int]:
        row: dict[Key, int] = {self.total: 1}
        for part in self.parts:
            row[part] = row.get(part, 0) - 1
        return {key: value for key, value in row.items() if value}


def _combined(row: dict[Key, int], pivot_row: Mapping[Key, int], pivot: Key) -> dict[Key, int]:
    """`row` with `pivot` taken out by a multiple of `pivot_row`, in whole numbers (exact: the
    rows are kept as integers, divided by their common divisor)."""
    a, b = row[pivot], pivot_row[pivot]
    combined = {key: b * value for key, value in row.items()}
    for key, value in pivot_row.items():
        result = combined.get(key, 0) - a * value
        if result:
            combined[key] = result
        else:
            combined.pop(key, None)
    divisor = gcd(*combined.values()) if combined else 1
    return {key: value // divisor for key, value in combined.items()} if divisor > 1 else combined


def _reduced(
    relations: Iterable[Relation], unknown: set[Key], order: Callable[[Key], Any], *, keep_known: bool
) -> dict[Key, dict[Key, int]]:
    """Gauss-Jordan over the unknown cells: pivot cell -> its row. With `keep_known`, the rows keep
    the known cells too, as what each pivot is worked out from; without, they are dropped first."""
    pivots: dict[Key, dict[Key, int]] = {}
    for relation in relations:
        row = relation.row()
        if not keep_known:
            row = {key: value for key, value in row.items() if key in unknown}
        for pivot, pivot_row in pivots.items():
            if pivot in row:
                row = _combined(row, pivot_row, pivot)
        free = [key for key in row if key in unknown]
        if not free:
            continue  # only known cells: nothing to learn from it
        pivot = min(free, key=order)
        for other, other_row in pivots.items():
            if pivot in other_row:
                pivots[other] = _combined(other_row, row, pivot)
        pivots[pivot] = row
    return pivots


def _fixed(pivot: Key, row: Mapping[Key, int], unknown: set[Key]) -> bool:
    return not any(key in unknown for key in row if key != pivot)


def determined(
    relations: Iterable[Relation], unknown: set[Key], order: Callable[[Key], Any] = repr
) -> dict[Key, frozenset[Key]]:
    """The unknown cells the relations fix, each with the known cells it is worked out from."""
    return {
        pivot: frozenset(key for key in row if key != pivot)
        for pivot, row in _reduced(relations, unknown, order, keep_known=True).items()
        if _fixed(pivot, row, unknown)
    }


Bound = tuple[float, float]  # the least and the most a cell can be (inf: no most)


def bounds(relations: Iterable[Relation], known: Mapping[Key, int], start: Mapping[Key, Bound]) -> dict[Key, Bound]:
    """The least and the most each cell of `relations` can be, from the `known` cells' values and
    the other cells' `start` bounds (0 and no most when not given), narrowed through every relation
    until none narrows further. Sound: the true values always lie within them."""
    rows = [relation.row() for relation in relations]
    every = {key for row in rows for key in row}
    lo: dict[Key, float] = {key: float(known[key]) if key in known else start.get(key, (0, inf))[0] for key in every}
    hi: dict[Key, float] = {key: float(known[key]) if key in known else start.get(key, (0, inf))[1] for key in every}
    changed = True
    while changed:
        changed = False
        for row in rows:
            # sum(coefficient * cell) == 0: each cell is minus the others' sum over its coefficient
            for key, c in row.items():
                if key in known:
                    continue
                others = [(k, d) for k, d in row.items() if k != key]
                least = sum(d * (lo[k] if d > 0 else hi[k]) for k, d in others)  # finite or -inf
                most = sum(d * (hi[k] if d > 0 else lo[k]) for k, d in others)  # finite or inf
                low, high = sorted((-most / c, -least / c))
                new_lo = max(lo[key], ceil(low)) if low != -inf else lo[key]
                new_hi = min(hi[key], floor(high)) if high != inf else hi[key]
                if new_lo > lo[key] or new_hi < hi[key]:
                    lo[key], hi[key], changed = new_lo, new_hi, True
    return {key: (lo[key], hi[key]) for key in every}


class _System:
    """The relations, with the relations each cell is in (looked up once)."""

    def __init__(self, relations: list[Relation], order: Callable[[Key], Any]) -> None:
        self.relations, self.order = relations, order
        self.of: dict[Key, list[int]] = {}
        for index, relation in enumerate(relations):
            for cell in relation.cells():
                self.of.setdefault(cell, []).append(index)

    def around(self, target: Key, unknown: set[Key]) -> list[Relation]:
        """The relations linked to `target` through cells not shown: the block of the system that
        alone decides whether `target` is determined."""
        reached, todo, kept = {target}, [target], set()
        while todo:
            for index in self.of.get(todo.pop(), ()):
                if index in kept:
                    continue
                kept.add(index)
                for other in self.relations[index].cells():
                    if other in unknown and other not in reached:
                        reached.add(other)
                        todo.append(other)
        return [self.relations[index] for index in sorted(kept)]

    def fixes(self, target: Key, unknown: set[Key]) -> bool:
        row = _reduced(self.around(target, unknown), unknown, self.order, keep_known=False).get(target)
        return row is not None and _fixed(target, row, unknown)


def protect(
    values: Mapping[Key, int],
    relations: list[Relation],
    *,
    published: set[Key],
    sensitive: set[Key],
    withheld: set[Key],
    order: Callable[[Key], Any] = repr,
    small: int = 5,
    uncapped: frozenset[Key] | set[Key] = frozenset(),
) -> set[Key]:
    """The published cells to hide, besides `withheld` (each printed "<5": 1 to `small` - 1), so
    that no sensitive cell is determined or pinned. `uncapped`: withheld cells whose "<5" counts
    what lies behind them, not their value (six goals of one case): at least 1, no most.

    While one is, the shown cells it is worked out from are tried one by one, smallest value first
    (then by `order`): the first whose hiding leaves it undetermined is hidden; when none does
    alone, the smallest is hidden and the search goes on. Every step hides one more cell, so it ends.
    A zero is never hidden: no count is below zero, so a zero hidden beside a cell of 1 leaves
    their sum at 1, which gives both back; and a sensitive cell is worked out from at least one
    shown cell that is not zero, so there is always another to hide. A cell pinned by the bounds
    (the module's docstring) is handled alike, with the shown cells of the relations linked to it
    through cells not shown as the candidates; one pinned by withheld cells alone (four parts "<5"
    under a total "<5" of 4) cannot be freed by hiding more, and is left.
    """
    hidden: set[Key] = set()
    every = {key for relation in relations for key in relation.cells()}
    system = _System(relations, order)
    # A reader knows the rule: where every published cell of 1 to small - 1 is withheld, a hidden
    # cell (never a zero) is at least `small`; otherwise at least 1.
    floor_hidden = small if all(not 0 < values[key] < small for key in published - withheld if key in values) else 1
    left: set[Key] = set()  # pinned by withheld cells alone: nothing to hide frees them

    def unknown(extra: Iterable[Key] = ()) -> set[Key]:
        return (every - published) | withheld | hidden | set(extra)

    def rank(key: Key) -> tuple[int, Any]:
        return (values[key], order(key))

    def pinned(block: Iterable[Relation], cells_unknown: set[Key]) -> set[Key]:
        start: dict[Key, Bound] = {key: (1, inf if key in uncapped else small - 1) for key in withheld}
        start.update({key: (floor_hidden, inf) for key in cells_unknown - withheld if key in published})
        known = {key: values[key] for key in every - cells_unknown}
        found = bounds(block, known, start)
        return {key for key in sensitive & cells_unknown if key in found and found[key][0] == found[key][1]}

    while True:
        cells_unknown = unknown()
        reduced = _reduced(relations, cells_unknown, order, keep_known=False)
        exposed = sorted(
            (key for key in sensitive if key in reduced and _fixed(key, reduced[key], cells_unknown)), key=order
        )
        if exposed:
            target = exposed[0]
            fixed = determined(system.around(target, cells_unknown), cells_unknown, order)
            candidates = sorted((key for key in fixed[target] if key in published and values[key]), key=rank)
            if not candidates:  # cannot happen: a sensitive cell fixed by zeros alone would be zero
                raise ValueError(f"{target!r} is fixed by no shown cell")
            chosen = next(
                (key for key in candidates if not system.fixes(target, unknown([key]))),
                candidates[0],
            )
            hidden.add(chosen)
            continue
        held = sorted(pinned(relations, cells_unknown) - left, key=order)
        if not held:
            return hidden
        target = held[0]
        block = system.around(target, cells_unknown)
        candidates = sorted(
            {key for relation in block for key in relation.cells() if key not in cells_unknown and values[key]},
            key=rank,
        )
        if not candidates:
            left.add(target)
            continue
        chosen = next(
            (key for key in candidates if target not in pinned(system.around(target, unknown([key])), unknown([key]))),
            candidates[0],
        )
        hidden.add(chosen)
