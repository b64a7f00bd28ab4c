"""Joining and leaving without the admin (issue 13, item 4; decision 117).

A coordinator (or a superuser) adds a partner agency, and people to any agency; an agency's
administrator adds people to the agencies they administer, in the roles `grantable_roles` allows
(not a data protection officer, a police liaison or a coordinator: those only a coordinator makes). A new person gets an
invitation by e-mail (through the outbox, decision 70): a one-time link, valid
`URA_INVITATION_HOURS`, to set their password and turn on two-factor sign-in; the link stands in
for the enrolment code (it came from someone else). A leaver's membership ends with a date: the
row is deleted (which ends their tokens and sessions and their place in the agency's group,
`agencies.signals`) and a `Departure` remains; a person with no membership left can no longer
sign in. Every change is recorded in the audit trail through `directory_changed`.

Someone who already has an account joins another agency without a new one (`add_member`, decision
139): a coordinator (or a superuser) names them by user name or e-mail address; an agency
administrator does not (they would learn whose account exists, and pull anyone into their agency).
A leaver who comes back chooses a new password and second factor through a new invitation. A
manager changes the roles a person holds in an agency (`change_roles`), and ends a membership
(`end_membership`), within the roles they may grant; nobody raises their own, an agency keeps at
least one administrator and Ura at least one coordinator (decision 140).
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override
from django_otp.plugins.otp_totp.models import TOTPDevice

from outbox.services import queue

from .access import forget_access
from .models import Agency, Departure, EnrolmentCode, Invitation, Membership, RecoveryCode, User
from .models.two_factor import code_hash, new_code
from .people import forget_person
from .signals import directory_changed

__all__ = [
    "accept_invitation",
    "add_agency",
    "add_member",
    "change_roles",
    "departures_of",
    "end_due_memberships",
    "end_membership",
    "find_person",
    "grantable_roles",
    "has_joined",
    "invitation_for",
    "invite_again",
    "invite_person",
    "managed_agencies",
    "managed_memberships",
    "may_add_agencies",
    "may_add_members",
    "may_reassign",
    "people_of",
    "roles_in",
    "send_invitation",
]

MANAGING_ROLES = (Membership.Role.COORDINATOR, Membership.Role.AGENCY_ADMIN)
# What an agency administrator may make someone in an agency they administer; the other roles (the
# data protection officer, the police liaison, the coordinator) reach the audit trail, the crisis
# alerts or every panel, and only a coordinator (or a superuser) grants them.
ADMIN_GRANTABLE_ROLES = (
    Membership.Role.PRACTITIONER,
    Membership.Role.SUPERVISOR,
    Membership.Role.PANEL_MEMBER,
    Membership.Role.AGENCY_ADMIN,
)


def _is_coordinator(actor: Any) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    return bool(actor.is_superuser) or Membership.objects.filter(user=actor, role=Membership.Role.COORDINATOR).exists()


def may_add_agencies(actor: Any) -> bool:
    """Coordinators and superusers add partner agencies (an agency's sector decides where crises
    go and what its people read: an agency administrator does not choose it)."""
    return _is_coordinator(actor)


def may_add_members(actor: Any) -> bool:
    """Coordinators and superusers add someone who already has an account to an agency (decision
    139): an agency administrator would learn whose account exists, and could pull anyone in."""
    return _is_coordinator(actor)


def grantable_roles(actor: Any) -> list[str]:
    """The roles `actor` may give someone in an agency they manage: every role for a coordinator or
    a superuser, `ADMIN_GRANTABLE_ROLES` for an agency administrator."""
    if _is_coordinator(actor):
        return list(Membership.Role.values)
    return [str(role) for role in ADMIN_GRANTABLE_ROLES]


def _refuse_role(role: str, actor: Any) -> None:
    if role not in grantable_roles(actor):
        raise ValidationError(
            {
                "role": _(
                    "Only a coordinator makes someone a data protection officer, a police liaison or a coordinator."
                )
            }
        )


def may_reassign(actor: Any) -> bool:
    """Whether `actor` moves a leaver's open cases themselves (`panels:reassign`): a coordinator, a
    supervisor or a superuser; an agency administrator reads no case and asks one of them."""
    if not getattr(actor, "is_authenticated", False):
        return False
    return (
        bool(actor.is_superuser)
        or Membership.objects.filter(
            user=actor, role__in=(Membership.Role.COORDINATOR, Membership.Role.SUPERVISOR)
        ).exists()
    )


def managed_agencies(actor: Any) -> QuerySet[Agency]:
    """The agencies whose people `actor` adds and ends: every agency for a coordinator or a
    superuser, the agencies they administer for an agency administrator, none for anyone else."""
    if not getattr(actor, "is_authenticated", False):
        return Agency.objects.none()
    if _is_coordinator(actor):
        return Agency.objects.all()
    administered = Membership.objects.filter(user=actor, role=Membership.Role.AGENCY_ADMIN).values("agency_id")
    return Agency.objects.filter(pk__in=administered)


def managed_memberships(actor: Any) -> QuerySet[Membership]:
    """The memberships of the agencies `actor` manages (with their person and agency), the only
    ones their people pages and API may find."""
    return Membership.objects.select_related("user", "agency").filter(agency__in=managed_agencies(actor))


def _record(event: str, *, actor: Any, obj: Any, **data: Any) -> None:
    directory_changed.send(sender=type(obj), actor=actor, event=event, obj=obj, data=data)


@transaction.atomic
def add_agency(*, actor: User, name: str, sector: str, partner_kind: str = Agency.PartnerKind.CORE) -> Agency:
    """A new partner agency, added by a coordinator or a superuser."""
    if not may_add_agencies(actor):
        raise PermissionError
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the agency's name.")})
    if Agency.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("An agency with this name is already in Ura.")})
    agency = Agency.objects.create(name=name, sector=sector, partner_kind=partner_kind)
    _record("agency_added", actor=actor, obj=agency, sector=sector, kind=partner_kind)
    return agency


def _link(token: str) -> str:
    return f"{settings.BASE_URL}{reverse('invitation', kwargs={'token': token})}"


def send_invitation(user: User, *, actor: User) -> Invitation:
    """A new invitation for `user` (an earlier open one ends), e-mailed through the outbox in the
    caller's transaction, in the person's language."""
    now = timezone.now()
    Invitation.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    token = new_code(30).replace("-", "")
    hours = settings.URA_INVITATION_HOURS
    invitation = Invitation.objects.create(
        user=user,
        invited_by=actor,
        token_hash=code_hash("invitation", token),
        created_at=now,
        expires_at=now + datetime.timedelta(hours=hours),
    )
    with override(user.language or settings.LANGUAGE_CODE):
        subject = _("Ura: you are invited to join the partnership")
        body = _(
            "Hello %(name)s,\n\n%(actor)s added you to Ura, the partnership's case management system, for "
            "%(agencies)s.\n\nOpen this link to choose your password and turn on two-factor sign-in "
            "(you need an authenticator app on your phone). It works once and for %(hours)d hours:\n\n%(link)s\n\n"
            "If you did not expect this e-mail, ignore it."
        ) % {
            "name": user.get_full_name() or user.username,
            "actor": actor.get_full_name() or actor.username,
            "agencies": ", ".join(sorted({m.agency.name for m in user.memberships.select_related("agency")})),
            "hours": hours,
            "link": _link(token),
        }
    queue("invitation", [(subject, body, user.email)], about=f"agencies.invitation:{invitation.pk}")
    _record("person_invited", actor=actor, obj=user, subject=user.pk, subject_username=user.username)
    return invitation


@transaction.atomic
def invite_person(
    *,
    actor: User,
    agency: Agency,
    role: str,
    first_name: str,
    last_name: str,
    email: str,
    username: str = "",
    language: str = "",
) -> User:
    """A new person with a role in `agency`, who cannot sign in until they open their invitation."""
    if not managed_agencies(actor).filter(pk=agency.pk).exists():
        raise PermissionError
    _refuse_role(role, actor)
    email = User.objects.normalize_email(email.strip())
    username = (username or email).strip().lower()
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = _("An invitation needs an e-mail address.")
    elif User.objects.filter(email__iexact=email).exists():
        errors["email"] = _("Someone in Ura already has this e-mail address.")
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("This user name is taken.")
    if errors:
        raise ValidationError(errors)
    user = User(username=username, first_name=first_name.strip(), last_name=last_name.strip(), email=email)
    user.language = language
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, agency=agency, role=role)
    _record("membership_added", actor=actor, obj=user, agency=agency.pk, role=role, subject_username=username)
    send_invitation(user, actor=actor)
    return user


def find_person(who: str) -> User | None:
    """The account whose user name, or else whose e-mail address, is `who` (case aside); None when
    none is, or when several accounts share the address (the user name then tells them apart)."""
    who = who.strip()
    if not who:
        return None
    by_username = User.objects.filter(username__iexact=who).first()
    if by_username is not None:
        return by_username
    by_email = list(User.objects.filter(email__iexact=who)[:2])
    return by_email[0] if len(by_email) == 1 else None


def _role_labels(roles: Iterable[str]) -> str:
    wanted = set(roles)
    return ", ".join(str(label) for value, label in Membership.Role.choices if value in wanted)


def _tell(
    person: User, kind: str, *, actor: User, agency: Agency, roles: Iterable[str], subject: str, body: str
) -> None:
    """E-mail `person`, through the outbox and in their language, what `actor` changed for them in
    `agency` (`subject` and `body` are msgids, translated here; `%(roles)s` names `roles`)."""
    if not person.email:
        return
    with override(person.language or settings.LANGUAGE_CODE):
        values = {
            "name": person.get_full_name() or person.username,
            "actor": actor.get_full_name() or actor.username,
            "agency": agency.name,
            "roles": _role_labels(roles),
            "link": f"{settings.BASE_URL}{reverse('home')}",
        }
        message = (_(subject) % values, _(body) % values, person.email)
    queue(kind, [message], about=f"agencies.user:{person.pk}")


def _lock(agency: Agency, actor: Any) -> None:
    """Changes to one agency's people take turns on its row; who manages it is checked again once
    the turn is taken (a role taken away meanwhile counts)."""
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    if not managed_agencies(actor).filter(pk=agency.pk).exists():
        raise PermissionError


ALREADY_A_MEMBER = gettext_noop(
    "This person is already a member of this agency: change their roles on the agency's page."
)


def _start_afresh(person: User) -> None:
    """A leaver's account, switched on again: their old password and second factor no longer open
    it (whoever kept them since does not sign in); a new invitation sets them, and may be sent
    again until they open it (`has_joined`), as a new person's."""
    person.set_unusable_password()
    person.is_active = True
    person.last_login = None
    person.save(update_fields=["password", "is_active", "last_login"])
    TOTPDevice.objects.filter(user=person).delete()
    RecoveryCode.objects.filter(user=person).delete()
    EnrolmentCode.objects.filter(user=person, used_at__isnull=True).update(used_at=timezone.now())


