"""Every endpoint, three unwelcome visitors: a stranger gets nothing (404, or an empty list), an
anonymous visitor is sent to sign in (401/403 on the API), a reader who may not write gets 403.

A new URL fails `test_every_endpoint_is_in_the_table` until it is added here.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from agencies.models import Agency, Panel, User
from audit.models import AuditEvent
from cases.models import Case, CaseShare, DisclosureCheck
from interventions.models import Closure, FollowUp, InterventionPlan, PlanAction, Review, Withdrawal
from panels.models import AgendaItem, PanelMeeting
from referrals.models import Referral
from tests.factories import share
from tests.test_meta import FLOORS

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    args: Callable[["World"], list[int]]
    kind: str  # "object": one case's data; "list": a list of rows; "write": changes an object
    api: bool = False
    role_gate: str = ""  # a global permission checked before any row is looked at
    reader: str = "auditor_readonly"  # who may see the object but not write (for "write")
    refused: int = 403  # what that reader gets (400: an id in the body refused as if missing)
    params: Callable[["World"], dict[str, Any]] | None = None
    hidden: int = 404  # what a stranger gets (400: the case id in the body refused as if missing)

    def url(self, world: "World") -> str:
        return reverse(self.name, args=self.args(world))


@dataclass
class World:
    case: Case
    share: CaseShare
    panel: Panel
    referral: Referral
    meeting: PanelMeeting
    item: AgendaItem
    check: DisclosureCheck
    coordinator: User
    entries: dict[str, Any]
    plan: InterventionPlan
    draft: InterventionPlan
    action: PlanAction
    review: Review
    withdrawal: Withdrawal
    closure: Closure
    follow_up: FollowUp
    reminder: Any = None
    grant: Any = None
    agreement: Any = None
    receipt: Any = None
    deconfliction: Any = None
    service: Any = None
    service_referral: Any = None


def no_args(world: World) -> list[int]:
    return []


def case_id(world: World) -> list[int]:
    return [world.case.pk]


def share_ids(world: World) -> list[int]:
    return [world.case.pk, world.share.pk]


def grant_ids(world: World) -> list[int]:
    return [world.case.pk, world.grant.pk]


def referral_id(world: World) -> list[int]:
    return [world.referral.pk]


def receipt_id(world: World) -> list[int]:
    return [world.receipt.pk]


def deconfliction_id(world: World) -> list[int]:
    return [world.deconfliction.pk]


def answer_body(world: World) -> dict[str, Any]:
    return {"answer": "no"}


def meeting_id(world: World) -> list[int]:
    return [world.meeting.pk]


def item_ids(world: World) -> list[int]:
    return [world.meeting.pk, world.item.pk]


def entry_id(kind: str) -> Callable[[World], list[Any]]:
    return lambda world: [world.entries[kind].pk]


def case_entry(kind: str) -> Callable[[World], list[Any]]:
    """The browser's entry URLs: case, kind of entry, entry."""
    return lambda world: [world.case.pk, kind, world.entries[kind].pk]


def entry(model_name: str, attribute: str) -> Callable[[World], list[Any]]:
    return lambda world: [world.case.pk, model_name, getattr(world, attribute).pk]


def service_body(world: World) -> dict[str, Any]:
    return {"panel": world.panel.pk, "name": "Youth club", "help_kind": "pragmatic"}


def refer_body(world: World) -> dict[str, Any]:
    return {"service": world.service.pk, "for_whom": "Besa", "request": "A first appointment"}


def plan_body(world: World) -> dict[str, Any]:
    action = {
        "type": "pragmatic",
        "measure": "housing",
        "provider_agency": world.case.owning_agency_id,
        "due_on": "2099-01-01",
    }
    return {"case": world.case.pk, "goals": [{"text": "A home", "actions": [action]}]}


def review_body(world: World) -> dict[str, Any]:
    progress = [{"goal": goal.pk, "progress": "some"} for goal in world.plan.goals.all()]
    return {
        "case": world.case.pk,
        "held_on": "2020-01-01",
        "risk_level": "low",
        "next_review_on": "2020-04-01",
        "progress": progress,
    }


def withdrawal_body(world: World) -> dict[str, Any]:
    return {
        "case": world.case.pk,
        "withdrawn_on": "2020-01-01",
        "reason": "No longer",
        "open_door_message": "Call us",
        "security_followup": True,
        "typology": "vulnerable",
    }


def closure_body(world: World) -> dict[str, Any]:
    agreements = [
        {"agency": world.case.owning_agency_id, "user": world.case.owner_id},
        {"agency": world.share.agency_id, "user": world.coordinator.pk},
    ]
    return {
        "case": world.case.pk,
        "decided_on": "2020-01-01",
        "reason": "Goals met",
        "agreements": agreements,
        "typology": "not_radicalisation",
    }


def info_body(world: World) -> dict[str, Any]:
    return {"case": world.case.pk, "to_agency": world.share.agency_id, "question": "Attendance?"}


def owner_question_ids(world: World) -> list[int]:
    return [world.case.pk, world.entries["owner_question"].pk]


def owner_question_body(world: World) -> dict[str, Any]:
    return {"case": world.case.pk, "kind": "question", "question": "Who visits?"}


def consent_body(world: World) -> dict[str, Any]:
    person = world.case.index_person_id
    return {
        "case": world.case.pk,
        "person": person,
        "given_by": person,
        "given_on": "2020-01-01",
        "purposes": ["sharing"],
    }


def member_ids(world: World) -> list[int]:
    return [world.case.pk, world.case.index_person_id]


def index_id(world: World) -> list[int]:
    return [world.case.index_person_id]


def member_body(world: World) -> dict[str, Any]:
    return {"case": world.case.pk, "given_name": "Besa", "family_name": "Qwertz", "relationship": "sibling"}


def sar_id(world: World) -> list[int]:
    """A subject access request about the case's index person (made directly: only a DPO opens one)."""
    from django.utils import timezone

    from audit.models import SubjectAccessRequest

    today = timezone.localdate()
    person = world.case.index_person
    # one request per world: the test reads the URL again after the call
    sar, _ = SubjectAccessRequest.objects.get_or_create(
        person=person, person_label=str(person), requested_by="-", received_on=today, due_on=today,
        opened_by=world.coordinator,
    )  # fmt: skip
    return [sar.pk]


ENTRY_BODIES: dict[str, Callable[["World"], dict[str, Any]]] = {
    "contact": lambda w: {
        "kind": "home_visit",
        "occurred_at": "2020-01-01T10:00:00Z",
        "visitors": [w.case.owner_id],
        "discussed": "-",
    },
    "needsassessment": lambda w: {"concern_level": "low"},
    "securityassessment": lambda w: {"risk_level": "low", "assessment": "-", "abstract": "-"},
    "childneeds": lambda w: {"child": w.case.index_person_id, "age_band": "12_17", "schooling": "attending"},
    "casenote": lambda w: {"text": "A note"},
    "policeaction": lambda w: {
        "kind": "raid",
        "occurred_at": "2020-01-01T10:00:00Z",
        "what_happened": "-",
        "abstract": "-",
    },
    "attachment": lambda w: {"kind": "document", "description": "-", "file": _upload()},
    "expertconsultation": lambda w: {
        "expert": w.entries["expertconsultation"].expert_id,
        "shared": "-",
        "basis": "consent",
    },
}


def _upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("b.pdf", b"%PDF-1.4 a letter")


def entry_body(kind: str) -> Callable[["World"], dict[str, Any]]:
    return lambda world: {"case": world.case.pk, **ENTRY_BODIES[kind](world)}


def restriction_body(world: World) -> dict[str, Any]:
    return {"case": world.case.pk, "person": world.case.index_person_id, "must_not_be_told": "Where the father is"}


def check_body(world: World) -> dict[str, Any]:
    return {"case": world.case.pk, "agency": world.case.owning_agency_id, "concern_verified_on": "2020-01-01"}


def share_body(world: World) -> dict[str, Any]:
    return {
        "case": world.case.pk,
        "agency": world.coordinator.memberships.get().agency_id,
        "scope": "summary",
        "basis": "override",
        "justification": "The school must know of the risk tonight",
    }


def agreement_id(world: World) -> list[int]:
    return [world.agreement.pk]


