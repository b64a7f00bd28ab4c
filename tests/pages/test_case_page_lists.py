"""The case page's short lists, read together (decision 174): each is the list its queryset reads
alone, rows, columns and order, with every section filled."""

from typing import Any

import pytest

from agencies.access import CaseAccess
from agencies.together import Later
from cases import services
from cases.models import Case
from pages.views import CaseView
from tests.agencies.test_read_together import as_read
from tests.factories import relative
from tests.pages.test_section_budgets import BUDGETS, _read

pytestmark = pytest.mark.django_db


def _laters(value: Any) -> list[tuple[str, Later]]:
    if isinstance(value, Later):
        return [("", value)]
    if hasattr(value, "__dataclass_fields__"):
        return [(name, v) for name in value.__dataclass_fields__ for _, v in _laters(getattr(value, name))]
    return []


def _filled(case: Case) -> None:
    for _, rows in BUDGETS.values():
        rows(case, 3)
    # restrictions on two people whose names sort against their keys
    zed = relative(case, "Zed", years=20)
    abe = relative(case, "Abe", years=21)
    for person in (zed, abe):
        services.add_restriction(case, person=person, must_not_be_told=f"About {person.given_name}", actor=case.owner)


def test_every_list_of_the_filled_case_page_read_together_is_its_list_read_alone(case: Case) -> None:
    # given a case with every section filled, and restrictions on two people whose names sort
    # against their keys
    _filled(case)
    user = case.owner
    read = _read(case, user)
    access = CaseAccess.of(read, user)
    kept = []
    for section in CaseView.sections:
        shown = section.show(read, user, access)
        for key, value in (shown.context if shown else {}).items():
            kept += [(f"{section.name}.{key}{'.' + sub if sub else ''}", later) for sub, later in _laters(value)]
    alone = {}
    for name, later in kept:
        rows = list(later.queryset.all())
        alone[name] = [as_read(r) for r in (later._then(rows) if later._then else rows)]
    together = {name: [as_read(r) for r in later] for name, later in kept}
    assert len(kept) >= 15
    differing = [name for name in alone if alone[name] != together[name]]
    assert not differing, {name: (alone[name], together[name]) for name in differing}
