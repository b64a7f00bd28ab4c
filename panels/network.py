"""The partnership's structure (seed 001, steps 1-2; decisions 121-124): each agency's mandate and
point of contact, a panel's terms of reference and network map, the register of experts, the
emergency plan with its duty rota, urgent meetings and non-case topics of a meeting.

Every write is one transaction with its audit record.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.access import Action, UserAccess
from agencies.models import Agency, DutyShift, Expert, Membership, NetworkOrganisation, NetworkSector, Panel, User
from agencies.models.network import AGENCY_SECTORS
from audit.models import AuditEvent
from audit.services import record
from cases.models import SharingAgreement
from outbox import services as outbox

from .models import MeetingTopic, PanelMeeting
from .notices import urgent_meeting_called

__all__ = [
    "SectorRow",
    "add_topic",
    "call_urgent_meeting",
    "may_edit_agency",
    "may_keep_experts",
    "network_map",
    "remove_duty_shift",
    "remove_organisation",
    "save_duty_shift",
    "save_expert",
    "save_organisation",
    "update_agency_profile",
    "update_emergency_plan",
    "update_topic",
]

# Without these, a panel is warned (seed 001: a structure that includes health and social care).
HEALTH_SECTORS = (NetworkSector.HEALTH, NetworkSector.MENTAL_HEALTH)


def _panel(panel: Panel, actor: User) -> Panel:
    locked: Panel = (
        Panel.objects.restrict(actor, Action.MANAGE).lock().refetch(panel, _("You do not coordinate this panel."))
    )
    return locked


# --- Agencies: mandate, what they bring, secrecy, contact -------------------------------------


def may_edit_agency(user: User, agency: Agency) -> bool:
    """An agency's profile is kept by its administrators and by the coordinators of its panels."""
    if not user.is_authenticated:
        return False
    if Membership.objects.filter(user=user, agency=agency, role=Membership.Role.AGENCY_ADMIN).exists():
        return True
    coordinated = UserAccess.of(user).coordinated_panel_ids
    return bool(coordinated) and agency.panels.filter(pk__in=coordinated).exists()


@transaction.atomic
def update_agency_profile(
    agency: Agency,
    *,
    actor: User,
    mandate: str,
    contribution: str,
    secrecy_limits: str,
    contact_person: User | None,
    contact_details: str,
) -> Agency:
    if not may_edit_agency(actor, agency):
        raise ValidationError(_("Only the agency's administrator or a coordinator of its panels changes this."))
    if contact_person is not None and not Membership.objects.filter(user=contact_person, agency=agency).exists():
        raise ValidationError(_("The point of contact works for the agency."))
    agency.mandate, agency.contribution, agency.secrecy_limits = mandate.strip(), contribution.strip(), secrecy_limits
    agency.contact_person, agency.contact_details = contact_person, contact_details.strip()
    agency.save(
        update_fields=["mandate", "contribution", "secrecy_limits", "contact_person", "contact_details", "updated_at"]
    )
    record(AuditEvent.Action.AGENCY_PROFILE_CHANGED, actor=actor, obj=agency)
    return agency


# --- The network map -------------------------------------------------------------------------


@dataclass
class SectorRow:
    """One line of the checklist: who takes part, who is invited, who is known to be missing."""

    sector: str
    label: str
    agencies: list[Agency] = field(default_factory=list)
    taking_part: list[NetworkOrganisation] = field(default_factory=list)
    invited: list[NetworkOrganisation] = field(default_factory=list)
    missing: list[NetworkOrganisation] = field(default_factory=list)

    @property
    def takes_part(self) -> bool:
        return bool(self.agencies or self.taking_part)

    @property
    def is_missing(self) -> bool:
        """Nobody takes part and nobody is invited."""
        return not self.takes_part and not self.invited


@dataclass
class NetworkMap:
    rows: list[SectorRow]
    warnings: list[str]

    @property
    def missing(self) -> list[SectorRow]:
        return [row for row in self.rows if row.is_missing]


def network_map(panel: Panel, user: User) -> NetworkMap:
    """The panel's network by the document's checklist, read as `user` may (two queries)."""
    rows = {value: SectorRow(value, str(label)) for value, label in NetworkSector.choices}
    for agency in panel.agencies.all():
        sector = AGENCY_SECTORS.get(agency.sector)
        if sector is not None:
            rows[sector].agencies.append(agency)
    organisations = NetworkOrganisation.objects.restrict(user, Action.VIEW).filter(panel=panel)
    for organisation in organisations.select_related("agency"):
        getattr(rows[organisation.sector], organisation.status).append(organisation)
    warnings = []
    if not rows[NetworkSector.HEALTH].takes_part:
        warnings.append(_("No health organisation takes part in this panel: health staff share only within it."))
    if not rows[NetworkSector.MENTAL_HEALTH].takes_part:
        warnings.append(_("No mental-health organisation takes part in this panel."))
    return NetworkMap(list(rows.values()), warnings)


