"""Every route the probe asks: the browser's URL patterns from the resolver, the API's operations
from its OpenAPI schema, the admin's pages from its registry. Nothing here names a route: a new
URL is probed as soon as it exists, and a path parameter the probe cannot place fails it
(`PARAMETER_MODELS`)."""

import re
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, resolve

# The model a path parameter names, by the parameter's name or, for `pk` and `entry`, by the path
# segment before it (`cases/<int:pk>/`, `shares/<int:pk>/`). A slug parameter (`kind`,
# `model_name`, `record_class`) names a model by its model name and the next parameter is one of
# its ids. A new kind of segment or parameter fails `test_every_route_parameter_is_placed`.
PARAMETER_MODELS = {
    "case_pk": "cases.Case",
    "meeting_pk": "panels.PanelMeeting",
    "consent": "families.Consent",
    "info": "cases.InformationRequest",
    "owner-questions": "cases.OwnerQuestion",
    "grant": "cases.CaseUserObjectPermission",
    "person": "families.Person",
    "cases": "cases.Case",
    "shares": "cases.CaseShare",
    "restrictions": "families.DisclosureRestriction",
    "attachments": "cases.Attachment",
    "panels": "agencies.Panel",
    "meetings": "panels.PanelMeeting",
    "items": "panels.AgendaItem",
    "people": "agencies.User",
    "referrals": "referrals.Referral",
    "sent": "referrals.ConcernReceipt",
    "concerns": "referrals.ConcernReceipt",
    "deconfliction": "referrals.DeconflictionCheck",
    "deconfliction-checks": "referrals.DeconflictionCheck",
    "plans": "interventions.InterventionPlan",
    "actions": "interventions.PlanAction",
    "follow-ups": "interventions.FollowUp",
    "case-progress": "cases.Case",
    "notifications": "reminders.Reminder",
    "requests": "audit.SubjectAccessRequest",
    "agencies": "agencies.Agency",
    "lessons": "agencies.Panel",
    "lessons-learned": "panels.LessonsLearned",
    "duty": "agencies.DutyShift",
    "experts": "agencies.Expert",
    "network": "agencies.NetworkOrganisation",
    "topics": "panels.MeetingTopic",
    "warning": "families.SafetyWarning",
    "visits": "cases.PlannedVisit",
    "safety-warnings": "families.SafetyWarning",
    "planned-visits": "cases.PlannedVisit",
    "agreements": "cases.SharingAgreement",
    "sharing-agreements": "cases.SharingAgreement",
    "memberships": "agencies.Membership",
    "protocols": "agencies.Protocol",
    "library": "learning.Resource",
    "services": "referrals.SupportService",
    "to-services": "referrals.ServiceReferral",
    "service-referrals": "referrals.ServiceReferral",
}
# What is not probed, and why.
SKIPPED_NAMES = {
    "logout": "signing out ends the session the probe works in",
    "api-logout": "revokes the caller's token",
    "api-schema": "the schema, the same for everyone (no case data); generated once at collection",
    "api-docs": "the schema's viewer, static",
    "reminders:calendar_feed": "opened by a feed's secret, not an id: tests/reminders/test_calendar.py",
    # Public by design (decision 126): no sign-in, no id; throttled per address. What they give is
    # a code's stage alone: tests/referrals/test_public_concern.py.
    "referrals:public_concern": "public: the self-referral page, no sign-in, writes a concern and reads none",
    "referrals:public_status": "public: a follow-up code's stage alone, no sign-in",
    "public-concern": "public: the self-referral page's API, no sign-in",
    "public-status": "public: a follow-up code's stage alone in the API, no sign-in",
    "panels:reassignment": "a reassignment job (ids and progress) is its starter's alone, 404 for anyone else: "
    "tests/cases/test_ownership.py",
    "reassignment-job": "the same job in the API, 404 for anyone but its starter (as above)",
    "cases:export_job": "an export job is its requester's alone, 404 for anyone else: tests/cases/test_exports.py",
    "cases:export_file": "an export's file is its requester's alone, 404 for anyone else (as above)",
    "export-job": "the same job in the API, 404 for anyone but its requester (as above)",
    "export-job-file": "the same file in the API, 404 for anyone but its requester (as above)",
    "invitation": "opened by an invitation's secret, not an id: tests/agencies/test_joining.py",
    "password_reset_confirm": "opened by a reset token, not an id: Django's own, tests/agencies/test_joining.py",
}
OUR_APPS = (
    "agencies", "families", "cases", "referrals", "panels", "interventions", "learning", "reminders", "audit",
    "privacy",
)  # fmt: skip


@dataclass(frozen=True)
class Param:
    name: str
    slug: bool = False
    model: str = ""  # app_label.Model; empty for a slug, whose value names the model of the next


