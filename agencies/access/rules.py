"""The access rules, one per kind of model (design.md §2): which rows a user may act on.

A model declares its rule by reference, `access_rule = rules.case_child`, and
`Model.objects.restrict(user, action)` calls it (`RestrictedQuerySet`). Each rule is a `Rule`: a
name and a function of the queryset, the user and the action that narrows the queryset. The
conditions they share (`case_condition`, `referral_condition`, ...) are in `core`; a rule composes
them for its model's path to the case, the referral or the panel it hangs off.

A new kind of model reuses a rule below when its rows are reached the same way (most hang off a
case: `case_child`); a new way needs a new rule here, and a row in the role tables of the tests.
"""

from __future__ import annotations

import operator
from functools import reduce
from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q

from .core import (
    Action,
    Rule,
    RuleRows,
    UserAccess,
    case_condition,
    entry_content_condition,
    information_request_condition,
    is_data_protection_officer,
    referral_condition,
    rule,
)

if TYPE_CHECKING:
    from .core import AnyUser

_QS = TypeVar("_QS", bound=models.QuerySet[Any])

__all__ = [
    "agenda_item",
    "agenda_item_child",
    "case",
    "case_child",
    "case_entry",
    "case_entry_child",
    "case_own_agency",
    "case_share",
    "chooses_people",
    "concern_receipt",
    "data_protection",
    "deconfliction",
    "family",
    "family_child",
    "family_file",
    "information_request",
    "meeting",
    "meeting_child",
    "own_typing",
    "owner_question",
    "panel",
    "panel_child",
    "person",
    "plan_action",
    "referral",
    "referral_child",
    "reminder",
    "service_directory",
    "service_referral",
    "sharing_agreement",
]


def _case_exists(condition: Q, field: str, outer: str) -> Exists:
    """A case matching `condition` whose `field` is the outer row's `outer`.

    Correlated, so that a handful of rows (a name search) costs a handful of index probes instead
    of materialising every case the user may see.
    """
    cases = apps.get_model("cases", "Case")._base_manager.filter(condition, **{field: OuterRef(outer)})
    return Exists(cases.order_by().values("pk"))


def _through_cases(qs: _QS, condition: Q, field: str, lookup: str = "pk") -> _QS:
    """Rows of `qs` whose `lookup` is the `field` of a case matching `condition`."""
    return qs.filter(_case_exists(condition, field, lookup))


def _case(qs: _QS, user: AnyUser, action: Action) -> _QS:
    """Cases: the branches of `case_condition` (owning agency, owner, panel, grants)."""
    condition = case_condition(user, action)
    return qs.none() if condition is None else qs.filter(condition)


case = Rule("case", _case, case_path="")


def _through_case(user: AnyUser, action: Action, prefix: str = "") -> Q | None:
    """What hangs off a case is read through the case's full file; changing it needs both the
    change right and the file (a coordinator manages a case without reading its entries)."""
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        return case_condition(user, action, prefix)
    change, read = case_condition(user, action, prefix), case_condition(user, Action.VIEW, prefix)
    return None if change is None or read is None else change & read


@rule
def case_child(qs: _QS, user: AnyUser, action: Action) -> _QS:
    """Anything hanging off a case is visible through its case's full file, never by its own id
    alone: asked for at summary level (as a panel sees a case), it answers as for the full file."""
    if action == Action.VIEW_SUMMARY:
        action = Action.VIEW
    condition = _through_case(user, action, prefix="case__")
    return qs.none() if condition is None else qs.filter(condition)


@rule
def case_share(qs: _QS, user: AnyUser, action: Action) -> _QS:
    """Shares are read (with their particulars) by those who see the full file and by those who
    manage the case: a coordinator revokes shares without reading the file. At summary level,
    anyone who knows the case sees which agencies are involved and at which level."""
    if action == Action.VIEW_SUMMARY:
        condition = case_condition(user, action, prefix="case__")
        return qs.none() if condition is None else qs.filter(condition)
    if action != Action.VIEW:
        condition = case_condition(user, action, prefix="case__")
        return qs.none() if condition is None else qs.filter(condition)
    conditions = [case_condition(user, a, prefix="case__") for a in (Action.VIEW, Action.MANAGE)]
    present = [c for c in conditions if c is not None]
    return qs.filter(reduce(operator.or_, present)) if present else qs.none()