@transaction.atomic
def save_organisation(
    panel: Panel, *, actor: User, organisation: NetworkOrganisation | None = None, **fields: Any
) -> NetworkOrganisation:
    """Record (or change) an organisation on the panel's network map: the coordinator's."""
    panel = _panel(panel, actor)
    if organisation is not None:
        organisation = (
            NetworkOrganisation.objects.restrict(actor, Action.MANAGE)
            .filter(panel=panel)
            .lock()
            .refetch(organisation, _("This organisation is not on your panel's map."))
        )
    else:
        organisation = NetworkOrganisation(panel=panel)
    for name, value in fields.items():
        setattr(organisation, name, value.strip() if isinstance(value, str) else value)
    organisation.full_clean()
    organisation.save()
    record(
        AuditEvent.Action.NETWORK_ORGANISATION_SAVED,
        actor=actor,
        obj=organisation,
        panel_id=panel.pk,
        status=organisation.status,
        sector=organisation.sector,
    )
    return organisation


@transaction.atomic
def remove_organisation(organisation: NetworkOrganisation, *, actor: User) -> None:
    organisation = (
        NetworkOrganisation.objects.restrict(actor, Action.MANAGE)
        .lock()
        .refetch(organisation, _("This organisation is not on your panel's map."))
    )
    record(AuditEvent.Action.NETWORK_ORGANISATION_REMOVED, actor=actor, obj=organisation, name=organisation.name)
    organisation.delete()


# --- Experts ---------------------------------------------------------------------------------


def may_keep_experts(user: Any) -> bool:
    """The register is kept by coordinators (decision 123): who may consult an expert, under which
    agreement, is the network's to say, not one agency's administrator's."""
    if not getattr(user, "is_authenticated", False):
        return False
    coordinator = Membership.objects.filter(user_id=user.pk, role=Membership.Role.COORDINATOR).exists()
    return coordinator or bool(UserAccess.of(user).coordinated_panel_ids)


@transaction.atomic
def save_expert(*, actor: User, expert: Expert | None = None, agencies: Iterable[Agency] = (), **fields: Any) -> Expert:
    if not may_keep_experts(actor):
        raise ValidationError(_("Only a coordinator keeps the register of experts."))
    expert = Expert.objects.get(pk=expert.pk) if expert is not None else Expert()
    agreement = fields.get("agreement")
    if agreement is not None and agreement.pk != expert.agreement_id:
        # Only an agreement the coordinator reads (a party's or one naming their panel).
        SharingAgreement.objects.restrict(actor, Action.VIEW).refetch(
            agreement, _("Choose an agreement of the register you read.")
        )
    for name, value in fields.items():
        setattr(expert, name, value.strip() if isinstance(value, str) else value)
    expert.full_clean()
    expert.save()
    expert.agencies.set(list(agencies))
    record(
        AuditEvent.Action.EXPERT_SAVED,
        actor=actor,
        obj=expert,
        agencies=sorted(expert.agencies.values_list("pk", flat=True)),
    )
    return expert


# --- The emergency plan and its duty rota ----------------------------------------------------


@transaction.atomic
def update_emergency_plan(panel: Panel, *, actor: User, terms_of_reference: str, emergency_steps: str) -> Panel:
    """The panel's terms of reference and the steps of its emergency plan: the coordinator's."""
    panel = _panel(panel, actor)
    panel.terms_of_reference, panel.emergency_steps = terms_of_reference.strip(), emergency_steps.strip()
    panel.save(update_fields=["terms_of_reference", "emergency_steps", "updated_at"])
    record(AuditEvent.Action.EMERGENCY_PLAN_CHANGED, actor=actor, obj=panel, steps=len(panel.emergency_step_list))
    return panel


@transaction.atomic
def save_duty_shift(
    panel: Panel,
    *,
    actor: User,
    user: User,
    agency: Agency,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    phone: str = "",
) -> DutyShift:
    """Put someone on call for the panel: a person of one of its agencies, for that agency."""
    panel = _panel(panel, actor)
    if not panel.agencies.filter(pk=agency.pk).exists():
        raise ValidationError(_("Only a person of one of the panel's agencies is on call for it."))
    if not Membership.objects.filter(user=user, agency=agency, user__is_active=True).exists():
        raise ValidationError(_("%(person)s does not work for %(agency)s.") % {"person": user, "agency": agency})
    if ends_at <= starts_at:
        raise ValidationError(_("A shift ends after it starts."))
    if ends_at - starts_at > DutyShift.LONGEST:
        raise ValidationError(_("A shift lasts at most fourteen days."))
    shift = DutyShift(
        panel=panel,
        user=user,
        agency=agency,
        starts_at=starts_at,
        ends_at=ends_at,
        phone=phone.strip(),
        created_by=actor,
    )
    shift.full_clean()
    shift.save()
    record(
        AuditEvent.Action.DUTY_SHIFT_SAVED,
        actor=actor,
        obj=shift,
        panel_id=panel.pk,
        user_id=user.pk,
        starts_at=starts_at.isoformat(),
        ends_at=ends_at.isoformat(),
    )
    return shift