@dataclass(frozen=True)
class Route:
    """One URL pattern (or API path): how it is asked and what its parameters name."""

    name: str
    template: str  # "/cases/{pk}/consents/{consent}/withdraw/"
    params: tuple[Param, ...]
    methods: tuple[str, ...]  # lower case; "get" for every page, a write method when the route has one
    api: bool = False
    admin: bool = False
    list_model: str = ""  # the model an API list returns rows of
    unplaced: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        return self.name

    def url(self, values: dict[str, object]) -> str:
        return self.template.format(**values)


def _label(model: type[models.Model]) -> str:
    return model._meta.label


def _browser_patterns(patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            route = str(pattern.pattern)
            if pattern.namespace == "admin" or route.startswith("api/"):
                continue
            spaced = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _browser_patterns(pattern.url_patterns, prefix + route, spaced)
        else:
            yield prefix + str(pattern.pattern), namespace + (pattern.name or ""), pattern.callback


def _params(template: str, converters: list[tuple[str, str]]) -> tuple[tuple[Param, ...], tuple[str, ...]]:
    params, unplaced = [], []
    segments = template.strip("/").split("/")
    for converter, name in converters:
        if converter == "slug":
            params.append(Param(name, slug=True))
            continue
        previous = segments[segments.index("{" + name + "}") - 1]
        if params and params[-1].slug:
            params.append(Param(name))  # its model is the slug's value
            continue
        model = PARAMETER_MODELS.get(name) or PARAMETER_MODELS.get(previous, "")
        if not model:
            unplaced.append(f"{name} after {previous}/")
        params.append(Param(name, model=model))
    return tuple(params), tuple(unplaced)


def browser_routes() -> list[Route]:
    routes = []
    for pattern, name, callback in _browser_patterns(get_resolver().url_patterns):
        if name in SKIPPED_NAMES:
            continue
        converters = re.findall(r"<(\w+):(\w+)>", pattern)
        template = "/" + re.sub(r"<\w+:(\w+)>", r"{\1}", pattern)
        params, unplaced = _params(template, converters)
        view = getattr(callback, "view_class", None)
        writes = view is None or hasattr(view, "post")
        methods = ("get", "post") if writes and params else ("get",)
        routes.append(Route(name, template, params, methods, unplaced=unplaced))
    return routes


@cache
def _schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def api_routes() -> list[Route]:
    routes = []
    for path, operations in _schema()["paths"].items():
        names = re.findall(r"{(\w+)}", path)
        match = resolve(path.format(**dict.fromkeys(names, "1")))
        if match.url_name in SKIPPED_NAMES:
            continue
        viewset = getattr(match.func, "cls")  # noqa: B009 - a DRF viewset's view function
        queryset = getattr(viewset, "queryset", None)
        model = _label(queryset.model) if queryset is not None else ""
        params = tuple(Param(name, model=model) for name in names)
        methods = tuple(method for method in ("get", "post", "put", "patch", "delete") if method in operations)
        if not params:
            methods = tuple(method for method in methods if method == "get")  # a create needs a body
        if methods:
            name = f"{' '.join(m.upper() for m in methods)} {path}"
            unplaced = tuple(names) if params and not model else ()
            list_model = "" if params else model
            routes.append(Route(name, path, params, methods, api=True, list_model=list_model, unplaced=unplaced))
    return routes


def admin_routes() -> list[Route]:
    """The admin: its index, and each registered model's list and change page."""
    routes = [Route("admin:index", "/admin/", (), ("get",), admin=True)]
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        routes.append(Route(f"admin:{model._meta.label} list", base, (), ("get",), admin=True))
        param = (Param("pk", model=_label(model)),)
        routes.append(Route(f"admin:{model._meta.label} change", base + "{pk}/change/", param, ("get",), admin=True))
    return routes


def all_routes() -> list[Route]:
    return browser_routes() + api_routes() + admin_routes()


def resolver_api_names() -> set[str]:
    """The API's URL names as the resolver has them (the schema must cover every one)."""
    names = set()
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and str(pattern.pattern) == "api/v1/":
            stack = [(pattern, "")]
            while stack:
                node, namespace = stack.pop()
                for child in node.url_patterns:
                    if isinstance(child, URLResolver):
                        stack.append((child, namespace + (f"{child.namespace}:" if child.namespace else "")))
                    elif child.name and child.name != "api-root":
                        names.add(namespace + child.name)
    return names


def schema_api_names() -> set[str]:
    names = set()
    for path in _schema()["paths"]:
        match = resolve(path.format(**dict.fromkeys(re.findall(r"{(\w+)}", path), "1")))
        names.add(f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name)
    return names


def model(label: str) -> type[models.Model]:
    return apps.get_model(label)