def agreement_body(world: World) -> dict[str, Any]:
    return {
        "title": "Covenant",
        "instrument": "covenant",
        "parties": [world.case.owning_agency_id, world.share.agency_id],
        "purpose": "-",
        "data_categories": "-",
        "review_on": "2099-01-01",
        "status": "draft",
    }


# The data protection officer's pages do not exist for anyone else: 404 for readers too.
DPO = {"refused": 404}


def named(world: World) -> dict[str, Any]:
    return {"subject_family_name": world.case.family.name, "subject_given_name": world.case.index_person.given_name}


MEETINGS = "panels.add_panelmeeting"
ENDPOINTS = [
    Endpoint("home", "get", no_args, "list"),
    Endpoint("reminders:calendar", "get", no_args, "list"),
    Endpoint("reminders:unread_count", "get", no_args, "list"),
    Endpoint("cases:case_list", "get", no_args, "list"),
    Endpoint("cases:case_list_export", "get", no_args, "list"),
    Endpoint("cases:case_summary", "get", case_id, "object"),
    Endpoint("cases:owner_suggestions", "get", no_args, "list", params=lambda w: {"q": w.case.owner.first_name}),
    Endpoint("cases:agency_suggestions", "get", no_args, "list", params=lambda w: {"q": w.case.owning_agency.name}),
    Endpoint("cases:panel_suggestions", "get", no_args, "list", params=lambda w: {"q": w.panel.name}),
    # A form's choices by suggestion (decision 153): people who may own a case (no case data, the
    # gate of the API's owner candidates), the families a triager reads in full, the cases of the panel
    # for its meeting's agenda (the coordinator's).
    # Caseloads only for whoever chooses people (a supervisor, a coordinator, a triager): 403 to a stranger.
    Endpoint(
        "cases:candidate_suggestions", "get", no_args, "object", params=lambda w: {"q": w.case.owner.first_name}, hidden=403
    ),
    Endpoint("cases:case", "get", case_id, "object"),
    Endpoint("cases:case_share", "post", case_id, "write"),
    Endpoint("cases:case_assign", "post", case_id, "write"),
    Endpoint("cases:caseshare_revoke", "post", share_ids, "write"),
    Endpoint("cases:case_grants", "get", case_id, "write"),
    Endpoint("cases:case_grants", "post", case_id, "write"),
    Endpoint("cases:grant_revoke", "get", grant_ids, "write"),
    Endpoint("cases:grant_revoke", "post", grant_ids, "write"),
    Endpoint("cases:disclosurecheck_create", "post", case_id, "write"),
    Endpoint("cases:timeline", "get", case_id, "object"),
    Endpoint("cases:changes_since", "get", case_id, "object"),
    # The family register: read with the file, kept by the owner or a supervisor, merged by a supervisor.
    Endpoint("cases:family", "get", case_id, "object"),
    Endpoint("cases:member", "get", member_ids, "object"),
    Endpoint("cases:member_add", "post", case_id, "write"),
    Endpoint("cases:member_edit", "post", member_ids, "write"),
    Endpoint("cases:member_remove", "post", member_ids, "write"),
    Endpoint("cases:member_merge", "post", member_ids, "write", role_gate="families.merge_person"),
    Endpoint("cases:consent_create", "post", case_id, "write"),
    Endpoint("cases:consent_withdraw", "post", lambda w: [w.case.pk, w.entries["consent"].pk], "write"),
    Endpoint("cases:case_stage", "post", case_id, "write"),
    Endpoint("cases:case_risk", "post", case_id, "write"),
    Endpoint("cases:case_key_worker", "post", case_id, "write"),
    # Anyone in the case team records an entry or a restriction; the reader is in the team.
    Endpoint("cases:restriction_create", "post", case_id, "object"),
    Endpoint("cases:restriction_lift", "post", lambda w: [w.case.pk, w.entries["restriction"].pk], "write"),
    # Safety in the field: the case team warns and goes out; the owner or a supervisor reviews a
    # warning; only the visitor checks in (the reader reads the visit: 403).
    Endpoint("cases:safety_warning_create", "post", case_id, "object"),
    Endpoint("cases:safety_warning_review", "post", lambda w: [w.case.pk, w.entries["safety"].pk], "write"),
    Endpoint("cases:visit_plan", "post", case_id, "object"),
    Endpoint("cases:visit_check_in", "post", lambda w: [w.case.pk, w.entries["visit"].pk], "write"),
    Endpoint("cases:entry_create", "post", lambda w: [w.case.pk, "casenote"], "object"),
    Endpoint("cases:entry", "get", case_entry("casenote"), "object"),
    # Someone else's draft does not exist for the reader.
    Endpoint("cases:entry_edit", "post", lambda w: [w.case.pk, "casenote", w.entries["draft"].pk], "write", refused=404),
    Endpoint("cases:attachment_file", "get", lambda w: [w.case.pk, w.entries["attachment"].pk], "object"),
    # Information requests: whoever runs the case asks; the agency asked answers.
    Endpoint("cases:information_request_create", "post", case_id, "write"),
    Endpoint("cases:owner_question_create", "get", case_id, "write"),
    Endpoint("cases:owner_question_create", "post", case_id, "write"),
    # The asker reads their own question but may not answer it: 403.
    Endpoint("cases:owner_question_answer", "get", owner_question_ids, "write", reader="coordinator"),
    Endpoint("cases:owner_question_answer", "post", owner_question_ids, "write", reader="coordinator"),
    Endpoint("cases:information_request", "get", lambda w: [w.case.pk, w.entries["info"].pk], "object"),
    Endpoint("cases:information_request_answer", "post", lambda w: [w.case.pk, w.entries["info"].pk], "write"),
    Endpoint("referrals:referral_list", "get", no_args, "list"),
    Endpoint("referrals:referral_create", "get", no_args, "list"),
    Endpoint("referrals:matches", "get", no_args, "list", params=named),
    Endpoint("referrals:family_suggestions", "get", no_args, "list", params=lambda w: {"q": w.case.family.name}),
    Endpoint("referrals:referral", "get", referral_id, "object"),
    Endpoint("referrals:referral_triage", "post", referral_id, "write", reader="panel_member"),
    Endpoint("referrals:referral_add_to", "post", referral_id, "write", reader="panel_member"),
    Endpoint("referrals:referral_feedback", "post", referral_id, "write", reader="panel_member"),
    Endpoint("referrals:front_door", "get", no_args, "list"),
    Endpoint("referrals:receipt_list", "get", no_args, "list"),
    Endpoint("referrals:receipt", "get", receipt_id, "object"),
    Endpoint("referrals:deconfliction_list", "get", no_args, "list"),
    Endpoint("referrals:deconfliction", "get", deconfliction_id, "object"),
    # The panel's coordinator reads the police's answer (she triages the front door), never gives it.
    Endpoint("referrals:deconfliction", "post", deconfliction_id, "write", reader="coordinator", params=answer_body),
    # Services out: the directory is every partner's to read (a list, whatever the id), its panel's
    # coordinator's to keep; a referral to a service is read by the file's readers and the service.
    Endpoint("referrals:service_list", "get", no_args, "list"),
    Endpoint("referrals:service", "get", lambda w: [w.service.pk], "list"),
    Endpoint("referrals:service_create", "post", no_args, "write", role_gate="agencies.change_panel", reader="panel_member", params=service_body),
    Endpoint("referrals:service_edit", "post", lambda w: [w.service.pk], "write", role_gate="agencies.change_panel", reader="panel_member", params=service_body),
    Endpoint("referrals:service_referral_list", "get", no_args, "list"),
    Endpoint("referrals:service_referral", "get", lambda w: [w.service_referral.pk], "object"),
    Endpoint("referrals:service_referral_update", "post", lambda w: [w.service_referral.pk], "write", params=lambda w: {"status": "accepted"}),
    Endpoint("referrals:referral_refer", "post", referral_id, "write", reader="panel_member", params=refer_body),
    Endpoint("referrals-api:supportservice-list", "get", no_args, "list", api=True),
    Endpoint("referrals-api:supportservice-list", "post", no_args, "write", api=True, role_gate="agencies.change_panel", reader="panel_member", params=service_body),
    Endpoint("referrals-api:supportservice-detail", "get", lambda w: [w.service.pk], "list", api=True),
    Endpoint("referrals-api:supportservice-detail", "patch", lambda w: [w.service.pk], "write", api=True, role_gate="agencies.change_panel", reader="panel_member", params=lambda w: {"area": "Tirana"}),
    Endpoint("referrals-api:servicereferral-list", "get", no_args, "list", api=True),
    Endpoint("referrals-api:servicereferral-list", "post", no_args, "write", api=True, reader="panel_member", params=lambda w: {**refer_body(w), "referral": w.referral.pk}, hidden=400, refused=400),
    Endpoint("referrals-api:servicereferral-detail", "get", lambda w: [w.service_referral.pk], "object", api=True),
    Endpoint("referrals-api:servicereferral-status", "post", lambda w: [w.service_referral.pk], "write", api=True, params=lambda w: {"status": "accepted"}),
    Endpoint("panels:panel_list", "get", no_args, "list", role_gate="agencies.view_panel"),
    Endpoint("panels:panel", "get", lambda w: [w.panel.pk], "object", role_gate="agencies.view_panel"),
    Endpoint("panels:panel_settings", "post", lambda w: [w.panel.pk], "write", role_gate="agencies.change_panel", reader="panel_member"),
    Endpoint("panels:meeting_create", "post", lambda w: [w.panel.pk], "write", role_gate=MEETINGS, reader="panel_member"),
    Endpoint("panels:meeting", "get", meeting_id, "object"),
    Endpoint("panels:meeting_agenda", "get", meeting_id, "object"),
    Endpoint("panels:meeting_pack", "get", meeting_id, "object"),
    Endpoint("panels:meeting_acknowledge", "post", meeting_id, "object"),
    Endpoint("panels:meeting_attendance", "post", meeting_id, "write", role_gate=MEETINGS, reader="panel_member"),
    Endpoint("panels:meeting_register", "get", meeting_id, "write", role_gate=MEETINGS, reader="panel_member"),
    Endpoint("panels:meeting_register", "post", meeting_id, "write", role_gate=MEETINGS, reader="panel_member"),
    Endpoint("panels:meeting_rebuild", "post", meeting_id, "write", role_gate=MEETINGS, reader="panel_member"),
    Endpoint("panels:meeting_add_case", "post", meeting_id, "write", role_gate=MEETINGS, reader="panel_member"),
    Endpoint("panels:meeting_case_suggestions", "get", meeting_id, "write", role_gate=MEETINGS, reader="panel_member", params=lambda w: {"q": w.case.family.name[:4]}),
    Endpoint("panels:meeting_close", "post", meeting_id, "write", role_gate=MEETINGS, reader="panel_member"),
    Endpoint("panels:agendaitem_decide", "post", item_ids, "write", role_gate=MEETINGS, reader="panel_member"),
    Endpoint("panels:agendaitem_decline", "get", item_ids, "object"),
    Endpoint("panels:agendaitem_decline", "post", item_ids, "object"),
    Endpoint("panels:network", "get", lambda w: [w.panel.pk], "write", role_gate="agencies.view_networkorganisation", reader="panel_member"),
    Endpoint("panels:network_add", "post", lambda w: [w.panel.pk], "write", role_gate="agencies.add_networkorganisation", reader="panel_member"),
    Endpoint("panels:emergency", "get", lambda w: [w.panel.pk], "object", role_gate="agencies.view_panel"),
    Endpoint("panels:emergency_edit", "post", lambda w: [w.panel.pk], "write", role_gate="agencies.change_panel", reader="panel_member"),
    Endpoint("panels:duty_add", "post", lambda w: [w.panel.pk], "write", role_gate="agencies.add_dutyshift", reader="panel_member"),
    Endpoint("panels:urgent_meeting", "post", lambda w: [w.panel.pk], "write", role_gate=MEETINGS, reader="panel_member"),
    Endpoint("panels:topic_add", "post", meeting_id, "write", role_gate=MEETINGS, reader="panel_member"),
    Endpoint("panels:network_remove", "post", lambda w: [w.entries["network"].pk], "write", role_gate="agencies.add_networkorganisation", reader="panel_member"),
    Endpoint("panels:duty_remove", "post", lambda w: [w.entries["shift"].pk], "write", role_gate="agencies.add_dutyshift", reader="panel_member"),
    Endpoint("panels:topic", "post", lambda w: [w.entries["topic"].pk], "write", role_gate=MEETINGS, reader="panel_member"),
    Endpoint("panels:directory", "get", no_args, "list", role_gate="agencies.view_user"),
    Endpoint("panels:reassign", "post", lambda w: [w.case.owner_id], "write", role_gate="agencies.view_user"),
    Endpoint("panels-api:networkorganisation-list", "get", no_args, "list", api=True, role_gate="agencies.view_networkorganisation"),
    Endpoint("panels-api:networkorganisation-list", "post", no_args, "write", api=True, role_gate="agencies.view_networkorganisation", reader="panel_member", params=lambda w: {"panel": w.panel.pk, "name": "School", "sector": "schools", "status": "invited"}),
    Endpoint("panels-api:networkorganisation-detail", "get", lambda w: [w.entries["network"].pk], "write", api=True, role_gate="agencies.view_networkorganisation", reader="panel_member"),
    Endpoint("panels-api:dutyshift-list", "get", no_args, "list", api=True, role_gate="agencies.view_dutyshift"),
    Endpoint("panels-api:dutyshift-detail", "get", lambda w: [w.entries["shift"].pk], "object", api=True, role_gate="agencies.view_dutyshift"),
    Endpoint("panels-api:dutyshift-list", "post", no_args, "write", api=True, role_gate="agencies.add_dutyshift", reader="panel_member", params=lambda w: {"panel": w.panel.pk, "user": w.case.owner_id, "agency": w.case.owning_agency_id, "starts_at": "2099-01-01T20:00:00Z", "ends_at": "2099-01-02T08:00:00Z"}),
    Endpoint("panels-api:urgent-meeting-list", "post", no_args, "write", api=True, role_gate=MEETINGS, reader="panel_member", params=lambda w: {"panel": w.panel.pk, "scheduled_for": "2099-01-01T10:00:00Z", "reason": "A threat"}),
    Endpoint("panels-api:meetingtopic-list", "get", no_args, "list", api=True, role_gate="panels.view_panelmeeting"),
    Endpoint("panels-api:meetingtopic-detail", "get", lambda w: [w.entries["topic"].pk], "object", api=True, role_gate="panels.view_panelmeeting"),
    Endpoint("panels-api:meetingtopic-list", "post", no_args, "write", api=True, role_gate=MEETINGS, reader="panel_member", params=lambda w: {"meeting": w.meeting.pk, "kind": "evaluation", "title": "How did the year go?"}),
    Endpoint("cases-api:case-list", "get", no_args, "list", api=True),
    Endpoint("cases-api:case-export", "get", no_args, "list", api=True),
    Endpoint("cases-api:case-summary", "get", case_id, "object", api=True),
    Endpoint("panels-api:panelmeeting-pack", "get", meeting_id, "object", api=True),
    Endpoint("cases-api:case-detail", "get", case_id, "object", api=True),
    Endpoint("cases-api:case-assign-owner", "post", case_id, "write", api=True),
    Endpoint("cases-api:case-reassign", "post", no_args, "write", api=True, refused=400),
    Endpoint("cases-api:caseshare-list", "get", no_args, "list", api=True),
    Endpoint("cases-api:caseshare-list", "post", no_args, "write", api=True, params=share_body, hidden=400, refused=400),
    Endpoint("cases-api:caseshare-detail", "get", lambda w: [w.share.pk], "object", api=True),
    Endpoint("cases-api:caseshare-revoke", "post", lambda w: [w.share.pk], "write", api=True),
    Endpoint("cases-api:disclosurecheck-list", "get", no_args, "list", api=True),
    # The police reader works for no health or social-care agency: she records no checks.
    Endpoint("cases-api:disclosurecheck-list", "post", no_args, "write", api=True, params=check_body, hidden=400),
    Endpoint("cases-api:disclosurecheck-detail", "get", lambda w: [w.check.pk], "object", api=True),
    Endpoint("cases-api:case-move-stage", "post", case_id, "write", api=True),
    Endpoint("cases-api:case-set-risk-level", "post", case_id, "write", api=True),
    Endpoint("cases-api:case-key-worker", "post", case_id, "write", api=True),
    # The people the family met (decision 144): full readers of the file, as the case page's section.
    Endpoint("cases-api:case-people-met", "get", case_id, "object", api=True, role_gate="cases.view_case_summary"),
    *[
        endpoint
        for kind in ("contact", "needsassessment", "securityassessment", "childneeds", "casenote", "attachment", "policeaction", "expertconsultation")
        for endpoint in (
            Endpoint(f"cases-api:{kind}-list", "get", no_args, "list", api=True, role_gate="cases.view_case"),
            Endpoint(f"cases-api:{kind}-detail", "get", entry_id(kind), "object", api=True, role_gate="cases.view_case"),
        )
    ],
    # Recording an entry: anyone in the case team (the case in the body, refused as if missing to a stranger).
    *[
        Endpoint(f"cases-api:{kind}-list", "post", no_args, "object", api=True, role_gate="cases.view_case", params=entry_body(kind), hidden=400)
        for kind in ENTRY_BODIES
    ],
    # A final entry is not edited: the reader reads it (403); a stranger does not (404).
    *[
        Endpoint(f"cases-api:{kind}-detail", "patch", entry_id(kind), "write", api=True, role_gate="cases.view_case", params=lambda w: {"is_draft": False})
        for kind in ENTRY_BODIES
        if kind != "attachment"
    ],
    Endpoint("cases-api:attachment-file", "get", entry_id("attachment"), "object", api=True, role_gate="cases.view_case"),
    Endpoint("cases-api:caseevent-list", "get", no_args, "list", api=True, role_gate="cases.view_case"),
    Endpoint("cases-api:caseevent-detail", "get", entry_id("event"), "object", api=True, role_gate="cases.view_case"),
    Endpoint("cases-api:riskrecord-list", "get", no_args, "list", api=True, role_gate="cases.view_case"),
    Endpoint("cases-api:riskrecord-detail", "get", entry_id("risk"), "object", api=True, role_gate="cases.view_case"),
    Endpoint("cases-api:disclosurerestriction-list", "get", no_args, "list", api=True, role_gate="cases.view_case"),
    Endpoint("cases-api:disclosurerestriction-detail", "get", entry_id("restriction"), "object", api=True, role_gate="cases.view_case"),
    Endpoint("cases-api:disclosurerestriction-list", "post", no_args, "object", api=True, role_gate="cases.view_case", params=restriction_body, hidden=400),
    Endpoint("cases-api:disclosurerestriction-lift", "post", entry_id("restriction"), "write", api=True, role_gate="cases.view_case"),
    Endpoint("cases-api:safetywarning-list", "get", no_args, "list", api=True, role_gate="cases.view_case_summary"),
    Endpoint("cases-api:safetywarning-detail", "get", entry_id("safety"), "object", api=True, role_gate="cases.view_case_summary"),
    Endpoint("cases-api:safetywarning-list", "post", no_args, "object", api=True, role_gate="cases.view_case", params=lambda w: {"case": w.case.pk, "kind": "dog", "review_on": "2099-01-01"}, hidden=400),
    Endpoint("cases-api:safetywarning-review", "post", entry_id("safety"), "write", api=True, role_gate="cases.view_case", params=lambda w: {"review_on": "2099-01-01"}),
    Endpoint("cases-api:safetywarning-end", "post", entry_id("safety"), "write", api=True, role_gate="cases.view_case"),
    Endpoint("cases-api:plannedvisit-list", "get", no_args, "list", api=True, role_gate="cases.view_case"),
    Endpoint("cases-api:plannedvisit-detail", "get", entry_id("visit"), "object", api=True, role_gate="cases.view_case"),
    Endpoint("cases-api:plannedvisit-list", "post", no_args, "object", api=True, role_gate="cases.view_case", params=lambda w: {"case": w.case.pk, "expected_back_at": "2099-01-01T10:00:00Z"}, hidden=400),
    Endpoint("cases-api:plannedvisit-check-in", "post", entry_id("visit"), "write", api=True, role_gate="cases.view_case"),
    Endpoint("cases-api:consent-list", "get", no_args, "list", api=True),
    Endpoint("cases-api:consent-list", "post", no_args, "write", api=True, params=consent_body, hidden=400, refused=400),
    Endpoint("cases-api:consent-detail", "get", entry_id("consent"), "object", api=True),
    Endpoint("cases-api:consent-withdraw", "post", entry_id("consent"), "write", api=True, params=lambda w: {"case": w.case.pk, "reason": "No"}),
    Endpoint("cases-api:informationrequest-list", "get", no_args, "list", api=True),
    Endpoint("cases-api:informationrequest-list", "post", no_args, "write", api=True, params=info_body, hidden=400, refused=400),
    Endpoint("cases-api:informationrequest-detail", "get", entry_id("info"), "object", api=True),
    Endpoint("cases-api:ownerquestion-list", "get", no_args, "list", api=True),
    Endpoint("cases-api:ownerquestion-list", "post", no_args, "write", api=True, params=owner_question_body, hidden=400, refused=400),
    Endpoint("cases-api:ownerquestion-detail", "get", entry_id("owner_question"), "object", api=True),
    Endpoint("cases-api:ownerquestion-answer", "post", entry_id("owner_question"), "write", api=True, params=lambda w: {"answer": "-"}, reader="coordinator"),
    Endpoint("cases-api:informationrequest-answer", "post", entry_id("info"), "write", api=True, params=lambda w: {"answer": "-"}),
    Endpoint("cases-api:familymember-list", "get", no_args, "list", api=True),
    Endpoint("cases-api:familymember-list", "post", no_args, "write", api=True, params=member_body, hidden=400, refused=400),
    Endpoint("cases-api:familymember-detail", "get", index_id, "object", api=True),
    Endpoint("cases-api:familymember-detail", "patch", index_id, "write", api=True, params=lambda w: {"languages": "-"}),
    Endpoint("cases-api:familymember-remove", "post", index_id, "write", api=True, params=lambda w: {"reason": "-"}),
    Endpoint("cases-api:familymember-merge", "post", index_id, "write", api=True, role_gate="families.merge_person"),
    Endpoint("cases-api:familymember-history", "get", index_id, "object", api=True),
    Endpoint("cases-api:familymember-known", "get", no_args, "list", api=True, params=named),
    Endpoint("referrals-api:referral-list", "get", no_args, "list", api=True),
    Endpoint("referrals-api:referral-matches", "get", no_args, "list", api=True, params=named),
    Endpoint("referrals-api:referral-detail", "get", referral_id, "object", api=True),
    Endpoint("referrals-api:referral-triage", "post", referral_id, "write", api=True, reader="panel_member"),
    Endpoint("referrals-api:referral-add-to", "post", referral_id, "write", api=True, reader="panel_member"),
    Endpoint("referrals-api:referral-feedback", "post", referral_id, "write", api=True, reader="panel_member"),
    Endpoint("referrals-api:concern-list", "get", no_args, "list", api=True),
    Endpoint("referrals-api:concern-detail", "get", receipt_id, "object", api=True),
    Endpoint("referrals-api:deconfliction-check-list", "get", no_args, "list", api=True),
    Endpoint("referrals-api:deconfliction-check-detail", "get", deconfliction_id, "object", api=True),
    Endpoint(
        "referrals-api:deconfliction-check-answer",
        "post",
        deconfliction_id,
        "write",
        api=True,
        reader="coordinator",
        params=answer_body,
    ),
    Endpoint("panels-api:panel-list", "get", no_args, "list", api=True, role_gate="agencies.view_panel"),
    Endpoint("panels-api:panel-detail", "get", lambda w: [w.panel.pk], "object", api=True, role_gate="agencies.view_panel"),
    Endpoint("panels-api:panel-detail", "patch", lambda w: [w.panel.pk], "write", api=True, role_gate="agencies.change_panel", reader="panel_member", params=lambda w: {"cadence_days": 7}),
    Endpoint("panels-api:panel-network-map", "get", lambda w: [w.panel.pk], "write", api=True, role_gate="agencies.change_panel", reader="panel_member"),
    Endpoint("panels-api:panelmeeting-list", "get", no_args, "list", api=True),
    Endpoint("panels-api:panelmeeting-list", "post", no_args, "write", api=True, role_gate=MEETINGS, reader="panel_member", params=lambda w: {"panel": w.panel.pk, "scheduled_for": "2099-01-01T10:00:00Z"}),
    Endpoint("panels-api:panelmeeting-detail", "get", meeting_id, "object", api=True),
    Endpoint("panels-api:panelmeeting-acknowledge", "post", meeting_id, "object", api=True),
    Endpoint("panels-api:panelmeeting-attendance", "post", meeting_id, "write", api=True, role_gate=MEETINGS, reader="panel_member"),
    Endpoint("panels-api:panelmeeting-rebuild-agenda", "post", meeting_id, "write", api=True, role_gate=MEETINGS, reader="panel_member"),
    Endpoint("panels-api:panelmeeting-close", "post", meeting_id, "write", api=True, role_gate=MEETINGS, reader="panel_member"),
    Endpoint("panels-api:agendaitem-list", "get", no_args, "list", api=True),
    Endpoint("panels-api:agendaitem-detail", "get", lambda w: [w.item.pk], "object", api=True),
    Endpoint("panels-api:agendaitem-decide", "post", lambda w: [w.item.pk], "write", api=True, role_gate=MEETINGS, reader="panel_member"),
    Endpoint("panels-api:agendaitem-decline", "post", lambda w: [w.item.pk], "object", api=True),
    # Caseloads are for whoever assigns the case: the reader may not (403), a stranger knows no case (404).
    Endpoint("panels-api:owner-candidate-list", "get", no_args, "object", api=True, params=lambda w: {"case": w.case.pk}),
    Endpoint("privacy:sar_list", "get", no_args, "object"),
    Endpoint("privacy:sar_create", "post", lambda w: [w.case.index_person_id], "write", **DPO),
    Endpoint("privacy:sar", "get", sar_id, "object"),
    Endpoint("privacy:sar_export", "get", sar_id, "object"),
    Endpoint("privacy:sar_complete", "post", sar_id, "write", **DPO),
    Endpoint("privacy:retention_list", "get", no_args, "object"),
    Endpoint("privacy:retention_decide", "post", lambda w: ["case", w.case.pk], "write", **DPO),
    Endpoint("interventions:plan_create", "post", case_id, "write"),
    Endpoint("interventions:plan_start", "post", lambda w: [w.case.pk, w.draft.pk], "write"),
    Endpoint("interventions:action_status", "post", lambda w: [w.case.pk, w.action.pk], "write"),
    Endpoint("interventions:action_refer", "post", lambda w: [w.case.pk, w.action.pk], "write", params=refer_body),
    Endpoint("interventions:review_create", "post", case_id, "write"),
    Endpoint("interventions:withdrawal_create", "post", case_id, "write"),
    Endpoint("interventions:closure_create", "post", case_id, "write"),
    Endpoint("interventions:case_reopen", "post", case_id, "write"),
    Endpoint("interventions:followup_done", "post", lambda w: [w.case.pk, w.follow_up.pk], "write"),
    Endpoint("interventions:entry", "get", entry("interventionplan", "plan"), "object"),
    Endpoint("interventions:entry", "get", entry("interventionplan", "draft"), "object"),
    Endpoint("interventions:entry", "get", entry("planaction", "action"), "object"),
    Endpoint("interventions:entry", "get", entry("review", "review"), "object"),
    Endpoint("interventions:entry", "get", entry("withdrawal", "withdrawal"), "object"),
    Endpoint("interventions:entry", "get", entry("closure", "closure"), "object"),
    Endpoint("interventions:entry", "get", entry("followup", "follow_up"), "object"),
    Endpoint("interventions-api:interventionplan-list", "get", no_args, "list", api=True),
    Endpoint("interventions-api:interventionplan-list", "post", no_args, "write", api=True, params=plan_body, hidden=400),
    Endpoint("interventions-api:interventionplan-detail", "get", lambda w: [w.plan.pk], "object", api=True),
    Endpoint("interventions-api:planaction-list", "get", no_args, "list", api=True),
    Endpoint("interventions-api:planaction-detail", "get", lambda w: [w.action.pk], "object", api=True),
    Endpoint("interventions-api:planaction-status", "post", lambda w: [w.action.pk], "write", api=True, params=lambda w: {"status": "done"}),
    Endpoint("interventions-api:planaction-refer", "post", lambda w: [w.action.pk], "write", api=True, params=refer_body),
    Endpoint("interventions-api:review-list", "get", no_args, "list", api=True),
    Endpoint("interventions-api:review-list", "post", no_args, "write", api=True, params=review_body, hidden=400),
    Endpoint("interventions-api:review-detail", "get", lambda w: [w.review.pk], "object", api=True),
    Endpoint("interventions-api:withdrawal-list", "get", no_args, "list", api=True),
    Endpoint("interventions-api:withdrawal-list", "post", no_args, "write", api=True, params=withdrawal_body, hidden=400),
    Endpoint("interventions-api:withdrawal-detail", "get", lambda w: [w.withdrawal.pk], "object", api=True),
    Endpoint("interventions-api:closure-list", "get", no_args, "list", api=True),
    Endpoint("interventions-api:closure-list", "post", no_args, "write", api=True, params=closure_body, hidden=400),
    Endpoint("interventions-api:closure-detail", "get", lambda w: [w.closure.pk], "object", api=True),
    Endpoint("interventions-api:closure-reopen", "post", lambda w: [w.closure.pk], "write", api=True, params=lambda w: {"reason": "New concern"}),
    Endpoint("interventions-api:followup-list", "get", no_args, "list", api=True),
    Endpoint("interventions-api:case-progress-list", "get", no_args, "list", api=True, role_gate="cases.view_case_summary"),
    Endpoint("interventions-api:case-progress-detail", "get", lambda w: [w.case.pk], "object", api=True, role_gate="cases.view_case_summary"),
    Endpoint("interventions-api:followup-detail", "get", lambda w: [w.follow_up.pk], "object", api=True),
    Endpoint("interventions-api:followup-done", "post", lambda w: [w.follow_up.pk], "write", api=True, params=lambda w: {"done_on": "2099-01-01"}),
    # Reminders: the owner's reminder is nobody else's (404); a panel's deadlines are its coordinator's.
    Endpoint("reminders:reminder_list", "get", no_args, "list"),
    Endpoint("stats:dashboard", "get", no_args, "list"),
    Endpoint("stats:evaluation", "get", no_args, "list", role_gate="agencies.view_panel"),
    Endpoint("stats:evaluation_csv", "get", no_args, "list", role_gate="agencies.view_panel"),
    Endpoint("stats:year_report", "get", no_args, "list", role_gate="agencies.view_panel"),
    Endpoint("stats:lessons", "get", lambda w: [w.panel.pk], "write", role_gate="agencies.change_panel", reader="panel_member"),
    Endpoint("stats:lessons", "post", lambda w: [w.panel.pk], "write", role_gate="agencies.change_panel", reader="panel_member"),
    Endpoint("stats-api:stats-dashboard", "get", no_args, "list", api=True),
    Endpoint("stats-api:stats-evaluation", "get", no_args, "list", api=True, role_gate="agencies.view_panel"),
    Endpoint("stats-api:lessonslearned-list", "get", no_args, "list", api=True, role_gate="agencies.view_panel"),
    Endpoint("stats-api:lessonslearned-detail", "get", lambda w: [w.entries["lessons"].pk], "object", api=True, role_gate="agencies.view_panel"),
    Endpoint("stats-api:lessonslearned-list", "post", no_args, "write", api=True, role_gate="agencies.change_panel", reader="panel_member", params=lambda w: {"panel": w.panel.pk, "year": 2001, "text": "Meet schools earlier."}),
    Endpoint("stats-api:lessonslearned-detail", "patch", lambda w: [w.entries["lessons"].pk], "write", api=True, role_gate="agencies.change_panel", reader="panel_member", params=lambda w: {"text": "Ours now."}),
    Endpoint("reminders:reminder_open", "get", lambda w: [w.reminder.pk], "object"),
    Endpoint("reminders:reminder_open", "post", lambda w: [w.reminder.pk], "object"),
    Endpoint("reminders:reminder_read", "post", lambda w: [w.reminder.pk], "object"),
    Endpoint("reminders:panel_settings", "post", lambda w: [w.panel.pk], "write", reader="panel_member"),
    # The same deadlines in the API (decision 143): the coordinator's alone, as on the page.
    Endpoint("reminders-api:panel-reminder-settings", "get", lambda w: [w.panel.pk], "write", api=True, reader="panel_member"),
    Endpoint("reminders-api:panel-reminder-settings", "patch", lambda w: [w.panel.pk], "write", api=True, reader="panel_member", params=lambda w: {"no_contact_days_high": 10}),
    Endpoint("reminders-api:reminder-list", "get", no_args, "list", api=True),
    Endpoint("reminders-api:reminder-detail", "get", lambda w: [w.reminder.pk], "object", api=True),
    Endpoint("reminders-api:reminder-read", "post", lambda w: [w.reminder.pk], "object", api=True),
    Endpoint("reminders-api:reminder-read-all", "post", no_args, "list", api=True),
    # The access log: the case owner and the coordinator only; the trail: the DPO only (else 404).
    Endpoint("audit:case_access_log", "get", case_id, "object"),
    Endpoint("audit:auditevent_list", "get", no_args, "object"),
    Endpoint("audit:breakglass_report", "get", no_args, "object"),
    Endpoint("audit-api:auditevent-list", "get", no_args, "object", api=True),
    Endpoint("audit-api:auditevent-detail", "get", lambda w: [AuditEvent.objects.order_by("pk").first().pk], "object", api=True),
    # Information-sharing agreements: read by their parties' members and their panels' coordinators,
    # changed by a coordinator or an agency administrator of theirs; recorded by coordinators and
    # agency administrators alone (403 to every other role, whatever the agreement).
    Endpoint("agreements:agreement_list", "get", no_args, "list"),
    Endpoint("agreements:protocol", "get", no_args, "list"),
    Endpoint("agreements:agreement_create", "get", no_args, "write", hidden=403),
    Endpoint("agreements:agreement_create", "post", no_args, "write", hidden=403),
    Endpoint("agreements:agreement", "get", agreement_id, "object"),
    Endpoint("agreements:agreement_document", "get", agreement_id, "object"),
    Endpoint("agreements:agreement_edit", "get", agreement_id, "write"),
    Endpoint("agreements:agreement_edit", "post", agreement_id, "write"),
    Endpoint("cases-api:sharingagreement-list", "get", no_args, "list", api=True),
    Endpoint("cases-api:sharingagreement-list", "post", no_args, "write", api=True, hidden=403, params=agreement_body),
    Endpoint("cases-api:sharingagreement-detail", "get", agreement_id, "object", api=True),
    Endpoint("cases-api:sharingagreement-detail", "patch", agreement_id, "write", api=True, params=lambda w: {"title": "Renamed"}),
    Endpoint("cases-api:sharingagreement-detail", "put", agreement_id, "write", api=True, params=agreement_body),
    Endpoint("audit:break_glass", "post", no_args, "write", role_gate="audit.add_breakglassaccess", params=lambda w: {"reference": w.case.reference, "reason": "A child is missing tonight"}),
]  # fmt: skip
# URL names that carry no case data, with the reason.
EXEMPT = {
    "login": "the sign-in page",
    "logout": "signs the user out",
    "set_language": "the user's own language",
    "two_factor": "the user's own authenticator app",
    "name_shown": "the user's own name preference",
    "kept_form": "the user's own typing, kept rows filtered by own_typing (tests/agencies/test_kept_forms.py)",
    "keep_alive": "touches the caller's own session",
    "offline_key": "the caller's own key (for their current sign-ins) for what they type offline (tests/agencies/test_offline.py)",
    "two_factor_verify": "the user's own sign-in code",
    "two_factor_recovery": "the user's own recovery codes",
    "two_factor_codes": "issues a person an enrolment code; reads no case data (404 to all but issuers)",
    "api-token": "exchanges credentials for a token",
    "api-logout": "ends the caller's own token",
    "api-schema": "describes the API, holds no data",
    "api-docs": "the schema's documentation page",
    "cases-api:api-root": "links to the list endpoints",
    "referrals-api:api-root": "links to the list endpoints",
    "panels-api:api-root": "links to the list endpoints",
    "interventions-api:api-root": "links to the list endpoints",
    "reminders-api:api-root": "links to the list endpoints",
    "reminders:reminder_read_all": "marks the caller's own reminders read",
    "reminders:preferences": "the user's own e-mail preference",
    "reminders:calendar_secret": "makes the caller's own calendar address (decision 92)",
    "reminders:calendar_feed": "opened by a feed's secret alone; a wrong one is 404 (tests/reminders/test_calendar.py)",
    # Public by design (decision 126): no sign-in, throttled per address (tests/referrals/test_public_concern.py).
    "referrals:public_concern": "public: the self-referral page takes a concern and reads none",
    "referrals:public_status": "public: a follow-up code's stage alone, by its hash",
    "referrals-api:public-concern": "public: the self-referral page's API takes a concern and reads none",
    "referrals-api:public-status": "public: a follow-up code's stage alone, by its hash",
    "audit-api:api-root": "links to the list endpoints",
    "stats-api:api-root": "links to the list endpoints",
    "panels:experts": "the register of experts: no case data, a role's permission (tests/cases/test_expert_consultations.py)",
    "panels:expert_create": "the register of experts: coordinators and agency admins (tests/cases/test_expert_consultations.py)",
    "panels:expert_edit": "the register of experts: coordinators and agency admins",
    "panels:agency": "an agency's mandate and contact: open to every member, like the partner directory",
    "panels:agency_edit": "the agency's admins and its panels' coordinators (tests/panels/test_network_map.py)",
    "panels-api:expert-list": "the register of experts: no case data (tests/panels/test_structure_api.py)",
    "panels-api:expert-detail": "the register of experts: no case data (tests/panels/test_structure_api.py)",
    "panels-api:agency-profile-list": "agencies' mandates, open to every member (tests/panels/test_structure_api.py)",
    "panels-api:agency-profile-detail": "agencies' mandates, open to every member (tests/panels/test_structure_api.py)",
    # Joining, passwords and induction (decisions 117, 118): the directory and the user's own account,
    # no case data; who manages which agency is tested in tests/agencies/test_joining.py (404 for others).
    "invitation": "the invitation link, opened by its secret alone (tests/agencies/test_joining.py)",
    "password_change": "the user's own password",
    "password_reset": "asks for a reset link; answers the same whoever asks",
    "password_reset_done": "the page after a reset was asked for",
    "password_reset_confirm": "the reset link, opened by its token alone",
    "password_reset_complete": "the page after a reset",
    "induction": "the user's own protocols to acknowledge",
    "protocols": "the coordinator's protocols; no case data (404 to others)",
    "protocol_add": "publishes a protocol; no case data (404 to all but coordinators)",
    "protocol_edit": "a new version of a protocol; no case data (404 to all but coordinators)",
    "people": "the agencies the user manages; no case data (404 to others)",
    "people_agency_add": "adds an agency; no case data (404 to all but coordinators and agency administrators)",
    "people_agency": "an agency's people, for who manages it (404 to others)",
    "people_invite": "invites a person, for who manages the agency (404 to others)",
    "people_invite_again": "a new invitation, for who manages the agency (404 to others)",
    "people_end": "ends a membership, for who manages the agency (404 to others, 403 for a role they may not "
    "grant; tests/agencies/test_role_changes.py)",
    "people_add_member": "adds someone already in Ura, a coordinator's act (404 to who does not manage the "
    "agency, 403 to its administrator; tests/agencies/test_second_agency.py)",
    "people_roles": "a person's roles, for who manages the agency (404 to others, 403 for a role they may not "
    "change; tests/agencies/test_role_changes.py)",
    "api-agencies": "the agencies the caller manages (empty for others); no case data",
    "api-invite": "invites a person to an agency the caller manages (400 for others)",
    "api-membership-end": "ends a membership, for who manages the agency (404 to others, 403 for a role they "
    "may not grant; tests/agencies/test_role_changes.py)",
    "api-agency-memberships": "an agency's people, for who manages it (404 to others)",
    "api-memberships": "adds someone already in Ura to an agency, a coordinator's act (403 to anyone else, 400 "
    "for an agency not found)",
    "api-membership-roles": "a person's roles, for who manages the agency (404 to others, 403 for a role they "
    "may not change; tests/agencies/test_role_changes.py)",
    "api-induction": "the caller's own protocols to acknowledge",
    "api-induction-acknowledge": "the caller acknowledges protocols",
    # The library and training (decision 119): no case data (tests/learning/test_library.py).
    "learning:library": "the library, for every member",
    "learning:resource_add": "adds to the library (404 to all but coordinators)",
    "learning:resource_download": "a library file, for every member",
    "learning:resource_remove": "removes from the library (404 to all but coordinators)",
    "learning:training": "the user's own training and that of the people they manage",
    "learning:training_add": "records training (404 to all but who manages people)",
    "learning-api:library": "the library, for every member",
    "learning-api:training": "the caller's own training and that of the people they manage",
    "panels:reassignment": "the caller's own reassignment job (tests/cases/test_ownership.py: 404 for others)",
    "cases-api:reassignment-job": "the caller's own reassignment job (tests/cases/test_ownership.py: 404 for others)",
    "cases:export_job": "the caller's own export job (tests/cases/test_exports.py: 404 for others)",
    "cases:export_file": "the caller's own export file (tests/cases/test_exports.py: 404 for others)",
    "cases:export_list": "the caller's own exports, no case data (tests/cases/test_my_exports.py: none of others)",
    "cases-api:export-job": "the caller's own export job (tests/cases/test_exports.py: 404 for others)",
    "cases-api:export-job-file": "the caller's own export file (tests/cases/test_exports.py: 404 for others)",
}


