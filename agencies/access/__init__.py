"""Who may see what: the access machinery, in one place (design.md §2, style.md §2).

- `core`: `UserAccess`, the conditions the rules share, `Rule`, `RestrictedQuerySet.restrict(user,
  action)` and `.lock()`;
- `rules`: one `Rule` per kind of model, which each model names by reference
  (`access_rule = rules.case_child`);
- `case_access`: `CaseAccess`, what one user may do with one case, read with the case row;
- `present`: whether a case has any row of a table, read with the case row (`restrict_to`);
- `views`: `RestrictedViewMixin`, the base of every UI view on case data;
- `api`: `RestrictedViewSet`, the base of every API viewset on case data.

The view bases are imported lazily: models import this package while Django is still loading.
"""

from typing import TYPE_CHECKING, Any

from .case_access import *  # noqa: F403
from .case_access import __all__ as _case_access_all
from .core import *  # noqa: F403
from .core import __all__ as _core_all
from .present import *  # noqa: F403
from .present import __all__ as _present_all

if TYPE_CHECKING:
    # The type checker sees the classes themselves: through the lazy lookup below they would be
    # `Any`, and every view built on them would go unchecked.
    from .api import RestrictedViewSet as RestrictedViewSet
    from .views import RestrictedObjectFormView as RestrictedObjectFormView
    from .views import RestrictedViewMixin as RestrictedViewMixin

_LAZY = {
    "RestrictedViewMixin": "views",
    "RestrictedObjectFormView": "views",
    "RestrictedViewSet": "api",
}
__all__ = [*_core_all, *_case_access_all, *_present_all, *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(name)