@transaction.atomic
def add_member(*, actor: User, agency: Agency, who: str, role: str) -> Membership:
    """Make someone who already has an account (named by user name or e-mail address) a member of
    `agency` in `role`, and tell them. Only a coordinator or a superuser (PermissionError for anyone
    else, as for oneself). Refused (ValidationError) for an account not found, switched off by an
    administrator, or already in the agency. A leaver's account (no membership left) is switched on
    by a new invitation: their old password and second factor are gone."""
    if not may_add_members(actor):
        raise PermissionError(_("Only a coordinator adds someone who already has an account in Ura."))
    _lock(agency, actor)
    _refuse_role(role, actor)
    person = find_person(who)
    if person is None:
        raise ValidationError(
            {"who": _("Nobody in Ura has this user name or e-mail address. Invite them as a new person instead.")}
        )
    if person.pk == actor.pk:
        raise PermissionError(_("Nobody gives themself a role: ask another administrator or a coordinator."))
    if Membership.objects.filter(user=person, agency=agency).exists():
        raise ValidationError({"who": _(ALREADY_A_MEMBER)})
    returning = not person.is_active
    if returning:
        # A leaver (decision 117) comes back; an account an administrator switched off stays off.
        if Membership.objects.filter(user=person).exists() or not Departure.objects.filter(user=person).exists():
            raise ValidationError({"who": _("This account is switched off. Only a system administrator turns it on.")})
        _start_afresh(person)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=person, agency=agency, role=role)
    except IntegrityError:
        raise ValidationError({"who": _(ALREADY_A_MEMBER)}) from None
    _record(
        "membership_added",
        actor=actor,
        obj=person,
        agency=agency.pk,
        role=role,
        subject_username=person.username,
        existing_account=True,
        **({"switched_on_by_invitation": True} if returning else {}),
    )
    if returning:
        send_invitation(person, actor=actor)  # their new password and second factor, as a new person's
        return membership
    _tell(
        person,
        "membership_added",
        actor=actor,
        agency=agency,
        subject=gettext_noop("Ura: you were added to %(agency)s"),
        body=gettext_noop(
            "Hello %(name)s,\n\n%(actor)s added you to %(agency)s in Ura, as %(roles)s. You sign in as before, "
            "with the same password and two-factor sign-in; protocols of this role that you have not "
            "acknowledged yet are shown to you first.\n\n%(link)s\n\n"
            "If you did not expect this, tell your agency's administrator."
        ),
        roles=[role],
    )
    return membership


