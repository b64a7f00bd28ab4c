"""What the running system says of itself: the beat heartbeat (decision 79)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["Heartbeat"]


class Heartbeat(models.Model):
    """The last time a periodic process showed it was alive: "beat" (the beat scheduler, through
    the crisis worker; `/readyz` is red once it is older than `URA_BEAT_STALE_SECONDS`) and
    "audit-chain" (the audit chain's step, on the general queue; red while records wait and it is
    older than `URA_AUDIT_CHAIN_STALE_SECONDS`, decision 173)."""

    name = models.CharField(_("name"), max_length=32, unique=True)
    at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
