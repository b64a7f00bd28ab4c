"""Induction: the protocols a member's roles call for are read and acknowledged before any case
page or case API answers them (issue 13, item 5; decision 118).

Who still has protocols to acknowledge is asked once per user and protocol generation and kept in
the cache (`generation()` changes whenever a protocol is published or withdrawn), and warmed at
sign-in: a page pays no query for it, and nothing at all while no protocol is in force.
"""

import secrets
from collections.abc import Callable
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .api.errors import api_error
from .models import Membership, Protocol, ProtocolAcknowledgement, User
from .signals import directory_changed

__all__ = [
    "InductionMiddleware",
    "acknowledge",
    "cleared",
    "generation",
    "may_publish",
    "pending",
    "publish_protocol",
    "refusal_message",
]

GENERATION_KEY = "ura:induction:generation"
NONE_IN_FORCE = "none"
CLEARED_SECONDS = 3600


def generation() -> str:
    """A token that changes whenever the protocols in force change; NONE_IN_FORCE when there are none."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = NONE_IN_FORCE if not Protocol.objects.filter(in_force=True).exists() else secrets.token_hex(8)
        cache.set(GENERATION_KEY, value, None)
    return str(value)


def _new_generation() -> None:
    transaction.on_commit(lambda: cache.delete(GENERATION_KEY))
    cache.delete(GENERATION_KEY)


def _cleared_key(user_id: int, current: str) -> str:
    return f"ura:induction:cleared:{user_id}:{current}"


def pending(user: Any) -> list[Protocol]:
    """The protocols in force for `user`'s roles whose current version they have not acknowledged."""
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    acknowledged = set(ProtocolAcknowledgement.objects.filter(user=user).values_list("protocol_id", "version"))
    return [
        protocol
        for protocol in Protocol.objects.filter(in_force=True)
        if protocol.applies_to(roles) and (protocol.pk, protocol.version) not in acknowledged
    ]


def cleared(user: Any) -> bool:
    """Whether `user` has acknowledged every protocol in force for their roles (cached)."""
    if not getattr(user, "is_authenticated", False):
        return True
    current = generation()
    if current == NONE_IN_FORCE:
        return True
    key = _cleared_key(user.pk, current)
    if cache.get(key):
        return True
    if pending(user):
        return False
    cache.set(key, True, CLEARED_SECONDS)
    return True


def refusal_message() -> str:
    return _("Read and acknowledge the partnership's protocols first (Induction page), then try again.")


def may_publish(actor: Any) -> bool:
    """Coordinators (and superusers) publish the partnership's protocols."""
    return bool(getattr(actor, "is_authenticated", False)) and (
        actor.is_superuser or Membership.objects.filter(user=actor, role=Membership.Role.COORDINATOR).exists()
    )


@transaction.atomic
def publish_protocol(
    *,
    actor: User,
    title: str,
    text: str,
    title_sq: str = "",
    text_sq: str = "",
    roles: list[str] | None = None,
    in_force: bool = True,
    protocol: Protocol | None = None,
) -> Protocol:
    """A new protocol, or a new version of `protocol` (a changed text must be acknowledged again)."""
    if not may_publish(actor):
        raise PermissionError
    if protocol is None:
        protocol = Protocol(published_by=actor)
    else:
        protocol = Protocol.objects.get(pk=protocol.pk)
        if (protocol.text, protocol.text_sq, protocol.title, protocol.title_sq) != (text, text_sq, title, title_sq):
            protocol.version += 1
    protocol.title, protocol.text, protocol.title_sq, protocol.text_sq = title, text, title_sq, text_sq
    protocol.roles = sorted(set(roles or []))
    protocol.in_force = in_force
    protocol.published_at = timezone.now()
    protocol.published_by = actor
    protocol.save()
    directory_changed.send(
        sender=Protocol,
        actor=actor,
        event="protocol_published",
        obj=protocol,
        data={"version": protocol.version, "in_force": in_force, "roles": protocol.roles},
    )
    _new_generation()
    return protocol


@transaction.atomic
def acknowledge(user: User, protocols: list[Protocol]) -> int:
    """Record that `user` read each of `protocols` in its current version; how many were new."""
    wanted = {p.pk: p for p in pending(user)}
    new = [ProtocolAcknowledgement(user=user, protocol=p, version=p.version) for p in protocols if p.pk in wanted]
    ProtocolAcknowledgement.objects.bulk_create(new)
    if new:
        directory_changed.send(
            sender=Protocol,
            actor=user,
            event="protocols_acknowledged",
            obj=user,
            data={"protocols": [[a.protocol_id, a.version] for a in new]},
        )
    transaction.on_commit(lambda: cache.delete(_cleared_key(user.pk, generation())))
    return len(new)


@receiver(user_logged_in, dispatch_uid="agencies.induction.signed_in")
def _warm(sender: Any, user: Any, **_: Any) -> None:
    cleared(user)  # asked at sign-in, not by the first page


@receiver(post_save, sender=Membership, dispatch_uid="agencies.induction.membership_saved")
@receiver(post_delete, sender=Membership, dispatch_uid="agencies.induction.membership_deleted")
def _roles_changed(sender: Any, instance: Membership, **_: Any) -> None:
    # Now and again once committed: a request of the person's in between must not cache the
    # roles they had as cleared (a new role's protocols are asked from its first request).
    key = _cleared_key(instance.user_id, generation())
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


# Paths a member reaches before the protocols are acknowledged: their account, the induction page,
# signing in and out, the API's sign-in, the schema and static files.
_OPEN = (
    "/accounts/",
    "/induction/",
    "/api/v1/auth/",
    "/api/v1/induction/",
    "/api/schema/",
    "/api/docs/",
    "/static/",
    "/admin/",
)


class InductionMiddleware:
    """A signed-in member with protocols still to acknowledge reaches only their account and the
    induction page; the API (signed with a session here, with a token in the access bases) answers
    403 with what to do."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(_OPEN) and not cleared(user):
            if request.path.startswith("/api/"):
                return api_error(403, refusal_message(), "induction_required")
            return redirect(f"{reverse('induction')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