def roles_in(membership: Membership) -> QuerySet[Membership]:
    """Every membership of `membership`'s person in its agency (one a role)."""
    return Membership.objects.filter(user_id=membership.user_id, agency_id=membership.agency_id).order_by("role")


def _refuse_role_change(actor: Any, person: User, added: set[str], removed: set[str]) -> None:
    if (added | removed) - set(grantable_roles(actor)):
        raise PermissionError(
            _(
                "Only a coordinator gives or takes away the roles of data protection officer, police liaison "
                "and coordinator."
            )
        )
    if added and person.pk == actor.pk:
        raise PermissionError(_("Nobody gives themself a role: ask another administrator or a coordinator."))


def _keeps_a_coordinator(person: User) -> bool:
    """Whether someone other than `person`, not leaving, is a coordinator in any agency; the
    coordinators' rows are locked first, so that two cannot take each other's role at once."""
    coordinators = Membership.objects.filter(role=Membership.Role.COORDINATOR)
    list(coordinators.select_for_update().values_list("pk", flat=True))
    return coordinators.exclude(user=person).filter(departure__isnull=True).exists()


def _keeps_an_administrator(agency: Agency, person: User) -> bool:
    """Whether someone other than `person`, not leaving, administers `agency`."""
    return (
        Membership.objects.filter(agency=agency, role=Membership.Role.AGENCY_ADMIN)
        .exclude(user=person)
        .filter(departure__isnull=True)  # a leaving day set (decision 117): they will not be there
        .exists()
    )


