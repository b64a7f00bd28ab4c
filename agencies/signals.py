"""Keep derived group membership in step with memberships, whichever path changed them."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Membership
from .roles import sync_user_groups


# A signal rather than a service: memberships are configured in the admin as well as in Ura,
# and a missed group update would silently grant or keep access.
@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def membership_changed(sender: type[Membership], instance: Membership, **_: Any) -> None:
    sync_user_groups(instance.user)
