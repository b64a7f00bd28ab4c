"""A page made of sections (decision 56): the case page and the home page are each a declared list.

A section is one part of a page: a partial template in the templates of the app that owns its
data, whether it applies to this reader, and the context it shows, built only from querysets
restricted for the reader (`Model.objects.restrict(user, action)`). Sections are declared in the
app that owns the data (`families/sections.py`, `panels/sections.py`...); the pages that list them
stand on the top floor (`pages/`), so every app can contribute one without importing upward.

The base stands here, on the ground floor beside `CaseAccess`, so that every app may subclass it.
Each section's queries are budgeted in `tests/pages/test_section_budgets.py` (decision 57).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from django.db.models import Model
    from django.http import HttpRequest

    from .access import CaseAccess
    from .models import User

__all__ = ["CaseSection", "HomeSection", "Shown"]


@dataclass(frozen=True)
class Shown:
    """A section as one reader sees it: its partial and the context pushed while it renders."""

    name: str
    template_name: str
    context: dict[str, Any]


class _Section:
    name: ClassVar[str]
    template_name: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = getattr(cls, "name", "") and getattr(cls, "template_name", "")
        if cls.__module__ != __name__ and not declared:
            raise TypeError(f"{cls.__name__} needs a name and a template_name")


class CaseSection(_Section):
    """One part of the case page. `applies` asks the page's `CaseAccess`; `context` reads only
    through `restrict()` for `user` (the reader), never a flag of its own.

    `reads`: the tables whose rows of the case (a family's: of its family) the section shows. The
    page's read of the case says whether the case has any row in each (`agencies.access.present`,
    decision 166): a table with none is answered empty by `restrict_to`, without a query."""

    def reads(self) -> tuple[type[Model], ...]:
        return ()

    def applies(self, access: CaseAccess) -> bool:
        return access.knows

    def read_with_case(self, cases: Any, user: User) -> Any:
        """`cases` (the page's one read of the case) with the columns this section shows: a count
        or a date, each a subquery restricted for `user` as the section's own query would be, read
        in the same query (decision 149). `context` reads them from the case."""
        return cases

    def context(self, case: Any, user: User, access: CaseAccess) -> dict[str, Any]:
        return {}

    def show(self, case: Any, user: User, access: CaseAccess) -> Shown | None:
        if not self.applies(access):
            return None
        return Shown(self.name, self.template_name, self.context(case, user, access))


class HomeSection(_Section):
    """One part of the home page, for the signed-in user (`request` for what it pages through)."""

    def applies(self, user: User) -> bool:
        return True

    def context(self, user: User, request: HttpRequest) -> dict[str, Any]:
        return {}

    def show(self, user: User, request: HttpRequest) -> Shown | None:
        if not self.applies(user):
            return None
        return Shown(self.name, self.template_name, self.context(user, request))
