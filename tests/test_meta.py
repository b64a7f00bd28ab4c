"""Project-wide guarantees: every view and viewset on case data uses the access bases, and every
model follows the house rules. A new view or model fails here until it does, or is exempted with
a reason (NetBox's test_model_test_coverage, style.md §2)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from agencies.access import RestrictedQuerySet, RestrictedViewMixin, RestrictedViewSet
from agencies.access.core import RULES

OUR_APPS = ("agencies", "families", "referrals", "cases", "interventions", "audit")

# View -> why it may skip the restricted bases.
VIEW_EXEMPTIONS = {
    "agencies.views.set_language": "changes the user's own language; reads no case data",
    "agencies.api.views.ObtainTokenView": "sign-in: exchanges credentials for a token",
    "agencies.api.views.RevokeTokenView": "ends the caller's own token; reads no case data",
    "agencies.account.TwoFactorView": "enrols the user's own authenticator app; reads no case data",
    "agencies.account.VerifyView": "checks the user's own sign-in code; reads no case data",
    "agencies.account.NameShownView": "the user's own name preference; reads no case data",
    "audit.views.AuditSearchView": "the whole trail, for the data protection officer only (404 for others)",
    "audit.views.BreakGlassReportView": "the break-the-glass report, for the data protection officer only",
    "audit.api.views.AuditEventViewSet": "the whole trail, for the data protection officer only (404 for others)",
    "audit.views.BreakGlassView": "opens a case beyond the user's reach by design; supervisors only (decision 35)",
    "audit.admin.AuditEventAdmin.changelist_view": "the admin's trail: the DPO only, reads recorded",
    "audit.admin.AuditEventAdmin.change_view": "the admin's trail: the DPO only, reads recorded",
}
# Model -> why it has no restricted queryset.
MODEL_EXEMPTIONS = {
    "agencies.User": "people and their memberships are not case data",
    "agencies.Agency": "the partner directory is open to all signed-in users",
    "agencies.Membership": "configuration; managed in the admin",
    "cases.CaseReferenceCounter": "a counter with no case content",
    "cases.CaseUserObjectPermission": "guardian's grant table, read only by restrict() itself",
    "cases.CaseGroupObjectPermission": "guardian's grant table, read only by restrict() itself",
    "audit.AuditEvent": "read through its own views (issue #6), never listed with case data",
    "audit.BreakGlassAccess": "read by restrict() itself, the case's access log and the DPO's report",
}


def _views(patterns: list[Any]) -> Iterator[Any]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            callback = pattern.callback
            yield getattr(callback, "cls", None) or getattr(callback, "view_class", None) or callback


def _our(obj: Any) -> bool:
    return obj.__module__.split(".")[0] in OUR_APPS


def _name(obj: Any) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def test_every_view_uses_the_restricted_bases() -> None:
    offenders = [
        _name(view)
        for view in set(_views(get_resolver().url_patterns))
        if _our(view)
        and _name(view) not in VIEW_EXEMPTIONS
        and not (isinstance(view, type) and issubclass(view, RestrictedViewMixin | RestrictedViewSet))
    ]
    assert offenders == []


def test_exemptions_name_real_views() -> None:
    names = {_name(view) for view in _views(get_resolver().url_patterns)}
    assert set(VIEW_EXEMPTIONS) <= names


def _our_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]


@pytest.mark.parametrize("model", _our_models(), ids=lambda m: m._meta.label)
def test_case_data_is_reached_only_through_restrict(model: type[models.Model]) -> None:
    if model._meta.label in MODEL_EXEMPTIONS:
        return
    assert isinstance(model._default_manager.all(), RestrictedQuerySet), "default manager must be restricted"
    assert getattr(model, "access_rule", None) in RULES, "access_rule must name a rule of agencies.access"


@pytest.mark.parametrize("model", _our_models(), ids=lambda m: m._meta.label)
def test_models_follow_the_house_rules(model: type[models.Model]) -> None:
    assert model.__doc__ and not model.__doc__.startswith(model.__name__ + "("), "needs a docstring"
    assert model._meta.ordering, "needs Meta.ordering"
    assert "__str__" in vars(model), "needs __str__"
    for constraint in model._meta.constraints:
        assert constraint.name.startswith(f"{model._meta.app_label}_{model._meta.model_name}_"), constraint.name


# File -> why it locks rows without `RestrictedQuerySet.lock()`.
LOCK_EXEMPTIONS = {
    "cases/services/ownership.py": "the yearly reference counter: no case data, a plain model",
    "audit/retention.py": "the data protection officer's one exception to restrict() (decision 44): the base manager",
}


def test_rows_are_locked_only_through_lock() -> None:
    # One lock() on the restricted queryset (decision 52): a write re-reads its row for the action
    # it performs, locked in primary-key order, this table only.
    root = Path(__file__).resolve().parent.parent
    lockers = {
        str(path.relative_to(root))
        for app in (*OUR_APPS, "reminders")
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts and "select_for_update(" in path.read_text()
    }
    assert lockers - {"agencies/access/core.py"} == set(LOCK_EXEMPTIONS)
