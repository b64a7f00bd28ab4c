"""What the tests of `restrict_to` and `restrict_to_agency` share: every model whose rule reaches
its rows' case, a case read through the glass, a queryset's ids, and how held cases are written."""

import datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import models
from django.utils import timezone

from agencies.access.core import RestrictedQuerySet, Rule
from agencies.models import User
from audit.models import BreakGlassAccess
from cases.models import Case

# Cases held by id (shares, grants, the glass), as SQLite writes them and as PostgreSQL does.
HELD = ('"cases_case"."id" IN (', '"cases_case"."id" = ANY(')


def models_reaching_their_case(column: str, *, cases_too: bool) -> list[tuple[type[models.Model], str]]:
    """Every model whose rule reaches its rows' case by a path (`case__`, `assessment__case__`), with
    the lookup of that case's `column`; the cases themselves too when `cases_too`."""
    found = []
    for model in apps.get_models():
        if not isinstance(model._default_manager.all(), RestrictedQuerySet):
            continue
        rule = getattr(model, "access_rule", None)
        if not isinstance(rule, Rule) or not (rule.case_path or cases_too):
            continue
        lookup = f"{rule.case_path}{column}"
        try:
            model._default_manager.filter(**{lookup: 0}).query  # noqa: B018 -- resolves the path
        except FieldError:
            continue  # a rule named with the default path on rows with no case (a family's)
        found.append((model, lookup))
    return found


def pks(queryset: Any) -> set[int]:
    return set(queryset.order_by().values_list("pk", flat=True))


def through_the_glass(supervisor: User) -> Case:
    """A case of an agency not the supervisor's, opened to them for four hours by breaking the glass."""
    elsewhere: Case | None = Case.objects.exclude(owning_agency__in=supervisor.memberships.values("agency")).first()
    assert elsewhere is not None
    now = timezone.now()
    BreakGlassAccess.objects.create(
        user=supervisor,
        case=elsewhere,
        reason="A child is missing tonight",
        starts_at=now,
        ends_at=now + datetime.timedelta(hours=4),
    )
    return elsewhere