@transaction.atomic
def change_roles(*, actor: User, membership: Membership, roles: Iterable[str]) -> list[Membership]:
    """Give `membership`'s person exactly `roles` in its agency; their memberships there, after.

    A role taken away ends its membership row (the signals end the person's sign-ins, groups and
    cached access, decision 64); a role given starts one, under the induction of its protocols.
    Refused: (PermissionError) an agency `actor` does not manage, a role they may not grant or take
    away, any role given to oneself; (ValidationError) no role left (end the membership instead),
    or the agency's last administrator taken away."""
    agency = membership.agency
    if not managed_agencies(actor).filter(pk=agency.pk).exists():
        raise PermissionError
    # Changes within one agency take turns: who manages it and its last administrator are read
    # again after the lock.
    _lock(agency, actor)
    person = membership.user
    held = {m.role: m for m in roles_in(membership)}
    before = sorted(held)
    wanted = set(roles)
    if wanted - set(Membership.Role.values):
        raise ValidationError({"roles": _("Choose roles from the list.")})
    if not wanted:
        raise ValidationError(
            {"roles": _("Someone with no role left in an agency has left it: end their membership instead.")}
        )
    added, removed = wanted - set(held), set(held) - wanted
    if not added and not removed:
        return list(held.values())
    _refuse_role_change(actor, person, added, removed)
    if Membership.Role.AGENCY_ADMIN in removed and not _keeps_an_administrator(agency, person):
        raise ValidationError(
            {"roles": _("%(agency)s would have no administrator left: make someone else its administrator first.")
             % {"agency": agency.name}}
        )  # fmt: skip
    if Membership.Role.COORDINATOR in removed and not _keeps_a_coordinator(person):
        raise ValidationError(
            {"roles": _("Ura would have no coordinator left: make someone else a coordinator first.")}
        )
    # A role replaced keeps its row (and a leaving day set on it); the others end or start.
    for old, new in zip(sorted(removed), sorted(added), strict=False):
        row = held.pop(old)
        row.role = new
        row.save(update_fields=["role"])
        Departure.objects.filter(membership=row, carried_out_at__isnull=True).update(role=new)
        held[new] = row
    for old in sorted(set(held) - wanted):
        row = held.pop(old)
        Departure.objects.filter(membership=row, carried_out_at__isnull=True).delete()
        row.delete()
    for new in sorted(wanted - set(held)):
        held[new] = Membership.objects.create(user=person, agency=agency, role=new)
    _record(
        "membership_roles_changed",
        actor=actor,
        obj=person,
        agency=agency.pk,
        roles_before=before,
        roles_after=sorted(wanted),
        subject_username=person.username,
    )
    # What this request remembers of the person (the actor, when they lowered their own role) is
    # read again: their access, their role groups' permissions, how their name is shown.
    for user in (person, actor) if actor.pk == person.pk else (person,):
        forget_access(user)
        forget_person(user)
    _tell(
        person,
        "roles_changed",
        actor=actor,
        agency=agency,
        subject=gettext_noop("Ura: your roles in %(agency)s changed"),
        body=gettext_noop(
            "Hello %(name)s,\n\n%(actor)s changed your roles in %(agency)s. You are now: %(roles)s.\n\n"
            "Where a role was taken away or replaced, your sessions and API tokens ended: sign in again. "
            "Protocols of a new role that you have not acknowledged yet are shown to you first.\n\n%(link)s"
        ),
        roles=wanted,
    )
    return sorted(held.values(), key=lambda m: m.role)


