"""Turning on two-factor sign-in needs a code from someone else; recovery codes stand in for the
phone (decision 64).

An enrolment code is issued by an administrator (a superuser, or an agency administrator) or a
supervisor of an agency the user works for, shown to them once to hand over in person or by
phone, and works once, for `URA_ENROLMENT_CODE_HOURS`. Recovery codes are made when the user
enrols (and again on request), shown once, and each signs in once in place of the app's code.
"""

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import EnrolmentCode, Membership, RecoveryCode, User
from .models.two_factor import code_hash, new_code
from .security import account_changed

__all__ = [
    "issue_enrolment_code",
    "issue_recovery_codes",
    "may_issue_for",
    "people_for_codes",
    "redeem_enrolment_code",
    "use_recovery_code",
]

RECOVERY_CODES = 10
ISSUING_ROLES = (Membership.Role.SUPERVISOR, Membership.Role.AGENCY_ADMIN)


def people_for_codes(issuer: User) -> QuerySet[User]:
    """Whom `issuer` may give an enrolment code: everyone, for a superuser; else the members of the
    agencies they supervise or administer (never themselves)."""
    active = User.objects.filter(is_active=True)
    if issuer.is_superuser:
        return active
    agencies = Membership.objects.filter(user=issuer, role__in=ISSUING_ROLES).values("agency_id")
    return active.filter(memberships__agency_id__in=agencies).exclude(pk=issuer.pk).distinct()


def may_issue_for(issuer: User, user: User) -> bool:
    return people_for_codes(issuer).filter(pk=user.pk).exists()


@transaction.atomic
def issue_enrolment_code(user: User, *, actor: User) -> str:
    """A new enrolment code for `user` (any earlier unused one ends); returned once, kept hashed."""
    if not may_issue_for(actor, user):
        raise PermissionError
    now = timezone.now()
    EnrolmentCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    code = new_code(15)
    hours = settings.URA_ENROLMENT_CODE_HOURS
    EnrolmentCode.objects.create(
        user=user,
        issued_by=actor,
        code_hash=code_hash("enrolment", code),
        issued_at=now,
        expires_at=now + datetime.timedelta(hours=hours),
    )
    account_changed.send(sender=User, user=user, event="enrolment_code_issued", actor=actor, detail="")
    return code


def redeem_enrolment_code(user: User, code: str) -> bool:
    """Whether `code` is a current enrolment code of `user`; it is used up if so."""
    now = timezone.now()
    used = EnrolmentCode.objects.filter(
        user=user, code_hash=code_hash("enrolment", code), used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    return used == 1


@transaction.atomic
def issue_recovery_codes(user: User, *, actor: Any = None) -> list[str]:
    """A new set of recovery codes for `user`, ending the old set; returned once, kept hashed."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = [new_code(10) for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=code_hash("recovery", c)) for c in codes)
    account_changed.send(sender=User, user=user, event="recovery_codes_issued", actor=actor, detail="")
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Whether `code` is an unused recovery code of `user`; it is used up if so."""
    used = RecoveryCode.objects.filter(user=user, code_hash=code_hash("recovery", code), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if used:
        account_changed.send(sender=User, user=user, event="recovery_code_used", actor=None, detail="")
    return used == 1
