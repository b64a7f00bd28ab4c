"""Referral intake and triage (step 1). Every write goes through these functions.

They take objects the caller fetched through `restrict()` and a keyword-only `actor`; each is one
transaction with its audit record, and e-mails go out only after the commit.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case as DbCase
from django.db.models import IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import get_random_string, salted_hmac
from django.utils.translation import gettext as _

from agencies import deadlines
from agencies.access import Action, CaseAccess, sees_reporter
from agencies.models import Agency, DutyShift, Membership, Panel, PanelReminderSettings, User
from audit.models import AuditEvent
from audit.services import record
from cases import services as case_services
from cases.models import Case, CaseEvent
from families.matching import name_key, similar
from families.models import Family, Person
from outbox import services as outbox

from . import signals
from .directory import create_service_referral
from .models import (
    ConcernReceipt,
    DeconflictionCheck,
    Referral,
    ReferralIndicator,
    SupportService,
    TriageDecision,
)

__all__ = [
    "Matches",
    "ToService",
    "add_to_earlier",
    "alert_police",
    "answer_deconfliction",
    "code_hash",
    "crisis_police_agency",
    "find_matches",
    "on_duty_for",
    "panels_for",
    "public_stage",
    "record_feedback",
    "record_referral",
    "send_to_front_door",
    "submit_public_concern",
    "triage_referral",
]

Decision = TriageDecision.Decision


def _not_in_future(value: datetime.date | datetime.datetime | None, message: str) -> None:
    if value is None:
        return
    now = timezone.now() if isinstance(value, datetime.datetime) else timezone.localdate()
    if value > now:
        raise ValidationError(message)


def crisis_police_agency(
    received_by: Agency | None, front_door: Panel | None = None, panel: Panel | None = None
) -> Agency | None:
    """Where a crisis goes at once (and whom a deconfliction check asks): the receiving agency if
    it is the police; else the police sitting on the referral's panel, on the front door's panel
    (for a concern sent there), on a panel the receiving agency sits on; else the partnership's
    police agency when there is exactly one. Otherwise none: the crisis still alerts whoever is on
    duty (`alert_police`). Never "the first police agency by name": who adds an agency does not
    choose where crises go (decision 124)."""
    if received_by is not None and received_by.sector == Agency.Sector.POLICE:
        return received_by
    police = Agency.objects.filter(sector=Agency.Sector.POLICE).order_by("name", "pk")
    for near in (
        police.filter(panels=panel) if panel is not None else None,
        police.filter(panels=front_door) if front_door is not None else None,
        police.filter(panels__agencies=received_by) if received_by is not None else None,
    ):
        found = near.distinct().first() if near is not None else None
        if found is not None:
            return found
    only = list(police[:2])
    return only[0] if len(only) == 1 else None


def alert_police(referral: Referral) -> int:
    """Write the e-mails to the police liaisons of the agency a crisis was routed to, and to whoever
    is on duty at this moment on the emergency rota of a panel the referral may go to (decision
    124), into the outbox, in the caller's transaction, and record that they go; return how many.

    The e-mail names no one: it says that something is waiting and links into Ura (to the referral
    for those who may open it, else to the panel's emergency plan). The outbox sends it on the
    crisis queue once the referral is committed, and again until it went (decision 70).
    """
    liaisons = User.objects.filter(
        memberships__agency=referral.routed_to,
        memberships__role=Membership.Role.POLICE_LIAISON,
        is_active=True,
    ).exclude(email="")
    link = settings.BASE_URL + reverse("referrals:referral", args=[referral.pk])
    messages = []
    for user in liaisons.distinct().order_by("pk"):
        with translation.override(user.language or settings.LANGUAGE_CODE):  # each in their language
            subject = _("Ura: a crisis referral needs you now")
            body = _("A referral marked as a crisis was routed to your agency. Open it in Ura: %(link)s") % {
                "link": link
            }
        messages.append((subject, body, user.email))
    told = {address for _subject, _body, address in messages}
    readers = {referral.received_by_id, referral.routed_to_id}
    for shift in on_duty_for(referral):
        if not shift.user.email or shift.user.email in told:
            continue
        told.add(shift.user.email)
        with translation.override(shift.user.language or settings.LANGUAGE_CODE):
            subject = _("Ura: a crisis referral needs you now")
            if shift.agency_id in readers:
                duty_body = _(
                    "You are on duty for %(panel)s. A referral marked as a crisis has come in. Open it in Ura: %(link)s"
                ) % {"panel": shift.panel, "link": link}
            else:
                plan = settings.BASE_URL + reverse("panels:emergency", args=[shift.panel_id])
                duty_body = _(
                    "You are on duty for %(panel)s. A referral marked as a crisis has come in. Follow the "
                    "emergency plan: %(link)s"
                ) % {"panel": shift.panel, "link": plan}
        messages.append((subject, duty_body, shift.user.email))
    outbox.queue("crisis_alert", messages, about=f"referrals.referral:{referral.pk}", urgent=True)
    record(AuditEvent.Action.CRISIS_ALERT_SENT, obj=referral, recipients=len(messages))
    return len(messages)


def on_duty_for(referral: Referral) -> list[DutyShift]:
    """Who is on call right now for a crisis: the shifts running at this moment on the rota of the
    referral's panel, or (none chosen yet) of the panels its receiving or routed agency sits on."""
    if referral.panel_id is not None:
        panel_ids = [referral.panel_id]
    else:
        agencies = [pk for pk in (referral.received_by_id, referral.routed_to_id) if pk]
        panel_ids = list(Panel.objects.filter(agencies__in=agencies).values_list("pk", flat=True).distinct())
    shifts = DutyShift.on_duty(timezone.now(), panel_ids).select_related("user", "panel")
    return list(shifts.order_by("starts_at", "pk"))


@transaction.atomic
def record_referral(*, actor: User, received_by: Agency, indicators: Iterable[str] = (), **fields: Any) -> Referral:
    """Record a concern as it was reported. A crisis is routed to the police at once."""
    referral = _intake(Referral(received_by=received_by, recorded_by=actor, **fields), indicators)
    record(AuditEvent.Action.REFERRAL_RECORDED, actor=actor, obj=referral, crisis=referral.is_crisis)
    _after_intake(referral, actor)
    return referral


def _intake(referral: Referral, indicators: Iterable[str]) -> Referral:
    """Check and save a new referral with its indicators; its 24 hours start at its reception."""
    referral.triage_due_at = deadlines.triage_due(
        referral.received_at,
        PanelReminderSettings.timing_for(referral.panel_id or referral.front_door_id),
    )
    _not_in_future(referral.received_at, _("A referral cannot be received in the future."))
    _not_in_future(referral.observed_on, _("What was observed cannot lie in the future."))
    _not_in_future(referral.subject_date_of_birth, _("A date of birth cannot lie in the future."))
    if referral.reporter_anonymous and (referral.reporter_name or referral.reporter_contact):
        raise ValidationError(_("An anonymous reporter has no name or contact on record."))
    if referral.is_crisis:
        if not referral.crisis_reason:
            raise ValidationError(_("Say why this is a crisis."))
        referral.routed_to = crisis_police_agency(referral.received_by, referral.front_door, referral.panel)
        referral.urgency = Referral.Urgency.URGENT
    referral.full_clean()
    referral.save()
    ReferralIndicator.objects.bulk_create(ReferralIndicator(referral=referral, kind=kind) for kind in set(indicators))
    return referral


def _after_intake(referral: Referral, actor: User | None) -> None:
    """Ask the police whether the person is already under investigation, and alert them in a crisis.
    A concern from the public page is asked about only once triage moves it on (decision 127): no
    name typed by anyone on the internet goes to the police unread."""
    if not _from_public_page(referral):
        _ask_deconfliction(referral, actor)
    # A crisis alerts the police liaisons and whoever is on duty, even with no police agency to
    # route it to (decision 124).
    if referral.is_crisis:
        alert_police(referral)


def _from_public_page(referral: Referral) -> bool:
    return referral.front_door_id is not None and referral.recorded_by_id is None


def _ask_deconfliction(referral: Referral, actor: User | None) -> DeconflictionCheck | None:
    """The police check, asked with the names alone, due with the triage (decision 127). Nothing is
    asked where no police agency is a partner, nor of the police about a concern they received."""
    police = referral.routed_to or crisis_police_agency(referral.received_by, referral.front_door, referral.panel)
    if police is None or (referral.received_by is not None and referral.received_by_id == police.pk):
        return None
    check = DeconflictionCheck.objects.create(
        referral=referral,
        police_agency=police,
        given_name=referral.subject_given_name,
        family_name=referral.subject_family_name,
        date_of_birth=referral.subject_date_of_birth,
        age=referral.subject_age,
        area=referral.subject_area,
        due_at=referral.triage_due_at,
    )
    record(
        AuditEvent.Action.DECONFLICTION_ASKED, actor=actor, obj=check, agency_id=police.pk if actor is None else None
    )
    return check


def _stage_of(status: str) -> str:
    if status == Referral.Status.NEW:
        return ConcernReceipt.Stage.RECEIVED
    if status == Referral.Status.CLOSED:
        return ConcernReceipt.Stage.CLOSED
    # Gathering, on the agenda, a case opened, or added to an earlier record: the sender is told
    # the same "being looked at" whatever was known before (decision 126).
    return ConcernReceipt.Stage.LOOKED_AT


# The stages in the order a concern goes through them: a receipt only ever moves forward.
_STAGE_ORDER = (ConcernReceipt.Stage.RECEIVED, ConcernReceipt.Stage.LOOKED_AT, ConcernReceipt.Stage.CLOSED)


def _before(stage: str) -> tuple[str, ...]:
    return tuple(_STAGE_ORDER[: _STAGE_ORDER.index(ConcernReceipt.Stage(stage))])


def _follow_receipts(referral: Referral) -> None:
    """Move the senders' receipts forward with their referral: its own, and those of the concerns
    added to it (a repeat reads "being looked at" until the record it joined is closed).

    A receipt never moves back (decision 126): when another concern reopens a closed record, its
    earlier senders' receipts stay as they were, so no sender learns that anything came after;
    only the receipts of concerns added after the reopening follow it."""
    now = timezone.now()
    stage = _stage_of(referral.status)
    ConcernReceipt.objects.filter(referral=referral, stage__in=_before(stage)).update(stage=stage, updated_at=now)
    if referral.status != Referral.Status.ADDED:
        joined = ConcernReceipt.Stage.CLOSED if stage == ConcernReceipt.Stage.CLOSED else ConcernReceipt.Stage.LOOKED_AT
        ConcernReceipt.objects.filter(referral__primary=referral, stage__in=_before(joined)).update(
            stage=joined, updated_at=now
        )


def close_receipts_of_case(case: Case) -> None:
    """The case a concern opened or joined is closed: its senders read "closed" (decision 125)."""
    ConcernReceipt.objects.filter(
        Q(referral__case=case) | Q(referral__primary__case=case), stage__in=_before(ConcernReceipt.Stage.CLOSED)
    ).update(stage=ConcernReceipt.Stage.CLOSED, updated_at=timezone.now())


@transaction.atomic
def send_to_front_door(
    *,
    actor: User,
    panel: Panel,
    sent_by_agency: Agency,
    indicators: Iterable[str] = (),
    label: str = "",
    **fields: Any,
) -> ConcernReceipt:
    """A partner sends a concern to a panel's front door (decision 125): the panel's coordinator and
    single point of contact receive it and triage it within the 24 hours; the sender keeps only the
    receipt (its stage and the feedback triage gives), never the referral nor the case it joins."""
    if sent_by_agency.pk not in {agency.pk for agency in case_services.casework_agencies(actor)}:
        raise ValidationError(_("Send the concern for an agency you work for."))
    fields = {
        **fields,
        "channel": Referral.Channel.PROFESSIONAL,
        "reporter_anonymous": False,
        "reporter_name": actor.full_name,
        "reporter_contact": actor.email,
        "reporter_is_professional": True,
        "received_at": timezone.now(),
    }
    referral = _intake(Referral(front_door=panel, recorded_by=actor, **fields), indicators)
    receipt = ConcernReceipt(referral=referral, sent_by=actor, sent_by_agency=sent_by_agency, label=label.strip())
    receipt.full_clean(exclude=["referral"])
    receipt.save()
    record(
        AuditEvent.Action.FRONT_DOOR_CONCERN_SENT,
        actor=actor,
        obj=referral,
        agency_id=sent_by_agency.pk,
        panel=panel.pk,
        crisis=referral.is_crisis,
    )
    _after_intake(referral, actor)
    return receipt


# A follow-up code: 16 letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L,
# U), about 78 bits: not guessed, and shown once, in four groups for reading aloud.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


def code_hash(code: str) -> str:
    normal = "".join(ch for ch in code.upper() if ch.isalnum())
    return salted_hmac("ura.referrals.follow_up_code", normal, algorithm="sha256").hexdigest()


@transaction.atomic
def submit_public_concern(*, panel: Panel, indicators: Iterable[str] = (), **fields: Any) -> tuple[ConcernReceipt, str]:
    """A concern from the public page (no sign-in): a relative or friend, anonymous or not
    (decision 126). It is received at the panel's front door and its 24 hours start now; the
    sender gets a follow-up code, shown once (only its keyed hash is kept). No address is kept."""
    allowed = {"channel", "reporter_anonymous", "reporter_name", "reporter_contact", "reporter_relationship"} | {
        "subject_given_name",
        "subject_family_name",
        "subject_age",
        "subject_area",
        "child_involved",
        "person_told",
        "observed_on",
        "concern",
    }
    if set(fields) - allowed:
        raise ValidationError(_("The public page does not take these fields."))
    if fields.get("channel", Referral.Channel.FAMILY_OR_FRIEND) not in PUBLIC_CHANNELS:
        raise ValidationError(_("Choose who you are to the person."))
    if not str(fields.get("concern", "")).strip():
        raise ValidationError(_("Say what worries you."))
    fields.setdefault("channel", Referral.Channel.FAMILY_OR_FRIEND)
    referral = _intake(Referral(front_door=panel, recorded_by=None, received_at=timezone.now(), **fields), indicators)
    code = "-".join(get_random_string(4, CODE_ALPHABET) for _group in range(4))
    receipt = ConcernReceipt.objects.create(referral=referral, code_hash=code_hash(code))
    record(AuditEvent.Action.PUBLIC_CONCERN_RECEIVED, obj=referral, panel=panel.pk)
    _after_intake(referral, None)
    return receipt, code


PUBLIC_CHANNELS = (Referral.Channel.FAMILY_OR_FRIEND, Referral.Channel.NEIGHBOUR, Referral.Channel.SELF)


def public_stage(code: str) -> str | None:
    """The stage of the concern a follow-up code was given for, or None: one indexed lookup by the
    code's hash, the same statement whatever the code (decision 126)."""
    found = ConcernReceipt.objects.filter(code_hash=code_hash(code)).values_list("stage", flat=True).first()
    return str(found) if found is not None else None


@transaction.atomic
def answer_deconfliction(check: DeconflictionCheck, *, answer: str, actor: User) -> DeconflictionCheck:
    """The police say whether the person is already under investigation (yes, no, or not told)."""
    check = (
        DeconflictionCheck.objects.restrict(actor, Action.CHANGE)
        .lock()
        .refetch(check, _("You may no longer answer this check."))
    )
    if answer not in DeconflictionCheck.Answer.values:
        raise ValidationError(_("Choose one of the answers."))
    if check.answer and answer != check.answer:
        # Triage may have acted on the answer: once the referral has moved on, it stands as given.
        status = Referral.objects.filter(pk=check.referral_id).values_list("status", flat=True).first()
        if status not in (Referral.Status.NEW, Referral.Status.GATHERING):
            raise ValidationError(
                _("Triage has already acted on your answer: it can no longer be changed. Tell the triage directly.")
            )
    check.answer = answer
    check.answered_by = actor
    check.answered_at = timezone.now()
    check.save(update_fields=["answer", "answered_by", "answered_at"])
    record(AuditEvent.Action.DECONFLICTION_ANSWERED, actor=actor, obj=check, agency_id=check.police_agency_id)
    return check


@dataclass
class Match:
    """A record that may be about the same person, and why it was matched."""

    kind: str  # "referral" or "case"
    obj: Any
    person: str
    reason: str
    score: int


@dataclass
class Matches:
    referrals: list[Match]
    cases: list[Match]

    def __bool__(self) -> bool:
        return bool(self.referrals or self.cases)


def _match_reason(given_a: str, given_b: str, born_a: Any, born_b: Any) -> tuple[int, str] | None:
    same_birth = born_a is not None and born_a == born_b
    if given_a and given_b and given_a == given_b:
        return (3, _("same names and date of birth")) if same_birth else (2, _("same names"))
    if same_birth:
        return 2, _("same family name and date of birth")
    if similar(given_a, given_b):
        return 1, _("similar names")
    return None


# Near keys read for one name at most: no real three-letter prefix among the rows one user may
# see comes near it, and the exact keys are read first, so a common prefix never pushes them out.
NEAR_KEYS = 5000


def _candidates(restricted: Any, field: str, key: str) -> list[Any]:
    """The rows of `restricted` whose name key is `key` or within a slip of a letter of it.

    `restrict()` comes first, in the same statement as the key: only rows the user may see leave
    the database, and the same two statements run whatever the name, so nothing here (statements,
    rows, the comparisons made in Python) depends on records the user may not see (decision 62).
    The key conditions are index scans (equality, and a `varchar_pattern_ops` prefix); the access
    rules check each of those rows with correlated index probes, so a common prefix costs what
    its visible rows cost, not every case a supervisor may see.
    """
    exact_first = DbCase(When(**{field: key}, then=Value(0)), default=Value(1), output_field=IntegerField())
    keys = (
        restricted.filter(**{f"{field}__startswith": key[:3]})
        .order_by(exact_first, "pk")
        .values_list("pk", field)[:NEAR_KEYS]
    )
    ids = [pk for pk, found in keys if similar(found, key)]
    # The second statement runs even when the first found nothing: a name nobody may see costs
    # what a name nobody holds costs. No row has the id 0.
    return list(restricted.filter(pk__in=ids or [0]))


def find_matches(
    user: User,
    *,
    given_name: str = "",
    family_name: str,
    date_of_birth: datetime.date | None = None,
    exclude: Referral | None = None,
) -> Matches:
    """Earlier referrals and cases that may be about the same person, among those `user` may know
    of. Names meet through their spelling-insensitive keys (families.matching); a slip of one
    letter in the family name still matches when the given name or the date of birth agrees."""
    family_key, given_key = name_key(family_name), name_key(given_name)
    if len(family_key) < 2:
        return Matches([], [])
    referrals = []
    visible_referrals = Referral.objects.restrict(user, Action.VIEW).order_by("-received_at")
    for referral in _candidates(visible_referrals, "subject_family_name_key", family_key):
        if exclude is not None and referral.pk == exclude.pk:
            continue
        if not similar(referral.subject_family_name_key, family_key):
            continue
        found = _match_reason(given_key, referral.subject_given_name_key, date_of_birth, referral.subject_date_of_birth)
        if found:
            referrals.append(Match("referral", referral, referral.subject, found[1], found[0]))
    matched_people = {}
    visible_people = Person.objects.restrict(user, Action.VIEW_SUMMARY).order_by()
    for person in _candidates(visible_people, "family_name_key", family_key):
        if not similar(person.family_name_key, family_key):
            continue
        found = _match_reason(given_key, person.given_name_key, date_of_birth, person.date_of_birth)
        if found:
            matched_people[person.pk] = (person, found)
    cases = []
    if matched_people:
        families = {person.family_id for person, _found in matched_people.values()}
        visible = Case.objects.restrict(user, Action.VIEW_SUMMARY).filter(family_id__in=families).with_summary()
        for case in visible:
            for person, (score, reason) in matched_people.values():
                if person.family_id == case.family_id:
                    cases.append(Match("case", case, str(person), reason, score))
                    break
    by_score = lambda match: -match.score  # noqa: E731
    return Matches(sorted(referrals, key=by_score)[:20], sorted(cases, key=by_score)[:20])


def _root(referral: Referral, actor: User) -> Referral:
    """The first record of a chain of repeat concerns, read afresh, locked, and only if `actor` may
    read it: a concern is never added to (nor reopens) a record the actor cannot see."""
    visible = Referral.objects.restrict(actor, Action.VIEW).lock()
    root = referral
    while True:
        found: Referral | None = visible.filter(pk=root.pk).first()
        if found is None:
            raise ValidationError(_("The earlier record is one you may not see: ask the agency that holds it."))
        if found.primary_id is None:
            return found
        root = Referral(pk=found.primary_id)


@transaction.atomic
def add_to_earlier(
    referral: Referral, *, actor: User, primary: Referral | None = None, case: Case | None = None
) -> Referral:
    """Add a repeat concern to the earlier referral or the case about the same people.

    Concerns add up on one record and are never closed one by one: the repeat takes no triage of
    its own, and a closed earlier referral comes back for triage.
    """
    if (primary is None) == (case is None):
        raise ValidationError(_("Choose one earlier referral or one case."))
    referral = (
        Referral.objects.restrict(actor, Action.MANAGE)
        .lock()
        .refetch(referral, _("You may no longer act on this referral."))
    )
    if not referral.is_open or referral.repeats.exists():
        raise ValidationError(_("Only an open referral that holds no other concerns can be added to another record."))
    if primary is not None:
        primary = _root(primary, actor)
        if primary.pk == referral.pk:
            raise ValidationError(_("A referral cannot be added to itself."))
        referral.primary = primary
        if not primary.is_open:
            primary.status = Referral.Status.NEW
            primary.triage_due_at = deadlines.triage_due(
                timezone.now(), PanelReminderSettings.timing_for(primary.panel_id)
            )
            primary.save(update_fields=["status", "triage_due_at", "updated_at"])
    else:
        assert case is not None  # noqa: S101 - checked above
        referral.case = case
        CaseEvent.objects.create(
            case=case, kind=CaseEvent.Kind.CONCERN_ADDED, actor=actor, data={"referral": referral.pk}
        )
    referral.status = Referral.Status.ADDED
    referral.save(update_fields=["primary", "case", "status", "updated_at"])
    _follow_receipts(referral)
    if primary is not None:
        _follow_receipts(primary)
    target = primary or case
    record(
        AuditEvent.Action.REFERRAL_ADDED, actor=actor, obj=referral, case_id=case.pk if case else None, to=str(target)
    )
    return referral


@dataclass
class ToService:
    """A referral to a listed service made in the same step as a triage that signposts (decision
    142): what the service is asked and, when the referral names nobody, for whom."""

    service: SupportService
    request: str
    for_whom: str = ""  # empty: the person the referral is about


@dataclass
class NewCase:
    """What opening a case from a referral needs besides the referral itself."""

    owner: User
    owner_agency: Agency | None = None
    panel: Panel | None = None
    family: Family | None = None  # an existing family the referral matched


def _open_case_from(referral: Referral, new_case: NewCase, actor: User) -> Case:
    if new_case.family is not None:
        family = new_case.family
        index = family.members.filter(given_name_key=referral.subject_given_name_key).first()
    else:
        if not referral.subject_family_name:
            raise ValidationError(_("A case needs at least the family name of the person of concern."))
        family = Family.objects.create(name=referral.subject_family_name, area=referral.subject_area)
        index = None
    if index is None:
        index = Person.objects.create(
            family=family,
            given_name=referral.subject_given_name or "?",
            family_name=referral.subject_family_name or family.name,
            date_of_birth=referral.subject_date_of_birth,
            relationship=Person.Relationship.INDEX,
        )
    return case_services.open_case(
        family=family,
        index_person=index,
        owner=new_case.owner,
        agency=new_case.owner_agency,
        panel=new_case.panel,
        actor=actor,
        urgency=Case.Urgency.CRISIS if referral.is_crisis else Case.Urgency.ROUTINE,
        next_step=_("First contact with the family"),
    )


@transaction.atomic
def triage_referral(
    referral: Referral,
    *,
    decision: str,
    actor: User,
    reason: str = "",
    notes: str = "",
    signposted_to: str = "",
    panel: Panel | None = None,
    new_case: NewCase | None = None,
    to_service: ToService | None = None,
) -> TriageDecision:
    """Decide what happens to a referral; the decision, who took it and when are kept.

    A triage that signposts may refer the person to a listed service at once (`to_service`): the
    decision and the referral to the service are one transaction, so a refused service leaves the
    referral untriaged (decision 142)."""
    referral = (
        Referral.objects.restrict(actor, Action.MANAGE)
        .lock()
        .refetch(referral, _("You may no longer act on this referral."))
    )
    if referral.status == Referral.Status.ADDED:
        raise ValidationError(_("This concern was added to an earlier record: triage that record instead."))
    if not referral.is_open:
        raise ValidationError(_("This referral has already been decided."))
    if decision == Decision.PANEL_AGENDA and panel is None:
        raise ValidationError(_("Choose the panel whose agenda the referral goes on."))
    if decision == Decision.OPEN_CASE and new_case is None:
        raise ValidationError(_("Choose who owns the new case."))
    if to_service is not None and decision != Decision.SIGNPOSTED:
        raise ValidationError(_("A service from the directory is chosen only when the triage signposts."))
    if to_service is not None:
        # One place named, never two: the decision and the service referral name the same service.
        typed, listed = signposted_to.strip(), to_service.service.name[:200]
        if typed and typed.casefold() != listed.casefold():
            raise ValidationError(
                _("Name the service either from the directory or in your own words, not both: %(typed)s or %(listed)s?")
                % {"typed": typed, "listed": listed}
            )
        signposted_to = listed
    chosen = new_case.panel if decision == Decision.OPEN_CASE and new_case else panel
    on_agenda = decision in (Decision.PANEL_AGENDA, Decision.OPEN_CASE)
    moves_on = on_agenda or decision == Decision.GATHER_INFORMATION
    first_move = moves_on and _from_public_page(referral)
    if first_move and not DeconflictionCheck.objects.filter(referral=referral).exists():
        # Triage has read the public concern and takes it further: now the police are asked.
        asked = _ask_deconfliction(referral, actor)
        if asked is not None and on_agenda:
            raise ValidationError(
                _(
                    "The police have not yet been asked whether the person is already under investigation: "
                    "choose to gather information, which asks them; the referral goes to the panel once they "
                    "have answered."
                )
            )
    if on_agenda and not referral.is_crisis:
        waiting = DeconflictionCheck.objects.filter(referral=referral, answer="").exists()
        if waiting:
            raise ValidationError(
                _(
                    "The police have not yet said whether the person is already under investigation: "
                    "the referral goes to the panel once they have (a crisis does not wait)."
                )
            )
    if chosen is not None and on_agenda and chosen not in panels_for(referral, actor):
        raise ValidationError(_("Choose a panel that the referral's agency sits on."))
    taken = TriageDecision(
        referral=referral,
        decision=decision,
        reason=reason,
        notes=notes.strip(),
        signposted_to=signposted_to.strip(),
        decided_by=actor,
    )
    taken.full_clean()
    taken.save()
    referral.status = TriageDecision.STATUS_AFTER[Decision(decision)]
    referral.triaged_at = referral.triaged_at or taken.decided_at
    if decision == Decision.PANEL_AGENDA:
        referral.panel = panel
    if decision == Decision.OPEN_CASE:
        assert new_case is not None  # noqa: S101 - checked above
        referral.case = _open_case_from(referral, new_case, actor)
        referral.panel = new_case.panel or referral.panel
        if not CaseAccess.fetch(referral.case, actor).knows:
            raise ValidationError(
                _("You would lose sight of the case you open: choose an owner in your agency, or a panel you sit on.")
            )
    referral.save(update_fields=["status", "triaged_at", "panel", "case", "updated_at"])
    if to_service is not None:
        # Refused (a service not listed, or no longer taking referrals): the whole triage rolls back.
        create_service_referral(
            service=to_service.service,
            for_whom=to_service.for_whom.strip() or referral.subject,
            request=to_service.request,
            actor=actor,
            referral=referral,
        )
    Referral.objects.filter(primary=referral).update(case=referral.case)
    _follow_receipts(referral)
    record(
        AuditEvent.Action.REFERRAL_TRIAGED,
        actor=actor,
        obj=referral,
        case_id=referral.case_id,
        reason=taken.notes,
        decision=decision,
    )
    if decision == Decision.PANEL_AGENDA and panel is not None:
        signals.put_to_panel.send(sender=Referral, referral=referral, panel=panel)
    return taken


def panels_for(referral: Referral, actor: User) -> list[Panel]:
    """The panels a referral may be put to: those its receiving (or, in a crisis, routed) agency
    sits on, those `actor` coordinates, and the front door's panel for those who receive it."""
    agencies = [pk for pk in (referral.received_by_id, referral.routed_to_id) if pk is not None]
    coordinated = Panel.objects.restrict(actor, Action.MANAGE)
    chosen = Panel.objects.filter(agencies__in=agencies) | coordinated
    if referral.front_door_id is not None and sees_reporter(actor, referral):
        # Whoever receives a front door puts its concerns to that panel (decision 125).
        chosen |= Panel.objects.filter(pk=referral.front_door_id)
    return list(chosen.distinct().order_by("name"))


@transaction.atomic
def record_feedback(referral: Referral, *, feedback: str, actor: User) -> Referral:
    """Record what a professional reporter was told of the outcome (by those who know the reporter)."""
    referral = (
        Referral.objects.restrict(actor, Action.MANAGE)
        .lock()
        .refetch(referral, _("You may no longer act on this referral."))
    )
    if not sees_reporter(actor, referral):
        raise ValidationError(_("Only the agency that received the referral gives the reporter feedback."))
    if not referral.reporter_is_professional:
        raise ValidationError(_("Feedback is recorded for professional reporters only."))
    if referral.triaged_at is None:
        raise ValidationError(_("Give feedback once the referral has been triaged."))
    if not feedback.strip():
        raise ValidationError(_("Write what the reporter was told."))
    referral.reporter_feedback = feedback.strip()
    referral.reporter_feedback_at = timezone.now()
    referral.save(update_fields=["reporter_feedback", "reporter_feedback_at", "updated_at"])
    # A partner who sent it to a front door reads this feedback, and only this, on their receipt.
    ConcernReceipt.objects.filter(referral=referral, sent_by__isnull=False).update(
        feedback=referral.reporter_feedback, feedback_at=referral.reporter_feedback_at, updated_at=timezone.now()
    )
    record(AuditEvent.Action.REFERRAL_FEEDBACK, actor=actor, obj=referral)
    return referral
