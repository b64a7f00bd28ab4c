"""Individual grants: one user may read one case, for a reason, until an end date (decision 96).

A named consultant, an expert asked for an opinion, a worker seconded from another agency: someone
the case's agencies do not cover, given the file by who manages the case. The grant is guardian's
row (`CaseUserObjectPermission`), so `has_perm` answers for it; each one is made, revoked and
ended here, in one transaction with its audit record, which the case's access log shows.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import get_perms_for_model

from agencies.access import Action, CaseAccess, Level
from agencies.models import Membership, User
from audit.models import AuditEvent
from audit.services import record

from ..models import Case, CaseUserObjectPermission
from .ownership import MIN_JUSTIFICATION

__all__ = ["MAX_GRANT_DAYS", "end_case_grants", "expire_grants", "grant_access", "revoke_grant"]

# A grant is for a piece of work, not a standing right: it ends within a year, and is renewed if needed.
MAX_GRANT_DAYS = 366
Scope = CaseUserObjectPermission.Scope


def _grantable(user: User) -> bool:
    """Someone who works for an agency in a role that reads cases: the only users whose list
    queries carry the grant branch (`UserAccess.holds_grants`), and who pass the role gate."""
    roles = Membership.objects.filter(user=user).exclude(role__in=Membership.NO_CASE_ROLES)
    return user.is_active and roles.exists()


def _permission(scope: str) -> object:
    return next(perm for perm in get_perms_for_model(Case) if perm.codename == scope)


@transaction.atomic
def grant_access(
    case: Case, *, user: User, scope: str, reason: str, ends_at: datetime.datetime, actor: User
) -> CaseUserObjectPermission:
    """Let `user` read `case` (in full or its summary) until `ends_at`, for `reason`.

    Who manages the case grants (MANAGE: its supervisors, its owner, its panel's coordinator). A
    grant of the same scope already held is replaced: its end date and reason are the new ones.
    """
    case = (
        Case.objects.restrict(actor, Action.MANAGE)
        .with_access(actor)
        .lock()
        .refetch(case, _("You may no longer manage this case."))
    )
    if scope not in Scope.values:
        raise ValidationError(_("Choose what the person may read."))
    # Nobody gives what they do not hold: a coordinator who reads the summary grants the summary only.
    if scope == Scope.FULL and CaseAccess.of(case, actor).level != Level.FULL:
        raise ValidationError(_("Only someone who reads the full file can give access to it in full."))
    if len(reason.strip()) < MIN_JUSTIFICATION:
        raise ValidationError(
            _("Explain in at least %(count)d characters why this person needs the case.") % {"count": MIN_JUSTIFICATION}
        )
    now = timezone.now()
    if ends_at <= now:
        raise ValidationError(_("The end of a grant must be in the future."))
    if ends_at > now + datetime.timedelta(days=MAX_GRANT_DAYS):
        raise ValidationError(_("A grant ends within a year; renew it if the work goes on."))
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot grant access to yourself."))
    if not _grantable(user):
        raise ValidationError(_("Only someone who works cases for an agency can be given access to a case."))
    # guardian answers whether a current grant is already there (the backend honours end dates).
    replaced = user.has_perm(f"cases.{scope}", case)
    CaseUserObjectPermission.objects.filter(user=user, content_object=case, permission__codename=scope).delete()
    grant: CaseUserObjectPermission = CaseUserObjectPermission.objects.create(
        user=user,
        content_object=case,
        permission=_permission(scope),
        reason=reason.strip(),
        ends_at=ends_at,
        granted_by=actor,
        granted_at=now,
    )
    record(
        AuditEvent.Action.ACCESS_GRANTED,
        actor=actor,
        obj=grant,
        case_id=case.pk,
        reason=grant.reason,
        user=user.pk,
        username=user.username,
        scope=scope,
        ends_at=ends_at.isoformat(),
        replaced=replaced,
    )
    return grant


def _end(grant: CaseUserObjectPermission, action: str, *, actor: User | None, reason: str) -> None:
    record(
        action,
        actor=actor,
        obj=grant,
        case_id=grant.content_object_id,
        reason=reason,
        user=grant.user_id,
        username=grant.user.username,
        scope=grant.permission.codename,
        ends_at=grant.ends_at.isoformat(),
    )
    grant.delete()


@transaction.atomic
def revoke_grant(
    grant: CaseUserObjectPermission, *, reason: str, actor: User, as_administrator: bool = False
) -> CaseUserObjectPermission:
    """End a grant now. Who manages the case revokes it; in the admin, an administrator with the
    permission to remove grants (`as_administrator`)."""
    if not reason.strip():
        raise ValidationError(_("Say why the access is revoked."))
    # The case row is locked: two revocations of one grant, or a revocation and a new grant, wait in turn.
    if as_administrator:
        if not actor.has_perm("cases.delete_caseuserobjectpermission"):
            raise ValidationError(_("You may not revoke access."))
        Case.objects.filter(pk=grant.content_object_id).lock().first()
    else:
        Case.objects.restrict(actor, Action.MANAGE).lock().refetch(
            Case(pk=grant.content_object_id), _("You may no longer manage this case.")
        )
    found: CaseUserObjectPermission | None = (
        CaseUserObjectPermission.objects.select_related("user", "permission").filter(pk=grant.pk).first()
    )
    if found is None:
        raise ValidationError(_("This access has already ended."))
    _end(found, AuditEvent.Action.GRANT_REVOKED, actor=actor, reason=reason.strip())
    return found


def end_case_grants(case: Case, *, actor: User | None, reason: str) -> int:
    """End every grant on `case` now, each recorded: a case anonymised keeps no one's access to it,
    nor the reasons it was given (they may name the family). Runs in the caller's transaction."""
    grants = CaseUserObjectPermission.objects.filter(content_object_id=case.pk).select_related("user", "permission")
    ended = 0
    for grant in grants.order_by("pk"):
        _end(grant, AuditEvent.Action.GRANT_REVOKED, actor=actor, reason=reason)
        ended += 1
    return ended


def expire_grants() -> int:
    """Remove every grant past its end date, each recorded. Safe to run twice at once.

    Nothing waits for this sweep: restrict() and has_perm stop honouring a grant the second it
    ends. The sweep keeps the table to current grants and writes the end into the audit chain."""
    ended = 0
    while True:
        with transaction.atomic():
            expired = CaseUserObjectPermission.objects.filter(ends_at__lte=timezone.now())
            batch = list(
                expired.select_related("user", "permission")
                .order_by("pk")
                .select_for_update(of=("self",), skip_locked=True)[:100]
            )
            for grant in batch:
                _end(grant, AuditEvent.Action.GRANT_EXPIRED, actor=None, reason=_("The grant reached its end date."))
        ended += len(batch)
        if len(batch) < 100:
            return ended
