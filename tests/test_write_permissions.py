"""Every write, found from the URL resolver (browser views and API actions alike), refused to those
who read a case but may not act on it: a summary-level reader (the panel's coordinator, a panel
member) and a supervisor reading the file through break-the-glass. Refused means 403 (they read
the object) or 404 (they do not), or 400 when the case is named in the body and refused as if
missing; and nothing in the database changed (decision 60).

A new view answering POST, or a new write action of a viewset, is found here without editing this
file: it must have its row in `ENDPOINTS` (its arguments and body), or an exemption below with its
reason.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.generic.edit import ProcessFormView

from agencies.models import Agency, User
from audit.models import AuditEvent
from tests.test_endpoint_permissions import ENDPOINTS, EXEMPT, Endpoint, World, _call, world  # noqa: F401

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch", "delete")


def _routes(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                yield from _routes(
                    pattern.url_patterns, namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                )
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, pattern.callback


def _write_methods(callback: Any) -> set[str]:
    """The write methods a route answers: a viewset's actions on POST/PUT/PATCH/DELETE, or the
    methods a class-based view implements and allows."""
    viewset = getattr(callback, "cls", None)
    actions = getattr(callback, "actions", None)
    if viewset is not None and actions is not None:
        return {method for method in actions if method in WRITE_METHODS and method in viewset.http_method_names}
    view = getattr(callback, "view_class", None)
    if view is None:
        return {"post"}  # a function view: only an exemption says what it does
    # A form view's PUT is its POST (ProcessFormView.put): the same code, tried once.
    methods = {method for method in WRITE_METHODS if method in view.http_method_names and hasattr(view, method)}
    return methods - {"put"} if getattr(view, "put", None) is ProcessFormView.put else methods


def write_routes() -> list[tuple[str, str]]:
    """(URL name, method) of every write the project answers, from the resolver."""
    found = {
        (name, method) for name, callback in _routes(get_resolver().url_patterns) for method in _write_methods(callback)
    }
    return sorted(found)


# Writes that change nothing of a case, with the reason; the table's EXEMPT (sign-in, the user's own
# settings) counts too.
NOT_CASE_WRITES = {
    "api-token": "exchanges credentials for a token",
    "api-logout": "ends the caller's own token",
    "two_factor": "the user's own authenticator",
    "name_shown": "the user's own name preference",
    "reminders:preferences": "the user's own e-mail preference",
    "cases:case_list_export": "makes the caller's own export of the list they read (a file, or their own job)",
    "referrals:referral_create": "intake: a new referral, received by the caller's own agency",
    "referrals-api:referral-list": "intake: a new referral, received by the caller's own agency",
    "referrals:front_door": "a new concern sent by the caller for their own agency to a panel's front door",
    "referrals-api:concern-list": "a new concern sent by the caller for their own agency to a panel's front door",
    "referrals:service_create": "lists a service in the directory (no case data; its panel's coordinator)",
    "referrals:service_edit": "changes a service of the directory (no case data; its panel's coordinator)",
    "referrals-api:supportservice-list": "lists a service in the directory (no case data; its panel's coordinator)",
    "referrals-api:supportservice-detail": "changes a service of the directory (no case data)",
}

# What a panel's coordinator does from a case's summary, by design: she manages the panel's cases
# (decision 2) without reading their file, and runs the panel, its meetings and the referrals put
# to it. Each is a MANAGE (or her agency's) right checked for that action, never a read.
COORDINATOR_MAY = {
    "cases:owner_question_create": "asks the case owner a question or for fuller access (decision 91)",
    "cases-api:ownerquestion-list": "asks the case owner a question or for fuller access (decision 91)",
    "cases:case_share": "shares the case (MANAGE, decision 2)",
    "cases:case_assign": "assigns the owner (MANAGE, decision 2)",
    "cases:caseshare_revoke": "revokes a share (MANAGE, decision 2)",
    "cases:case_grants": "gives one person individual access (MANAGE, decision 96)",
    "cases:grant_revoke": "revokes an individual grant (MANAGE, decision 96)",
    "cases:consent_create": "records consent (MANAGE, decision 42)",
    "cases:information_request_create": "asks a partner (runs the case, decision 31)",
    "cases:information_request_answer": "answers for her agency, the one asked (decision 31)",
    "cases-api:case-assign-owner": "assigns the owner (MANAGE, decision 2)",
    "cases-api:case-reassign": "moves a caseload among the panel's cases (MANAGE)",
    "cases-api:caseshare-list": "shares the case (MANAGE, decision 2)",
    "cases-api:caseshare-revoke": "revokes a share (MANAGE, decision 2)",
    "cases-api:consent-list": "records consent (MANAGE, decision 42)",
    "cases-api:informationrequest-list": "asks a partner (runs the case, decision 31)",
    "cases-api:informationrequest-answer": "answers for her agency, the one asked (decision 31)",
    "referrals:referral_triage": "triages a referral put to her panel (MANAGE)",
    "referrals:referral_add_to": "adds a concern put to her panel to an earlier record (MANAGE)",
    "referrals:referral_refer": "refers a concern put to her panel, which the triage signposted, to a service (MANAGE)",
    "referrals-api:referral-triage": "triages a referral put to her panel (MANAGE)",
    "referrals-api:referral-add-to": "adds a concern put to her panel to an earlier record (MANAGE)",
    "panels:panel_settings": "her panel's settings",
    "panels:meeting_create": "plans her panel's meetings",
    "panels:meeting_acknowledge": "acknowledges confidentiality for herself",
    "panels:meeting_attendance": "runs her panel's meeting",
    "panels:meeting_register": "runs her panel's meeting",
    "panels:meeting_rebuild": "runs her panel's meeting",
    "panels:meeting_add_case": "runs her panel's meeting",
    "panels:meeting_close": "runs her panel's meeting",
    "panels:agendaitem_decide": "records the panel's decision (MANAGE, decision 2)",
    "panels:agendaitem_decline": "records that an agency declined to share",
    "panels:reassign": "moves a caseload among the panel's cases (MANAGE)",
    "panels-api:panel-detail": "her panel's settings",
    "panels-api:panelmeeting-list": "plans her panel's meetings",
    "panels-api:panelmeeting-acknowledge": "acknowledges confidentiality for herself",
    "panels-api:panelmeeting-attendance": "runs her panel's meeting",
    "panels-api:panelmeeting-rebuild-agenda": "runs her panel's meeting",
    "panels-api:panelmeeting-close": "runs her panel's meeting",
    "panels-api:agendaitem-decide": "records the panel's decision (MANAGE, decision 2)",
    "panels-api:agendaitem-decline": "records that an agency declined to share",
    "reminders:panel_settings": "her panel's deadlines",
    "reminders-api:panel-reminder-settings": "her panel's deadlines (decision 143)",
    "agreements:agreement_create": "records an information-sharing agreement, not case data (decision 113)",
    "agreements:agreement_edit": "changes the agreement her panel works under, not case data (decision 113)",
    "cases-api:sharingagreement-list": "records an information-sharing agreement, not case data (decision 113)",
    "cases-api:sharingagreement-detail": "changes the agreement her panel works under, not case data (decision 113)",
    # The structure of her panel (decisions 121-124): no case data.
    "panels:duty_add": "her panel's duty rota",
    "panels:duty_remove": "her panel's duty rota",
    "panels:emergency_edit": "her panel's emergency plan and terms of reference",
    "panels:network_add": "her panel's network map",
    "panels:network_remove": "her panel's network map",
    "panels:topic": "a topic of her panel's meeting that is not a case",
    "panels:topic_add": "a topic of her panel's meeting that is not a case",
    "panels:urgent_meeting": "calls an urgent meeting of her panel",
    "panels-api:dutyshift-list": "her panel's duty rota",
    "panels-api:meetingtopic-list": "a topic of her panel's meeting that is not a case",
    "panels-api:networkorganisation-list": "her panel's network map",
    "panels-api:urgent-meeting-list": "calls an urgent meeting of her panel",
    "stats:lessons": "the lessons her panel learned this year (decision 108)",
    "stats-api:lessonslearned-list": "the lessons her panel learned in a year (decision 137)",
    "stats-api:lessonslearned-detail": "the lessons her panel learned in a year (decision 137)",
}

# What a panel member does on what she reads at summary level: her own seat at the table.
MEMBER_MAY = {
    "cases:owner_question_create": "asks the case owner a question or for fuller access (decision 91)",
    "cases-api:ownerquestion-list": "asks the case owner a question or for fuller access (decision 91)",
    "panels:meeting_acknowledge": "acknowledges confidentiality for herself",
    "panels:agendaitem_decline": "records that her agency declined to share",
    "panels-api:panelmeeting-acknowledge": "acknowledges confidentiality for herself",
    "panels-api:agendaitem-decline": "records that her agency declined to share",
}

# What a supervisor who broke the glass may still do: break it (again), and her own reminders.
GLASS_MAY = {
    "audit:break_glass": "opening a case is what break-the-glass is (refused if she reads it already)",
}

# Whose reminders: the case owner's; to everyone else they do not exist (and marking one's own
# read changes no case).
OWN = {
    "reminders:reminder_read": "marks the caller's own reminder read",
    "reminders:reminder_open": "opens the caller's own reminder",
    "reminders-api:reminder-read": "marks the caller's own reminder read",
    "reminders-api:reminder-read-all": "marks the caller's own reminders read",
}

# Rows a refused request may add: the refusal itself in the trail, and the signed-in session.
LEFT_OUT = {"audit.auditevent", "sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}


def _columns(model: Any) -> list[str]:
    # Signing in (the test client) stamps the user's last sign-in: not a write of the endpoint's.
    return [field.attname for field in model._meta.concrete_fields if field.name != "last_login"]


def _database() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table a write could touch."""
    return {
        model._meta.label_lower: list(model._base_manager.order_by("pk").values_list(*_columns(model)))
        for model in apps.get_models()
        if model._meta.label_lower not in LEFT_OUT and model._meta.managed
    }