def has_joined(user: User) -> bool:
    """Whether `user` has signed in or chosen a password: a new invitation would reset nothing."""
    return user.last_login is not None or user.has_usable_password()


@transaction.atomic
def invite_again(*, actor: User, membership: Membership) -> Invitation:
    """A new invitation for a person of an agency `actor` manages who has not joined yet (the
    earlier link ends). Someone who has joined is not invited again (PermissionError)."""
    if not managed_agencies(actor).filter(pk=membership.agency_id).exists() or has_joined(membership.user):
        raise PermissionError
    return send_invitation(membership.user, actor=actor)


def invitation_for(token: str) -> Invitation | None:
    """The open invitation `token` opens, or None (used, expired, unknown: one answer)."""
    return (
        Invitation.objects.select_related("user")
        .filter(token_hash=code_hash("invitation", token), used_at__isnull=True, expires_at__gt=timezone.now())
        .filter(user__memberships__isnull=False)  # a leaver's link no longer opens
        .distinct()
        .first()
    )


@transaction.atomic
def accept_invitation(token: str, password: str) -> User:
    """Set the new person's password; the invitation is used up. Refused (ValidationError) for a
    link that is used, expired or unknown, of a person with no membership left, or a password the
    validators refuse."""
    invitation = invitation_for(token)
    if invitation is None or not Membership.objects.filter(user_id=invitation.user_id).exists():
        raise ValidationError(_("This invitation link was used, has expired or is not right. Ask for a new one."))
    user = invitation.user
    validate_password(password, user)
    used = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(used_at=timezone.now())
    if used != 1:
        raise ValidationError(_("This invitation link was used, has expired or is not right. Ask for a new one."))
    user.set_password(password)
    user.is_active = True
    user.save()
    _record("invitation_accepted", actor=user, obj=user, subject=user.pk, subject_username=user.username)
    return user


