"""Keep derived group membership in step with memberships, whichever path changed them."""

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver

from .access import forget_access
from .access.case_access import case_saved
from .access.held import grants_changed
from .access.present import row_saved
from .models import Membership, User
from .people import forget_person
from .roles import sync_user_groups
from .security import revoke_sign_ins

# Sent by the admin after it saves or deletes an agency, person, membership or panel, with `actor`,
# `obj`, `change` ("added", "changed", "deleted"), `fields` and `ip_address`: the audit app records
# it in the chain (this app does not import the audit app).
admin_changed = Signal()
# Sent by the pages and services that add agencies and people, invite, end memberships and record
# the protocols read (agencies.joining, agencies.induction), with `actor`, `event` (an audit action's
# code), `obj` and `data`: the audit app records it in the same transaction.
directory_changed = Signal()


# Signals rather than a service: memberships are configured in the admin as well as in Ura,
# and a missed group update would silently grant or keep access.
@receiver(pre_save, sender=Membership)
def remember_previous_user(sender: type[Membership], instance: Membership, **_: Any) -> None:
    """A membership moved to another person (in the admin) must also leave the first one's groups."""
    before = (
        Membership.objects.filter(pk=instance.pk).values_list("user_id", "agency_id", "role").first()
        if instance.pk
        else None
    )
    instance._previous_user_id = before[0] if before else None
    instance._previous_role = (before[1], before[2]) if before else None


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def membership_changed(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    sync_user_groups(instance.user)
    # What this request remembers of the person's memberships is read again (their access, their
    # role groups' permissions, how their name is shown); a new request reads it afresh anyway.
    forget_access(instance.user)
    forget_person(instance.user)
    previous = instance._previous_user_id
    moved_from = User.objects.get(pk=previous) if previous is not None and previous != instance.user_id else None
    if moved_from is not None:
        sync_user_groups(moved_from)
    # A membership that ends (deleted, moved to someone else, or changed to another agency or
    # role) ends its holder's sign-ins: no token or session opened under it outlives it.
    if kwargs.get("signal") is post_delete:
        revoke_sign_ins(instance.user, reason="membership_ended")
    elif moved_from is not None:
        revoke_sign_ins(moved_from, reason="membership_ended")
    elif instance._previous_role not in (None, (instance.agency_id, instance.role)):
        revoke_sign_ins(instance.user, reason="membership_changed")


# The cases a user holds by name are read once per request as ids (agencies.access.held): a share,
# grant or break-the-glass access saved or deleted here is seen by the next condition built.
for _held_model in ("cases.CaseShare", "cases.CaseUserObjectPermission", "audit.BreakGlassAccess"):
    post_save.connect(grants_changed, sender=_held_model, dispatch_uid=f"held-{_held_model}-saved")
    post_delete.connect(grants_changed, sender=_held_model, dispatch_uid=f"held-{_held_model}-deleted")

# A case's answers read with it stand for its conditions a moment (restrict_to): a case saved or
# deleted here (a new owner, agency or panel) is restricted the long way from then on.
post_save.connect(case_saved, sender="cases.Case", dispatch_uid="case-access-saved")
# Whether a case has rows of a table, read with it, stands a moment too (decision 166): a row saved
# here of a table asked about is read the long way from then on.
post_save.connect(row_saved, dispatch_uid="rows-present-saved")
post_delete.connect(case_saved, sender="cases.Case", dispatch_uid="case-access-deleted")