@transaction.atomic
def remove_duty_shift(shift: DutyShift, *, actor: User) -> None:
    shift = DutyShift.objects.restrict(actor, Action.MANAGE).lock().refetch(shift, _("This shift is not on your rota."))
    record(AuditEvent.Action.DUTY_SHIFT_REMOVED, actor=actor, obj=shift, panel_id=shift.panel_id, user_id=shift.user_id)
    shift.delete()


@transaction.atomic
def call_urgent_meeting(
    panel: Panel, *, actor: User, scheduled_for: datetime.datetime, reason: str, location: str = ""
) -> PanelMeeting:
    """The coordinator calls an urgent meeting with its reason; every member of the panel is told
    at once: an e-mail through the outbox (urgent queue) and a notice under the bell."""
    panel = _panel(panel, actor)
    if not reason.strip():
        raise ValidationError(_("Say why the meeting is urgent."))
    if scheduled_for < timezone.now() - datetime.timedelta(hours=1):
        raise ValidationError(_("An urgent meeting is called for now or later."))
    meeting = PanelMeeting.objects.create(
        panel=panel,
        scheduled_for=scheduled_for,
        location=location.strip(),
        record_mode=panel.record_mode,
        urgent_reason=reason.strip(),
        created_by=actor,
    )
    members = _members(panel)
    link = settings.BASE_URL + reverse("panels:meeting", args=[meeting.pk])
    when = timezone.localtime(scheduled_for).strftime("%d.%m.%Y %H:%M")
    messages = []
    for user in members:
        if not user.email:
            continue
        # The reason may name people: it is read in Ura, behind the sign-in; the e-mail links to it,
        # in the recipient's language.
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = _("Ura: an urgent meeting of %(panel)s") % {"panel": panel}
            body = _(
                "%(coordinator)s called an urgent meeting of %(panel)s on %(when)s. Read why and reply in Ura: %(link)s"
            ) % {"coordinator": actor.full_name, "panel": panel, "when": when, "link": link}
        messages.append((subject, body, user.email))
    outbox.queue("urgent_meeting", messages, about=f"panels.panelmeeting:{meeting.pk}", urgent=True)
    urgent_meeting_called.send(sender=PanelMeeting, meeting=meeting, members=[user.pk for user in members])
    record(AuditEvent.Action.URGENT_MEETING_CALLED, actor=actor, obj=meeting, recipients=len(messages))
    return meeting


def _members(panel: Panel) -> list[User]:
    """The panel's seats: the panel members and coordinators of its agencies, and its coordinator."""
    seats = User.objects.filter(
        is_active=True,
        memberships__role__in=Membership.PANEL_ROLES,
        memberships__agency__in=panel.agencies.all(),
    )
    people = {user.pk: user for user in seats.distinct().order_by("pk")}
    people.setdefault(panel.coordinator_id, panel.coordinator)
    return list(people.values())


# --- Non-case topics of a meeting ------------------------------------------------------------


def _check_record_mode(meeting: PanelMeeting, outcome: str, discussion: str) -> None:
    if discussion.strip() and not meeting.keeps_minutes:
        raise ValidationError(_("This panel keeps no minutes of the discussion."))
    if outcome.strip() and not meeting.keeps_decisions:
        raise ValidationError(_("This panel keeps no minutes: only the topic's title is kept."))


@transaction.atomic
def add_topic(
    meeting: PanelMeeting, *, actor: User, kind: str, title: str, outcome: str = "", discussion: str = ""
) -> MeetingTopic:
    """Put a topic that is not a case on the meeting's agenda (a training, an evaluation...)."""
    meeting = (
        PanelMeeting.objects.restrict(actor, Action.MANAGE)
        .lock()
        .refetch(meeting, _("You do not coordinate this meeting."))
    )
    _check_record_mode(meeting, outcome, discussion)
    topic = MeetingTopic(
        meeting=meeting, kind=kind, title=title.strip(), outcome=outcome.strip(), discussion=discussion.strip(),
        added_by=actor,
    )  # fmt: skip
    topic.full_clean()
    topic.save()
    record(AuditEvent.Action.MEETING_TOPIC_SAVED, actor=actor, obj=topic, meeting_id=meeting.pk, kind=kind)
    return topic


@transaction.atomic
def update_topic(topic: MeetingTopic, *, actor: User, outcome: str, discussion: str = "") -> MeetingTopic:
    """Record what the meeting concluded on a topic, as far as its record mode keeps it."""
    topic = (
        MeetingTopic.objects.restrict(actor, Action.MANAGE)
        .select_related("meeting")
        .lock()
        .refetch(topic, _("You do not coordinate this meeting."))
    )
    _check_record_mode(topic.meeting, outcome, discussion)
    topic.outcome, topic.discussion = outcome.strip(), discussion.strip()
    topic.save(update_fields=["outcome", "discussion", "updated_at"])
    record(AuditEvent.Action.MEETING_TOPIC_SAVED, actor=actor, obj=topic, meeting_id=topic.meeting_id, kind=topic.kind)
    return topic
