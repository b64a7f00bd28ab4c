"""A paginator for lists that can reach 100,000 rows (issue 19): the count stops at CAP unless the
user asks for the exact figure, and no page lies past CAP rows, so no query counts or skips
(OFFSET) more than CAP rows. The case list only counts with it: its pages are keyset pages
(`cases.keyset`, decision 151), which reach every row without an OFFSET."""

from functools import cached_property
from typing import Any, cast

from django.core.paginator import Paginator
from django.db.models import QuerySet

__all__ = ["CAP", "CappedPaginator"]

# A thousand: counting 10,001 ids cost 12-25 ms at a million cases, 1,001 about 1 ms; past a thousand
# the number is asked for (the exact-count link) or the filters narrowed (issue 19).
CAP = 1_000


class CappedPaginator(Paginator[Any]):
    def __init__(self, *args: Any, exact: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exact = exact

    @cached_property
    def count(self) -> int:
        if self.exact:
            return super().count
        # COUNT(*) over a LIMIT subquery of bare ids, unordered: the scan stops after CAP + 1 rows
        # (kept in order, PostgreSQL would sort every row first).
        rows = cast(QuerySet[Any], self.object_list)
        return rows.order_by().values("pk")[: CAP + 1].count()

    @property
    def capped(self) -> bool:
        """Whether there are more rows than the count says (shown as "1,000+")."""
        return not self.exact and self.count > CAP

    @cached_property
    def num_pages(self) -> int:
        return min(super().num_pages, max(1, CAP // self.per_page))
