"""Sign-ins, sign-outs and failed sign-ins go to the audit trail; and what the audit app tells the
apps above it (it imports none of them)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.dispatch import Signal, receiver
from django.http import HttpRequest
from django.utils.translation import gettext as _

from agencies.addresses import client_ip
from agencies.models import Membership, User
from agencies.security import account_changed
from agencies.signals import admin_changed, directory_changed
from outbox import services as outbox

from .models import AuditEvent
from .services import record

__all__ = ["glass_broken"]

# Sent in the transaction that opens a case by breaking the glass, with `access` (the
# BreakGlassAccess): the reminders app puts the notice under the owner's and coordinator's bell.
glass_broken = Signal()


def _ip(request: HttpRequest | None) -> str | None:
    return client_ip(request) if request is not None else None


@receiver(user_logged_in)
def signed_in(sender: Any, request: HttpRequest, user: Any, **_: Any) -> None:
    record(AuditEvent.Action.SIGNED_IN, actor=user, ip_address=_ip(request))


@receiver(user_logged_out)
def signed_out(sender: Any, request: HttpRequest, user: Any, **_: Any) -> None:
    if user is not None:
        record(AuditEvent.Action.SIGNED_OUT, actor=user, ip_address=_ip(request))


@receiver(user_login_failed)
def sign_in_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any) -> None:
    # The attempted username only: never the password.
    record(AuditEvent.Action.SIGN_IN_FAILED, ip_address=_ip(request), username=str(credentials.get("username", "")))


@receiver(account_changed)
def account_was_changed(sender: Any, user: Any, event: str, actor: Any = None, detail: str = "", **_: Any) -> None:
    """Sign-ins ended, two-factor codes issued or used: who, for whom, why (never a code)."""
    record(
        AuditEvent.Action(event), actor=actor or user, subject=user.pk, subject_username=user.username, detail=detail
    )


def _admin_details(obj: models.Model) -> dict[str, Any]:
    """What the record says of the row changed: ids and the role, never a password or a name."""
    if isinstance(obj, Membership):
        return {"user_id": obj.user_id, "agency_id": obj.agency_id, "role": obj.role}
    return {}


def _tell_data_protection_officers(actor: Any, obj: Membership, change: str) -> None:
    officers = (
        User.objects.filter(memberships__role=Membership.Role.DATA_PROTECTION_OFFICER, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    recipients = sorted(set(officers))
    if not recipients:
        return
    subject = _("Ura: a membership was changed in the administration")
    body = _(
        "%(actor)s %(change)s the membership %(membership)s in the administration (role: %(role)s). "
        "The change is in the audit trail."
    ) % {"actor": getattr(actor, "username", "-"), "change": change, "membership": obj.pk, "role": obj.role}
    # Through the outbox, in the change's transaction (decision 70): a mail server that is down
    # neither breaks the administrator's save nor loses the notice.
    outbox.queue(
        "membership_changed", [(subject, body, to) for to in recipients], about=f"agencies.membership:{obj.pk}"
    )


@receiver(admin_changed)
def changed_in_admin(
    sender: Any, actor: Any, obj: models.Model, change: str, fields: list[str], ip_address: str | None, **_: Any
) -> None:
    record(
        AuditEvent.Action.ADMIN_CHANGED,
        actor=actor,
        obj=obj,
        ip_address=ip_address,
        change=change,
        fields=fields,
        **_admin_details(obj),
    )
    if isinstance(obj, Membership):
        _tell_data_protection_officers(actor, obj, change)


@receiver(directory_changed)
def directory_was_changed(
    sender: Any, actor: Any, event: str, obj: models.Model, data: dict[str, Any], **_: Any
) -> None:
    """An agency or a person added, invited or ended, protocols published or acknowledged."""
    record(AuditEvent.Action(event), actor=actor, obj=obj, **data)