@rule
def family(qs: _QS, user: AnyUser, action: Action) -> _QS:
    condition = _through_case(user, action)
    return qs.none() if condition is None else _through_cases(qs, condition, "family_id")


@rule
def person(qs: _QS, user: AnyUser, action: Action) -> _QS:
    """The full file shows the whole family; a summary shows only the index person."""
    condition = _through_case(user, action)
    if condition is None:
        return qs.none()
    if action == Action.VIEW_SUMMARY:
        full = case_condition(user, Action.VIEW)
        reach: Q = Q(_case_exists(condition, "index_person_id", "pk"))
        if full is not None:
            reach |= Q(_case_exists(full, "family_id", "family_id"))
        return qs.filter(reach)
    return _through_cases(qs, condition, "family_id", "family_id")


def _entry_condition(user: AnyUser, action: Action, prefix: str = "") -> Q | None:
    """An entry is reached through its case's full file; a draft only by its author, who alone
    may change it (a final entry is not edited: it is added to)."""
    access = UserAccess.of(user)
    file = case_condition(user, Action.VIEW, prefix=f"{prefix}case__")
    if file is None:
        return None
    mine = Q(**{f"{prefix}author_id": access.user_id})
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        return file & (Q(**{f"{prefix}is_draft": False}) | mine)
    return file & mine & Q(**{f"{prefix}is_draft": True})


@rule
def case_entry(qs: _QS, user: AnyUser, action: Action) -> _QS:
    condition = _entry_condition(user, action)
    return qs.none() if condition is None else qs.filter(condition)


@rule
def case_entry_child(qs: _QS, user: AnyUser, action: Action) -> _QS:
    """Parts of an entry (a network link of an assessment) are content: read with the entry's
    content, never through its abstract."""
    condition = _entry_condition(user, action, prefix="assessment__")
    content = entry_content_condition(user, prefix="assessment__")
    return qs.none() if condition is None or content is None else qs.filter(condition, content)


@rule
def family_child(qs: _QS, user: AnyUser, action: Action) -> _QS:
    """What is recorded about a family's members (who must not be told what) is read with one of
    the family's case files; at summary level, only that restrictions exist (the case page warns
    every reader: speak to the owner first). Only full readers change it."""
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        condition = case_condition(user, action)
    else:
        condition = _through_case(user, Action.CHANGE)
    return qs.none() if condition is None else qs.filter(_case_exists(condition, "family_id", "family_id"))


@rule
def family_file(qs: _QS, user: AnyUser, action: Action) -> _QS:
    """What the family register keeps about members beyond the summary (whereabouts, relations,
    each member's history): read with one of the family's full files, never at summary level
    (asked for at summary level, it answers as for the full file); changed by those who change one
    of the family's cases and read it."""
    if action == Action.VIEW_SUMMARY:
        action = Action.VIEW
    condition = _through_case(user, action)
    return qs.none() if condition is None else qs.filter(_case_exists(condition, "family_id", "family_id"))


@rule
def plan_action(qs: _QS, user: AnyUser, action: Action) -> _QS:
    """A plan's actions are read through the file; besides those who change the case, the agency
    providing an action (a school, an NGO) updates its progress."""
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        return case_child(qs, user, action)
    read = case_condition(user, Action.VIEW, prefix="case__")
    change = case_condition(user, Action.CHANGE, prefix="case__")
    agencies = UserAccess.of(user).casework_agency_ids
    if read is None:
        return qs.none()
    provider = Q(provider_agency_id__in=agencies) if agencies else Q(pk__in=[])
    return qs.filter(read & ((change or Q(pk__in=[])) | provider))


@rule
def information_request(qs: _QS, user: AnyUser, action: Action) -> _QS:
    condition = information_request_condition(user, action)
    return qs.none() if condition is None else qs.filter(condition)


@rule
def owner_question(qs: _QS, user: AnyUser, action: Action) -> _QS:
    """Questions to a case's owner: the asker reads their own while they still know the case;
    whoever changes the case and reads its file (the owner, a supervisor) reads and answers them."""
    access = UserAccess.of(user)
    if access.is_anonymous:
        return qs.none()
    answers = _through_case(user, Action.CHANGE, prefix="case__")
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        known = case_condition(user, Action.VIEW_SUMMARY, prefix="case__")
        mine = Q(asked_by_id=access.user_id) & known if known is not None else None
        present = [c for c in (mine, answers) if c is not None]
        return qs.filter(reduce(operator.or_, present)) if present else qs.none()
    return qs.none() if answers is None else qs.filter(answers)