@transaction.atomic
def end_membership(*, actor: User, membership: Membership, ended_on: datetime.date, reason: str = "") -> Departure:
    """End `membership` from `ended_on`. Today or earlier: its holder's access through it, their API
    tokens and their browser sessions end now; with no membership left they can no longer sign in.
    A day still to come: it ends then (`end_due_memberships`, beat's task). Their open cases stay
    theirs until someone reassigns them (the page offers it).

    Refused: (PermissionError) an agency `actor` does not manage, a role they may not grant;
    (ValidationError) one's own membership, or, for an agency administrator, the agency's last
    administrator not leaving (a coordinator may: decision 140)."""
    agency = membership.agency
    if not managed_agencies(actor).filter(pk=agency.pk).exists():
        raise PermissionError
    if membership.user_id == actor.pk:
        raise ValidationError(_("Nobody ends their own membership: ask another coordinator or administrator."))
    if membership.role not in grantable_roles(actor):
        raise PermissionError(
            _("Only a coordinator ends a membership as data protection officer, police liaison or coordinator.")
        )
    _lock(agency, actor)  # as change_roles: the last administrator is counted after the lock
    if not Membership.objects.filter(pk=membership.pk).exists():
        raise ValidationError(_("This membership has already ended."))
    if (
        membership.role == Membership.Role.AGENCY_ADMIN
        and not _is_coordinator(actor)
        and not _keeps_an_administrator(agency, membership.user)
    ):
        raise ValidationError(
            _("%(agency)s would have no administrator left: make someone else its administrator first.")
            % {"agency": agency.name}
        )
    Departure.objects.filter(membership=membership, carried_out_at__isnull=True).delete()  # a new date replaces it
    user = membership.user
    departure = Departure.objects.create(
        user=user, agency=membership.agency, role=membership.role, ended_on=ended_on, reason=reason.strip(),
        ended_by=actor, membership=membership,
    )  # fmt: skip
    _record(
        "membership_ended",
        actor=actor,
        obj=user,
        agency=membership.agency_id,
        role=membership.role,
        ended_on=ended_on.isoformat(),
        scheduled=ended_on > timezone.localdate(),
        subject_username=user.username,
    )
    if ended_on <= timezone.localdate():
        _carry_out(departure)
    return departure


def _carry_out(departure: Departure) -> None:
    membership = departure.membership
    departure.membership = None
    departure.carried_out_at = timezone.now()
    departure.save(update_fields=["membership", "carried_out_at"])
    if membership is not None:
        user = membership.user
        membership.delete()  # agencies.signals: groups left, tokens and sessions ended
        # An invitation still open is used up: a leaver's link does not let them back in.
        Invitation.objects.filter(user=user, used_at__isnull=True).update(used_at=departure.carried_out_at)
        if not Membership.objects.filter(user=user).exists() and not user.is_superuser:
            User.objects.filter(pk=user.pk).update(is_active=False)


def end_due_memberships() -> int:
    """End the memberships whose leaving day has come (beat, hourly); running twice ends nothing twice."""
    ended = 0
    due = Departure.objects.filter(carried_out_at__isnull=True, ended_on__lte=timezone.localdate())
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            departure = (
                Departure.objects.select_related("membership__user", "user")
                .filter(pk=pk, carried_out_at__isnull=True)
                .first()
            )
            if departure is not None:
                _carry_out(departure)
                _record(
                    "membership_ended",
                    actor=None,
                    obj=departure.user,
                    agency=departure.agency_id,
                    role=departure.role,
                    ended_on=departure.ended_on.isoformat(),
                    scheduled=False,
                    carried_out=True,
                    ended_by=departure.ended_by_id,
                    subject_username=departure.user.username,
                )
                ended += 1
    return ended


def people_of(agency: Agency) -> QuerySet[Membership]:
    """The agency's current memberships, with their people."""
    return (
        Membership.objects.filter(agency=agency).select_related("user", "departure").order_by("user__last_name", "role")
    )


def departures_of(agency: Agency) -> QuerySet[Departure]:
    return Departure.objects.filter(agency=agency, carried_out_at__isnull=False).select_related("user", "ended_by")