def _names(patterns: list[Any], namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                yield from _names(
                    pattern.url_patterns, namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                )
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def test_every_endpoint_is_in_the_table() -> None:
    covered = {endpoint.name for endpoint in ENDPOINTS} | set(EXEMPT)
    assert sorted(set(_names(get_resolver().url_patterns)) - covered) == []


@pytest.fixture
def world(
    case: Case, panel: Panel, other_agency: Agency, agency: Agency, coordinator: User, auditor_readonly: User
) -> World:
    from django.utils import timezone

    from cases import services as case_services
    from panels import services as panel_services
    from tests.factories import ReferralFactory

    # Names no page would contain by chance, so "not in the page" means what it says.
    Case.objects.filter(pk=case.pk).update(panel=panel, reference="ZQ-7731", next_review_on=timezone.localdate())
    case.family.name = "Qwertzfamily"
    case.family.save()
    case.index_person.family_name = "Qwertzfamily"
    case.index_person.save()
    case.refresh_from_db()
    referral = ReferralFactory(
        received_by=agency,
        panel=panel,
        status="on_agenda",
        subject_given_name=case.index_person.given_name,
        subject_family_name="Qwertzfamily",
        concern="Ytrewq concern",
    )
    meeting = panel_services.schedule_meeting(panel, scheduled_for=timezone.now(), actor=coordinator)
    check = case_services.record_disclosure_check(
        case, agency=agency, actor=case.owner, concern_verified_on=timezone.localdate()
    )
    full_share = share(case, other_agency, CaseShare.Scope.FULL)
    item = meeting.items.get(case=case)
    # A concern the case owner sent to the panel's front door: its receipt, and the police's check.
    from referrals import services as referral_services

    receipt = referral_services.send_to_front_door(
        actor=case.owner, panel=panel, sent_by_agency=agency, concern="Door concern", subject_family_name="Doorfamily"
    )
    return World(
        case=case,
        share=full_share,
        panel=panel,
        referral=referral,
        meeting=meeting,
        item=item,
        check=check,
        coordinator=coordinator,
        entries={**_entries(case), **_structure(panel, meeting, coordinator, agency)},
        **_interventions(case, other_agency, auditor_readonly),
        reminder=_reminder(case),
        grant=_grant(case),
        agreement=_agreement(agency, other_agency, panel, coordinator),
        receipt=receipt,
        deconfliction=receipt.referral.deconfliction,
    )


def _agreement(agency: Agency, other_agency: Agency, panel: Panel, coordinator: User) -> Any:
    """An agreement between the case's agency and the police, at the panel, with its document,
    recorded by the panel's coordinator."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cases import services as case_services

    today = timezone.localdate()
    return case_services.record_agreement(
        actor=coordinator, parties=[agency, other_agency], panels=[panel], title="Info-house covenant",
        instrument="covenant", purpose="-", data_categories="-", signed_on=today,
        review_on=today + datetime.timedelta(days=365), status="current",
        document=SimpleUploadedFile("covenant.pdf", b"%PDF-1.4 covenant"),
    )  # fmt: skip


def _structure(panel: Panel, meeting: PanelMeeting, coordinator: User, agency: Agency) -> dict[str, Any]:
    """The panel's network map, a shift on its rota, a topic of its meeting (decisions 121-124) and its
    lessons learned of a year (decision 137)."""
    import datetime

    from django.utils import timezone

    from panels import network
    from panels import services as panel_services

    on_call = agency.memberships.first()
    assert on_call is not None
    start = timezone.now()
    return {
        "network": network.save_organisation(
            panel, actor=coordinator, name="Regional hospital", sector="health", status="invited"
        ),
        "shift": network.save_duty_shift(
            panel,
            actor=coordinator,
            user=on_call.user,
            agency=agency,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=12),
        ),
        "topic": network.add_topic(meeting, actor=coordinator, kind="training", title="Training on the checks"),
        "lessons": panel_services.write_lessons(panel, year=2000, text="Meet schools earlier.", actor=coordinator),
    }


def _grant(case: Case) -> Any:
    """An individual grant on the case, to a consultant of an agency that does not otherwise reach it."""
    import datetime

    from django.utils import timezone

    from cases import services as case_services
    from tests.conftest import member
    from tests.factories import AgencyFactory

    consultant = member(AgencyFactory(name="Consultancy"), username="consultant")
    ends_at = timezone.now() + datetime.timedelta(days=7)
    reason = "An expert opinion on the family's housing."
    return case_services.grant_access(
        case, user=consultant, scope="view_case", reason=reason, ends_at=ends_at, actor=case.owner
    )


def _reminder(case: Case) -> Any:
    """A review reminder for the case owner."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from reminders.models import Reminder

    return Reminder.objects.create(
        kind="review", content_type=ContentType.objects.get_for_model(Case), object_id=case.pk, case=case,
        role="owner", due_at=timezone.now(), stage="due",
    )  # fmt: skip


def _expert(case: Case) -> Any:
    from agencies.models import Expert

    expert = Expert.objects.create(name="Qwertz expert", field="Theology")
    expert.agencies.add(case.owning_agency)
    return expert


def _entries(case: Case) -> dict[str, Any]:
    """One of every kind of entry, written by the case owner (the security assessment by the police)."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cases import services as case_services
    from cases.models import (
        Attachment,
        CaseEvent,
        CaseNote,
        ChildNeeds,
        Contact,
        ExpertConsultation,
        NeedsAssessment,
        PoliceAction,
        RiskRecord,
        SecurityAssessment,
    )
    from tests.conftest import member

    owner = case.owner
    officer = member(Agency.objects.get(name="Police"), "police_liaison")
    child = case.index_person
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4 Qwertzfamily")
    return {
        "contact": case_services.record_contact(Contact(case=case), actor=owner),
        "needsassessment": case_services.record_needs_assessment(NeedsAssessment(case=case), actor=owner),
        "securityassessment": case_services.record_security_assessment(
            SecurityAssessment(case=case, risk_level="low", assessment="-", abstract="-"), actor=officer
        ),
        "childneeds": case_services.record_child_needs(
            ChildNeeds(case=case, child=child, age_band="12_17", schooling="attending"), actor=owner
        ),
        "casenote": case_services.record_note(CaseNote(case=case, text="Qwertzfamily note"), actor=owner),
        "draft": case_services.record_note(CaseNote(case=case, text="draft"), actor=owner, finalise=False),
        "expertconsultation": case_services.record_expert_consultation(
            ExpertConsultation(case=case, expert=_expert(case), shared="Qwertzfamily", basis="consent"), actor=owner
        ),
        "attachment": case_services.attach_file(
            Attachment(case=case, kind="document", description="-"), upload, actor=owner
        ),
        "event": CaseEvent.objects.filter(case=case).first(),
        "risk": case_services.set_risk_level(case, level="moderate", source=RiskRecord.Source.MANUAL, actor=owner),
        "restriction": case_services.add_restriction(case, person=child, must_not_be_told="-", actor=owner),
        "safety": case_services.add_safety_warning(
            case, kind="dog", detail="Qwertzfamily dog", review_on=case.opened_at.date().replace(year=2099), actor=owner
        ),
        "visit": case_services.plan_visit(
            case, expected_back_at=timezone.now() + datetime.timedelta(hours=2), actor=owner
        ),
        "policeaction": case_services.record_police_action(
            PoliceAction(case=case, kind="raid", what_happened="Qwertzfamily raid", abstract="-"), actor=officer
        ),
        "consent": case_services.record_consent(
            case, person=child, given_by=child, given_on=case.opened_at.date(), purposes=["sharing"], actor=owner
        ),
        # Asked of the panel's municipality: the police reader may read it, not answer it.
        "info": case_services.ask_information(
            case, to_agency=Agency.objects.get(name="Municipality"), question="Qwertzfamily?", actor=owner
        ),
        # Asked by the panel's coordinator, who reads the case's summary: the owner answers it.
        "owner_question": case_services.ask_owner(
            case, kind="question", question="Qwertzfamily owner?", actor=case.panel.coordinator
        ),
    }


def _interventions(case: Case, other_agency: Agency, reader: User) -> dict[str, Any]:
    """A plan, a draft, a review, a withdrawal, then the closure with its follow-ups."""
    import datetime

    from django.utils import timezone

    from interventions import services

    today, owner = timezone.localdate(), case.owner
    action = {"type": "pragmatic", "measure": "housing", "provider_agency": case.owning_agency, "due_on": today}
    goals = [{"text": "A home", "actions": [action]}]
    plan = services.create_plan(
        case, goals=goals, agreed_by_family=True, agreed_by="The mother", agreed_on=today, actor=owner
    )
    draft = services.create_plan(case, goals=goals, actor=owner)
    action_row = PlanAction.objects.get(goal__plan=plan)
    service, sent = _service_referral(case, action_row)
    progress = [{"goal": goal, "progress": "some"} for goal in plan.goals.all()]
    review = services.record_review(
        case,
        held_on=today,
        risk_level="low",
        next_review_on=today + datetime.timedelta(days=90),
        progress=progress,
        actor=owner,
    )
    withdrawal = services.record_withdrawal(
        case, withdrawn_on=today, reason="Tired", open_door_message="Call us", actor=owner
    )
    agreements = [{"agency": case.owning_agency, "user": owner}, {"agency": other_agency, "user": reader}]
    closure = services.close_case(case, decided_on=today, reason="Goals met", agreements=agreements, actor=owner)
    return {
        "plan": plan,
        "draft": draft,
        "action": action_row,
        "service": service,
        "service_referral": sent,
        "review": review,
        "withdrawal": withdrawal,
        "closure": closure,
        "follow_up": closure.follow_ups.first(),
    }


def _service_referral(case: Case, action: PlanAction) -> tuple[Any, Any]:
    """A mental-health service of an agency outside the case, and the action referred to it."""
    from interventions import services
    from referrals.directory import save_service
    from referrals.models import SupportService
    from tests.factories import AgencyFactory

    assert case.panel is not None
    health = AgencyFactory(name="Mental health service", sector=Agency.Sector.HEALTH)
    listed = SupportService(panel=case.panel, name="Counselling", agency=health, help_kind="emotional_psychological")
    service = save_service(listed, actor=case.panel.coordinator)
    sent = services.refer_action(action, service=service, for_whom="Besa", request="Counselling", actor=case.owner)
    return service, sent


def _client(endpoint: Endpoint, user: User | None) -> Client | APIClient:
    client = APIClient() if endpoint.api else Client()
    if user is not None:
        client.force_login(user)
    return client


def _call(endpoint: Endpoint, user: User | None, world: World) -> Any:
    client = _client(endpoint, user)
    params = endpoint.params(world) if endpoint.params else {}
    if endpoint.name == "cases-api:case-reassign":
        params = {
            "worker": world.case.owner_id,
            "assignments": [{"case": world.case.pk, "owner": world.coordinator.pk}],
        }
        return client.post(endpoint.url(world), params, format="json")
    if endpoint.api and any(hasattr(value, "read") for value in params.values()):
        return client.post(endpoint.url(world), params, format="multipart")  # a file: the API's only multipart
    return getattr(client, endpoint.method)(endpoint.url(world), params)


@pytest.fixture
def stranger(db: None) -> User:
    """Works cases for an agency with no link to the case or the panel."""
    from tests.conftest import member
    from tests.factories import AgencyFactory

    return member(AgencyFactory(name="Housing office"), username="stranger")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_a_stranger_gets_nothing(endpoint: Endpoint, world: World, stranger: User) -> None:
    response = _call(endpoint, stranger, world)
    body = response.content.decode()
    if endpoint.role_gate and not stranger.has_perm(endpoint.role_gate):
        # the role does not do this at all: refused for every id alike, so nothing is learnt
        assert response.status_code == 403
    elif endpoint.kind == "list":
        assert response.status_code == 200
    elif endpoint.refused == 400:
        assert response.status_code == 400
    else:
        assert response.status_code == endpoint.hidden
    for secret in (world.case.family.name, world.case.reference, world.referral.concern):
        assert secret not in body, secret
    if response.status_code in (403, 404):
        # every refusal to a signed-in user is in the audit trail, with its path
        refused = AuditEvent.objects.filter(actor=stranger, action=AuditEvent.Action.ACCESS_DENIED).latest("pk")
        assert refused.data["path"] == endpoint.url(world)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_anonymous_is_turned_away(endpoint: Endpoint, world: World) -> None:
    response = _call(endpoint, None, world)
    if endpoint.api:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert world.case.family.name not in response.content.decode()


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.kind == "write"], ids=lambda e: e.name)
def test_a_reader_who_may_not_write_gets_403(endpoint: Endpoint, world: World, request: pytest.FixtureRequest) -> None:
    # the police liaison reads the file in full through the share, the panel member the panel's
    # cases, referrals and meetings; neither manages any of it
    reader = request.getfixturevalue(endpoint.reader)
    assert _call(endpoint, reader, world).status_code == endpoint.refused
    world.case.refresh_from_db()
    world.share.refresh_from_db()
    world.referral.refresh_from_db()
    assert world.share.is_active and world.case.owner.username == "caseworker"
    assert world.referral.status == "on_agenda" and not world.item.__class__.objects.get(pk=world.item.pk).is_decided


def test_a_member_of_another_panel_gets_404_for_this_panel(world: World) -> None:
    from agencies.models import Membership
    from tests.conftest import member
    from tests.factories import AgencyFactory, PanelFactory

    elsewhere = AgencyFactory(name="Other town police")
    PanelFactory(name="Other town").agencies.add(elsewhere)
    outsider = member(elsewhere, Membership.Role.PANEL_MEMBER)
    client = Client()
    client.force_login(outsider)
    assert client.get(reverse("panels:panel", args=[world.panel.pk])).status_code == 404
    assert client.get(reverse("panels:panel_list")).context["panels"].count() == 1


def test_every_write_sent_again_with_its_key_gets_the_first_answer_and_stores_nothing(
    world: World, caseworker: User
) -> None:
    # given, for every endpoint that posts (a new one is in the table by itself), a first answer
    # already kept for a key, as after a first submission
    from django.apps import apps

    from agencies.models import IdempotentRequest

    ours = [model for model in apps.get_models() if model._meta.app_label in FLOORS and model is not AuditEvent]
    posts = [
        (endpoint, endpoint.url(world), endpoint.params(world) if endpoint.params else {})
        for endpoint in ENDPOINTS
        if endpoint.method == "post"
    ]
    assert len(posts) > 20
    before = {model: model._default_manager.count() for model in ours}
    for number, (endpoint, url, params) in enumerate(posts):
        key = f"repeat-{number:04d}"
        IdempotentRequest.objects.create(user=caseworker, key=key, method="POST", path="/", status=302, location="/x/")
        client = _client(endpoint, caseworker)
        # when the same write comes again with that key
        if endpoint.api:
            response = client.post(url, params, format="json", HTTP_IDEMPOTENCY_KEY=key)
        else:
            response = client.post(url, {**params, "idempotency_key": key})
        # then it gets the first answer back
        assert response.status_code == 302 and response.headers["Idempotent-Replay"] == "true", endpoint.name
    # and nothing was stored
    after = {model: model._default_manager.count() for model in ours if model is not IdempotentRequest}
    assert after == {model: count for model, count in before.items() if model is not IdempotentRequest}