@rule
def referral(qs: _QS, user: AnyUser, action: Action) -> _QS:
    condition = referral_condition(user, action)
    return qs.none() if condition is None else qs.filter(condition)


@rule
def referral_child(qs: _QS, user: AnyUser, action: Action) -> _QS:
    condition = referral_condition(user, action, prefix="referral__")
    return qs.none() if condition is None else qs.filter(condition)


@rule
def concern_receipt(qs: _QS, user: AnyUser, action: Action) -> _QS:
    """What the sender of a concern to a panel's front door sees of it: the sender and the case
    workers of the sending agency read the receipt (never the referral); those who triage the
    referral read it too, and alone write the feedback on it (decision 125)."""
    access = UserAccess.of(user)
    if access.is_anonymous:
        return qs.none()
    triage = referral_condition(user, Action.MANAGE, prefix="referral__")
    branches = [triage] if triage is not None else []
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        branches.append(Q(sent_by_id=access.user_id))
        if access.casework_agency_ids:
            branches.append(Q(sent_by_agency_id__in=access.casework_agency_ids))
    elif action == Action.CHANGE:
        return qs.none()
    return qs.filter(reduce(operator.or_, branches)) if branches else qs.none()


@rule
def deconfliction(qs: _QS, user: AnyUser, action: Action) -> _QS:
    """A deconfliction check is answered by the case workers (its liaisons) of the police agency
    asked, who read the person's names and nothing of the concern; its answer is read by those
    who triage the referral, never by the panel or the sender (decision 127)."""
    access = UserAccess.of(user)
    if access.is_anonymous:
        return qs.none()
    branches = []
    police = Q(police_agency_id__in=access.casework_agency_ids) if access.casework_agency_ids else None
    triage = referral_condition(user, Action.MANAGE, prefix="referral__")
    if action in (Action.VIEW, Action.VIEW_SUMMARY, Action.MANAGE) and triage is not None:
        branches.append(triage)
    if action in (Action.VIEW, Action.VIEW_SUMMARY, Action.CHANGE) and police is not None:
        branches.append(police)
    return qs.filter(reduce(operator.or_, branches)) if branches else qs.none()


def _meeting_condition(user: AnyUser, action: Action, prefix: str) -> Q | None:
    """Meetings are seen by the panel's members and by those who attended (a case owner invited
    to the table), and run by the panel's coordinator."""
    access = UserAccess.of(user)
    if access.is_anonymous:
        return None
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        # A subquery, not a join: a join on attendance would repeat the meeting once per attendee.
        attended = apps.get_model("panels", "MeetingAttendance").objects.filter(user_id=access.user_id)
        condition = Q(**{f"{prefix}pk__in": attended.order_by().values("meeting_id")})
        if access.panel_ids:
            condition |= Q(**{f"{prefix}panel_id__in": access.panel_ids})
        return condition
    panels = access.coordinated_panel_ids
    return Q(**{f"{prefix}panel_id__in": panels}) if panels else None


def _meeting_rows(prefix: str) -> RuleRows:
    def rows(qs: _QS, user: AnyUser, action: Action) -> _QS:
        condition = _meeting_condition(user, action, prefix)
        return qs.none() if condition is None else qs.filter(condition)

    return rows


meeting = Rule("meeting", _meeting_rows(""))
meeting_child = Rule("meeting_child", _meeting_rows("meeting__"))


def _agenda_rows(prefix: str) -> RuleRows:
    """An agenda item (and what hangs off it) is seen through its meeting, and only when its case
    or referral is one the user may know of: someone invited to the table for one case does not
    learn the others from the agenda."""

    def rows(qs: _QS, user: AnyUser, action: Action) -> _QS:
        meeting = _meeting_condition(user, action, f"{prefix}meeting__")
        subjects = [
            case_condition(user, Action.VIEW_SUMMARY, prefix=f"{prefix}case__"),
            referral_condition(user, Action.VIEW, prefix=f"{prefix}referral__"),
        ]
        known = [condition for condition in subjects if condition is not None]
        if meeting is None or not known:
            return qs.none()
        return qs.filter(meeting, reduce(operator.or_, known))

    return rows