def _table_rows(name: str, method: str) -> list[Endpoint]:
    return [e for e in ENDPOINTS if e.name == name and e.method == method]


def test_every_write_is_in_the_table_or_exempt() -> None:
    missing = [
        (name, method)
        for name, method in write_routes()
        if name not in EXEMPT and name not in NOT_CASE_WRITES and not _table_rows(name, method)
    ]
    assert missing == []


def test_the_exemptions_name_writes_that_exist() -> None:
    names = {name for name, _method in write_routes()}
    for exemptions in (NOT_CASE_WRITES, COORDINATOR_MAY, MEMBER_MAY, GLASS_MAY, OWN):
        assert sorted(set(exemptions) - names) == []


def _writes() -> list[Endpoint]:
    return [
        endpoint
        for name, method in write_routes()
        if name not in EXEMPT and name not in NOT_CASE_WRITES and name not in OWN
        for endpoint in _table_rows(name, method)
    ]


def _glass_supervisor(world: World) -> User:
    """A supervisor of an agency with no link to the case, reading it through break-the-glass."""
    from privacy.breakglass import break_glass
    from tests.conftest import member
    from tests.factories import AgencyFactory

    supervisor = member(AgencyFactory(name="Health board", sector=Agency.Sector.HEALTH), "supervisor", username="glass")
    break_glass(world.case, actor=supervisor, reason="A child is missing tonight")
    return supervisor


