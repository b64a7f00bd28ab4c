"""Sign-ins, sign-outs and failed sign-ins go to the audit trail; and what the audit app tells the
apps above it (it imports none of them)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import Signal, receiver
from django.http import HttpRequest

from agencies.security import account_changed

from .models import AuditEvent
from .services import record

__all__ = ["glass_broken"]

# Sent in the transaction that opens a case by breaking the glass, with `access` (the
# BreakGlassAccess): the reminders app puts the notice under the owner's and coordinator's bell.
glass_broken = Signal()


def _ip(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


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
