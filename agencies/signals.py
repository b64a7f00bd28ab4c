"""Keep derived group membership in step with memberships, whichever path changed them."""

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver

from .models import Membership, User
from .roles import sync_user_groups

# Sent by the admin after it saves or deletes an agency, person, membership or panel, with `actor`,
# `obj`, `change` ("added", "changed", "deleted"), `fields` and `ip_address`: the audit app records
# it in the chain (this app does not import the audit app).
admin_changed = Signal()


# Signals rather than a service: memberships are configured in the admin as well as in Ura,
# and a missed group update would silently grant or keep access.
@receiver(pre_save, sender=Membership)
def remember_previous_user(sender: type[Membership], instance: Membership, **_: Any) -> None:
    """A membership moved to another person (in the admin) must also leave the first one's groups."""
    instance._previous_user_id = (
        Membership.objects.filter(pk=instance.pk).values_list("user_id", flat=True).first() if instance.pk else None
    )


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def membership_changed(sender: type[Membership], instance: Membership, **_: Any) -> None:
    sync_user_groups(instance.user)
    previous = instance._previous_user_id
    if previous is not None and previous != instance.user_id:
        sync_user_groups(User.objects.get(pk=previous))