def _refusal(endpoint: Endpoint, user: User, world: World) -> str:
    """What went wrong when `user` tried `endpoint` (empty: refused, and nothing changed)."""
    url = endpoint.url(world)  # first: building some URLs makes their object (a subject access request)
    before = _database()
    response = _call(endpoint, user, world)
    allowed = {403, 404} | ({400} if endpoint.hidden == 400 or endpoint.refused == 400 else set())
    if response.status_code not in allowed:
        return f"{user.username}: answered {response.status_code}"
    if _database() != before:
        changed = [label for label, rows in _database().items() if rows != before.get(label)]
        return f"{user.username}: changed {changed}"
    if response.status_code in (403, 404):
        refused = AuditEvent.objects.filter(actor=user, action=AuditEvent.Action.ACCESS_DENIED)
        if not refused.filter(data__path=url).exists():
            return f"{user.username}: the refusal is not in the audit trail"
    return ""


@pytest.mark.parametrize("endpoint", _writes(), ids=lambda e: f"{e.method}:{e.name}")
def test_who_reads_a_case_but_may_not_act_writes_nothing(endpoint: Endpoint, world: World, panel_member: User) -> None:
    # given the panel's coordinator and a panel member, who read the case's summary, and a
    # supervisor reading the whole file through break-the-glass
    readers = [(world.coordinator, COORDINATOR_MAY), (panel_member, MEMBER_MAY), (_glass_supervisor(world), GLASS_MAY)]
    # when each tries the write, then each is refused and nothing changed
    problems = [_refusal(endpoint, user, world) for user, may in readers if endpoint.name not in may]
    assert [problem for problem in problems if problem] == []