agenda_item = Rule("agenda_item", _agenda_rows(""))
agenda_item_child = Rule("agenda_item_child", _agenda_rows("item__"))


@rule
def case_own_agency(qs: _QS, user: AnyUser, action: Action) -> _QS:
    """Records an agency keeps for itself about a case: its own members who see the file."""
    condition = case_condition(user, Action.VIEW if action == Action.VIEW_SUMMARY else action, prefix="case__")
    agencies = UserAccess.of(user).casework_agency_ids
    if condition is None or not agencies:
        return qs.none()
    return qs.filter(condition, agency_id__in=agencies)


@rule
def panel(qs: _QS, user: AnyUser, action: Action) -> _QS:
    access = UserAccess.of(user)
    ids = access.coordinated_panel_ids if action in (Action.CHANGE, Action.MANAGE) else access.panel_ids
    return qs.filter(pk__in=ids) if ids else qs.none()


@rule
def reminder(qs: _QS, user: AnyUser, action: Action) -> _QS:
    """A user's reminders: those addressed to them, and the case owner's on the cases they own now
    (pending reminders follow a new owner); never one about a case they may no longer see."""
    access = UserAccess.of(user)
    if access.is_anonymous:
        return qs.none()
    # The owner's reminders through the case owner index, one EXISTS per reminder: an OR across
    # the join to the case made PostgreSQL hash every case for the header's count (issue 19).
    owned = apps.get_model("cases", "Case").objects.filter(pk=OuterRef("case_id"), owner_id=access.user_id)
    mine = Q(recipient_id=access.user_id) | Q(Exists(owned.values("pk")), recipient__isnull=True)
    seen = case_condition(user, Action.VIEW_SUMMARY, prefix="case__")
    # A reminder about no case (a referral to triage, a meeting's agenda): only while the user still
    # may know of the referral or the meeting.
    known = Q(pk__in=[])
    referrals, meetings = referral_condition(user, Action.VIEW), _meeting_condition(user, Action.VIEW, "")
    # Correlated (EXISTS on the primary key): the cost follows the user's reminders, not the
    # referrals or meetings they may read.
    if referrals is not None:
        target = apps.get_model("referrals", "Referral").objects.filter(referrals, pk=OuterRef("object_id"))
        known |= Q(Exists(target), kind=qs.model.Kind.TRIAGE)
    if meetings is not None:
        target = apps.get_model("panels", "PanelMeeting").objects.filter(meetings, pk=OuterRef("object_id"))
        known |= Q(Exists(target), kind__in=(qs.model.Kind.AGENDA, qs.model.Kind.URGENT_MEETING))
    # An information-sharing agreement due for review: while the user may still read it. An
    # emergency override: addressed to data protection officers alone, it names no case and holds
    # no case content (decision 113).
    agreements = apps.get_model("cases", "SharingAgreement").objects.restrict(user, Action.VIEW)
    known |= Q(Exists(agreements.filter(pk=OuterRef("object_id"))), kind="agreement_review")
    known |= Q(kind="agreement_overridden")
    known |= Q(kind="training_refresh")  # about the recipient's own training, never a case
    known |= Q(kind="export_ready")  # the recipient's own export made (its page answers them alone)
    if access.casework_agency_ids:
        # A police check to answer: while the user works cases for the police agency asked.
        checks = apps.get_model("referrals", "DeconflictionCheck").objects.filter(
            police_agency_id__in=access.casework_agency_ids, pk=OuterRef("object_id")
        )
        known |= Q(Exists(checks), kind="deconfliction")
    about = Q(case__isnull=True) & known
    return qs.filter(mine, about | seen if seen is not None else about)


@rule
def service_directory(qs: _QS, user: AnyUser, action: Action) -> _QS:
    """The directory of services: read by every member of a partner agency (who works cases or sits
    on a panel), changed by the coordinator of the panel that lists the service."""
    access = UserAccess.of(user)
    if access.is_anonymous:
        return qs.none()
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        # A copy, never `qs` itself: a view's class-level queryset would keep its rows across requests.
        return qs.all() if access.casework_agency_ids or access.panel_ids else qs.none()
    panels = access.coordinated_panel_ids
    return qs.filter(panel_id__in=panels) if panels else qs.none()


@rule
def service_referral(qs: _QS, user: AnyUser, action: Action) -> _QS:
    """A referral to a service is read by those who read its case's full file (or, from a triage,
    its referral), and by the service's own agency, who read that row and nothing of the file it
    comes from. The service's agency answers it and records its part; whoever changes the case (or
    manages the referral) may also record what an outside service said, and withdraws it."""
    access = UserAccess.of(user)
    if access.is_anonymous:
        return qs.none()
    providers = access.casework_agency_ids
    provider = Q(service__agency_id__in=providers) if providers else None
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        file = case_condition(user, Action.VIEW, prefix="case__")
        triage = referral_condition(user, Action.VIEW, prefix="referral__")
    else:
        file = _through_case(user, Action.CHANGE, prefix="case__")
        triage = referral_condition(user, Action.MANAGE, prefix="referral__")
    # From a triage the referral is the subject only while no case holds it.
    if triage is not None:
        triage &= Q(case__isnull=True)
    branches = [condition for condition in (file, triage, provider) if condition is not None]
    return qs.filter(reduce(operator.or_, branches)) if branches else qs.none()


@rule
def panel_child(qs: _QS, user: AnyUser, action: Action) -> _QS:
    access = UserAccess.of(user)
    ids = access.coordinated_panel_ids if action in (Action.CHANGE, Action.MANAGE) else access.panel_ids
    return qs.filter(panel_id__in=ids) if ids else qs.none()


@rule
def data_protection(qs: _QS, user: AnyUser, action: Action) -> _QS:
    """Subject access requests and retention reviews: the data protection officer's alone; to
    everyone else they do not exist (decision 44)."""
    return qs.all() if is_data_protection_officer(user) else qs.none()


@rule
def own_typing(qs: _QS, user: AnyUser, action: Action) -> _QS:
    """What a user typed and has not yet sent (kept forms): their own, for every action; nobody
    else's, not even a supervisor's or an administrator's (decision 76)."""
    access = UserAccess.of(user)
    return qs.none() if access.is_anonymous else qs.filter(user_id=access.user_id)


@rule
def sharing_agreement(qs: _QS, user: AnyUser, action: Action) -> _QS:
    """Information-sharing agreements (decision 113): read by every member of a party agency and by
    the coordinator of a panel the agreement names; changed by that coordinator, and by a
    coordinator or an agency administrator of a party. Nobody else knows of them."""
    access = UserAccess.of(user)
    if access.is_anonymous:
        return qs.none()
    parties = qs.model.parties.through.objects.filter(sharingagreement_id=OuterRef("pk"))
    panels = qs.model.panels.through.objects.filter(sharingagreement_id=OuterRef("pk"))
    coordinated = Q(Exists(panels.filter(panel_id__in=access.coordinated_panel_ids)))
    if action in (Action.VIEW, Action.VIEW_SUMMARY):
        return qs.filter(Q(Exists(parties.filter(agency_id__in=access.agencies_by_name))) | coordinated)
    Membership = apps.get_model("agencies", "Membership")
    roles = (Membership.Role.COORDINATOR, Membership.Role.AGENCY_ADMIN)
    managing = Membership.objects.filter(user_id=access.user_id, role__in=roles).values("agency_id")
    return qs.filter(Q(Exists(parties.filter(agency_id__in=managing))) | coordinated)


def chooses_people(user: Any, *, attending: bool) -> bool:
    """Whether `user` chooses people somewhere, and so may see their caseloads (issue 18: not every
    practitioner): a meeting's attendance for whoever manages a meeting; a case owner for a
    supervisor, a panel's coordinator, or whoever has a referral to triage."""
    if attending:
        return bool(apps.get_model("panels", "PanelMeeting").objects.restrict(user, Action.MANAGE).exists())
    access = UserAccess.of(user)
    if access.supervised_agency_ids or access.coordinated_panel_ids:
        return True
    referral = apps.get_model("referrals", "Referral")
    return bool(referral.objects.restrict(user, Action.MANAGE).filter(status__in=referral.OPEN_STATUSES).exists())
